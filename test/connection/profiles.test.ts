// ktool profile add/use/list/remove (built CLI, temporary XDG_CONFIG_HOME),
// and profiles in use by a topics command.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { lines, runCli } from '../cli/helpers.js';

const SECRET = 'super-secret-pw-42';

describe('ktool profile', () => {
  let dir: string;
  let env: Record<string, string | undefined>;
  let broker: TestBroker;
  const path = () => join(dir, 'config', 'ktool', 'profiles.json');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ktool-profiles-'));
    env = { XDG_CONFIG_HOME: join(dir, 'config'), KAFKA_BOOTSTRAP_SERVERS: undefined, KTOOL_NO_EMBEDDED: '1' };
    broker = await startTestBroker();
    await broker.broker.createTopic(
      { name: 'profiled', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} },
      false,
    );
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list with no profiles', async () => {
    const r = await runCli(['profile', 'list'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'No profiles. Add one with: ktool profile add NAME --bootstrap-server HOST:PORT\n');
    const j = await runCli(['profile', 'list', '--json'], { env });
    assert.deepEqual(JSON.parse(j.stdout), { current: null, path: path(), profiles: [] });
  });

  test('add from flags, a properties file and --property; file mode 0600; secrets never printed', async () => {
    const local = await runCli(['profile', 'add', 'local', '--bootstrap-server', broker.bootstrap], { env });
    assert.equal(local.code, 0, local.stderr);
    assert.equal(local.stdout, 'Added profile "local".\n');
    const props = join(dir, 'secure.properties');
    writeFileSync(
      props,
      `bootstrap.servers=b1:9093,b2:9093\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n` +
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${SECRET}";\n` +
        `linger.ms=5\nmystery.key=1\n`,
    );
    const sec = await runCli(
      [
        'profile',
        'add',
        'secure',
        '--command-config',
        props,
        '--property',
        'client.id=ci',
        '--property',
        'ssl.key.password=kp-secret',
      ],
      { env },
    );
    assert.equal(sec.code, 0, sec.stderr);
    assert.deepEqual(lines(sec.stderr), [`Warning: unknown property 'mystery.key' in ${props} is ignored`]);
    assert.equal((statSync(path()).mode & 0o777).toString(8), '600');

    const list = await runCli(['profile', 'list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.equal(
      list.stdout,
      'CURRENT  NAME    BOOTSTRAP SERVERS  PROPERTIES\n' +
        `         local   ${broker.bootstrap}\n` +
        '         secure  b1:9093,b2:9093    security.protocol=SASL_PLAINTEXT, sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=********, linger.ms=5, mystery.key=1, client.id=ci, ssl.key.password=********\n',
    );
    const json = await runCli(['profile', 'list', '--json'], { env });
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(doc.profiles[1], {
      name: 'secure',
      current: false,
      bootstrapServers: 'b1:9093,b2:9093',
      properties: {
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config': '********',
        'linger.ms': '5',
        'mystery.key': '1',
        'client.id': 'ci',
        'ssl.key.password': '********',
      },
    });
    for (const out of [sec.stdout, sec.stderr, list.stdout, json.stdout]) {
      assert.ok(!out.includes(SECRET));
      assert.ok(!out.includes('kp-secret'));
    }
    // The file itself keeps the credentials (it is private to the user).
    assert.ok(readFileSync(path(), 'utf8').includes(SECRET));
  });

  test('add refuses duplicates without --force, bad names, and missing servers', async () => {
    const dup = await runCli(['profile', 'add', 'local', '--bootstrap-server', 'x:1'], { env });
    assert.equal(dup.code, 1);
    assert.deepEqual(lines(dup.stderr), ['Error: Profile "local" already exists (use --force to replace it)']);
    const bad = await runCli(['profile', 'add', 'no/slash', '--bootstrap-server', 'x:1'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^Error: Invalid profile name "no\/slash"/);
    const none = await runCli(['profile', 'add', 'empty'], { env });
    assert.equal(none.code, 2);
    assert.deepEqual(lines(none.stderr), [
      'Error: A profile needs a bootstrap server: give --bootstrap-server or bootstrap.servers in --command-config',
    ]);
    const invalid = await runCli(
      ['profile', 'add', 'broken', '--bootstrap-server', 'x:1', '--property', 'security.protocol=NOPE'],
      { env },
    );
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /Invalid value NOPE for configuration security\.protocol in --property/);
  });

  test('use: the current profile is the default connection; --profile picks one; --none clears', async () => {
    const use = await runCli(['profile', 'use', 'local'], { env });
    assert.equal(use.stdout, 'Switched to profile "local".\n');
    const list = await runCli(['topics', '--list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.ok(lines(list.stdout).includes('profiled'));
    const marked = await runCli(['profile', 'list'], { env });
    assert.match(marked.stdout, /^\*\s+local\s/m);
    // An explicit bootstrap server wins over the current profile.
    const other = await runCli(['topics', '--list', '--bootstrap-server', '127.0.0.1:1'], { env });
    assert.equal(other.code, 1);
    assert.match(other.stderr, /Cannot connect to 127\.0\.0\.1:1/);
    // --profile selects another profile (unreachable here; the error shows it was used).
    const sec = await runCli(['topics', '--list', '--profile', 'secure'], { env: { ...env } });
    assert.equal(sec.code, 1);
    assert.match(sec.stderr, /b1:9093/);
    assert.ok(!sec.stderr.includes(SECRET));
    const missing = await runCli(['topics', '--list', '--profile', 'nope'], { env });
    assert.equal(missing.code, 1);
    assert.deepEqual(lines(missing.stderr), ['Error: Profile "nope" does not exist (see: ktool profile list)']);
    const none = await runCli(['profile', 'use', '--none'], { env });
    assert.equal(none.stdout, 'No current profile.\n');
    const useMissing = await runCli(['profile', 'use', 'nope'], { env });
    assert.equal(useMissing.code, 1);
  });

  test('remove, including the current profile', async () => {
    await runCli(['profile', 'use', 'local'], { env });
    const r = await runCli(['profile', 'remove', 'local', '--json'], { env });
    assert.deepEqual(JSON.parse(r.stdout), { removed: 'local', current: null });
    const again = await runCli(['profile', 'remove', 'local'], { env });
    assert.equal(again.code, 1);
    assert.deepEqual(lines(again.stderr), ['Error: Profile "local" does not exist (see: ktool profile list)']);
    const list = await runCli(['profile', 'list', '--json'], { env });
    assert.deepEqual(
      JSON.parse(list.stdout).profiles.map((p: { name: string }) => p.name),
      ['secure'],
    );
  });

  test('a corrupt profiles.json is a clear error', async () => {
    writeFileSync(path(), '{not json');
    const r = await runCli(['profile', 'list'], { env });
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [`Error: Cannot read profiles from ${path()}: it is not valid JSON`]);
  });
});
