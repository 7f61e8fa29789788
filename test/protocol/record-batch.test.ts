import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from '../../src/protocol/crc32c.js';
import {
  BATCH_HEADER_SIZE,
  assignOffsets,
  batchCrcMatches,
  batchSize,
  decodeBatches,
  decodeRecords,
  encodeControlBatch,
  encodeRecordBatch,
  readBatchHeader,
  recordTimestamps,
  setLogAppendTime,
  validateBatches,
  type ValidateResult,
} from '../../src/protocol/record-batch.js';

const T0 = 1_700_000_000_000;

function simpleBatch(n = 3, extra: Partial<Parameters<typeof encodeRecordBatch>[0]> = {}): Buffer {
  return encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({
      key: `k${i}`,
      value: Buffer.from(`value-${i}`),
      timestamp: T0 + i,
    })),
    ...extra,
  });
}

function refreshCrc(b: Buffer, pos = 0): void {
  b.writeUInt32BE(crc32c(b, pos + 21, pos + batchSize(b, pos)), pos + 17);
}

function expectError(r: ValidateResult, error: string, pattern?: RegExp): void {
  assert.notEqual(r.error, null, 'expected an error');
  if (r.error === null) return;
  assert.equal(r.error, error, (r as { message: string }).message);
  if (pattern) assert.match(r.message, pattern);
}

test('encode/decode round trip with keys, null values, headers and timestamps', () => {
  const records = [
    { key: Buffer.from('a'), value: Buffer.from('hello'), timestamp: T0 },
    { key: null, value: null, timestamp: T0 + 5 },
    {
      key: 'ключ',
      value: 'värde',
      headers: [
        { key: 'h1', value: Buffer.from([1, 2, 3]) },
        { key: 'h2', value: null },
      ],
      timestamp: T0 - 3,
    },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 + 2 ** 40 },
  ];
  const buf = encodeRecordBatch({ records, baseOffset: 42, producerId: 7, producerEpoch: 2, baseSequence: 11 });
  const h = readBatchHeader(buf, 0);
  assert.equal(h.baseOffset, 42);
  assert.equal(h.magic, 2);
  assert.equal(h.batchLength, buf.length - 12);
  assert.equal(h.size, buf.length);
  assert.equal(batchSize(buf, 0), buf.length);
  assert.equal(h.lastOffsetDelta, 3);
  assert.equal(h.lastOffset, 45);
  assert.equal(h.recordsCount, 4);
  assert.equal(h.baseTimestamp, T0);
  assert.equal(h.maxTimestamp, T0 + 2 ** 40);
  assert.equal(h.producerId, 7);
  assert.equal(h.producerEpoch, 2);
  assert.equal(h.baseSequence, 11);
  assert.equal(h.partitionLeaderEpoch, -1);
  assert.equal(h.compression, 0);
  assert.equal(h.timestampType, 0);
  assert.equal(h.isTransactional, false);
  assert.equal(h.isControl, false);
  assert.ok(batchCrcMatches(buf, 0));

  const out = decodeRecords(buf, undefined, { verifyCrc: true });
  assert.equal(out.length, 4);
  assert.deepEqual(
    out.map((r) => r.offset),
    [42, 43, 44, 45],
  );
  assert.deepEqual(
    out.map((r) => r.timestamp),
    [T0, T0 + 5, T0 - 3, T0 + 2 ** 40],
  );
  assert.equal(out[0]!.key!.toString(), 'a');
  assert.equal(out[0]!.value!.toString(), 'hello');
  assert.equal(out[1]!.key, null);
  assert.equal(out[1]!.value, null);
  assert.equal(out[2]!.key!.toString(), 'ключ');
  assert.equal(out[2]!.value!.toString(), 'värde');
  assert.deepEqual(out[2]!.headers, [
    { key: 'h1', value: Buffer.from([1, 2, 3]) },
    { key: 'h2', value: null },
  ]);
  assert.equal(out[3]!.key!.length, 0);
  assert.equal(out[3]!.value!.length, 0);
  assert.deepEqual(out[3]!.headers, []);
});

