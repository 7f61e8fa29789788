// Connection settings: properties files, precedence, security properties,
// JAAS parsing and secret redaction.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toKtoolError } from '../../src/connection/errors.js';
import { JaasError, parseJaasConfig } from '../../src/connection/jaas.js';
import { addProfile, useProfile } from '../../src/connection/profiles.js';
import {
  MASK,
  clearSecrets,
  isSecretKey,
  maskProperties,
  redact,
  registerSecret,
} from '../../src/connection/redact.js';
import { lineOfKey, readPropertiesFile, resolveSettings, type SettingsInput } from '../../src/connection/settings.js';
import { ConnectionError, KafkaError } from '../../src/client/errors.js';
import { freePort } from '../cli/helpers.js';

const JAAS_PLAIN =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";';
const JAAS_SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password="p\\"w=;x";';

describe('connection settings', () => {
  let dir: string;
  let env: Record<string, string | undefined>;
  let embeddedPort: number;
  const saved = process.env.KTOOL_NO_EMBEDDED;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ktool-settings-'));
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    embeddedPort = await freePort();
    // The default case must not start a broker in unit tests.
    process.env.KTOOL_NO_EMBEDDED = '1';
  });
  after(() => {
    if (saved === undefined) delete process.env.KTOOL_NO_EMBEDDED;
    else process.env.KTOOL_NO_EMBEDDED = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }
  async function resolve(input: SettingsInput = {}, warnings: string[] = []) {
    return resolveSettings({
      env,
      warn: (l) => warnings.push(l),
      embedded: { port: embeddedPort, probeTimeoutMs: 50 },
      ...input,
    });
  }

  test('default: localhost:9092 (the embedded broker address), PLAINTEXT, 30 s requests, 5 s connect', async () => {
    const s = await resolve();
    assert.deepEqual(s.bootstrapServers, [`localhost:${embeddedPort}`]);
    assert.equal(s.bootstrapSource, 'default');
    assert.equal(s.securityProtocol, 'PLAINTEXT');
    assert.equal(s.requestTimeoutMs, 30_000);
    assert.equal(s.connectTimeoutMs, 5_000);
    assert.equal(s.clientId, 'ktool');
    assert.equal(s.sasl, null);
    assert.equal(s.ssl, null);
    assert.equal(s.startedEmbedded, false);
  });

  test('precedence: flag > $KAFKA_BOOTSTRAP_SERVERS > --command-config > profile > default', async () => {
    const cfg = file('p.properties', 'bootstrap.servers=from-file:9092\n');
    await addProfile('pp', { bootstrapServers: 'from-profile:9092', properties: {} }, { force: true }, env);
    const withEnv = { ...env, KAFKA_BOOTSTRAP_SERVERS: 'from-env:9092, from-env2:9093' };
    const all = await resolveSettings({
      env: withEnv,
      bootstrapServer: 'from-flag:9092',
      commandConfig: cfg,
      profile: 'pp',
    });
    assert.deepEqual([all.bootstrapServers, all.bootstrapSource], [['from-flag:9092'], 'flag']);
    const noFlag = await resolveSettings({ env: withEnv, commandConfig: cfg, profile: 'pp' });
    assert.deepEqual([noFlag.bootstrapServers, noFlag.bootstrapSource], [['from-env:9092', 'from-env2:9093'], 'env']);
    const fileOnly = await resolve({ commandConfig: cfg, profile: 'pp' });
    assert.deepEqual([fileOnly.bootstrapServers, fileOnly.bootstrapSource], [['from-file:9092'], 'config']);
    const profileOnly = await resolve({ profile: 'pp' });
    assert.deepEqual(
      [profileOnly.bootstrapServers, profileOnly.bootstrapSource, profileOnly.profile],
      [['from-profile:9092'], 'profile', 'pp'],
    );
    // An empty environment variable counts as unset.
    const emptyEnv = await resolveSettings({ env: { ...env, KAFKA_BOOTSTRAP_SERVERS: '' }, profile: 'pp' });
    assert.equal(emptyEnv.bootstrapSource, 'profile');
  });

  test('the current profile applies only when no server is named; an explicit --profile always applies', async () => {
    await addProfile(
      'cur',
      { bootstrapServers: 'cur:9092', properties: { 'client.id': 'from-profile', 'request.timeout.ms': '1234' } },
      { force: true },
      env,
    );
    await useProfile('cur', env);
    try {
      const implicit = await resolve();
      assert.deepEqual(
        [implicit.bootstrapServers, implicit.profile, implicit.clientId, implicit.requestTimeoutMs],
        [['cur:9092'], 'cur', 'from-profile', 1234],
      );
      const flag = await resolve({ bootstrapServer: 'other:9092' });
      assert.equal(flag.profile, undefined, 'the current profile is not used for another server');
      assert.equal(flag.clientId, 'ktool');
      const explicit = await resolve({ bootstrapServer: 'other:9092', profile: 'cur' });
      assert.deepEqual([explicit.bootstrapServers, explicit.clientId], [['other:9092'], 'from-profile']);
    } finally {
      await useProfile(null, env);
    }
    await assert.rejects(
      resolve({ profile: 'missing' }),
      /Profile "missing" does not exist \(see: ktool profile list\)/,
    );
  });

  test('client properties: file overrides profile, command line overrides file', async () => {
    await addProfile(
      'layers',
      { bootstrapServers: 'l:9092', properties: { 'client.id': 'p', 'request.timeout.ms': '100' } },
      { force: true },
      env,
    );
    const cfg = file('layers.properties', 'client.id = f\n');
    const s = await resolve({ profile: 'layers', commandConfig: cfg, properties: { 'request.timeout.ms': '250' } });
    assert.equal(s.clientId, 'f');
    assert.equal(s.requestTimeoutMs, 250);
    assert.equal(s.connectTimeoutMs, 250, 'connect timeout = min(5000, request timeout)');
    assert.deepEqual(s.properties, { 'client.id': 'f', 'request.timeout.ms': '250' });
    const setup = await resolve({
      bootstrapServer: 'h:1',
      properties: { 'socket.connection.setup.timeout.ms': '777' },
    });
    assert.equal(setup.connectTimeoutMs, 777);
  });

  test('unknown keys: one warning line for all of them; common Java client keys are accepted quietly', async () => {
    const cfg = file(
      'unknown.properties',
      'acks=all\nlinger.ms=5\ncompression.type=lz4\nfoo.bar=1\nbaz=2\nsasl.kerberos.service.name=kafka\n',
    );
    const warnings: string[] = [];
    await resolve({ bootstrapServer: 'h:1', commandConfig: cfg }, warnings);
    assert.deepEqual(warnings, [`Warning: 2 unknown properties in ${cfg} are ignored: 'foo.bar', 'baz'`]);
    const known: string[] = [];
    await resolve({ bootstrapServer: 'h:1', commandConfig: cfg, knownKeys: ['foo.bar', 'baz'] }, known);
    assert.deepEqual(known, []);
  });

  test('20,000 unknown keys: read in linear time, reported in one line with the first few names', async () => {
    const text =
      Array.from({ length: 20_000 }, (_, i) => `stray.key.number.${i}=value-${i}`).join('\n') +
      '\nbootstrap.servers=h:1\n';
    const cfg = file('many.properties', text);
    const warnings: string[] = [];
    const started = process.hrtime.bigint();
    const s = await resolve({ commandConfig: cfg }, warnings);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.deepEqual(s.bootstrapServers, ['h:1']);
    assert.deepEqual(warnings, [
      `Warning: 20000 unknown properties in ${cfg} are ignored: 'stray.key.number.0', 'stray.key.number.1', 'stray.key.number.2', 'stray.key.number.3', 'stray.key.number.4' and 19995 more`,
    ]);
    // A regression guard, not a benchmark: the quadratic reader took about 50 s here.
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('unknown key names from a binary file are escaped, so they cannot drive the terminal', async () => {
    const cfg = file('binary.properties', 'evil\u001b[2Jkey=1\n');
    const warnings: string[] = [];
    await resolve({ bootstrapServer: 'h:1', commandConfig: cfg }, warnings);
    assert.deepEqual(warnings, [`Warning: unknown property 'evil\\x1b[2Jkey' in ${cfg} is ignored`]);
    assert.ok(!warnings[0]!.includes('\u001b'));
  });

  test('unreadable and malformed files name the file (and the line)', async () => {
    await assert.rejects(resolve({ commandConfig: join(dir, 'nope.properties') }), {
      message: `Cannot read properties file ${join(dir, 'nope.properties')}: no such file`,
    });
    await assert.rejects(resolve({ commandConfig: dir }), {
      message: `Cannot read properties file ${dir}: is a directory`,
    });
    const bad = file('bad.properties', '# comment\nclient.id=x\n=novalue\n');
    await assert.rejects(resolve({ commandConfig: bad }), {
      message: `Invalid properties file ${bad} (line 3): missing key before '='`,
    });
    const esc = file('esc.properties', 'a=1\n\nb=\\u12G4\n');
    await assert.rejects(resolve({ commandConfig: esc }), {
      message: `Invalid properties file ${esc} (line 3): malformed \\uxxxx escape`,
    });
    const value = file('value.properties', 'client.id=x\nsecurity.protocol=TLS\n');
    await assert.rejects(resolve({ commandConfig: value }), {
      message: `Invalid value TLS for configuration security.protocol in ${value} (line 2): String must be one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`,
    });
    const timeout = file('timeout.properties', 'request.timeout.ms=soon\n');
    await assert.rejects(resolve({ commandConfig: timeout }), {
      message: `Invalid value soon for configuration request.timeout.ms in ${timeout} (line 1): Not a number of type INT`,
    });
    const servers = file('servers.properties', 'bootstrap.servers=nohostport\n');
    await assert.rejects(resolve({ commandConfig: servers }), {
      message: `Invalid url in bootstrap.servers: nohostport in ${servers} (line 1): expected host:port`,
    });
    await assert.rejects(resolve({ bootstrapServer: 'a:1,b' }), {
      message: 'Invalid url in bootstrap.servers: b (--bootstrap-server): expected host:port',
    });
  });

  test('properties syntax: separators, continuation lines, escapes, comments', async () => {
    const f = file(
      'syntax.properties',
      '! bang comment\n  client.id : spaced\nrequest.timeout.ms   4000\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule \\\n   required username="u" \\\n   password="p";\n',
    );
    const parsed = await readPropertiesFile(f);
    assert.deepEqual(parsed.properties, {
      'client.id': 'spaced',
      'request.timeout.ms': '4000',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
    });
    assert.deepEqual(parsed.lines, { 'client.id': 2, 'request.timeout.ms': 3, 'sasl.jaas.config': 4 });
    assert.equal(lineOfKey('a=1\nab=2\n', 'ab'), 2);
  });

  test('SASL settings from sasl.mechanism + sasl.jaas.config', async () => {
    const plain = await resolve({
      bootstrapServer: 'h:1',
      properties: { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': JAAS_PLAIN },
    });
    assert.equal(plain.securityProtocol, 'SASL_SSL');
    assert.deepEqual(plain.sasl, { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' });
    assert.deepEqual(plain.ssl, { verifyHostname: true });
    const scram = await resolve({
      bootstrapServer: 'h:1',
      properties: {
        'security.protocol': 'sasl_plaintext',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config': JAAS_SCRAM,
      },
    });
    assert.deepEqual(scram.sasl, { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'p"w=;x' });
    assert.equal(scram.ssl, null);
    // PLAIN is implied by the PlainLoginModule; SCRAM needs the mechanism.
    const implied = await resolve({
      bootstrapServer: 'h:1',
      properties: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': JAAS_PLAIN },
    });
    assert.equal(implied.sasl?.mechanism, 'PLAIN');
    await assert.rejects(
      resolve({
        bootstrapServer: 'h:1',
        properties: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.jaas.config': JAAS_SCRAM },
      }),
      /sasl\.mechanism is not set; ktool supports PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
    );
    await assert.rejects(
      resolve({
        bootstrapServer: 'h:1',
        properties: {
          'security.protocol': 'SASL_PLAINTEXT',
          'sasl.mechanism': 'GSSAPI',
          'sasl.jaas.config': JAAS_PLAIN,
        },
      }),
      /Invalid value GSSAPI for configuration sasl\.mechanism in the command line: ktool supports PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
    );
    await assert.rejects(
      resolve({
        bootstrapServer: 'h:1',
        properties: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' },
      }),
      /SASL needs credentials: set sasl\.jaas\.config/,
    );
  });

  test('a broken sasl.jaas.config names file and line, never its contents', async () => {
    const f = file(
      'jaas.properties',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2-secret"\n',
    );
    await assert.rejects(resolve({ bootstrapServer: 'h:1', commandConfig: f }), (e: Error) => {
      assert.equal(e.message, `Invalid sasl.jaas.config in ${f} (line 3): the login module must end with ';'`);
      return true;
    });
    const noPw = file(
      'jaas2.properties',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u";\n',
    );
    await assert.rejects(resolve({ bootstrapServer: 'h:1', commandConfig: noPw }), {
      message: `Invalid sasl.jaas.config in ${noPw} (line 3): it must set username and password`,
    });
  });

  test('TLS settings: PEM trust and key stores, librdkafka-style locations, hostname check switch', async () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const keystore = file(
      'ks.pem',
      '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n',
    );
    const s = await resolve({
      bootstrapServer: 'h:1',
      properties: {
        'security.protocol': 'SSL',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': ca,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': keystore,
        'ssl.key.password': 'kp',
        'ssl.endpoint.identification.algorithm': '',
      },
    });
    assert.deepEqual(s.ssl, {
      verifyHostname: false,
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      key: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----',
      cert: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----',
      keyPassword: 'kp',
    });
    const rd = await resolve({
      bootstrapServer: 'h:1',
      properties: {
        'security.protocol': 'SSL',
        'ssl.ca.location': ca,
        'ssl.certificate.location': ca,
        'ssl.key.location': keystore,
      },
    });
    assert.equal(rd.ssl?.verifyHostname, true);
    assert.ok(rd.ssl?.ca?.includes('MIIB'));
    await assert.rejects(
      resolve({
        bootstrapServer: 'h:1',
        properties: {
          'security.protocol': 'SSL',
          'ssl.truststore.location': join(dir, 'ts.jks'),
          'ssl.truststore.type': 'JKS',
        },
      }),
      /ktool supports PEM trust stores only/,
    );
    const jks = file('ts.jks', '\u00fe\u00ed\u00fe\u00edbinary');
    await assert.rejects(
      resolve({ bootstrapServer: 'h:1', properties: { 'security.protocol': 'SSL', 'ssl.truststore.location': jks } }),
      /is not PEM; ktool reads PEM certificates and keys only/,
    );
    await assert.rejects(
      resolve({
        bootstrapServer: 'h:1',
        properties: { 'security.protocol': 'SSL', 'ssl.ca.location': join(dir, 'missing.pem') },
      }),
      /Cannot read ssl\.ca\.location file .*missing\.pem in the command line: no such file/,
    );
    await assert.rejects(
      resolve({ bootstrapServer: 'h:1', properties: { 'security.protocol': 'SSL', 'ssl.certificate.location': ca } }),
      /needs both a certificate and a private key/,
    );
    // TLS properties are ignored (not read) without SSL.
    const plain = await resolve({
      bootstrapServer: 'h:1',
      properties: { 'ssl.ca.location': join(dir, 'missing.pem') },
    });
    assert.equal(plain.ssl, null);
  });
});

describe('sasl.jaas.config parsing', () => {
  test('PLAIN and SCRAM login modules, quoted and bare values, escapes', () => {
    assert.deepEqual(parseJaasConfig(JAAS_PLAIN), {
      loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
      controlFlag: 'required',
      options: { username: 'alice', password: 'alice-secret' },
    });
    assert.deepEqual(parseJaasConfig(JAAS_SCRAM).options, { username: 'bob', password: 'p"w=;x' });
    assert.deepEqual(parseJaasConfig('  a.B  Optional  k=v  tokenauth="true" ; ').options, {
      k: 'v',
      tokenauth: 'true',
    });
    assert.equal(parseJaasConfig('a.B sufficient;').controlFlag, 'sufficient');
  });

  test('errors describe the problem without quoting values', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /it contains 0 login modules, should be 1 module/],
      ['a.B required username="u" password="secret1"', /the login module must end with ';'/],
      ['a.B mandatory username="u";', /invalid control flag 'mandatory'/],
      ['a.B required username "u";', /expected '=' after option username/],
      ['a.B required password="secret1;', /unterminated quoted value/],
      ['a.B required x=1; c.D required y=2;', /it contains 2 login modules, should be 1 module/],
      ['a.B required password=;', /expected a value for option password/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseJaasConfig(text),
        (e: unknown) => e instanceof JaasError && re.test(e.message) && !e.message.includes('secret1'),
        text,
      );
    }
  });
});

