// The security building blocks on their own: SCRAM against RFC 7677's example exchange,
// PLAIN, the JAAS parser, sensitive-key masking, and startup checks of the settings.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { isSensitiveKey } from '../../../src/broker/config/config-defs.js';
import { startBroker } from '../../../src/broker/index.js';
import { JaasError, parseJaasConfig, plainUsersFromJaas } from '../../../src/broker/security/jaas.js';
import { PlainServer, PlainUsers, SaslAuthError } from '../../../src/broker/security/sasl.js';
import { credentialFromPassword, ScramServer } from '../../../src/broker/security/scram.js';
import { tempDir } from '../../helpers/broker.js';
import { makeCerts, type Certs } from './helpers.js';

describe('SCRAM server', () => {
  // RFC 7677 section 3: user "user", password "pencil".
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const cred = credentialFromPassword('SCRAM-SHA-256', 'pencil', 4096, salt);
  const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
  const serverNonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const nonce = clientNonce + serverNonce;

  test('reproduces the RFC 7677 SCRAM-SHA-256 exchange', () => {
    const s = new ScramServer(
      'SCRAM-SHA-256',
      (u) => (u === 'user' ? cred : undefined),
      () => serverNonce,
    );
    const first = s.evaluate(Buffer.from(`n,,n=user,r=${clientNonce}`)).toString();
    assert.equal(first, `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
    assert.equal(s.complete, false);
    const final = s
      .evaluate(Buffer.from(`c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`))
      .toString();
    assert.equal(final, 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    assert.equal(s.complete, true);
    assert.equal(s.authorizationId, 'user');
  });

  const failsAtFinal = (clientFinal: string, first = `n,,n=user,r=${clientNonce}`) => {
    const s = new ScramServer(
      'SCRAM-SHA-256',
      () => cred,
      () => serverNonce,
    );
    s.evaluate(Buffer.from(first));
    assert.throws(() => s.evaluate(Buffer.from(clientFinal)), SaslAuthError);
    assert.equal(s.complete, false);
  };

  test('refuses a wrong proof, a changed nonce and a changed channel binding', () => {
    failsAtFinal(`c=biws,r=${nonce},p=${Buffer.alloc(32, 1).toString('base64')}`);
    failsAtFinal(`c=biws,r=${clientNonce}other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`);
    failsAtFinal(
      `c=${Buffer.from('y,,').toString('base64')},r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`,
    );
    failsAtFinal(`r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`);
  });

  test('refuses unknown users, channel binding, bad syntax and delegation tokens at the first message', () => {
    const server = () => new ScramServer('SCRAM-SHA-256', (u) => (u === 'user' ? cred : undefined));
    for (const msg of [
      'n,,n=nobody,r=abc',
      'p=tls-unique,,n=user,r=abc',
      'garbage',
      'n,,r=abc',
      'n,,n=user',
      'n,,n=user,r=abc,tokenauth=true',
      'n,a=other,n=user,r=abc',
      'n,,n=us=er,r=abc',
    ]) {
      assert.throws(() => server().evaluate(Buffer.from(msg)), SaslAuthError, msg);
    }
    // Escaped names are decoded.
    const s = new ScramServer('SCRAM-SHA-256', (u) => (u === 'a,b=c' ? cred : undefined));
    assert.match(s.evaluate(Buffer.from('n,,n=a=2Cb=3Dc,r=abc')).toString(), /^r=abc/);
  });
});

describe('PLAIN server', () => {
  const users = new PlainUsers();
  users.set('alice', 'alice-secret');

  test('accepts the right password, with or without a matching authzid', () => {
    for (const token of ['\u0000alice\u0000alice-secret', 'alice\u0000alice\u0000alice-secret']) {
      const s = new PlainServer(users);
      assert.deepEqual(s.evaluate(Buffer.from(token)), Buffer.alloc(0));
      assert.equal(s.complete, true);
      assert.equal(s.authorizationId, 'alice');
    }
  });

  test("answers Kafka's messages for bad tokens and credentials", () => {
    const msg = (token: string) => {
      try {
        new PlainServer(users).evaluate(Buffer.from(token));
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    assert.equal(msg('\u0000alice\u0000wrong'), 'Authentication failed: Invalid username or password');
    assert.equal(msg('\u0000bob\u0000alice-secret'), 'Authentication failed: Invalid username or password');
    assert.equal(msg('\u0000\u0000x'), 'Authentication failed: username not specified');
    assert.equal(msg('\u0000alice\u0000'), 'Authentication failed: password not specified');
    assert.equal(
      msg('bob\u0000alice\u0000alice-secret'),
      'Authentication failed: Client requested an authorization id that is different from username',
    );
    assert.equal(msg('alice-secret'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 1');
  });
});

describe('JAAS config parser', () => {
  test('reads PlainLoginModule users, quoted and bare values, escapes and comments', () => {
    const text =
      'org.apache.kafka.common.security.plain.PlainLoginModule required /* broker */ username="admin" password="admin-secret" user_admin="admin-secret" user_alice=alice-pw user_q="a \\"quoted\\" pass;word";';
    const mods = parseJaasConfig(text);
    assert.equal(mods.length, 1);
    assert.equal(mods[0].flag, 'required');
    assert.deepEqual(plainUsersFromJaas(mods), [
      ['admin', 'admin-secret'],
      ['alice', 'alice-pw'],
      ['q', 'a "quoted" pass;word'],
    ]);
    assert.deepEqual(
      plainUsersFromJaas(
        parseJaasConfig('org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";'),
      ),
      [],
    );
  });

  test('errors point at a position and never quote the text', () => {
    for (const bad of [
      'PlainLoginModule required user_a="secret-1"',
      'PlainLoginModule mandatory user_a="secret-1";',
      'PlainLoginModule required user_a "secret-1";',
      'PlainLoginModule required user_a="secret-1',
      '',
    ]) {
      assert.throws(
        () => parseJaasConfig(bad),
        (e: Error) => e instanceof JaasError && !e.message.includes('secret-1'),
        bad,
      );
    }
  });
});

test('sensitive keys include SASL users, JAAS configs and key material', () => {
  for (const k of [
    'sasl.jaas.config',
    'listener.name.sasl_ssl.plain.sasl.jaas.config',
    'ssl.key.password',
    'ssl.keystore.key',
    'ssl.keystore.password',
    'ssl.truststore.password',
    'sasl.users',
    'sasl.scram.users',
    'listener.name.sasl_plaintext.sasl.users',
  ]) {
    assert.equal(isSensitiveKey(k), true, k);
  }
  for (const k of ['ssl.keystore.location', 'sasl.enabled.mechanisms', 'listeners', 'ssl.client.auth'])
    assert.equal(isSensitiveKey(k), false, k);
});

describe('startup checks', () => {
  let certs: Certs;
  before(() => {
    certs = makeCerts();
  });
  after(() => {
    rmSync(certs.dir, { recursive: true, force: true });
  });

  /** Starts a broker expecting failure; returns the error's message. */
  async function startupError(props: Record<string, string>): Promise<string> {
    const dir = tempDir();
    const lines: string[] = [];
    try {
      const b = await startBroker({ properties: { 'log.dirs': dir, ...props }, log: (l) => lines.push(l) });
      await b.close();
      return 'started';
    } catch (e) {
      return (e as Error).message;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a missing or unreadable keystore fails with one line naming the property and path', async () => {
    const m = await startupError({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.location': '/nonexistent/server.pem',
    });
    assert.equal(m, 'Listener SSL: cannot read ssl.keystore.location /nonexistent/server.pem: no such file');
    const noCert = await startupError({ listeners: 'SASL_SSL://127.0.0.1:0' });
    assert.match(noCert, /^Listener SASL_SSL: no certificate: set ssl\.keystore\.location/);
    assert.doesNotMatch(noCert, /\n/);
    const caAsKeystore = await startupError({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': certs.ca });
    assert.equal(caAsKeystore, `Listener SSL: ssl.keystore.location ${certs.ca} holds no PEM private key`);
    const badTrust = await startupError({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.location': certs.keystore,
      'ssl.truststore.location': '/nonexistent/ca.pem',
      'ssl.client.auth': 'required',
    });
    assert.equal(badTrust, 'Listener SSL: cannot read ssl.truststore.location /nonexistent/ca.pem: no such file');
  });

  test('encrypted keys need the right ssl.key.password, and the key must match the certificate', async () => {
    const inline = {
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': readFileSync(certs.serverCert, 'utf8'),
    };
    const encrypted = readFileSync(certs.encryptedKey, 'utf8');
    assert.equal(
      await startupError({ ...inline, 'ssl.keystore.key': encrypted, 'ssl.key.password': certs.keyPassword }),
      'started',
    );
    const missing = await startupError({ ...inline, 'ssl.keystore.key': encrypted });
    assert.match(missing, /is encrypted; set ssl\.key\.password$/);
    const wrong = await startupError({
      ...inline,
      'ssl.keystore.key': encrypted,
      'ssl.key.password': 'not-the-password-123',
    });
    assert.match(
      wrong,
      /^Listener SSL: cannot load the private key in ssl\.keystore\.certificate\.chain \/ ssl\.keystore\.key \(is ssl\.key\.password right\?\)$/,
    );
    assert.ok(!wrong.includes('not-the-password-123') && !wrong.includes('PRIVATE KEY'));
    const stray = await startupError({ ...inline, 'ssl.keystore.key': readFileSync(certs.strayKey, 'utf8') });
    assert.match(stray, /does not match its first certificate$/);
    assert.equal(
      await startupError({
        listeners: 'SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': certs.p12,
        'ssl.keystore.password': certs.p12Password,
      }),
      'started',
    );
    const p12 = await startupError({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': certs.p12,
      'ssl.keystore.password': 'wrong-p12-pass',
    });
    assert.match(p12, /cannot load the PKCS12 keystore/);
    assert.ok(!p12.includes('wrong-p12-pass'));
    assert.match(
      await startupError({
        listeners: 'SSL://127.0.0.1:0',
        'ssl.keystore.type': 'JKS',
        'ssl.keystore.location': certs.keystore,
      }),
      /JKS is not supported/,
    );
    assert.match(
      await startupError({
        listeners: 'SSL://127.0.0.1:0',
        'ssl.keystore.location': certs.keystore,
        'ssl.client.auth': 'required',
      }),
      /ssl\.client\.auth=required needs ssl\.truststore/,
    );
  });

  test('SASL settings are checked without echoing secrets', async () => {
    const jaas = await startupError({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="very-secret-1"',
    });
    assert.equal(
      jaas,
      "Listener SASL_PLAINTEXT: invalid listener.name.sasl_plaintext.plain.sasl.jaas.config: missing ';' at the end of the login module entry",
    );
    const users = await startupError({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.users': 'alice:ok,very-secret-2',
    });
    assert.equal(
      users,
      'Listener SASL_PLAINTEXT: sasl.users: entry 2 must look like user:password (user and password not empty)',
    );
    const scram = await startupError({ 'sasl.scram.users': 'alice:very-secret-3' });
    assert.equal(
      scram,
      'sasl.scram.users: entry 1 must look like SCRAM-SHA-256:user:password or SCRAM-SHA-512:user:password',
    );
    const gssapi = await startupError({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'GSSAPI,PLAIN',
    });
    assert.equal(
      gssapi,
      'Listener SASL_PLAINTEXT: sasl.enabled.mechanisms lists GSSAPI, which the dev broker does not support (supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)',
    );
    const twice = await startupError({ listeners: 'PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0' });
    assert.match(twice, /Listener name PLAINTEXT is used twice/);
  });

  test('the all-interfaces warning covers PLAINTEXT and SSL without client auth, not SASL', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const b = await startBroker({
      properties: {
        'log.dirs': dir,
        listeners: 'PLAINTEXT://0.0.0.0:0,SSL://0.0.0.0:0,SASL_SSL://0.0.0.0:0,CLIENT://0.0.0.0:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CLIENT:SSL',
        'ssl.keystore.location': certs.keystore,
        'listener.name.client.ssl.client.auth': 'required',
        'ssl.truststore.location': certs.ca,
        'sasl.users': 'alice:alice-secret',
      },
      log: (l) => lines.push(l),
    });
    try {
      // Only the listener warnings (the schema registry may warn that its port is taken).
      const warned = lines.filter((l) => l.startsWith('WARNING: listener')).map((l) => /listener (\S+)/.exec(l)![1]);
      assert.deepEqual(warned, ['PLAINTEXT', 'SSL']);
      assert.equal(Object.keys(b.ports).length, 4);
      assert.equal(new Set(Object.values(b.ports)).size, 4);
      assert.ok(
        lines.some((l) => /^Listener CLIENT on 0\.0\.0\.0:\d+ \(SSL, client certificates required\)$/.test(l)),
        lines.join('\n'),
      );
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
