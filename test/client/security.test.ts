// SASL (PLAIN, SCRAM-SHA-256/512) and TLS (server verification, hostname
// check, mutual TLS, encrypted keys) through a TLS/SASL front on a test broker.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { ConnectionError, KafkaError } from '../../src/client/errors.js';
import { createMechanism } from '../../src/client/sasl.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { hasOpenssl, makeCerts, startSecureProxy, type SecureProxy, type TestCerts } from '../helpers/secure-proxy.js';
import { hasStack, lines, runCli } from '../cli/helpers.js';

const PASSWORD = 'pa55-w0rd-very-secret';
const USERS = { alice: PASSWORD, 'bob,=odd': 'other-secret' };

describe('SCRAM client', () => {
  test('matches the RFC 7677 SCRAM-SHA-256 example exchange', () => {
    const m = createMechanism(
      { mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' },
      'rOprNGfwEbeRWgbNEkqO',
    );
    assert.equal(m.first().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = m.next(
      Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
    );
    assert.equal(
      final!.toString(),
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    assert.equal(m.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), null);
    m.done();
  });

  test('rejects a wrong server signature, a foreign nonce and too few iterations', () => {
    const m = createMechanism(
      { mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' },
      'rOprNGfwEbeRWgbNEkqO',
    );
    m.first();
    m.next(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    assert.throws(() => m.next(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')), /server signature/);
    const n = createMechanism({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' }, 'abc');
    n.first();
    assert.throws(() => n.next(Buffer.from('r=zzz123,s=AAAA,i=4096')), /nonce/);
    const o = createMechanism({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' }, 'abc');
    o.first();
    assert.throws(
      () => o.next(Buffer.from('r=abcdef,s=AAAA,i=1000')),
      /Requested iterations 1000 is less than the minimum 4096/,
    );
  });

  test('escapes "," and "=" in user names', () => {
    const m = createMechanism({ mechanism: 'SCRAM-SHA-256', username: 'a,b=c', password: 'x' }, 'n0nce');
    assert.equal(m.first().toString(), 'n,,n=a=2Cb=3Dc,r=n0nce');
  });
});

describe('SASL and TLS against a broker', () => {
  let broker: TestBroker;
  let certs: TestCerts | undefined;
  const proxies: SecureProxy[] = [];
  let dir: string;
  const env = { KAFKA_BOOTSTRAP_SERVERS: undefined, XDG_CONFIG_HOME: '/nonexistent-ktool-config' };

  before(async () => {
    broker = await startTestBroker();
    await broker.broker.createTopic(
      { name: 'secure.topic', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} },
      false,
    );
    if (hasOpenssl()) certs = makeCerts();
    dir = mkdtempSync(join(tmpdir(), 'ktool-sec-'));
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await broker?.destroy();
    certs?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = () => ({ host: '127.0.0.1', port: broker.port });
  async function proxy(options: Omit<Parameters<typeof startSecureProxy>[0], 'target'>): Promise<SecureProxy> {
    const p = await startSecureProxy({ target: target(), ...options });
    proxies.push(p);
    return p;
  }
  function props(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    test(`SASL ${mechanism}: authenticates, then requests flow`, async () => {
      const p = await proxy({ sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], users: USERS } });
      const client = await ClusterClient.connect({
        bootstrap: [p.address],
        sasl: { mechanism, username: 'alice', password: PASSWORD },
      });
      try {
        const md = await client.refreshMetadata();
        assert.ok(md.topics.has('secure.topic'));
        assert.deepEqual(p.authenticated, [{ mechanism, user: 'alice' }]);
      } finally {
        client.close();
      }
    });
  }

  test('SASL SCRAM with a user name that needs escaping', async () => {
    const p = await proxy({ sasl: { mechanisms: ['SCRAM-SHA-256'], users: USERS } });
    const client = await ClusterClient.connect({
      bootstrap: [p.address],
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob,=odd', password: 'other-secret' },
    });
    client.close();
    assert.deepEqual(p.authenticated, [{ mechanism: 'SCRAM-SHA-256', user: 'bob,=odd' }]);
  });

  test('wrong password: SASL_AUTHENTICATION_FAILED, and the password appears nowhere', async () => {
    const p = await proxy({ sasl: { mechanisms: ['SCRAM-SHA-512', 'PLAIN'], users: USERS } });
    for (const mechanism of ['SCRAM-SHA-512', 'PLAIN'] as const) {
      await assert.rejects(
        ClusterClient.connect({
          bootstrap: [p.address],
          sasl: { mechanism, username: 'alice', password: 'wrong-password-123' },
        }),
        (e: unknown) => {
          assert.ok(e instanceof KafkaError);
          assert.equal(e.errorName, 'SASL_AUTHENTICATION_FAILED');
          assert.ok(!e.message.includes('wrong-password-123'));
          return true;
        },
      );
    }
    const file = props(
      'bad-sasl.properties',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n' +
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="wrong-password-123";\n',
    );
    const r = await runCli(['topics', '--list', '--bootstrap-server', p.address, '--command-config', file], { env });
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      'Error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (SASL_AUTHENTICATION_FAILED)',
    ]);
    const verbose = await runCli(
      ['topics', '--list', '--bootstrap-server', p.address, '--command-config', file, '--verbose'],
      { env },
    );
    for (const out of [r.stdout, r.stderr, verbose.stdout, verbose.stderr]) {
      assert.ok(!out.includes('wrong-password-123'), out);
      assert.ok(!out.includes('ScramLoginModule required'), out);
    }
  });

  test('a mechanism the broker does not enable is named in the error', async () => {
    const p = await proxy({ sasl: { mechanisms: ['SCRAM-SHA-512'], users: USERS } });
    await assert.rejects(
      ClusterClient.connect({
        bootstrap: [p.address],
        sasl: { mechanism: 'PLAIN', username: 'alice', password: PASSWORD },
      }),
      (e: unknown) => {
        assert.ok(e instanceof KafkaError);
        assert.equal(e.errorName, 'UNSUPPORTED_SASL_MECHANISM');
        assert.equal(
          e.message,
          `The broker at ${p.address} does not support SASL mechanism PLAIN (enabled: SCRAM-SHA-512)`,
        );
        return true;
      },
    );
  });

  test('no SASL against a SASL listener: the broker hangs up and the error says to check security.protocol', async () => {
    const p = await proxy({ sasl: { mechanisms: ['PLAIN'], users: USERS } });
    const client = await ClusterClient.connect({ bootstrap: [p.address] });
    await assert.rejects(
      client.refreshMetadata(),
      /closed before a response to Metadata arrived \(the listener may need TLS or SASL: check security\.protocol\)/,
    );
    client.close();
  });

  test('SASL configured against a broker without SASL', async () => {
    await assert.rejects(
      ClusterClient.connect({
        bootstrap: [broker.bootstrap],
        sasl: { mechanism: 'PLAIN', username: 'a', password: 'b' },
      }),
      /(does not offer SASL authentication \(check security\.protocol\)|does not expect SASL on this listener \(ILLEGAL_SASL_STATE\): check security\.protocol)$/,
    );
  });

  test('TLS: trusted CA and hostname verified; SASL_SSL via the CLI', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const tls = await proxy({ tls: { key: certs.serverKey, cert: certs.serverPem } });
    const client = await ClusterClient.connect({ bootstrap: [`localhost:${tls.port}`], tls: { ca: certs.caPem } });
    assert.ok((await client.refreshMetadata()).topics.has('secure.topic'));
    client.close();
    const both = await proxy({
      tls: { key: certs.serverKey, cert: certs.serverPem },
      sasl: { mechanisms: ['SCRAM-SHA-256'], users: USERS },
    });
    const file = props(
      'sasl-ssl.properties',
      `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\nssl.truststore.type=PEM\nssl.truststore.location=${certs.paths.ca}\n` +
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${PASSWORD}";\n`,
    );
    const r = await runCli(
      ['topics', '--list', '--bootstrap-server', `127.0.0.1:${both.port}`, '--command-config', file],
      { env },
    );
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.ok(lines(r.stdout).includes('secure.topic'));
    assert.deepEqual(both.authenticated, [{ mechanism: 'SCRAM-SHA-256', user: 'alice' }]);
    const created = await runCli(
      [
        'topics',
        '--create',
        '--topic',
        'over-tls',
        '--partitions',
        '2',
        '--bootstrap-server',
        `localhost:${both.port}`,
        '--command-config',
        file,
      ],
      { env },
    );
    assert.deepEqual([created.code, created.stdout, created.stderr], [0, 'Created topic over-tls.\n', '']);
    assert.equal(broker.broker.topic('over-tls')!.partitions.length, 2);
  });

  test('TLS: an untrusted server certificate fails with a hint', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const tls = await proxy({ tls: { key: certs.serverKey, cert: certs.serverPem } });
    await assert.rejects(
      ClusterClient.connect({ bootstrap: [tls.address], tls: { ca: certs.strangerCaPem } }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(e.code, 'TLS_FAILED');
        assert.match(
          e.message,
          new RegExp(
            `^TLS handshake with ${tls.address} failed: .*\\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\); the server certificate is not signed by a trusted CA$`,
          ),
        );
        return true;
      },
    );
    const r = await runCli(
      [
        'topics',
        '--list',
        '--bootstrap-server',
        tls.address,
        '--command-config',
        props('untrusted.properties', 'security.protocol=SSL\n'),
      ],
      { env },
    );
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1);
    assert.match(r.stderr, /^Error: TLS handshake with 127\.0\.0\.1:\d+ failed: /);
    assert.ok(!hasStack(r.stderr));
  });

  test('TLS: hostname verification, and ssl.endpoint.identification.algorithm= disables it', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const tls = await proxy({ tls: { key: certs.otherKey, cert: certs.otherPem } });
    await assert.rejects(
      ClusterClient.connect({ bootstrap: [tls.address], tls: { ca: certs.caPem } }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(e.code, 'TLS_FAILED');
        assert.match(e.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
        assert.match(e.message, /ssl\.endpoint\.identification\.algorithm=/);
        return true;
      },
    );
    const file = props(
      'nohost.properties',
      `security.protocol=SSL\nssl.ca.location=${certs.paths.ca}\nssl.endpoint.identification.algorithm=\n`,
    );
    const r = await runCli(['topics', '--list', '--bootstrap-server', tls.address, '--command-config', file], { env });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  test('TLS: plaintext client to a TLS listener, TLS client to a plaintext listener', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const tls = await proxy({ tls: { key: certs.serverKey, cert: certs.serverPem } });
    await assert.rejects(
      ClusterClient.connect({ bootstrap: [tls.address], requestTimeoutMs: 2000 }),
      /check security\.protocol|timed out/,
    );
    await assert.rejects(
      ClusterClient.connect({ bootstrap: [broker.bootstrap], tls: { ca: certs.caPem }, requestTimeoutMs: 2000 }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.ok(e.code === 'TLS_FAILED' || e.code === 'CONNECT_TIMEOUT', e.message);
        return true;
      },
    );
  });

  test('mutual TLS with a PEM keystore, with separate files, and with an encrypted key', async (t) => {
    if (!certs) return t.skip('openssl is not installed');
    const mtls = await proxy({
      tls: { key: certs.serverKey, cert: certs.serverPem, ca: certs.caPem, requestCert: true },
    });
    const cases = {
      keystore: `ssl.keystore.type=PEM\nssl.keystore.location=${certs.paths.clientKeystore}\n`,
      files: `ssl.certificate.location=${certs.paths.client}\nssl.key.location=${certs.paths.clientKey}\n`,
      encrypted: `ssl.certificate.location=${certs.paths.client}\nssl.key.location=${certs.paths.clientKeyEncrypted}\nssl.key.password=keypass\n`,
    };
    for (const [name, extra] of Object.entries(cases)) {
      const file = props(
        `mtls-${name}.properties`,
        `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.paths.ca}\n${extra}`,
      );
      const r = await runCli(
        ['topics', '--list', '--bootstrap-server', `localhost:${mtls.port}`, '--command-config', file],
        { env },
      );
      assert.equal(r.stderr, '', name);
      assert.equal(r.code, 0, name);
    }
    assert.ok(mtls.clientCertSubjects.length >= 3);
    assert.ok(mtls.clientCertSubjects.every((cn) => cn === 'ktool-client'));
    // Without a client certificate the server refuses the handshake.
    const none = props('mtls-none.properties', `security.protocol=SSL\nssl.ca.location=${certs.paths.ca}\n`);
    const r = await runCli(
      ['topics', '--list', '--bootstrap-server', `localhost:${mtls.port}`, '--command-config', none],
      { env },
    );
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    // A wrong key password is reported without the password.
    const wrong = props(
      'mtls-wrong.properties',
      `security.protocol=SSL\nssl.ca.location=${certs.paths.ca}\nssl.certificate.location=${certs.paths.client}\nssl.key.location=${certs.paths.clientKeyEncrypted}\nssl.key.password=not-the-keypass\n`,
    );
    const w = await runCli(
      ['topics', '--list', '--bootstrap-server', `localhost:${mtls.port}`, '--command-config', wrong],
      { env },
    );
    assert.equal(w.code, 1);
    assert.equal(lines(w.stderr).length, 1, w.stderr);
    assert.match(w.stderr, /^Error: Cannot set up TLS for localhost:\d+: .*\(wrong ssl\.key\.password\?\)$/m);
    assert.ok(!w.stderr.includes('not-the-keypass'));
  });
});
