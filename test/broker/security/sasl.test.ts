// SASL_PLAINTEXT listeners: the SASL state machine over the wire (handshake v0 and v1,
// PLAIN and SCRAM), SCRAM credential administration, and kafkajs and kcat as clients.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { tempDir } from '../../helpers/broker.js';
import { requireTool, run } from '../../helpers/tools.js';
import {
  API,
  plainToken,
  RawClient,
  ScramClient,
  scramUpsertion,
  startLoggedBroker,
  type LoggedBroker,
} from './helpers.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret-7Hq";';
const PASSWORDS = [
  'admin-secret',
  'alice-secret-7Hq',
  'bob-secret-3Kd',
  'carol-secret-256x',
  'carol-secret-512y',
  'dave-secret-9Lp',
  'erin-secret-4Tz',
];
const SCRAM_AUTH_FAILED = (m: string) =>
  `Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`;

const props = {
  listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
  'sasl.users': 'bob:bob-secret-3Kd',
  'sasl.scram.users': 'SCRAM-SHA-256:carol:carol-secret-256x,SCRAM-SHA-512:carol:carol-secret-512y',
};

/** SaslHandshake v1 + SaslAuthenticate with a PLAIN token. */
async function plainLogin(c: RawClient, user: string, password: string, authVersion = 2) {
  const h = await c.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
  assert.equal(h.errorCode, 0);
  return c.request(API.SaslAuthenticate, authVersion, { authBytes: plainToken(user, password) });
}

async function scramLogin(c: RawClient, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', user: string, password: string) {
  const h = await c.request(API.SaslHandshake, 1, { mechanism });
  assert.equal(h.errorCode, 0);
  const client = new ScramClient(mechanism, user, password);
  const first = await c.request(API.SaslAuthenticate, 2, { authBytes: client.first() });
  if (first.errorCode !== 0) return { ...first, verified: false };
  const final = await c.request(API.SaslAuthenticate, 2, { authBytes: client.final(first.authBytes) });
  return { ...final, verified: final.errorCode === 0 && client.verifyServerFinal(final.authBytes) };
}

