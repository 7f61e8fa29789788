import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RecordBatchBuilder,
  decodeBatches,
  encodeRecordBatch,
  validateBatches,
  type RecordInput,
} from '../../src/protocol/record-batch.js';

const T0 = 1_700_000_000_000;

test('a record appended as byte ranges encodes exactly as the same record appended whole', () => {
  const line = Buffer.from('xxkey-1:' + 'v'.repeat(70) + '\nkey-2:short\n:empty-key\nno-key\n');
  const byRange = new RecordBatchBuilder(64);
  const whole = new RecordBatchBuilder(64);
  const lines = line.toString('latin1').split('\n').slice(0, 4);
  let at = 0;
  lines.forEach((l, i) => {
    const start = at + (i === 0 ? 2 : 0);
    const end = at + l.length;
    const sep = line.indexOf(':', start);
    const ts = T0 + i * 1000;
    if (sep !== -1 && sep < end) {
      byRange.appendRange(ts, line, start, sep, sep + 1, end);
      whole.append({ key: line.subarray(start, sep), value: line.subarray(sep + 1, end), timestamp: ts }, 0);
    } else {
      byRange.appendRange(ts, line, -1, 0, start, end);
      whole.append({ key: null, value: line.subarray(start, end), timestamp: ts }, 0);
    }
    at += l.length + 1;
  });
  const a = byRange.finish({ producerId: 7, producerEpoch: 1, baseSequence: 3 });
  const b = whole.finish({ producerId: 7, producerEpoch: 1, baseSequence: 3 });
  assert.deepEqual(a, b);
  assert.equal(validateBatches(a).error, null);
  const [batch] = decodeBatches(a);
  assert.equal(batch!.records.length, 4);
  assert.equal(batch!.records[0]!.key!.toString(), 'key-1');
  assert.equal(batch!.records[0]!.value!.toString(), 'v'.repeat(70));
  assert.equal(batch!.records[2]!.key!.length, 0);
  assert.equal(batch!.records[3]!.key, null);
  assert.deepEqual(
    batch!.records.map((r) => r.timestamp),
    [T0, T0 + 1000, T0 + 2000, T0 + 3000],
  );
});

test('the builder grows past its first capacity and keeps every record', () => {
  const builder = new RecordBatchBuilder(16);
  const value = Buffer.alloc(300, 1);
  for (let i = 0; i < 500; i++) builder.appendRange(T0, value, -1, 0, 0, 300);
  const [batch] = decodeBatches(builder.finish());
  assert.equal(batch!.records.length, 500);
  assert.ok(batch!.records.every((r) => r.value!.equals(value)));
});

test('encodeRecordBatch: offset deltas, timestamps before the first, headers and null values', () => {
  const records: RecordInput[] = [
    { key: 'a', value: 'one', timestamp: T0 + 5, offsetDelta: 2 },
    { key: null, value: null, timestamp: T0, offsetDelta: 7, headers: [{ key: 'h', value: 'x' }] },
  ];
  const [batch] = decodeBatches(encodeRecordBatch({ records }));
  assert.deepEqual(
    batch!.records.map((r) => [r.offset, r.timestamp, r.value?.toString() ?? null, r.headers.length]),
    [
      [2, T0 + 5, 'one', 0],
      [7, T0, null, 1],
    ],
  );
  assert.equal(batch!.header.maxTimestamp, T0 + 5);
  assert.equal(batch!.header.lastOffsetDelta, 7);
});

test('split: pieces of about the asked size, renumbered from zero, records and timestamps unchanged', () => {
  const builder = new RecordBatchBuilder();
  const input: RecordInput[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = {
      key: Buffer.from(`key-${i}`),
      value: Buffer.alloc(50 + (i % 30), i % 256),
      timestamp: T0 + i * 37,
      headers: i % 100 === 0 ? [{ key: 'n', value: Buffer.from(String(i)) }] : null,
    };
    input.push(r);
    builder.append(r, 0);
  }
  const pieces = builder.split(8 * 1024);
  assert.ok(pieces.length >= 8, `${pieces.length} pieces`);
  const out = [];
  for (const piece of pieces) {
    assert.ok(piece.recordsBytes <= 8 * 1024);
    const bytes = piece.finish();
    assert.equal(validateBatches(bytes).error, null);
    const [batch] = decodeBatches(bytes);
    assert.deepEqual(
      batch!.records.map((r) => r.offset),
      batch!.records.map((_, i) => i),
    );
    out.push(...batch!.records);
  }
  assert.equal(out.length, 1000);
  out.forEach((r, i) => {
    assert.deepEqual(r.key, input[i]!.key);
    assert.deepEqual(r.value, input[i]!.value);
    assert.equal(r.timestamp, input[i]!.timestamp);
    assert.equal(r.headers.length, input[i]!.headers ? 1 : 0);
  });
});
