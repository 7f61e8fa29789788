// Compatibility tables: for each schema type, pairs of an old and a new schema and
// whether the new one can read old data (backward) and the old one new data (forward).
// Every level's verdict follows from those two facts, and the _TRANSITIVE levels are
// checked against a history whose first version is the one that breaks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCompatibility, COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../../src/schemas/compat/index.js';
import { parseSchema } from '../../src/schemas/parse.js';
import type { SchemaType } from '../../src/schemas/types.js';

interface Case {
  name: string;
  old: string;
  new: string;
  backward: boolean;
  forward: boolean;
}

const rec = (fields: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'record', name: 'R', namespace: 'n', fields, ...extra });
const A = { name: 'a', type: 'int' };

const AVRO: Case[] = [
  { name: 'identical', old: rec([A]), new: rec([A]), backward: true, forward: true },
  {
    name: 'field added with a default',
    old: rec([A]),
    new: rec([A, { name: 'b', type: 'string', default: 'x' }]),
    backward: true,
    forward: true,
  },
  {
    name: 'field added without a default',
    old: rec([A]),
    new: rec([A, { name: 'b', type: 'string' }]),
    backward: false,
    forward: true,
  },
  {
    name: 'field without a default removed',
    old: rec([A, { name: 'b', type: 'string' }]),
    new: rec([A]),
    backward: true,
    forward: false,
  },
  {
    name: 'field with a default removed',
    old: rec([A, { name: 'b', type: 'string', default: '' }]),
    new: rec([A]),
    backward: true,
    forward: true,
  },
  {
    name: 'int promoted to long',
    old: rec([A]),
    new: rec([{ name: 'a', type: 'long' }]),
    backward: true,
    forward: false,
  },
  { name: 'int to string', old: rec([A]), new: rec([{ name: 'a', type: 'string' }]), backward: false, forward: false },
  {
    name: 'union branch added',
    old: rec([{ name: 'a', type: ['null', 'string'] }]),
    new: rec([{ name: 'a', type: ['null', 'string', 'int'] }]),
    backward: true,
    forward: false,
  },
  {
    name: 'enum symbol added',
    old: rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['X', 'Y'] } }]),
    new: rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['X', 'Y', 'Z'] } }]),
    backward: true,
    forward: false,
  },
  {
    name: 'record renamed',
    old: rec([A]),
    new: JSON.stringify({ type: 'record', name: 'Other', namespace: 'n', fields: [A] }),
    backward: false,
    forward: false,
  },
  {
    name: 'record renamed with an alias',
    old: rec([A]),
    new: JSON.stringify({ type: 'record', name: 'Other', namespace: 'n', aliases: ['n.R'], fields: [A] }),
    backward: true,
    forward: false,
  },
  { name: 'string to bytes', old: '"string"', new: '"bytes"', backward: true, forward: true },
  {
    name: 'array items promoted',
    old: '{"type":"array","items":"float"}',
    new: '{"type":"array","items":"double"}',
    backward: true,
    forward: false,
  },
];

const obj = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'object', properties: props, ...extra });
const closed = { additionalProperties: false };

const JSON_SCHEMA: Case[] = [
  {
    name: 'identical',
    old: obj({ a: { type: 'string' } }),
    new: obj({ a: { type: 'string' } }),
    backward: true,
    forward: true,
  },
  {
    name: 'optional property added to a closed model',
    old: obj({ a: { type: 'string' } }, closed),
    new: obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed),
    backward: true,
    forward: false,
  },
  {
    name: 'typed property added to an open model',
    old: obj({ a: { type: 'string' } }),
    new: obj({ a: { type: 'string' }, b: { type: 'integer' } }),
    backward: false,
    forward: true,
  },
  {
    name: 'property removed from an open model',
    old: obj({ a: { type: 'string' }, b: { type: 'integer' } }),
    new: obj({ a: { type: 'string' } }),
    backward: true,
    forward: false,
  },
  {
    name: 'property removed from a closed model',
    old: obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed),
    new: obj({ a: { type: 'string' } }, closed),
    backward: false,
    forward: true,
  },
  {
    name: 'required property added',
    old: obj({ a: { type: 'string' } }),
    new: obj({ a: { type: 'string' } }, { required: ['a'] }),
    backward: false,
    forward: true,
  },
  {
    name: 'integer widened to number',
    old: obj({ a: { type: 'integer' } }),
    new: obj({ a: { type: 'number' } }),
    backward: true,
    forward: false,
  },
  {
    name: 'string to integer',
    old: obj({ a: { type: 'string' } }),
    new: obj({ a: { type: 'integer' } }),
    backward: false,
    forward: false,
  },
  {
    name: 'enum value added',
    old: obj({ a: { enum: ['x', 'y'] } }),
    new: obj({ a: { enum: ['x', 'y', 'z'] } }),
    backward: true,
    forward: false,
  },
  {
    name: 'maxLength raised',
    old: obj({ a: { type: 'string', maxLength: 10 } }),
    new: obj({ a: { type: 'string', maxLength: 20 } }),
    backward: true,
    forward: false,
  },
  {
    name: 'type union widened',
    old: obj({ a: { type: 'string' } }),
    new: obj({ a: { type: ['string', 'null'] } }),
    backward: true,
    forward: false,
  },
  {
    name: 'local $ref followed',
    old: JSON.stringify({
      definitions: { n: { type: 'integer' } },
      type: 'object',
      properties: { a: { $ref: '#/definitions/n' } },
    }),
    new: JSON.stringify({
      definitions: { n: { type: 'number' } },
      type: 'object',
      properties: { a: { $ref: '#/definitions/n' } },
    }),
    backward: true,
    forward: false,
  },
  {
    name: 'array items narrowed',
    old: '{"type":"array","items":{"type":"number"}}',
    new: '{"type":"array","items":{"type":"integer"}}',
    backward: false,
    forward: true,
  },
];

