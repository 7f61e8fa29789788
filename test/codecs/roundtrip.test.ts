// Round trips through the public API for every codec, over edge-case sizes and
// data shapes, plus the API's own behaviour (codec names, limits, errors).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CodecError,
  codecByName,
  codecName,
  compress,
  decompress,
  type CompressionCodec,
} from '../../src/codecs/index.js';
import { kafkaLikeRecords, mixedBinary, randomBytes, recordsText } from './data.js';

const CODECS: Array<[string, CompressionCodec]> = [
  ['none', 0],
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
  ['zstd', 4],
];

const MB = 1024 * 1024;
const INPUTS: Array<[string, () => Buffer]> = [
  ['empty', () => Buffer.alloc(0)],
  ['1 byte', () => Buffer.from([0x2a])],
  ['2 bytes', () => Buffer.from('ab')],
  ['13 bytes', () => Buffer.from('0123456789abc')],
  ['random 1 MB', () => randomBytes(MB, 17)],
  ['repetitive 1 MB', () => Buffer.alloc(MB, 'kafka ')],
  ['single byte 1 MB', () => Buffer.alloc(MB, 0)],
  ['text-like 600 KB', () => recordsText(600_000)],
  ['kafka-like records 300 KB', () => kafkaLikeRecords(300_000)],
  ['mixed binary 300 KB', () => mixedBinary(300_000)],
  ['64 KB - 1', () => recordsText(65535, 2)],
  ['64 KB', () => recordsText(65536, 2)],
  ['64 KB + 1', () => recordsText(65537, 2)],
  ['random 64 KB - 1', () => randomBytes(65535, 4)],
  ['random 64 KB + 1', () => randomBytes(65537, 4)],
  ['128 KB - 1', () => mixedBinary(131071, 8)],
  ['128 KB', () => mixedBinary(131072, 8)],
  ['128 KB + 1', () => mixedBinary(131073, 8)],
  ['32 KB + 1 (xerial chunk)', () => recordsText(32769, 6)],
  ['repeated 64 KB block', () => Buffer.concat([randomBytes(65536, 5), randomBytes(65536, 5)])],
  ['long run then text', () => Buffer.concat([Buffer.alloc(200_000, 7), recordsText(5000)])],
];

describe('codec round trips', () => {
  for (const [name, codec] of CODECS) {
    describe(name, () => {
      for (const [label, make] of INPUTS) {
        test(label, () => {
          const input = make();
          const packed = compress(codec, input);
          const unpacked = decompress(codec, packed);
          assert.equal(unpacked.length, input.length);
          assert.ok(unpacked.equals(input), 'round trip changed the data');
          if (codec !== 0 && label.startsWith('repetitive')) {
            assert.ok(
              packed.length < input.length / 10,
              `${name} did not compress repetitive data (${packed.length} bytes)`,
            );
          }
          if (codec >= 2 && label.startsWith('random 1 MB')) {
            // Incompressible data may grow only by framing overhead.
            assert.ok(
              packed.length < input.length + input.length / 100 + 64,
              `${name} expanded random data to ${packed.length}`,
            );
          }
        });
      }
      test('does not modify its input and accepts a Uint8Array view', () => {
        const backing = new Uint8Array(5000);
        backing.set(recordsText(4000), 500);
        const view = Buffer.from(backing.buffer, 500, 4000);
        const before = Buffer.from(view);
        const packed = compress(codec, view);
        assert.ok(view.equals(before));
        assert.ok(decompress(codec, packed).equals(before));
      });
    });
  }

  test('compression ratios on Kafka-like records', () => {
    const input = kafkaLikeRecords(MB);
    for (const [name, codec] of CODECS.slice(1)) {
      const packed = compress(codec, input);
      const ratio = input.length / packed.length;
      assert.ok(ratio > 2, `${name} ratio ${ratio.toFixed(2)}`);
    }
  });
});

describe('codec API', () => {
  test('codecByName accepts the five names in any case', () => {
    assert.equal(codecByName('none'), 0);
    assert.equal(codecByName('GZIP'), 1);
    assert.equal(codecByName('Snappy'), 2);
    assert.equal(codecByName('lz4'), 3);
    assert.equal(codecByName('ZStd'), 4);
    assert.equal(codecName(4), 'zstd');
  });

  test('codecByName rejects other names', () => {
    for (const bad of ['', 'brotli', 'lz4hc', 'uncompressed', 'gzip2', '1']) {
      assert.throws(() => codecByName(bad), CodecError);
    }
    assert.equal(codecByName(' zstd '), 4); // surrounding whitespace is ignored
    assert.throws(() => codecByName('producer'), /unknown compression codec 'producer'/);
  });

  test('unknown codec ids throw', () => {
    assert.throws(() => compress(5 as CompressionCodec, Buffer.alloc(1)), CodecError);
    assert.throws(() => decompress(-1 as CompressionCodec, Buffer.alloc(1)), CodecError);
    assert.throws(() => decompress(1.5 as CompressionCodec, Buffer.alloc(1)), CodecError);
  });

  test('none passes data through', () => {
    const b = Buffer.from('abc');
    assert.equal(compress(0, b), b);
    assert.equal(decompress(0, b), b);
    assert.throws(() => decompress(0, b, 2), CodecError);
  });

  test('CodecError is an Error with a name', () => {
    const e = new CodecError('x');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'CodecError');
  });

  test('maxOutputBytes caps every decompressor', () => {
    const input = Buffer.alloc(300_000, 'a');
    for (const [name, codec] of CODECS.slice(1)) {
      const packed = compress(codec, input);
      assert.ok(decompress(codec, packed, input.length).equals(input), `${name} at the exact limit`);
      assert.throws(
        () => decompress(codec, packed, input.length - 1),
        (e: unknown) => {
          assert.ok(e instanceof CodecError, `${name}: ${String(e)}`);
          assert.match((e as Error).message, /limit|exceed/);
          return true;
        },
      );
      assert.throws(() => decompress(codec, packed, 1000), CodecError);
    }
  });

  test('invalid maxOutputBytes values are rejected', () => {
    assert.throws(() => decompress(4, compress(4, Buffer.from('x')), -1), RangeError);
    assert.throws(() => decompress(4, compress(4, Buffer.from('x')), Number.NaN), RangeError);
  });
});
