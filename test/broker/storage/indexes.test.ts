import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetIndex, TimeIndex } from '../../../src/broker/storage/indexes.js';
import {
  DEFAULT_LOG_CONFIG,
  logConfigFromProperties,
  resolveLogConfig,
} from '../../../src/broker/storage/log-config.js';

test('OffsetIndex: lookup finds the largest entry <= target, grows, and round-trips its bytes', () => {
  const idx = new OffsetIndex(2);
  assert.equal(idx.lookup(5), 0);
  for (let i = 1; i <= 100; i++) idx.append(i * 10, i * 1000);
  assert.equal(idx.count, 100);
  assert.equal(idx.lookup(0), 0);
  assert.equal(idx.lookup(9), 0);
  assert.equal(idx.lookup(10), 1000);
  assert.equal(idx.lookup(15), 1000);
  assert.equal(idx.lookup(999), 99000);
  assert.equal(idx.lookup(10_000), 100_000);
  const bytes = idx.toBuffer();
  assert.equal(bytes.length, 800);
  assert.equal(bytes.readInt32BE(8), 20);
  assert.equal(bytes.readInt32BE(12), 2000);
  const back = OffsetIndex.fromBuffer(bytes, 1_000_000)!;
  assert.equal(back.count, 100);
  assert.equal(back.lookup(555), 55000);
  assert.ok(OffsetIndex.entryBytes(20, 2000).equals(bytes.subarray(8, 16)));
});

test('OffsetIndex.fromBuffer rejects malformed files', () => {
  const ok = new OffsetIndex();
  ok.append(1, 100);
  ok.append(5, 300);
  assert.equal(OffsetIndex.fromBuffer(ok.toBuffer().subarray(0, 12), 1000), null, 'partial entry');
  assert.equal(OffsetIndex.fromBuffer(ok.toBuffer(), 300), null, 'position beyond the log');
  const bad = new OffsetIndex();
  bad.append(5, 100);
  bad.append(5, 200);
  assert.equal(OffsetIndex.fromBuffer(bad.toBuffer(), 1000), null, 'offsets not increasing');
  assert.equal(OffsetIndex.fromBuffer(Buffer.alloc(0), 0)!.count, 0);
});

test('TimeIndex: monotonic appends and strict-before lookups', () => {
  const t = new TimeIndex(1);
  assert.equal(t.lookupBefore(100), -1);
  assert.ok(t.maybeAppend(100, 3));
  assert.ok(!t.maybeAppend(100, 4), 'equal timestamp not appended');
  assert.ok(!t.maybeAppend(50, 5), 'older timestamp not appended');
  assert.ok(t.maybeAppend(200, 9));
  assert.ok(t.maybeAppend(2 ** 41, 12));
  assert.equal(t.lookupBefore(100), -1);
  assert.equal(t.lookupBefore(101), 3);
  assert.equal(t.lookupBefore(200), 3);
  assert.equal(t.lookupBefore(201), 9);
  assert.equal(t.lookupBefore(2 ** 42), 12);
  assert.equal(t.lastTimestamp, 2 ** 41);
  const bytes = t.toBuffer();
  assert.equal(bytes.length, 36);
  assert.equal(Number(bytes.readBigInt64BE(24)), 2 ** 41);
  assert.equal(bytes.readInt32BE(32), 12);
  assert.equal(TimeIndex.fromBuffer(bytes, 12)!.count, 3);
  assert.equal(TimeIndex.fromBuffer(bytes, 11), null, 'offset beyond the segment');
  assert.equal(TimeIndex.fromBuffer(bytes.subarray(0, 30), 12), null);
});

test('log config: defaults, Kafka property names and validation', () => {
  assert.deepEqual(resolveLogConfig(), { ...DEFAULT_LOG_CONFIG });
  assert.equal(DEFAULT_LOG_CONFIG.segmentBytes, 1073741824);
  assert.equal(DEFAULT_LOG_CONFIG.indexIntervalBytes, 4096);
  assert.equal(DEFAULT_LOG_CONFIG.retentionBytes, -1);
  const c = logConfigFromProperties({
    'log.retention.hours': '1',
    'log.segment.bytes': '5000',
    'segment.bytes': '7000',
    'retention.bytes': '-1',
    'log.roll.hours': '2',
  });
  assert.equal(c.retentionMs, 3_600_000);
  assert.equal(c.segmentBytes, 7000, 'topic-level wins');
  assert.equal(c.segmentMs, 7_200_000);
  assert.equal(logConfigFromProperties({ 'log.retention.hours': '-1' }).retentionMs, -1);
  assert.equal(logConfigFromProperties({ 'log.retention.ms': '5', 'log.retention.hours': '1' }).retentionMs, 5);
  assert.throws(() => resolveLogConfig({ segmentBytes: 0 }), RangeError);
  assert.throws(() => resolveLogConfig({ segmentBytes: 2 ** 31 }), RangeError);
});
