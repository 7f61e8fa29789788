// ktool (own client, through the CLI) against the dev broker's own SASL listener:
// PLAIN and SCRAM credentials defined in broker properties.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { lines, runCli } from '../cli/helpers.js';

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-pw-1" user_admin="admin-pw-1";';

describe("ktool against the dev broker's SASL listener", () => {
  let broker: TestBroker;
  let dir: string;
  let sasl = '';
  const env = { KAFKA_BOOTSTRAP_SERVERS: undefined, XDG_CONFIG_HOME: '/nonexistent-ktool-config' };

  before(async () => {
    broker = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      'sasl.scram.users': 'SCRAM-SHA-256:carol:carol-pw-256,SCRAM-SHA-512:carol:carol-pw-512',
    });
    sasl = `127.0.0.1:${broker.ports.SASL_PLAINTEXT}`;
    dir = mkdtempSync(join(tmpdir(), 'ktool-broker-sasl-'));
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (name: string, mechanism: string, module: string, user: string, password: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${mechanism}\nsasl.jaas.config=org.apache.kafka.common.security.${module} required username="${user}" password="${password}";\n`,
    );
    return file;
  };

  test('PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 logins create and list topics', async (t) => {
    if (broker.ports?.SASL_PLAINTEXT === undefined) return t.skip('the dev broker has no SASL listener support');
    const cases = [
      config('plain.properties', 'PLAIN', 'plain.PlainLoginModule', 'admin', 'admin-pw-1'),
      config('s256.properties', 'SCRAM-SHA-256', 'scram.ScramLoginModule', 'carol', 'carol-pw-256'),
      config('s512.properties', 'SCRAM-SHA-512', 'scram.ScramLoginModule', 'carol', 'carol-pw-512'),
    ];
    for (const [i, file] of cases.entries()) {
      const created = await runCli(
        ['topics', '--create', '--topic', `sasl-${i}`, '--bootstrap-server', sasl, '--command-config', file],
        { env },
      );
      assert.deepEqual([created.code, created.stdout, created.stderr], [0, `Created topic sasl-${i}.\n`, '']);
      const list = await runCli(['topics', '--list', '--bootstrap-server', sasl, '--command-config', file], { env });
      assert.equal(list.code, 0, list.stderr);
      assert.ok(lines(list.stdout).includes(`sasl-${i}`));
    }
  });

  test('a wrong password is SASL_AUTHENTICATION_FAILED, one line, no secret', async (t) => {
    if (broker.ports?.SASL_PLAINTEXT === undefined) return t.skip('the dev broker has no SASL listener support');
    const file = config('bad.properties', 'SCRAM-SHA-512', 'scram.ScramLoginModule', 'carol', 'not-carols-pw');
    const r = await runCli(['topics', '--list', '--bootstrap-server', sasl, '--command-config', file], { env });
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      'Error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (SASL_AUTHENTICATION_FAILED)',
    ]);
    assert.ok(!(r.stdout + r.stderr).includes('not-carols-pw'));
  });
});