test('encode: defaults (producer fields -1, now for missing timestamps) and empty input', () => {
  const buf = encodeRecordBatch({ records: [{ value: 'x' }, { value: 'y' }], now: T0 });
  const h = readBatchHeader(buf, 0);
  assert.equal(h.producerId, -1);
  assert.equal(h.producerEpoch, -1);
  assert.equal(h.baseSequence, -1);
  assert.equal(h.baseOffset, 0);
  assert.equal(h.baseTimestamp, T0);
  assert.equal(h.maxTimestamp, T0);
  assert.deepEqual(
    decodeRecords(buf).map((r) => [r.key, r.value!.toString(), r.timestamp]),
    [
      [null, 'x', T0],
      [null, 'y', T0],
    ],
  );
  assert.throws(() => encodeRecordBatch({ records: [] }), RangeError);
  assert.throws(() => encodeRecordBatch({ records: [{ value: 'x' }], compression: 1 }), /compress callback/);
});

test('encode: large values and many records stay consistent', () => {
  const big = randomBytes(300_000);
  const buf = encodeRecordBatch({
    records: [{ value: big }, ...Array.from({ length: 5000 }, (_, i) => ({ value: String(i) }))],
    now: T0,
  });
  const v = validateBatches(buf);
  assert.equal(v.error, null);
  const recs = decodeRecords(buf);
  assert.equal(recs.length, 5001);
  assert.ok(recs[0]!.value!.equals(big));
  assert.equal(recs[5000]!.value!.toString(), '4999');
  assert.equal(recs[5000]!.offset, 5000);
});

test('compression goes through the callbacks and batches are validated at header level', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100), timestamp: T0 + i }));
  const buf = encodeRecordBatch({
    records,
    compression: 1,
    compress: (codec, data) => (assert.equal(codec, 1), gzipSync(data)),
  });
  const h = readBatchHeader(buf, 0);
  assert.equal(h.compression, 1);
  assert.equal(h.recordsCount, 50);
  assert.ok(buf.length < 50 * 100, 'compressed');
  const v = validateBatches(buf);
  assert.equal(v.error, null);
  assert.throws(() => decodeRecords(buf), /no decompressor/);
  const out = decodeRecords(buf, (codec, data) => (assert.equal(codec, 1), gunzipSync(data)));
  assert.equal(out.length, 50);
  assert.equal(out[49]!.key!.toString(), 'k49');
  assert.equal(out[49]!.timestamp, T0 + 49);
});

test('validateBatches: several batches, record count and max timestamp', () => {
  const a = simpleBatch(3);
  const b = encodeRecordBatch({ records: [{ value: 'z', timestamp: T0 + 100 }] });
  const c = simpleBatch(2);
  const v = validateBatches(Buffer.concat([a, b, c]));
  assert.equal(v.error, null);
  if (v.error !== null) return;
  assert.equal(v.batches.length, 3);
  assert.deepEqual(
    v.batches.map((x) => x.position),
    [0, a.length, a.length + b.length],
  );
  assert.equal(v.recordCount, 6);
  assert.equal(v.maxTimestamp, T0 + 100);
  assert.equal(v.maxTimestampBatch, 1);
  assert.equal(v.bytes, a.length + b.length + c.length);
});

test('validateBatches: framing errors', () => {
  const a = simpleBatch();
  expectError(validateBatches(Buffer.alloc(0)), 'INVALID_RECORD');
  expectError(validateBatches(Buffer.concat([a, Buffer.from([1, 2, 3])])), 'CORRUPT_MESSAGE', /trailing/);
  expectError(validateBatches(Buffer.concat([a, a.subarray(0, 40)])), 'CORRUPT_MESSAGE', /truncated/);
  expectError(validateBatches(a.subarray(0, a.length - 1)), 'CORRUPT_MESSAGE', /truncated/);
  const short = Buffer.from(a);
  short.writeInt32BE(20, 8);
  expectError(validateBatches(short), 'CORRUPT_MESSAGE', /batchLength/);
  const huge = Buffer.from(a);
  huge.writeInt32BE(0x7fffffff, 8);
  expectError(validateBatches(huge), 'CORRUPT_MESSAGE', /truncated/);
});