async function metadataWorks(c: RawClient): Promise<void> {
  const md = await c.request(API.Metadata, 12, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  assert.equal(md.brokers.length, 1);
}

describe('SASL_PLAINTEXT listener', () => {
  let broker: LoggedBroker;
  let port: number;
  before(async () => {
    broker = await startLoggedBroker(props);
    port = broker.ports.SASL_PLAINTEXT;
  });
  after(async () => {
    await broker?.destroy();
    const log = broker.lines.join('\n');
    for (const p of PASSWORDS) assert.ok(!log.includes(p), `the broker log shows a password: ${p}`);
  });

  test('each listener reports its own bound port', async () => {
    assert.deepEqual(Object.keys(broker.ports).sort(), ['PLAINTEXT', 'SASL_PLAINTEXT']);
    assert.notEqual(broker.ports.PLAINTEXT, broker.ports.SASL_PLAINTEXT);
    assert.equal(broker.port, broker.ports.PLAINTEXT);
    const c = await RawClient.open(port);
    assert.equal((await plainLogin(c, 'alice', 'alice-secret-7Hq')).errorCode, 0);
    const md = await c.request(API.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(md.brokers[0].port, port, 'metadata advertises the SASL listener to its clients');
    c.close();
  });

  test('ApiVersions is served before authentication and lists the SASL and SCRAM APIs', async () => {
    const c = await RawClient.open(port);
    const r = await c.request(API.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    assert.equal(r.errorCode, 0);
    const keys = new Map(r.apiKeys.map((k: { apiKey: number; maxVersion: number }) => [k.apiKey, k.maxVersion]));
    assert.equal(keys.get(17), 1);
    assert.equal(keys.get(36), 2);
    assert.equal(keys.get(50), 0);
    assert.equal(keys.get(51), 0);
    c.close();
  });

  test('any other request before authentication closes the connection', async () => {
    const c = await RawClient.open(port);
    await assert.rejects(
      c.request(API.Metadata, 12, {
        topics: null,
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }),
      /connection closed/,
    );
    await c.waitClosed();
    assert.ok(
      broker.lines.some((l) =>
        /unexpected Metadata request before SASL authentication completed on listener SASL_PLAINTEXT/.test(l),
      ),
    );
    // After the handshake only SaslAuthenticate is accepted.
    const d = await RawClient.open(port);
    assert.equal((await d.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode, 0);
    await assert.rejects(d.request(API.ApiVersions, 0, {}), /connection closed/);
  });

  test('an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list, then the connection closes', async () => {
    const c = await RawClient.open(port);
    const r = await c.request(API.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    assert.equal(r.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    assert.deepEqual(r.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    await c.waitClosed();
  });

  test('PLAIN over SaslAuthenticate v0-v2 for JAAS users and sasl.users users', async () => {
    for (const [user, pw, v] of [
      ['admin', 'admin-secret', 2],
      ['alice', 'alice-secret-7Hq', 1],
      ['bob', 'bob-secret-3Kd', 0],
    ] as const) {
      const c = await RawClient.open(port);
      const r = await plainLogin(c, user, pw, v);
      assert.equal(r.errorCode, 0, `${user}: ${r.errorMessage}`);
      assert.equal(r.errorMessage, null);
      await metadataWorks(c);
      // Once authenticated, SASL requests are answered ILLEGAL_SASL_STATE and the connection stays.
      const again = await c.request(API.SaslAuthenticate, 1, { authBytes: plainToken(user, pw) });
      assert.equal(again.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.equal(again.errorMessage, 'SaslAuthenticate request received after successful authentication');
      assert.equal(
        (await c.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode,
        ErrorCode.ILLEGAL_SASL_STATE,
      );
      await metadataWorks(c);
      c.close();
    }
  });

  test("a wrong PLAIN password gets SASL_AUTHENTICATION_FAILED with Kafka's message, then the connection closes", async () => {
    for (const [user, pw] of [
      ['alice', 'wrong-password'],
      ['nobody', 'alice-secret-7Hq'],
      ['carol', 'carol-secret-256x'],
    ]) {
      const c = await RawClient.open(port);
      const r = await plainLogin(c, user, pw);
      assert.equal(r.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(r.errorMessage, 'Authentication failed: Invalid username or password');
      await c.waitClosed();
    }
    const ok = await RawClient.open(port);
    assert.equal((await plainLogin(ok, 'alice', 'alice-secret-7Hq')).errorCode, 0, 'the broker keeps serving');
    ok.close();
    assert.ok(
      broker.lines.some((l) =>
        /^Failed authentication with 127\.0\.0\.1:\d+ on listener SASL_PLAINTEXT \(Authentication failed: Invalid username or password\)$/.test(
          l,
        ),
      ),
    );
  });

  test('SaslAuthenticate before SaslHandshake is ILLEGAL_SASL_STATE and closes', async () => {
    const c = await RawClient.open(port);
    const r = await c.request(API.SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret-7Hq') });
    assert.equal(r.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    await c.waitClosed();
  });

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    test(`${mechanism} with a bootstrapped user; wrong password and unknown user fail alike`, async () => {
      const pw = mechanism === 'SCRAM-SHA-256' ? 'carol-secret-256x' : 'carol-secret-512y';
      const c = await RawClient.open(port);
      const r = await scramLogin(c, mechanism, 'carol', pw);
      assert.equal(r.errorCode, 0, r.errorMessage);
      assert.equal(r.verified, true, 'the server signature checks out');
      await metadataWorks(c);
      c.close();
      for (const [user, bad] of [
        ['carol', 'not-her-password'],
        ['nobody', pw],
      ]) {
        const d = await RawClient.open(port);
        const f = await scramLogin(d, mechanism, user, bad);
        assert.equal(f.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
        assert.equal(f.errorMessage, SCRAM_AUTH_FAILED(mechanism));
        await d.waitClosed();
      }
      // The other mechanism's password is not this one's.
      const e = await RawClient.open(port);
      const other = await scramLogin(
        e,
        mechanism,
        'carol',
        mechanism === 'SCRAM-SHA-256' ? 'carol-secret-512y' : 'carol-secret-256x',
      );
      assert.equal(other.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      e.close();
    });
  }

  test('a tampered SCRAM nonce or channel binding fails', async () => {
    for (const tamper of [{ nonce: 'made-up-nonce' }, { binding: 'y,,' }]) {
      const c = await RawClient.open(port);
      await c.request(API.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
      const client = new ScramClient('SCRAM-SHA-256', 'carol', 'carol-secret-256x');
      const first = await c.request(API.SaslAuthenticate, 2, { authBytes: client.first() });
      const final = await c.request(API.SaslAuthenticate, 2, { authBytes: client.final(first.authBytes, tamper) });
      assert.equal(final.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      await c.waitClosed();
    }
  });

  test('a client-final nonce with the client nonce repeated in front is accepted, as Kafka does (librdkafka sends that)', async () => {
    const c = await RawClient.open(port);
    await c.request(API.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    const client = new ScramClient('SCRAM-SHA-256', 'carol', 'carol-secret-256x');
    const first = await c.request(API.SaslAuthenticate, 2, { authBytes: client.first() });
    const combined = /r=([^,]+)/.exec(first.authBytes.toString())![1];
    const final = await c.request(API.SaslAuthenticate, 2, {
      authBytes: client.final(first.authBytes, { nonce: client.nonce + combined }),
    });
    assert.equal(final.errorCode, 0, final.errorMessage);
    assert.equal(client.verifyServerFinal(final.authBytes), true);
    c.close();
  });

  test('handshake v0: raw size-prefixed tokens outside the Kafka protocol', async () => {
    const c = await RawClient.open(port);
    assert.equal((await c.request(API.SaslHandshake, 0, { mechanism: 'PLAIN' })).errorCode, 0);
    assert.deepEqual(await c.token(plainToken('alice', 'alice-secret-7Hq')), Buffer.alloc(0));
    await metadataWorks(c);
    c.close();

    const s = await RawClient.open(port);
    assert.equal((await s.request(API.SaslHandshake, 0, { mechanism: 'SCRAM-SHA-512' })).errorCode, 0);
    const client = new ScramClient('SCRAM-SHA-512', 'carol', 'carol-secret-512y');
    const serverFirst = await s.token(client.first());
    assert.equal(client.verifyServerFinal(await s.token(client.final(serverFirst))), true);
    await metadataWorks(s);
    s.close();

    const bad = await RawClient.open(port);
    await bad.request(API.SaslHandshake, 0, { mechanism: 'PLAIN' });
    await assert.rejects(bad.token(plainToken('alice', 'wrong-password')), /connection closed/);
  });

  test('frames larger than sasl.server.max.receive.size are refused before authentication', async () => {
    const c = await RawClient.open(port);
    await c.request(API.SaslHandshake, 0, { mechanism: 'PLAIN' });
    await assert.rejects(c.token(Buffer.alloc(600_000)), /connection closed/);
    assert.ok(
      broker.lines.some((l) =>
        /Invalid frame size 600000 before SASL authentication completed \(limit 524288\)/.test(l),
      ),
    );
  });

  test('SaslHandshake and SaslAuthenticate on a PLAINTEXT listener are ILLEGAL_SASL_STATE', async () => {
    const c = await RawClient.open(broker.ports.PLAINTEXT);
    const h = await c.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
    assert.equal(h.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.deepEqual(h.mechanisms, []);
    assert.equal(
      (await c.request(API.SaslAuthenticate, 2, { authBytes: Buffer.alloc(0) })).errorCode,
      ErrorCode.ILLEGAL_SASL_STATE,
    );
    await metadataWorks(c);
    c.close();
  });

  test('DescribeConfigs hides SASL users and JAAS configs', async () => {
    const c = await RawClient.open(broker.ports.PLAINTEXT);
    const r = await c.request(API.DescribeConfigs, 4, {
      resources: [{ resourceType: 4, resourceName: String(broker.nodeId), configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const byName = new Map(r.results[0].configs.map((e: { name: string }) => [e.name, e]));
    for (const k of ['sasl.users', 'sasl.scram.users', 'listener.name.sasl_plaintext.plain.sasl.jaas.config']) {
      const e = byName.get(k) as {
        value: string | null;
        isSensitive: boolean;
        synonyms: Array<{ value: string | null }>;
      };
      assert.ok(e, k);
      assert.equal(e.value, null, k);
      assert.equal(e.isSensitive, true, k);
      assert.ok(e.synonyms.every((s) => s.value === null));
    }
    assert.ok(!JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? undefined : v)).match(/secret/));
    c.close();
  });

  test('AlterUserScramCredentials / DescribeUserScramCredentials manage users; only keys are stored', async () => {
    const admin = await RawClient.open(broker.ports.PLAINTEXT);
    const dave = scramUpsertion('dave', 'SCRAM-SHA-256', 'dave-secret-9Lp', 8192);
    const dave512 = scramUpsertion('dave', 'SCRAM-SHA-512', 'dave-secret-9Lp');
    const r = await admin.request(API.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'ghost', mechanism: 1 }],
      upsertions: [
        dave,
        dave512,
        { ...scramUpsertion('weak', 'SCRAM-SHA-256', 'x'), iterations: 100 },
        { ...scramUpsertion('many', 'SCRAM-SHA-256', 'x'), iterations: 20000 },
        { ...scramUpsertion('odd', 'SCRAM-SHA-256', 'x'), mechanism: 0 },
        scramUpsertion('twice', 'SCRAM-SHA-256', 'x'),
        scramUpsertion('twice', 'SCRAM-SHA-256', 'y'),
      ],
    });
    const results = Object.fromEntries(
      r.results.map((x: { user: string; errorCode: number; errorMessage: string | null }) => [
        x.user,
        [x.errorCode, x.errorMessage],
      ]),
    );
    assert.deepEqual(results, {
      ghost: [ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      dave: [0, null],
      weak: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      many: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
      odd: [ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
      twice: [ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
    });

    const all = await admin.request(API.DescribeUserScramCredentials, 0, { users: null });
    assert.equal(all.errorCode, 0);
    assert.deepEqual(
      all.results.map((x: { user: string; credentialInfos: unknown[] }) => [x.user, x.credentialInfos]),
      [
        [
          'carol',
          [
            { mechanism: 1, iterations: 4096 },
            { mechanism: 2, iterations: 4096 },
          ],
        ],
        [
          'dave',
          [
            { mechanism: 1, iterations: 8192 },
            { mechanism: 2, iterations: 4096 },
          ],
        ],
      ],
    );
    const some = await admin.request(API.DescribeUserScramCredentials, 0, {
      users: [{ name: 'dave' }, { name: 'nobody' }, { name: 'carol' }, { name: 'carol' }],
    });
    assert.deepEqual(
      some.results.map((x: { user: string; errorCode: number; errorMessage: string | null }) => [
        x.user,
        x.errorCode,
        x.errorMessage,
      ]),
      [
        ['dave', 0, null],
        ['nobody', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist: nobody'],
        [
          'carol',
          ErrorCode.DUPLICATE_RESOURCE,
          'Cannot describe SCRAM credentials for the same user twice in a single request: carol',
        ],
      ],
    );

    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const c = await RawClient.open(port);
      const login = await scramLogin(c, m, 'dave', 'dave-secret-9Lp');
      assert.equal(login.errorCode, 0, `${m}: ${login.errorMessage}`);
      assert.equal(login.verified, true);
      c.close();
    }

    // The data directory holds keys only: no password, no salted password.
    const files = readdirSync(broker.dataDir).filter((f) => statSync(join(broker.dataDir, f)).isFile());
    assert.ok(files.includes('scram-credentials.json'));
    const stored = readFileSync(join(broker.dataDir, 'scram-credentials.json'), 'utf8');
    assert.equal(statSync(join(broker.dataDir, 'scram-credentials.json')).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(JSON.parse(stored).users.dave['SCRAM-SHA-256']).sort(), [
      'iterations',
      'salt',
      'serverKey',
      'storedKey',
    ]);
    for (const f of files) {
      const text = readFileSync(join(broker.dataDir, f), 'utf8');
      for (const p of PASSWORDS) assert.ok(!text.includes(p), `${f} contains a password`);
      assert.ok(
        !text.includes(dave.saltedPassword.toString('base64')) && !text.includes(dave.saltedPassword.toString('hex')),
        `${f} contains a salted password`,
      );
    }

    // Deleting one mechanism leaves the other.
    const del = await admin.request(API.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'dave', mechanism: 1 }],
      upsertions: [],
    });
    assert.deepEqual(
      del.results.map((x: { user: string; errorCode: number }) => [x.user, x.errorCode]),
      [['dave', 0]],
    );
    const gone = await RawClient.open(port);
    assert.equal(
      (await scramLogin(gone, 'SCRAM-SHA-256', 'dave', 'dave-secret-9Lp')).errorCode,
      ErrorCode.SASL_AUTHENTICATION_FAILED,
    );
    const still = await RawClient.open(port);
    assert.equal((await scramLogin(still, 'SCRAM-SHA-512', 'dave', 'dave-secret-9Lp')).errorCode, 0);
    still.close();
    admin.close();
  });

  const kafkaFor = (sasl: SASLOptions) =>
    new Kafka({
      clientId: 'kjs-sasl',
      brokers: [`127.0.0.1:${port}`],
      sasl,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 5000,
    });

  for (const [mechanism, username, password] of [
    ['plain', 'alice', 'alice-secret-7Hq'],
    ['scram-sha-256', 'carol', 'carol-secret-256x'],
    ['scram-sha-512', 'carol', 'carol-secret-512y'],
  ] as const) {
    test(`kafkajs with ${mechanism}: admin lists topics, producer sends`, async () => {
      const kafka = kafkaFor({ mechanism, username, password } as SASLOptions);
      const admin = kafka.admin();
      await admin.connect();
      const topic = `sasl.kjs.${mechanism}`;
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
        assert.ok((await admin.listTopics()).includes(topic));
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        try {
          const res = await producer.send({
            topic,
            acks: -1,
            messages: [
              { key: 'k', value: 'v1' },
              { key: 'k', value: 'v2' },
            ],
          });
          assert.equal(res[0].errorCode, 0);
        } finally {
          await producer.disconnect();
        }
        assert.equal(broker.broker.topic(topic)!.partitions[0].log.logEndOffset, 2);
      } finally {
        await admin.disconnect();
      }
    });
  }

  test('kafkajs with a wrong password gets a SASL authentication error; the broker stays healthy', async () => {
    for (const [mechanism, expected] of [
      ['plain', 'Authentication failed: Invalid username or password'],
      ['scram-sha-256', SCRAM_AUTH_FAILED('SCRAM-SHA-256')],
      ['scram-sha-512', SCRAM_AUTH_FAILED('SCRAM-SHA-512')],
    ] as const) {
      const admin = kafkaFor({ mechanism, username: 'carol', password: 'wrong-password' } as SASLOptions).admin();
      await assert.rejects(admin.connect(), (e: Error) => {
        assert.equal(e.name, 'KafkaJSSASLAuthenticationError', `${mechanism}: ${e.name} ${e.message}`);
        assert.ok(e.message.includes(expected), e.message);
        return true;
      });
    }
    const admin = kafkaFor({ mechanism: 'plain', username: 'bob', password: 'bob-secret-3Kd' }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  });

  for (const [mechanism, user, password] of [
    ['PLAIN', 'bob', 'bob-secret-3Kd'],
    ['SCRAM-SHA-512', 'carol', 'carol-secret-512y'],
  ]) {
    test(`kcat with ${mechanism} produces and consumes`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const topic = `sasl.kcat.${mechanism.toLowerCase()}`;
      const auth = [
        '-b',
        `127.0.0.1:${port}`,
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        `sasl.mechanisms=${mechanism}`,
        '-X',
        `sasl.username=${user}`,
        '-X',
        `sasl.password=${password}`,
      ];
      const input = Array.from({ length: 500 }, (_, i) => `k${i}:value-${i}`).join('\n') + '\n';
      const p = await run('kcat', [...auth, '-P', '-t', topic, '-K:'], { input, timeoutMs: 60_000 });
      assert.equal(p.code, 0, p.stderr);
      const c = await run('kcat', [...auth, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], {
        timeoutMs: 60_000,
      });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout.toString(), input);
    });
  }

  test('kcat with a wrong password fails to authenticate', async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const r = await run(
      'kcat',
      [
        '-b',
        `127.0.0.1:${port}`,
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        'sasl.mechanisms=SCRAM-SHA-256',
        '-X',
        'sasl.username=carol',
        '-X',
        'sasl.password=wrong-password',
        '-L',
        '-m',
        '5',
      ],
      { timeoutMs: 30_000 },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SASL authentication error|Authentication failed/i);
  });
});

describe('SCRAM credentials across restarts', () => {
  test('stored users survive a restart; unchanged sasl.scram.users does not rewrite the file', async () => {
    const dir = tempDir();
    const first = await startLoggedBroker(
      {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'sasl.scram.users': 'SCRAM-SHA-256:erin:erin-secret-4Tz',
      },
      dir,
    );
    const admin = await RawClient.open(first.port);
    assert.equal((await scramLogin(admin, 'SCRAM-SHA-256', 'erin', 'erin-secret-4Tz')).errorCode, 0);
    const up = await admin.request(API.AlterUserScramCredentials, 0, {
      deletions: [],
      upsertions: [scramUpsertion('dave', 'SCRAM-SHA-256', 'dave-secret-9Lp')],
    });
    assert.equal(up.results[0].errorCode, 0);
    admin.close();
    await first.close();
    const before = readFileSync(join(dir, 'scram-credentials.json'), 'utf8');

    const second = await startLoggedBroker(
      {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'sasl.scram.users': 'SCRAM-SHA-256:erin:erin-secret-4Tz',
      },
      dir,
    );
    try {
      assert.equal(readFileSync(join(dir, 'scram-credentials.json'), 'utf8'), before);
      for (const [user, pw] of [
        ['erin', 'erin-secret-4Tz'],
        ['dave', 'dave-secret-9Lp'],
      ]) {
        const c = await RawClient.open(second.port);
        assert.equal((await scramLogin(c, 'SCRAM-SHA-256', user, pw)).errorCode, 0, user);
        c.close();
      }
      // PLAIN is not enabled on this listener.
      const p = await RawClient.open(second.port);
      const h = await p.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
      assert.equal(h.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      assert.deepEqual(h.mechanisms, ['SCRAM-SHA-256']);
      for (const l of [...first.lines, ...second.lines]) for (const pw of PASSWORDS) assert.ok(!l.includes(pw), l);
    } finally {
      await second.destroy();
    }
  });
});
