// kafkajs(settings): the same brokers, SASL and TLS as ktool's own client,
// quiet unless --verbose, failing fast and mapped to one-line errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { kafkajs, connect } from '../../src/connection/client.js';
import { toKtoolError } from '../../src/connection/errors.js';
import { resolveSettings } from '../../src/connection/settings.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { hasOpenssl, makeCerts, startSecureProxy, type SecureProxy, type TestCerts } from '../helpers/secure-proxy.js';
import { freePort } from '../cli/helpers.js';

describe('kafkajs(settings)', () => {
  let broker: TestBroker;
  let certs: TestCerts | undefined;
  const proxies: SecureProxy[] = [];
  before(async () => {
    broker = await startTestBroker();
    await broker.broker.createTopic(
      { name: 'kjs.topic', numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} },
      false,
    );
    if (hasOpenssl()) certs = makeCerts();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await broker?.destroy();
    certs?.cleanup();
  });

  test('talks to the cluster and logs nothing by default', async () => {
    const settings = await resolveSettings({ bootstrapServer: broker.bootstrap, env: {} });
    const logged: string[] = [];
    const kafka = await kafkajs(settings, { write: (l) => logged.push(l) });
    assert.equal(process.env.KAFKAJS_NO_PARTITIONER_WARNING, '1');
    const admin = kafka.admin();
    await admin.connect();
    try {
      assert.ok((await admin.listTopics()).includes('kjs.topic'));
    } finally {
      await admin.disconnect();
    }
    assert.deepEqual(logged, []);
  });

  test('--verbose logs at INFO through the log writer, redacted', async () => {
    const port = await freePort();
    const settings = await resolveSettings({
      bootstrapServer: `127.0.0.1:${port}`,
      env: {},
      properties: {
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="verbose-secret-1";',
      },
    });
    const logged: string[] = [];
    const kafka = await kafkajs(settings, { verbose: true, write: (l) => logged.push(l) });
    const admin = kafka.admin();
    await assert.rejects(admin.connect());
    assert.ok(logged.length > 0, 'kafkajs logged its connection errors');
    assert.ok(logged.every((l) => l.startsWith('[kafkajs] ')));
    assert.ok(logged.every((l) => !l.includes('verbose-secret-1')));
  });

  test('an unreachable broker fails within 5 s with the same one-line error as the own client', async () => {
    const port = await freePort();
    const settings = await resolveSettings({ bootstrapServer: `127.0.0.1:${port}`, env: {} });
    const admin = (await kafkajs(settings)).admin();
    const started = Date.now();
    const error = await admin.connect().then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    const mapped = toKtoolError(error);
    assert.equal(mapped.message, `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
    assert.equal(mapped.code, 'CONNECT_FAILED');
    await assert.rejects(connect(settings), {
      message: `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
    });
  });

  test('SASL SCRAM over TLS with the settings from properties', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const p = await startSecureProxy({
      target: { host: '127.0.0.1', port: broker.port },
      tls: { key: certs.serverKey, cert: certs.serverPem },
      sasl: { mechanisms: ['SCRAM-SHA-512'], users: { kjs: 'kjs-password' } },
    });
    proxies.push(p);
    const settings = await resolveSettings({
      bootstrapServer: `localhost:${p.port}`,
      env: {},
      properties: {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required username="kjs" password="kjs-password";',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.paths.ca,
      },
    });
    const admin = (await kafkajs(settings)).admin();
    await admin.connect();
    try {
      assert.ok((await admin.listTopics()).includes('kjs.topic'));
    } finally {
      await admin.disconnect();
    }
    assert.ok(p.authenticated.some((a) => a.user === 'kjs' && a.mechanism === 'SCRAM-SHA-512'));
  });
});
