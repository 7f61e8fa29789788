// SSL and SASL_SSL listeners with a throwaway CA: kafkajs, kcat and confluent-kafka as
// clients, client-certificate authentication, and what reaches the broker log.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { PYTHON, requireTool, run } from '../../helpers/tools.js';
import { API, makeCerts, plainToken, RawClient, startLoggedBroker, type Certs, type LoggedBroker } from './helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
async function waitForLine(b: LoggedBroker, match: (line: string) => boolean): Promise<void> {
  for (let i = 0; i < 100 && !b.lines.some(match); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(b.lines.some(match), b.lines.join('\n'));
}

const PASSWORDS = ['alice-tls-secret-5Rv', 'carol-tls-256-Qp2', 'carol-tls-512-Vb8'];

describe('SSL and SASL_SSL listeners', () => {
  let certs: Certs;
  let broker: LoggedBroker;
  const port = (name: string) => broker.ports[name];
  const kafka = (listener: string, extra: Partial<KafkaConfig> = {}) =>
    new Kafka({
      clientId: 'kjs-tls',
      brokers: [`127.0.0.1:${port(listener)}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 5000,
      ssl: { ca: [readFileSync(certs.ca, 'utf8')] },
      ...extra,
    });

  before(async () => {
    certs = makeCerts();
    broker = await startLoggedBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,MTLS://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,MTLS:SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.keystore,
      // The SASL_SSL listener takes its certificate inline, with an encrypted key.
      'listener.name.sasl_ssl.ssl.keystore.certificate.chain': readFileSync(certs.serverCert, 'utf8'),
      'listener.name.sasl_ssl.ssl.keystore.key': readFileSync(certs.encryptedKey, 'utf8'),
      'listener.name.sasl_ssl.ssl.key.password': certs.keyPassword,
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.truststore.location': certs.ca,
      'listener.name.sasl_ssl.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-tls-secret-5Rv";',
      'sasl.scram.users': 'SCRAM-SHA-256:carol:carol-tls-256-Qp2,SCRAM-SHA-512:carol:carol-tls-512-Vb8',
    });
  });
  after(async () => {
    await broker?.destroy();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
    const log = broker.lines.join('\n');
    for (const p of [...PASSWORDS, certs.keyPassword])
      assert.ok(!log.includes(p), `the broker log shows a secret: ${p}`);
    assert.ok(!log.includes('PRIVATE KEY'));
  });

  test('every listener reports its own port and security in the log', () => {
    assert.deepEqual(Object.keys(broker.ports).sort(), ['MTLS', 'PLAINTEXT', 'SASL_SSL', 'SSL']);
    assert.equal(new Set(Object.values(broker.ports)).size, 4);
    assert.ok(
      broker.lines.includes(
        `Listener SASL_SSL on 127.0.0.1:${port('SASL_SSL')} (SASL_SSL, mechanisms PLAIN,SCRAM-SHA-256,SCRAM-SHA-512)`,
      ),
      broker.lines.join('\n'),
    );
    assert.ok(broker.lines.includes(`Listener MTLS on 127.0.0.1:${port('MTLS')} (SSL, client certificates required)`));
  });

  test('kafkajs over SSL: admin lists topics, producer sends', async () => {
    const k = kafka('SSL');
    const admin = k.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'tls.kjs', numPartitions: 2 }] });
      assert.ok((await admin.listTopics()).includes('tls.kjs'));
      const producer = k.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const res = await producer.send({
        topic: 'tls.kjs',
        acks: -1,
        messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })),
      });
      await producer.disconnect();
      assert.ok(res.every((r) => r.errorCode === 0));
      const offsets = await admin.fetchTopicOffsets('tls.kjs');
      assert.deepEqual(offsets.map((o) => o.high).sort(), ['10', '10']);
    } finally {
      await admin.disconnect();
    }
  });

  for (const [mechanism, username, password] of [
    ['plain', 'alice', 'alice-tls-secret-5Rv'],
    ['scram-sha-256', 'carol', 'carol-tls-256-Qp2'],
    ['scram-sha-512', 'carol', 'carol-tls-512-Vb8'],
  ] as const) {
    test(`kafkajs over SASL_SSL with ${mechanism}`, async () => {
      const k = kafka('SASL_SSL', { sasl: { mechanism, username, password } as SASLOptions });
      const admin = k.admin();
      await admin.connect();
      const topic = `tls.sasl.${mechanism}`;
      try {
        await admin.createTopics({ topics: [{ topic }] });
        assert.ok((await admin.listTopics()).includes(topic));
        const producer = k.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        await producer.send({ topic, messages: [{ value: 'hello' }] });
        await producer.disconnect();
        assert.equal(broker.broker.topic(topic)!.partitions[0].log.logEndOffset, 1);
      } finally {
        await admin.disconnect();
      }
    });
  }

  test('kafkajs over SASL_SSL with a wrong password: SASL authentication error, broker healthy', async () => {
    const admin = kafka('SASL_SSL', {
      sasl: { mechanism: 'scram-sha-512', username: 'carol', password: 'carol-tls-256-Qp2' },
    }).admin();
    await assert.rejects(admin.connect(), (e: Error) => {
      assert.equal(e.name, 'KafkaJSSASLAuthenticationError');
      assert.match(
        e.message,
        /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
      );
      return true;
    });
    const ok = kafka('SASL_SSL', {
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-tls-secret-5Rv' },
    }).admin();
    await ok.connect();
    await ok.listTopics();
    await ok.disconnect();
  });

  test('a request before authentication on SASL_SSL closes the connection', async () => {
    const c = await RawClient.open(port('SASL_SSL'), { ca: certs.ca });
    assert.equal((await c.request(API.ApiVersions, 0, {})).errorCode, 0);
    await assert.rejects(c.request(API.Metadata, 1, { topics: null }), /connection closed/);
    const d = await RawClient.open(port('SASL_SSL'), { ca: certs.ca });
    assert.equal((await d.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode, 0);
    const r = await d.request(API.SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-tls-secret-5Rv') });
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal((await d.request(API.Metadata, 1, { topics: null })).brokers[0].port, port('SASL_SSL'));
    d.close();
  });

  test('client certificates: required on MTLS, accepted when signed by the truststore CA', async () => {
    const withCert = kafka('MTLS', {
      ssl: {
        ca: [readFileSync(certs.ca, 'utf8')],
        cert: readFileSync(certs.clientCert, 'utf8'),
        key: readFileSync(certs.clientKey, 'utf8'),
      },
    });
    const admin = withCert.admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    // Without a certificate the handshake (TLS 1.3: the first read) fails.
    await assert.rejects(async () => {
      const c = await RawClient.open(port('MTLS'), { ca: certs.ca });
      await c.request(API.ApiVersions, 0, {});
    });
    await waitForLine(broker, (l) =>
      /^Failed TLS handshake( with \S+)? on listener MTLS \(peer did not return a certificate\)$/.test(l),
    );
    const c = await RawClient.open(port('MTLS'), { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    assert.equal((await c.request(API.ApiVersions, 0, {})).errorCode, 0);
    c.close();
  });

  test('a plaintext client on a TLS port is dropped and logged; the broker keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const s = connect({ port: port('SSL'), host: '127.0.0.1' }, () => {
        const frame = Buffer.alloc(14);
        frame.writeInt32BE(10, 0);
        frame.writeInt16BE(18, 4);
        frame.writeInt16BE(0, 6);
        frame.writeInt32BE(1, 8);
        frame.writeInt16BE(-1, 12);
        s.write(frame);
      });
      s.on('close', () => resolve());
      s.on('error', () => {});
    });
    await waitForLine(broker, (l) =>
      /^Failed TLS handshake( with 127\.0\.0\.1:\d+)? on listener SSL \(not a TLS client \(wrong version number\)\)$/.test(
        l,
      ),
    );
    const c = await RawClient.open(port('SSL'), { ca: certs.ca });
    assert.equal((await c.request(API.ApiVersions, 0, {})).errorCode, 0);
    c.close();
  });

  const kcatArgs = (listener: string, extra: string[]) => [
    '-b',
    `127.0.0.1:${port(listener)}`,
    '-X',
    `ssl.ca.location=${certs.ca}`,
    ...extra.flatMap((x) => ['-X', x]),
  ];

  for (const [listener, extra] of [
    ['SSL', ['security.protocol=SSL']],
    [
      'SASL_SSL',
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanisms=SCRAM-SHA-256',
        'sasl.username=carol',
        'sasl.password=carol-tls-256-Qp2',
      ],
    ],
    [
      'SASL_SSL',
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanisms=PLAIN',
        'sasl.username=alice',
        'sasl.password=alice-tls-secret-5Rv',
      ],
    ],
    [
      'MTLS',
      ['security.protocol=SSL', `ssl.certificate.location=${'CLIENT_CERT'}`, `ssl.key.location=${'CLIENT_KEY'}`],
    ],
  ] as const) {
    const mech = extra.find((x) => x.startsWith('sasl.mechanisms='))?.split('=')[1] ?? 'certificates';
    test(`kcat over ${listener} (${mech}) produces and consumes`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const args = kcatArgs(
        listener,
        extra.map((x) => x.replace('CLIENT_CERT', certs.clientCert).replace('CLIENT_KEY', certs.clientKey)),
      );
      const topic = `tls.kcat.${listener.toLowerCase()}.${mech.toLowerCase()}`;
      const input = Array.from({ length: 1000 }, (_, i) => `k${i}:tls-value-${i}`).join('\n') + '\n';
      const p = await run('kcat', [...args, '-P', '-t', topic, '-K:'], { input, timeoutMs: 60_000 });
      assert.equal(p.code, 0, p.stderr);
      const c = await run('kcat', [...args, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], {
        timeoutMs: 60_000,
      });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout.toString(), input);
    });
  }

  test('kcat refuses a broker certificate it cannot verify', async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const r = await run(
      'kcat',
      [
        '-b',
        `127.0.0.1:${port('SSL')}`,
        '-X',
        'security.protocol=SSL',
        '-X',
        `ssl.ca.location=${certs.clientCert}`,
        '-L',
        '-m',
        '5',
      ],
      { timeoutMs: 30_000 },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate verify failed|SSL handshake failed/i);
  });

  for (const [listener, conf] of [
    [
      'SASL_SSL',
      {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': 'carol',
        'sasl.password': 'carol-tls-512-Vb8',
      },
    ],
    ['SSL', { 'security.protocol': 'SSL' }],
  ] as const) {
    test(`confluent-kafka produces over ${listener}`, async (t) => {
      if (!requireTool(t, 'confluent-kafka')) return;
      const topic = `tls.ck.${listener.toLowerCase()}`;
      const r = await run(
        PYTHON,
        [
          join(here, 'python', 'confluent_secure_produce.py'),
          `127.0.0.1:${port(listener)}`,
          topic,
          '2000',
          JSON.stringify({ ...conf, 'ssl.ca.location': certs.ca }),
        ],
        { timeoutMs: 90_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout.toString()), { delivered: 2000, errors: [], left: 0 });
      assert.equal(broker.broker.topic(topic)!.partitions[0].log.logEndOffset, 2000);
    });
  }

  test('confluent-kafka with a wrong password reports an authentication failure', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    const conf = {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'alice',
      'sasl.password': 'wrong-password',
      'ssl.ca.location': certs.ca,
      'message.timeout.ms': 3000,
    };
    const r = await run(
      PYTHON,
      [
        join(here, 'python', 'confluent_secure_produce.py'),
        `127.0.0.1:${port('SASL_SSL')}`,
        'tls.ck.denied',
        '1',
        JSON.stringify(conf),
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.equal(out.delivered, 0);
    assert.match(
      r.stderr + out.errors.join(' '),
      /Authentication failed: Invalid username or password|Authentication failure/,
    );
    assert.equal(broker.broker.topic('tls.ck.denied'), undefined);
  });
});