const proto = (body: string, pkg = 'p') => `syntax = "proto3";\npackage ${pkg};\n${body}\n`;
const PROTO2 = (body: string) => `syntax = "proto2";\npackage p;\n${body}\n`;

const PROTOBUF: Case[] = [
  {
    name: 'identical',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { int32 a = 1; }'),
    backward: true,
    forward: true,
  },
  {
    name: 'field added',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { int32 a = 1; string b = 2; }'),
    backward: true,
    forward: true,
  },
  {
    name: 'field removed',
    old: proto('message M { int32 a = 1; string b = 2; }'),
    new: proto('message M { int32 a = 1; }'),
    backward: true,
    forward: true,
  },
  {
    name: 'field renamed, same number and type',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { int32 z = 1; }'),
    backward: true,
    forward: true,
  },
  {
    name: 'int32 to int64 (same wire type)',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { int64 a = 1; }'),
    backward: true,
    forward: true,
  },
  {
    name: 'int32 to string',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { string a = 1; }'),
    backward: false,
    forward: false,
  },
  {
    name: 'sint32 to int32 (zigzag differs)',
    old: proto('message M { sint32 a = 1; }'),
    new: proto('message M { int32 a = 1; }'),
    backward: false,
    forward: false,
  },
  {
    name: 'scalar to message',
    old: proto('message M { int32 a = 1; } message N { int32 x = 1; }'),
    new: proto('message M { N a = 1; } message N { int32 x = 1; }'),
    backward: false,
    forward: false,
  },
  {
    name: 'message field type changed',
    old: proto('message M { N a = 1; } message N {} message O {}'),
    new: proto('message M { O a = 1; } message N {} message O {}'),
    backward: false,
    forward: false,
  },
  {
    name: 'message removed',
    old: proto('message M { int32 a = 1; } message N {}'),
    new: proto('message M { int32 a = 1; }'),
    backward: false,
    forward: true,
  },
  {
    name: 'package changed',
    old: proto('message M { int32 a = 1; }'),
    new: proto('message M { int32 a = 1; }', 'q'),
    backward: false,
    forward: false,
  },
  {
    name: 'proto2 required field added',
    old: PROTO2('message M { optional int32 a = 1; }'),
    new: PROTO2('message M { optional int32 a = 1; required int32 b = 2; }'),
    backward: false,
    forward: false,
  },
];

const TYPES: Array<[SchemaType, Case[]]> = [
  ['AVRO', AVRO],
  ['JSON', JSON_SCHEMA],
  ['PROTOBUF', PROTOBUF],
];

function expected(level: CompatibilityLevel, c: Case): boolean {
  if (level === 'NONE') return true;
  if (level.startsWith('BACKWARD')) return c.backward;
  if (level.startsWith('FORWARD')) return c.forward;
  return c.backward && c.forward;
}

for (const [type, cases] of TYPES) {
  describe(`${type} compatibility`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const oldS = parseSchema({ schemaType: type, schema: c.old });
        const newS = parseSchema({ schemaType: type, schema: c.new });
        for (const level of COMPATIBILITY_LEVELS) {
          const reasons = checkCompatibility(level, newS, [{ version: 1, schema: oldS }]);
          assert.equal(reasons.length === 0, expected(level, c), `${level}: ${reasons.join('; ') || 'compatible'}`);
        }
      });
    }

    test('transitive levels check every earlier version, the others only the latest', () => {
      // Each case's old schema is version 1, then its new schema twice: the last step
      // is a no-op, so only the transitive levels see the change from version 1.
      for (const c of cases.filter((x) => !x.backward || !x.forward)) {
        const v1 = parseSchema({ schemaType: type, schema: c.old });
        const v2 = parseSchema({ schemaType: type, schema: c.new });
        const history = [
          { version: 1, schema: v1 },
          { version: 2, schema: v2 },
        ];
        for (const level of COMPATIBILITY_LEVELS) {
          const ok = checkCompatibility(level, v2, history).length === 0;
          const want = level.endsWith('_TRANSITIVE') ? expected(level, c) : true;
          assert.equal(ok, want, `${c.name} at ${level}`);
        }
      }
    });
  });
}

test('JSON Schema: a $ref to another registered document is compared by name', () => {
  const dependencies = [
    { name: 'a.json', schema: '{"type":"string"}' },
    { name: 'b.json', schema: '{"type":"string"}' },
  ];
  const a = parseSchema({ schemaType: 'JSON', schema: obj({ x: { $ref: 'a.json' } }), dependencies });
  const b = parseSchema({ schemaType: 'JSON', schema: obj({ x: { $ref: 'b.json' } }), dependencies });
  assert.deepEqual(checkCompatibility('FULL', a, [{ version: 1, schema: a }]), []);
  assert.match(checkCompatibility('BACKWARD', b, [{ version: 1, schema: a }]).join(), /REFERENCE_CHANGED/);
});

test('schemas of different types are never compatible', () => {
  const a = parseSchema({ schemaType: 'AVRO', schema: '"string"' });
  const j = parseSchema({ schemaType: 'JSON', schema: '{"type":"string"}' });
  assert.ok(checkCompatibility('BACKWARD', j, [{ version: 1, schema: a }]).length > 0);
});