describe('secret redaction', () => {
  test('masks registered secrets anywhere, longest first', () => {
    clearSecrets();
    registerSecret('hunter2-long');
    registerSecret('ab'); // too short to mask as a literal
    assert.equal(
      redact('token hunter2-long here, and hunter2-long again; ab stays'),
      `token ${MASK} here, and ${MASK} again; ab stays`,
    );
    clearSecrets();
  });

  test('masks password-like fragments and sasl.jaas.config values even when not registered', () => {
    clearSecrets();
    assert.equal(redact('username="u" password="se cret";'), `username="u" password="${MASK}";`);
    assert.equal(redact("password='x y'"), `password='${MASK}'`);
    assert.equal(redact('ssl.key.password=abc123 next'), `ssl.key.password=${MASK} next`);
    assert.equal(
      redact('sasl.jaas.config=org.Foo required username="u" password="p";\nnext line'),
      `sasl.jaas.config=${MASK}\nnext line`,
    );
    assert.equal(redact('{"sasl.jaas.config":"org.Foo required password=\\"p\\";"}').includes('org.Foo'), false);
    assert.equal(redact('nothing to hide'), 'nothing to hide');
  });

  test('secret keys are recognised and masked for display', () => {
    for (const k of [
      'sasl.jaas.config',
      'ssl.key.password',
      'ssl.keystore.password',
      'ssl.truststore.password',
      'sasl.oauthbearer.client.secret',
      'ssl.keystore.key',
    ]) {
      assert.ok(isSecretKey(k), k);
    }
    for (const k of ['sasl.mechanism', 'bootstrap.servers', 'ssl.keystore.location', 'client.id'])
      assert.ok(!isSecretKey(k), k);
    assert.deepEqual(
      maskProperties({ 'sasl.jaas.config': JAAS_PLAIN, 'sasl.mechanism': 'PLAIN', note: 'password=oops' }),
      {
        'sasl.jaas.config': MASK,
        'sasl.mechanism': 'PLAIN',
        note: `password=${MASK}`,
      },
    );
  });

  test('resolved settings register their secrets; mapped errors are redacted', async () => {
    clearSecrets();
    await resolveSettings({
      bootstrapServer: 'h:1',
      env: {},
      properties: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': JAAS_PLAIN },
    });
    const e = toKtoolError(new Error('broker said: alice-secret is wrong\nsecond line'));
    assert.equal(e.message, `broker said: ${MASK} is wrong second line`);
    assert.ok(
      !toKtoolError(new KafkaError('SASL_AUTHENTICATION_FAILED', 'bad alice-secret')).message.includes('alice-secret'),
    );
    clearSecrets();
  });
});

