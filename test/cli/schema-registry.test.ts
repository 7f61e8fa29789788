// ktool schema-registry: subjects, versions, get, register, check, compatibility, mode
// and delete against the dev broker's registry, as text and --json, and one-line failures.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const V1 = JSON.stringify({ type: 'record', name: 'O', fields: [{ name: 'a', type: 'int' }] });
const V2 = JSON.stringify({
  type: 'record',
  name: 'O',
  fields: [
    { name: 'a', type: 'int' },
    { name: 'b', type: 'int', default: 0 },
  ],
});
const BAD = JSON.stringify({ type: 'record', name: 'O', fields: [{ name: 'a', type: 'string' }] });

describe('ktool schema-registry', () => {
  let broker: TestBroker;
  let url: string[];
  before(async () => {
    broker = await startTestBroker({
      'schema.registry.listeners': 'http://127.0.0.1:0',
      'schema.registry.authentication.users': 'me:pw',
    });
    const u = new URL(broker.schemaRegistryUrl!);
    u.username = 'me';
    u.password = 'pw';
    url = ['--schema-registry-url', u.toString()];
  });
  after(() => broker.destroy());

  const sr = async (args: string[]) => {
    const r = await run(process.execPath, [BIN, 'schema-registry', ...args], {
      timeoutMs: 30_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
  };

  test('register from a file, list, show, check, and delete', async () => {
    const file = join(tempDir(), 'o.avsc');
    writeFileSync(file, `${V1}\n`);
    assert.deepEqual(await sr(['register', 'o-value', '--schema', file, ...url]), {
      code: 0,
      stdout: 'subject o-value  version 1  id 1\n',
      stderr: '',
    });
    assert.equal(
      (await sr(['register', 'o-value', '--schema', V2, ...url])).stdout,
      'subject o-value  version 2  id 2\n',
    );
    assert.equal((await sr(['subjects', ...url])).stdout, 'o-value\n');
    assert.deepEqual(JSON.parse((await sr(['versions', 'o-value', '--json', ...url])).stdout), {
      subject: 'o-value',
      versions: [1, 2],
    });
    assert.equal((await sr(['get', 'o-value', '--version', '1', '--schema-only', ...url])).stdout, `${V1}\n`);
    assert.equal((await sr(['get', '--id', '2', ...url])).stdout, `id 2  type AVRO\n${V2}\n`);
    const bad = await sr(['check', 'o-value', '--schema', BAD, ...url]);
    assert.equal(bad.code, 0);
    assert.match(bad.stdout, /^incompatible\n {2}version 2: READER_CANNOT_READ_WRITER/);
    assert.deepEqual(JSON.parse((await sr(['check', 'o-value', '--schema', V2, '--json', ...url])).stdout), {
      subject: 'o-value',
      is_compatible: true,
      messages: [],
    });
    assert.equal((await sr(['delete', 'o-value', '--version', '1', ...url])).stdout, 'Deleted o-value version(s) 1\n');
    assert.deepEqual(
      JSON.parse((await sr(['versions', 'o-value', '--deleted', '--json', ...url])).stdout).versions,
      [1, 2],
    );
    assert.equal((await sr(['versions', 'o-value', ...url])).stdout, '2\n');
  });

  test('compatibility level and mode, global and per subject', async () => {
    assert.equal((await sr(['compatibility', ...url])).stdout, 'BACKWARD\n');
    assert.equal(
      (await sr(['compatibility', 'o-value', '--set', 'full_transitive', ...url])).stdout,
      'FULL_TRANSITIVE\n',
    );
    assert.equal((await sr(['compatibility', 'o-value', ...url])).stdout, 'FULL_TRANSITIVE\n');
    assert.equal((await sr(['compatibility', 'o-value', '--delete', ...url])).stdout, 'BACKWARD\n');
    assert.equal((await sr(['mode', 'o-value', '--set', 'READONLY', ...url])).stdout, 'READONLY\n');
    const refused = await sr(['register', 'o-value', '--schema', V2.replace('"b"', '"c"'), ...url]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'Error: Schema registry: Subject o-value is in read-only mode (error code 42205)\n');
    assert.equal((await sr(['mode', 'o-value', '--set', 'READWRITE', ...url])).stdout, 'READWRITE\n');
  });

  test('failures are one line with exit 1', async () => {
    const cases: Array<[string[], string]> = [
      [['get', 'nope', ...url], "Error: Schema registry: Subject 'nope' not found. (error code 40401)\n"],
      [
        ['get', 'o-value', '--version', '0', ...url],
        `Error: Schema registry: The specified version '0' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest" (error code 42202)\n`,
      ],
      [
        ['register', 'x-value', '--schema', '{"type":"nope"}', ...url],
        /^Error: Schema registry: Invalid schema: .* \(error code 42201\)\n$/ as unknown as string,
      ],
      [
        ['compatibility', '--set', 'SIDEWAYS', ...url],
        'Error: Unknown compatibility level SIDEWAYS: use NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE\n',
      ],
      [
        ['subjects', '--schema-registry-url', broker.schemaRegistryUrl!],
        'Error: Schema registry: Unauthorized (error code 401)\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await sr(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      if (typeof stderr === 'string') assert.equal(r.stderr, stderr);
      else assert.match(r.stderr, stderr);
    }
  });
});
