// console-producer and console-consumer with schemas, run as the built CLI against the
// dev broker's embedded registry (and a second broker's registry for "another URL"):
// Avro, Protobuf and JSON Schema in the Confluent wire format, subjects, ids, auth.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';
import { freePort } from './helpers.js';
import { client } from '../registry/helpers.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const ORDER = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
const PROTO =
  'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string note = 2; }\nmessage Refund { string order = 1; Reason reason = 2; message Reason { string text = 1; } }\n';
const THING = JSON.stringify({
  type: 'object',
  title: 'Thing',
  properties: { n: { type: 'integer' } },
  required: ['n'],
});

describe('console tools with schemas', () => {
  let broker: TestBroker;
  let other: TestBroker;
  let B: string;
  let R: string;
  const ktool = (args: string[], input?: string) =>
    run(process.execPath, [BIN, ...args], { input, timeoutMs: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const produce = (topic: string, input: string, extra: string[]) =>
    ktool(['console-producer', '--bootstrap-server', B, '--topic', topic, ...extra], input);
  const consume = (topic: string, extra: string[]) =>
    ktool(['console-consumer', '--bootstrap-server', B, '--topic', topic, '--from-beginning', '--until-end', ...extra]);

  before(async () => {
    broker = await startTestBroker({ 'schema.registry.listeners': 'http://127.0.0.1:0' });
    other = await startTestBroker({
      'schema.registry.listeners': 'http://127.0.0.1:0',
      'schema.registry.authentication.users': 'ops:pw',
    });
    B = broker.bootstrap;
    R = broker.schemaRegistryUrl!;
  });
  after(async () => {
    await broker.destroy();
    await other.destroy();
  });

  test('Avro: JSON lines in, Confluent wire format on the topic, the same JSON out', async () => {
    const input = '{"id":1,"note":{"string":"first"}}\n{"id":2,"note":null}\n{"id":3,"note":"plain JSON union"}\n';
    const p = await produce('s.avro', input, [
      '--value-format',
      'avro',
      '--value-schema',
      ORDER,
      '--schema-registry-url',
      R,
    ]);
    assert.equal(p.code, 0, p.stderr);
    const id = (await client(R).get('/subjects/s.avro-value/versions/latest')).body.id;
    const raw = await consume('s.avro', ['--output', 'jsonl', '--binary', 'hex']);
    const first = JSON.parse(raw.stdout.toString().split('\n')[0]);
    assert.equal(
      first.value.hex.slice(0, 10),
      `00${id.toString(16).padStart(8, '0')}`,
      'magic byte 0 and the 4-byte schema id',
    );
    const c = await consume('s.avro', ['--value-format', 'avro', '--schema-registry-url', R]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(
      c.stdout.toString(),
      '{"id":1,"note":{"string":"first"}}\n{"id":2,"note":null}\n{"id":3,"note":{"string":"plain JSON union"}}\n',
    );
  });

  test('Avro keys with parse.key, and a schema file', async () => {
    const dir = tempDir();
    const file = join(dir, 'order.avsc');
    writeFileSync(file, ORDER);
    const p = await produce('s.keys', '"k1"\t{"id":7}\n', [
      '--property',
      'parse.key=true',
      '--key-format',
      'avro',
      '--key-schema',
      '"string"',
      '--value-format',
      'avro',
      '--value-schema',
      file,
      '--schema-registry-url',
      R,
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(
      (await client(R).get('/subjects')).body.filter((s: string) => s.startsWith('s.keys')),
      ['s.keys-key', 's.keys-value'],
    );
    const c = await consume('s.keys', [
      '--property',
      'print.key=true',
      '--key-format',
      'avro',
      '--value-format',
      'avro',
      '--schema-registry-url',
      R,
    ]);
    assert.equal(c.stdout.toString(), '"k1"\t{"id":7,"note":null}\n');
  });

  test('Protobuf: message indexes name the message, nested messages decode', async () => {
    const p = await produce('s.proto', '{"order":"o-1","reason":{"text":"broken"}}\n', [
      '--value-format',
      'protobuf',
      '--value-schema',
      PROTO,
      '--proto-message',
      'Refund',
      '--schema-registry-url',
      R,
    ]);
    assert.equal(p.code, 0, p.stderr);
    const raw = JSON.parse(
      (await consume('s.proto', ['--output', 'jsonl', '--binary', 'hex'])).stdout.toString().split('\n')[0],
    );
    assert.equal(raw.value.hex.slice(10, 14), '0202', 'message indexes [1]: count 1 and index 1, zigzag varints');
    const c = await consume('s.proto', ['--value-format', 'protobuf', '--schema-registry-url', R]);
    assert.equal(c.stdout.toString(), '{"order":"o-1","reason":{"text":"broken"}}\n');
    const first = await produce('s.proto1', '{"id":"12","note":"x"}\n', [
      '--value-format',
      'protobuf',
      '--value-schema',
      PROTO,
      '--schema-registry-url',
      R,
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      (await consume('s.proto1', ['--value-format', 'auto', '--schema-registry-url', R])).stdout.toString(),
      '{"id":"12","note":"x"}\n',
    );
  });

  test('JSON Schema: records are validated; the first bad line stops the producer with one line', async () => {
    const p = await produce('s.json', '{"n":1}\n{"n":"two"}\n{"n":3}\n', [
      '--value-format',
      'json-schema',
      '--value-schema',
      THING,
      '--schema-registry-url',
      R,
    ]);
    assert.equal(p.code, 1);
    assert.match(
      p.stderr,
      /^ERROR Cannot serialize line number 2: Does not match the JSON schema: .*must be integer$/m,
    );
    assert.doesNotMatch(p.stderr, /\n\s+at /);
    const c = await consume('s.json', ['--value-format', 'json-schema', '--schema-registry-url', R]);
    assert.equal(c.stdout.toString(), '{"n":1}\n');
  });

  test('subject name strategies: record and topic-record', async () => {
    for (const [strategy, subject] of [
      ['record', 'shop.Order'],
      ['topic-record', 's.strat-shop.Order'],
    ]) {
      const p = await produce('s.strat', '{"id":1}\n', [
        '--value-format',
        'avro',
        '--value-schema',
        ORDER,
        '--subject-strategy',
        strategy,
        '--schema-registry-url',
        R,
      ]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal((await client(R).get(`/subjects/${subject}/versions`)).status, 200, subject);
    }
  });

  test('a schema by id or subject, and --no-auto-register only looks up', async () => {
    const id = (await client(R).get('/subjects/s.avro-value/versions/latest')).body.id;
    assert.equal(
      (
        await produce('s.byid', '{"id":5}\n', [
          '--value-format',
          'avro',
          '--value-schema',
          `id:${id}`,
          '--schema-registry-url',
          R,
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await produce('s.byid', '{"id":6}\n', [
          '--value-format',
          'avro',
          '--value-schema',
          'subject:s.avro-value@1',
          '--schema-registry-url',
          R,
        ])
      ).code,
      0,
    );
    const c = await consume('s.byid', ['--value-format', 'avro', '--schema-registry-url', R]);
    assert.equal(c.stdout.toString(), '{"id":5,"note":null}\n{"id":6,"note":null}\n');
    const refused = await produce('s.unregistered', '{"id":1}\n', [
      '--value-format',
      'avro',
      '--value-schema',
      ORDER,
      '--no-auto-register',
      '--schema-registry-url',
      R,
    ]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      "Error: Schema registry: Subject 's.unregistered-value' not found. (error code 40401)",
    );
  });

  test('auto decodes framed records and passes others through; an explicit format refuses them', async () => {
    await produce('s.mixed', 'plain text\n', []);
    await produce('s.mixed', '{"id":9}\n', [
      '--value-format',
      'avro',
      '--value-schema',
      ORDER,
      '--schema-registry-url',
      R,
    ]);
    const c = await consume('s.mixed', ['--value-format', 'auto', '--schema-registry-url', R]);
    assert.equal(c.stdout.toString(), 'plain text\n{"id":9,"note":null}\n');
    const strict = await consume('s.mixed', ['--value-format', 'avro', '--schema-registry-url', R]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /Cannot decode the record at s\.mixed-0 offset 0: Unknown magic byte/);
    const skipping = await consume('s.mixed', [
      '--value-format',
      'avro',
      '--skip-message-on-error',
      '--schema-registry-url',
      R,
    ]);
    assert.equal(skipping.stdout.toString(), '{"id":9,"note":null}\n');
  });

  test('another registry, by schema.registry.url and basic.auth.user.info in --command-config', async () => {
    const dir = tempDir();
    const config = join(dir, 'client.properties');
    writeFileSync(config, `schema.registry.url=${other.schemaRegistryUrl}\nbasic.auth.user.info=ops:pw\n`);
    const p = await produce('s.other', '{"id":42}\n', [
      '--command-config',
      config,
      '--value-format',
      'avro',
      '--value-schema',
      ORDER,
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(
      (await client(other.schemaRegistryUrl!, 'ops:pw').get('/subjects/s.other-value/versions')).status,
      200,
    );
    assert.equal((await client(R).get('/subjects/s.other-value/versions')).status, 404);
    const c = await consume('s.other', ['--command-config', config, '--value-format', 'avro']);
    assert.equal(c.stdout.toString(), '{"id":42,"note":null}\n');
    const denied = await produce('s.other', '{"id":43}\n', [
      '--value-format',
      'avro',
      '--value-schema',
      ORDER,
      '--schema-registry-url',
      other.schemaRegistryUrl!,
    ]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr.trim(), 'Error: Schema registry: Unauthorized (error code 401)');
  });

  test("Confluent's script names take Confluent's --property spellings", async () => {
    const file = join(tempDir(), 'order.avsc');
    writeFileSync(file, ORDER);
    const p = await ktool(
      [
        'avro-console-producer',
        '--bootstrap-server',
        B,
        '--topic',
        's.door',
        '--property',
        `schema.registry.url=${R}`,
        '--property',
        `value.schema.file=${file}`,
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=|',
        '--property',
        'key.schema="string"',
      ],
      '"k"|{"id":1}\n',
    );
    assert.equal(p.code, 0, p.stderr);
    const c = await ktool([
      'avro-console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      's.door',
      '--from-beginning',
      '--until-end',
      '--property',
      `schema.registry.url=${R}`,
      '--property',
      'print.key=true',
      '--property',
      'key.deserializer=io.confluent.kafka.serializers.KafkaAvroDeserializer',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.toString(), '"k"\t{"id":1,"note":null}\n');
    const ids = await ktool([
      'avro-console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      's.door',
      '--from-beginning',
      '--until-end',
      '--property',
      `schema.registry.url=${R}`,
      '--property',
      'print.schema.ids=true',
    ]);
    const valueId = (await client(R).get('/subjects/s.door-value/versions/latest')).body.id;
    assert.equal(ids.stdout.toString(), `{"id":1,"note":null}\t${valueId}\n`);
    const j = await ktool(
      [
        'json-schema-console-producer',
        '--bootstrap-server',
        B,
        '--topic',
        's.door.json',
        '--property',
        `schema.registry.url=${R}`,
        '--property',
        `value.schema=${THING}`,
      ],
      '{"n":5}\n',
    );
    assert.equal(j.code, 0, j.stderr);
    const jc = await ktool([
      'json-schema-console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      's.door.json',
      '--from-beginning',
      '--until-end',
      '--property',
      `schema.registry.url=${R}`,
    ]);
    assert.equal(jc.stdout.toString(), '{"n":5}\n');
    const pp = await ktool(
      [
        'protobuf-console-producer',
        '--bootstrap-server',
        B,
        '--topic',
        's.door.pb',
        '--property',
        `schema.registry.url=${R}`,
        '--property',
        `value.schema=${PROTO}`,
      ],
      '{"id":"8"}\n',
    );
    assert.equal(pp.code, 0, pp.stderr);
    const pc = await ktool([
      'protobuf-console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      's.door.pb',
      '--from-beginning',
      '--until-end',
      '--property',
      `schema.registry.url=${R}`,
    ]);
    assert.equal(pc.stdout.toString(), '{"id":"8"}\n');
  });

  test('without a schema format the console tools, and a broker whose registry is idle, load no schema library', async () => {
    const dir = tempDir();
    const trace = join(dir, 'imports.txt');
    const hook = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));
    const env = { ...process.env, KTOOL_TRACE_IMPORTS: trace };
    const p = await run(
      process.execPath,
      ['--import', hook, BIN, 'console-producer', '--bootstrap-server', B, '--topic', 's.plain'],
      { input: 'x\n', env },
    );
    assert.equal(p.code, 0, p.stderr);
    const c = await run(
      process.execPath,
      [
        '--import',
        hook,
        BIN,
        'console-consumer',
        '--bootstrap-server',
        B,
        '--topic',
        's.plain',
        '--from-beginning',
        '--until-end',
      ],
      { env },
    );
    assert.equal(c.stdout.toString(), 'x\n');
    // A broker process with its registry on, asked only for the subject list.
    const main = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        hook,
        main,
        '--override',
        'listeners=PLAINTEXT://127.0.0.1:0',
        '--override',
        `log.dirs=${join(dir, 'data')}`,
        '--override',
        'schema.registry.listeners=http://127.0.0.1:0',
      ],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Schema registry listening on (\S+)/.exec(out);
        if (m && out.includes('ktool broker started')) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(out)));
    });
    assert.deepEqual((await client(url).get('/subjects')).body, []);
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    const urls = readFileSync(trace, 'utf8').split('\n');
    assert.ok(
      urls.some((u) => u.includes('/dist/registry/')),
      'the trace saw the registry',
    );
    assert.deepEqual(
      urls.filter((u) => /\/node_modules\/(avsc|ajv|protobufjs)\/|\/dist\/schemas\/(parse|serde|tools)\.js/.test(u)),
      [],
    );
  });

  test('a profile carries schema.registry.url and basic.auth.user.info, masked in profile list', async () => {
    const env = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: tempDir() };
    const k = (args: string[], input?: string) =>
      run(process.execPath, [BIN, ...args], { input, timeoutMs: 60_000, env });
    const add = await k([
      'profile',
      'add',
      'sr',
      '--bootstrap-server',
      B,
      '--property',
      `schema.registry.url=${other.schemaRegistryUrl}`,
      '--property',
      'basic.auth.user.info=ops:pw',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stderr, '', 'no unknown-property warning');
    const list = await k(['profile', 'list', '--json']);
    assert.equal(JSON.parse(list.stdout.toString()).profiles[0].properties['basic.auth.user.info'], '********');
    const p = await k(
      [
        'console-producer',
        '--profile',
        'sr',
        '--topic',
        's.profile',
        '--value-format',
        'avro',
        '--value-schema',
        ORDER,
      ],
      '{"id":77}\n',
    );
    assert.equal(p.code, 0, p.stderr);
    const c = await k([
      'console-consumer',
      '--profile',
      'sr',
      '--topic',
      's.profile',
      '--from-beginning',
      '--until-end',
      '--value-format',
      'avro',
    ]);
    assert.equal(c.stdout.toString(), '{"id":77,"note":null}\n');
    assert.equal(c.stderr, 'Processed a total of 1 messages\n');
  });

  test('bad input: no schema, a bad schema, an unreachable registry, each one line and exit 1', async () => {
    const closed = await freePort();
    const cases: Array<[string[], RegExp]> = [
      [['--value-format', 'avro'], /^Error: --value-format avro needs --value-schema/],
      [
        ['--value-format', 'avro', '--value-schema', '{"type":"record"}', '--schema-registry-url', R],
        /^Error: Invalid AVRO schema: /,
      ],
      [
        ['--value-format', 'avro', '--value-schema', ORDER, '--schema-registry-url', `http://127.0.0.1:${closed}`],
        /^Error: Cannot reach the schema registry at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
      ],
      [
        ['--value-format', 'avro', '--value-schema', 'id:99999', '--schema-registry-url', R],
        /^Error: Schema registry: Schema 99999 not found \(error code 40403\)/,
      ],
    ];
    for (const [args, want] of cases) {
      const r = await produce('s.bad', '{"id":1}\n', args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