describe('error mapping', () => {
  test('own client errors, Kafka errors and kafkajs errors become one line with a code', () => {
    const refused = toKtoolError(
      new ConnectionError('CONNECT_FAILED', 'h:1', 'Cannot connect to h:1: connection refused (ECONNREFUSED)', {
        sysCode: 'ECONNREFUSED',
      }),
    );
    assert.deepEqual(
      [refused.message, refused.code],
      ['Cannot connect to h:1: connection refused (ECONNREFUSED)', 'CONNECT_FAILED'],
    );
    const kafka = toKtoolError(new KafkaError('TOPIC_ALREADY_EXISTS', "Topic 't' already exists."));
    assert.deepEqual(
      [kafka.message, kafka.code],
      ["Topic 't' already exists. (TOPIC_ALREADY_EXISTS)", 'TOPIC_ALREADY_EXISTS'],
    );
    const kjsConn = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9999'), {
      name: 'KafkaJSConnectionError',
      broker: '127.0.0.1:9999',
      code: 'ECONNREFUSED',
    });
    const wrapped = Object.assign(new Error('retries exceeded'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: kjsConn,
    });
    const m = toKtoolError(wrapped);
    assert.deepEqual(
      [m.message, m.code],
      ['Cannot connect to 127.0.0.1:9999: connection refused (ECONNREFUSED)', 'CONNECT_FAILED'],
    );
    const sasl = toKtoolError(
      Object.assign(new Error('SASL SCRAM SHA256 authentication failed, Authentication failed'), {
        name: 'KafkaJSSASLAuthenticationError',
      }),
    );
    assert.equal(sasl.code, 'SASL_AUTHENTICATION_FAILED');
    assert.match(sasl.message, /\(SASL_AUTHENTICATION_FAILED\)$/);
    const proto = toKtoolError(
      Object.assign(new Error('This server does not host this topic-partition'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      }),
    );
    assert.deepEqual(
      [proto.message, proto.code],
      ['This server does not host this topic-partition (UNKNOWN_TOPIC_OR_PARTITION)', 'UNKNOWN_TOPIC_OR_PARTITION'],
    );
  });
});