test('validateBatches: magic values', () => {
  for (const magic of [0, 1]) {
    const b = simpleBatch();
    b[16] = magic;
    expectError(validateBatches(b), 'UNSUPPORTED_FOR_MESSAGE_FORMAT', /magic/);
  }
  for (const magic of [3, 0xff]) {
    const b = simpleBatch();
    b[16] = magic;
    expectError(validateBatches(b), 'CORRUPT_MESSAGE', /magic/);
  }
  // an old-format message shorter than a v2 header still gets the format error
  const old = Buffer.alloc(30);
  old.writeInt32BE(18, 8);
  old[16] = 1;
  expectError(validateBatches(old), 'UNSUPPORTED_FOR_MESSAGE_FORMAT');
});

test('validateBatches: CRC mismatch anywhere after the CRC field', () => {
  const good = simpleBatch(5);
  for (const at of [21, 30, 60, 61, good.length - 1]) {
    const b = Buffer.from(good);
    b[at]! ^= 0x40;
    expectError(validateBatches(b), 'CORRUPT_MESSAGE', /CRC/);
  }
  // baseOffset and leader epoch are not covered
  const b = Buffer.from(good);
  b.writeInt32BE(1234, 12);
  b[3] = 9;
  assert.equal(validateBatches(b).error, null);
});

test('validateBatches: header sanity and malformed records with a valid CRC', () => {
  const neg = simpleBatch(3);
  neg.writeInt32BE(-1, 23);
  refreshCrc(neg);
  expectError(validateBatches(neg), 'CORRUPT_MESSAGE', /lastOffsetDelta/);

  const zero = simpleBatch(3);
  zero.writeInt32BE(0, 57);
  refreshCrc(zero);
  expectError(validateBatches(zero), 'CORRUPT_MESSAGE', /record count/);

  const moreRecords = simpleBatch(3);
  moreRecords.writeInt32BE(4, 57);
  refreshCrc(moreRecords);
  expectError(validateBatches(moreRecords), 'CORRUPT_MESSAGE', /record 3/);

  const fewerRecords = simpleBatch(3);
  fewerRecords.writeInt32BE(2, 57);
  refreshCrc(fewerRecords);
  expectError(validateBatches(fewerRecords), 'CORRUPT_MESSAGE', /follow the last/);

  const deltaBeyond = simpleBatch(3);
  deltaBeyond.writeInt32BE(1, 23); // records use deltas 0..2
  refreshCrc(deltaBeyond);
  expectError(validateBatches(deltaBeyond), 'CORRUPT_MESSAGE', /offset delta/);

  const badLength = simpleBatch(3);
  badLength[61] = 0x7f; // first record's length varint
  refreshCrc(badLength);
  expectError(validateBatches(badLength), 'CORRUPT_MESSAGE');

  // the records check can be turned off (lastOffsetDelta / recordsCount consistency is not required)
  const sparse = simpleBatch(3);
  sparse.writeInt32BE(9, 23);
  refreshCrc(sparse);
  assert.equal(validateBatches(sparse).error, null);
  const v = validateBatches(moreRecords, { checkRecords: false });
  assert.equal(v.error, null);
});

