// The serializers against each other and against Avro's JSON encoding: the fast path
// (wrapped unions through JSON) and avsc's own fromString/toString agree, bytes take
// the slow path, and protobuf message indexes and the wire header read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchema, type ParsedAvro, type ParsedProtobuf } from '../../src/schemas/parse.js';
import { encoderFor, messageIndexes, RecordDecoder, SerdeError } from '../../src/schemas/serde.js';
import { decodeIndexes, encodeIndexes, schemaIdOf } from '../../src/schemas/wire.js';
import type { RegistryClient } from '../../src/schemas/registry-client.js';

function decoderFor(
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON',
  schema: string,
  format: 'avro' | 'protobuf' | 'json-schema' | 'auto' = 'auto',
) {
  const client = {
    schemaById: async (id: number) => ({ id, schemaType, schema, references: [] }),
    dependencies: async () => [],
  } as unknown as RegistryClient;
  return new RecordDecoder(client, format);
}

const NESTED = JSON.stringify({
  type: 'record',
  name: 'Outer',
  namespace: 'n',
  fields: [
    { name: 'u', type: ['null', 'long', { type: 'record', name: 'In', fields: [{ name: 'x', type: 'int' }] }] },
    { name: 'm', type: { type: 'map', values: ['null', 'string'] } },
    { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] }, default: 'A' },
    { name: 'd', type: 'double' },
  ],
});

test('Avro: the JSON fast path and avsc agree, record by record', async () => {
  const s = parseSchema({ schemaType: 'AVRO', schema: NESTED }) as ParsedAvro;
  const enc = encoderFor(s, 9);
  const dec = decoderFor('AVRO', NESTED);
  const inputs = [
    '{"u":null,"m":{},"e":"B","d":1.5}',
    '{"u":{"long":5},"m":{"k":{"string":"v"},"z":null},"e":"A","d":-2}',
    '{"u":{"n.In":{"x":3}},"m":{},"e":"B","d":0}',
  ];
  const framed = inputs.map((i) => enc(Buffer.from(i)));
  await dec.prepare(framed);
  for (const [i, f] of framed.entries()) {
    assert.equal(schemaIdOf(f), 9);
    assert.deepEqual(f.subarray(5), s.avro.toBuffer(s.avro.fromString(inputs[i])), 'same bytes as avsc');
    assert.equal(dec.decode(f)!.toString(), s.avro.toString(s.avro.fromBuffer(f.subarray(5))), 'same text as avsc');
  }
  // Bare union values and missing defaults take avsc's path and mean the same.
  assert.deepEqual(
    enc(Buffer.from('{"u":5,"m":{"k":"v","z":null},"d":-2}')),
    enc(Buffer.from('{"u":{"long":5},"m":{"k":{"string":"v"},"z":null},"e":"A","d":-2}')),
  );
  assert.throws(() => enc(Buffer.from('{"u":"text","m":{},"d":1}')), SerdeError);
});

test('Avro bytes use the JSON encoding of bytes (code points), through avsc', async () => {
  const schema = '{"type":"record","name":"B","fields":[{"name":"b","type":"bytes"}]}';
  const enc = encoderFor(parseSchema({ schemaType: 'AVRO', schema }), 1);
  const f = enc(Buffer.from('{"b":"\\u00ff\\u0001"}'));
  assert.deepEqual(f.subarray(5), Buffer.from([4, 0xff, 0x01]));
  const dec = decoderFor('AVRO', schema);
  await dec.prepare([f]);
  assert.equal(dec.decode(f)!.toString(), '{"b":"ÿ\\u0001"}');
});

test('protobuf message indexes: [0] is one byte, nested paths are zigzag varints, and they pick the message back', async () => {
  assert.deepEqual(encodeIndexes([0]), Buffer.from([0]));
  assert.deepEqual(encodeIndexes([1]), Buffer.from([2, 2]));
  assert.deepEqual(encodeIndexes([0, 2]), Buffer.from([4, 0, 4]));
  assert.deepEqual(decodeIndexes(Buffer.from([4, 0, 4, 99])), { indexes: [0, 2], size: 3 });
  assert.deepEqual(decodeIndexes(Buffer.from([0, 99])), { indexes: [0], size: 1 });
  const proto =
    'syntax = "proto3"; package p; message A { int32 a = 1; message X {} message Y { string y = 1; } } message B { bool b = 1; }';
  const s = parseSchema({ schemaType: 'PROTOBUF', schema: proto }) as ParsedProtobuf;
  const y = s.root.lookupType('p.A.Y');
  assert.deepEqual(messageIndexes(s, y), [0, 1]);
  const f = encoderFor(s, 3, 'A.Y')(Buffer.from('{"y":"deep"}'));
  assert.deepEqual(f.subarray(5, 8), Buffer.from([4, 0, 2]));
  const dec = decoderFor('PROTOBUF', proto, 'protobuf');
  await dec.prepare([f]);
  assert.equal(dec.decode(f)!.toString(), '{"y":"deep"}');
});

test('an explicit format refuses records in another format or without the header', async () => {
  const dec = decoderFor('JSON', '{"type":"object"}', 'avro');
  const framed = encoderFor(
    parseSchema({ schemaType: 'JSON', schema: '{"type":"object"}' }),
    4,
  )(Buffer.from('{"a":1}'));
  await dec.prepare([framed]);
  assert.throws(() => dec.decode(framed), /Schema 4 is JSON, not AVRO/);
  assert.throws(() => dec.decode(Buffer.from('plain')), /Unknown magic byte/);
  const auto = decoderFor('JSON', '{"type":"object"}', 'auto');
  await auto.prepare([framed]);
  assert.equal(auto.decode(framed)!.toString(), '{"a":1}');
  assert.equal(auto.decode(Buffer.from('plain'))!.toString(), 'plain');
});
