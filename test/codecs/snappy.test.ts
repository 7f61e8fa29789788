// Snappy: hand-built raw blocks using every element form, xerial framing as the
// Java client writes it, raw blocks as librdkafka writes them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CodecError } from '../../src/codecs/errors.js';
import {
  snappyCompress,
  snappyCompressRaw,
  snappyDecompress,
  snappyDecompressRaw,
  snappyUncompressedLength,
} from '../../src/codecs/snappy.js';
import { kafkaLikeRecords, mixedBinary, randomBytes, recordsText } from './data.js';

const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);

function expectCodecError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  });
}

function xerial(chunks: Buffer[]): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const c of chunks) {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(c.length, 0);
    parts.push(h, c);
  }
  return Buffer.concat(parts);
}

describe('snappy raw block elements', () => {
  test('short literal and 1-byte-offset copy', () => {
    // len 9; literal "abcd" (tag (4-1)<<2); copy-1 len 5 offset 4: tag 1 | (5-4)<<2 | 0<<5, offset byte 4
    const block = Buffer.from([9, 0x0c, ...Buffer.from('abcd'), 0x05, 0x04]);
    assert.equal(snappyDecompressRaw(block).toString(), 'abcdabcda');
  });

  test('2-byte and 4-byte offset copies, overlapping copies', () => {
    // literal "xy", copy-2 len 10 offset 2 -> "xyxyxyxyxyxy"; copy-4 len 3 offset 12
    const block = Buffer.from([15, 0x04, 0x78, 0x79, 0x02 | (9 << 2), 0x02, 0x00, 0x03 | (2 << 2), 12, 0, 0, 0]);
    assert.equal(snappyDecompressRaw(block).toString(), 'xyxyxyxyxyxyxyx');
  });

  test('literal lengths with 1, 2, 3 and 4 extra bytes', () => {
    for (const [tag, extra] of [
      [60, 1],
      [61, 2],
      [62, 3],
      [63, 4],
    ] as const) {
      const n = 100 + tag;
      const lenBytes = Buffer.alloc(extra);
      lenBytes.writeUIntLE(n - 1, 0, extra);
      const data = recordsText(n, tag);
      const block = Buffer.concat([Buffer.from([(n & 0x7f) | 0x80, n >>> 7]), Buffer.from([tag << 2]), lenBytes, data]);
      assert.ok(snappyDecompressRaw(block).equals(data));
    }
  });

  test('uncompressed length varint', () => {
    assert.equal(snappyUncompressedLength(Buffer.from([0xfe, 0xff, 0x7f])), 2097150);
    assert.equal(snappyUncompressedLength(snappyCompressRaw(Buffer.alloc(300_000))), 300_000);
    expectCodecError(() => snappyUncompressedLength(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /32 bits/);
  });

  test('malformed raw blocks are rejected', () => {
    expectCodecError(() => snappyDecompress(Buffer.alloc(0)), /empty/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([5, 0x0c, 0x61])), /past the end/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([5, 0x00, 0x61, 0x05, 0x02])), /offset 2 out of range/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([5, 0x00, 0x61, 0x01, 0x00])), /offset 0/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([3, 0x0c, ...Buffer.from('abcd')])), /overflows/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([6, 0x0c, ...Buffer.from('abcd')])), /announced 6/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([5, 0xf0])), /truncated literal length/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([5, 0x00, 0x61, 0x02, 0x01])), /truncated copy/);
    expectCodecError(() => snappyDecompressRaw(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x0f, 0x00])), /impossible|limit/);
  });
});

describe('snappy xerial framing', () => {
  test('snappyCompress writes the xerial header and 32 KB chunks', () => {
    const input = recordsText(100_000);
    const out = snappyCompress(input);
    assert.ok(out.subarray(0, 16).equals(XERIAL_HEADER));
    let p = 16;
    let chunks = 0;
    while (p < out.length) {
      const n = out.readUInt32BE(p);
      const len = snappyUncompressedLength(out.subarray(p + 4, p + 4 + n));
      assert.ok(len <= 32768);
      p += 4 + n;
      chunks++;
    }
    assert.equal(p, out.length);
    assert.equal(chunks, Math.ceil(100_000 / 32768));
    assert.ok(snappyDecompress(out).equals(input));
  });

  test('xerial streams from several raw blocks decode; raw blocks are auto-detected', () => {
    const a = recordsText(5000, 1);
    const b = mixedBinary(7000, 2);
    assert.ok(snappyDecompress(xerial([snappyCompressRaw(a), snappyCompressRaw(b)])).equals(Buffer.concat([a, b])));
    assert.ok(snappyDecompress(snappyCompressRaw(a)).equals(a));
    assert.equal(snappyDecompress(XERIAL_HEADER).length, 0);
  });

  test('malformed xerial streams are rejected', () => {
    const good = xerial([snappyCompressRaw(Buffer.from('hello world'))]);
    expectCodecError(() => snappyDecompress(good.subarray(0, 12)), /xerial header/);
    expectCodecError(() => snappyDecompress(good.subarray(0, 18)), /chunk header/);
    expectCodecError(() => snappyDecompress(good.subarray(0, good.length - 1)), /past the end/);
    expectCodecError(() => snappyDecompress(Buffer.concat([XERIAL_HEADER, Buffer.alloc(4)])), /empty xerial chunk/);
  });

  test('the output limit applies across chunks', () => {
    const input = Buffer.alloc(100_000, 'z');
    const packed = snappyCompress(input);
    assert.equal(snappyDecompress(packed, 100_000).length, 100_000);
    expectCodecError(() => snappyDecompress(packed, 99_999), /limit/);
  });
});

describe('snappy compression', () => {
  test('compresses Kafka-like data and survives every input shape', () => {
    const kafka = kafkaLikeRecords(500_000);
    const raw = snappyCompressRaw(kafka);
    assert.ok(raw.length < kafka.length / 2);
    for (const input of [kafka, randomBytes(70_000, 1), Buffer.alloc(70_000), mixedBinary(70_000, 3)]) {
      assert.ok(snappyDecompressRaw(snappyCompressRaw(input)).equals(input));
    }
  });

  test('long matches use only valid copy lengths (4..64)', () => {
    const input = Buffer.concat([
      Buffer.from('0123456789'),
      Buffer.alloc(1000, 'q'),
      Buffer.from('0123456789'.repeat(30)),
    ]);
    assert.ok(snappyDecompressRaw(snappyCompressRaw(input)).equals(input));
    for (let n = 60; n < 140; n++) {
      const x = Buffer.concat([randomBytes(20, n), Buffer.alloc(n, 7), randomBytes(5, n)]);
      assert.ok(snappyDecompressRaw(snappyCompressRaw(x)).equals(x), `run of ${n}`);
    }
  });
});
