// Confluent's own Python client (Debian's python3-confluent-kafka) against the dev
// broker and its embedded registry: SchemaRegistryClient's calls, and records
// serialized by one side and read by the other, for JSON Schema, Protobuf and Avro.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requireTool, run } from '../helpers/tools.js';

const SCRIPT = fileURLToPath(new URL('./python/sr_interop.py', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

const SCHEMAS: Record<string, { format: string; schema: string }> = {
  json: {
    format: 'json-schema',
    schema: JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Order',
      type: 'object',
      properties: { id: { type: 'integer' }, note: { type: 'string' } },
      required: ['id'],
    }),
  },
  protobuf: {
    format: 'protobuf',
    schema: 'syntax = "proto3";\npackage shop;\nmessage Order { int64 id = 1; string note = 2; }\n',
  },
  avro: {
    format: 'avro',
    schema: JSON.stringify({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: 'string' },
      ],
    }),
  },
};

describe("confluent-kafka-python's schema registry client and serializers", () => {
  let broker: TestBroker;
  let url: string;
  before(async () => {
    broker = await startTestBroker({ 'schema.registry.listeners': 'http://127.0.0.1:0' });
    url = broker.schemaRegistryUrl!;
  });
  after(() => broker.destroy());

  const py = (args: string[], input?: string) => run(PYTHON, [SCRIPT, ...args], { input, timeoutMs: 60_000 });
  const ktool = (args: string[], input?: string) =>
    run(process.execPath, [BIN, ...args], { input, timeoutMs: 60_000, env: { ...process.env, NO_COLOR: '1' } });

  test('SchemaRegistryClient: register, look up, compatibility, config, delete', async (t) => {
    if (!requireTool(t, 'confluent-schema-registry')) return;
    const r = await py(['client', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), {
      id1: 1,
      id1_again: 1,
      lookup: 1,
      compatible_v2: true,
      compatible_bad: false,
      register_bad: 409,
      id2: 2,
      versions: [1, 2],
      latest: [2, 2],
      schema_by_id: 'Order',
      json_type: 'JSON',
      compat_level: 'FULL',
      global_level: 'BACKWARD',
      subjects: ['py-json', 'py-value'],
      deleted_soft: [1],
      deleted_hard: [1, 2],
      subjects_after: [],
      missing: [404, 40401],
    });
  });

  for (const fmt of ['json', 'protobuf', 'avro']) {
    test(`${fmt}: Python serializes, ktool console-consumer prints JSON; ktool serializes, Python deserializes`, async (t) => {
      if (!requireTool(t, 'confluent-schema-registry')) return;
      const records = [
        { id: 1, note: 'one' },
        { id: 2, note: 'two' },
      ];
      const p = await py(
        ['produce', fmt, broker.bootstrap, url, `py.${fmt}`],
        records.map((r) => JSON.stringify(r)).join('\n') + '\n',
      );
      assert.equal(p.code, 0, p.stderr);
      const c = await ktool([
        'console-consumer',
        '--bootstrap-server',
        broker.bootstrap,
        '--topic',
        `py.${fmt}`,
        '--from-beginning',
        '--until-end',
        '--value-format',
        SCHEMAS[fmt].format,
        '--schema-registry-url',
        url,
      ]);
      assert.equal(c.code, 0, c.stderr);
      // Protobuf's JSON mapping writes int64 as a string.
      const want = records.map((r) => (fmt === 'protobuf' ? { ...r, id: String(r.id) } : r));
      assert.deepEqual(
        c.stdout
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
        want,
      );

      const k = await ktool(
        [
          'console-producer',
          '--bootstrap-server',
          broker.bootstrap,
          '--topic',
          `kt.${fmt}`,
          '--value-format',
          SCHEMAS[fmt].format,
          '--value-schema',
          SCHEMAS[fmt].schema,
          '--schema-registry-url',
          url,
        ],
        '{"id":3,"note":"three"}\n{"id":4,"note":"four"}\n',
      );
      assert.equal(k.code, 0, k.stderr);
      const back = await py(['consume', fmt, broker.bootstrap, url, `kt.${fmt}`, '2']);
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(
        back.stdout
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
        [
          { id: 3, note: 'three' },
          { id: 4, note: 'four' },
        ],
      );
    });

    if (fmt !== 'avro') {
      test(`${fmt}: Python's serializer and deserializer round-trip through the dev broker`, async (t) => {
        if (!requireTool(t, 'confluent-schema-registry')) return;
        const p = await py(['produce', fmt, broker.bootstrap, url, `rt.${fmt}`], '{"id":5,"note":"five"}\n');
        assert.equal(p.code, 0, p.stderr);
        const back = await py(['consume', fmt, broker.bootstrap, url, `rt.${fmt}`, '1']);
        assert.equal(back.code, 0, back.stderr);
        assert.deepEqual(JSON.parse(back.stdout.toString()), { id: 5, note: 'five' });
      });
    }
  }
});