test('validateBatches never throws on garbage or random mutations', () => {
  const good = Buffer.concat([simpleBatch(4), simpleBatch(2)]);
  for (let i = 0; i < 2000; i++) {
    const b = i % 4 === 0 ? randomBytes(Math.floor(Math.random() * 200)) : Buffer.from(good);
    if (i % 4 !== 0) {
      const flips = 1 + Math.floor(Math.random() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      if (i % 3 === 0) refreshCrc(b); // get past the CRC to exercise the record walk
    }
    const cut = i % 5 === 0 ? b.subarray(0, Math.floor(Math.random() * b.length)) : b;
    const r = validateBatches(cut);
    assert.ok(r.error === null || typeof r.message === 'string');
  }
});

test('assignOffsets rewrites baseOffset and leader epoch without breaking the CRC', () => {
  const buf = Buffer.concat([simpleBatch(3, { partitionLeaderEpoch: 17 }), simpleBatch(2)]);
  const size0 = batchSize(buf, 0);
  assignOffsets(buf, 0, 1000);
  assignOffsets(buf, size0, 2 ** 40);
  const h0 = readBatchHeader(buf, 0);
  const h1 = readBatchHeader(buf, size0);
  assert.equal(h0.baseOffset, 1000);
  assert.equal(h0.partitionLeaderEpoch, 0);
  assert.equal(h1.baseOffset, 2 ** 40);
  assert.equal(validateBatches(buf).error, null);
  assert.deepEqual(
    decodeRecords(buf).map((r) => r.offset),
    [1000, 1001, 1002, 2 ** 40, 2 ** 40 + 1],
  );
});

test('setLogAppendTime sets the attribute bit and maxTimestamp and recomputes the CRC', () => {
  const buf = simpleBatch(3);
  setLogAppendTime(buf, 0, T0 + 999);
  const h = readBatchHeader(buf, 0);
  assert.equal(h.timestampType, 1);
  assert.equal(h.maxTimestamp, T0 + 999);
  assert.equal(h.compression, 0);
  assert.ok(batchCrcMatches(buf, 0));
  assert.equal(validateBatches(buf).error, null);
  assert.deepEqual(
    decodeRecords(buf).map((r) => r.timestamp),
    [T0 + 999, T0 + 999, T0 + 999],
  );
});

test('control batches are flagged and skipped by decodeRecords unless asked for', () => {
  const marker = encodeControlBatch({
    commit: true,
    producerId: 5,
    producerEpoch: 1,
    coordinatorEpoch: 3,
    timestamp: T0,
  });
  const h = readBatchHeader(marker, 0);
  assert.equal(h.isControl, true);
  assert.equal(h.isTransactional, true);
  assert.equal(h.producerId, 5);
  const data = simpleBatch(2, { isTransactional: true, producerId: 5, producerEpoch: 1, baseSequence: 0 });
  assert.equal(readBatchHeader(data, 0).isTransactional, true);
  const both = Buffer.concat([data, marker]);
  const v = validateBatches(both);
  assert.equal(v.error, null);
  if (v.error === null)
    assert.deepEqual(
      v.batches.map((b) => b.isControl),
      [false, true],
    );
  assert.equal(decodeRecords(both).length, 2);
  const all = decodeRecords(both, undefined, { includeControl: true });
  assert.equal(all.length, 3);
  assert.deepEqual([...all[2]!.key!], [0, 0, 0, 1]);
  assert.equal(decodeBatches(both).length, 2);
});

test('decode skips a partial trailing batch (as fetch responses may carry) and checks CRC on request', () => {
  const a = simpleBatch(2);
  const b = simpleBatch(3);
  const buf = Buffer.concat([a, b.subarray(0, b.length - 5)]);
  assert.equal(decodeRecords(buf).length, 2);
  const bad = Buffer.from(a);
  bad[a.length - 1]! ^= 1;
  assert.throws(() => decodeRecords(bad, undefined, { verifyCrc: true }), /CRC/);
});

test('recordTimestamps lists per-record offsets and timestamps', () => {
  const buf = encodeRecordBatch({
    baseOffset: 10,
    records: [
      { value: 'a', timestamp: T0 + 5 },
      { value: 'b', timestamp: T0 },
      { value: 'c', timestamp: T0 + 9 },
    ],
  });
  assert.deepEqual(recordTimestamps(buf, 0), { offsets: [10, 11, 12], timestamps: [T0 + 5, T0, T0 + 9] });
  assert.equal(BATCH_HEADER_SIZE, 61);
});
