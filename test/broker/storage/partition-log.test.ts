import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeRecords, encodeRecordBatch, readBatchHeader } from '../../../src/protocol/record-batch.js';
import { StorageError } from '../../../src/broker/storage/errors.js';
import { PartitionLog, partitionDirName } from '../../../src/broker/storage/partition-log.js';
import { FakeClock, T0, batch, offsets, tempDir, values } from './helpers.js';

function openLog(dir: string, config = {}, clock = new FakeClock(), logs: string[] = []): PartitionLog {
  return PartitionLog.open(dir, config, undefined, clock.now, (m) => logs.push(m));
}

function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
  maxBytes = 1 << 20,
): { offsets: number[]; values: string[] } {
  const out = { offsets: [] as number[], values: [] as string[] };
  let next = from;
  while (next < log.logEndOffset) {
    const r = log.read(next, maxBytes, { minOneBatch: true });
    assert.ok(r.bytes > 0, `progress at ${next}`);
    for (const rec of decodeRecords(Buffer.concat(r.chunks))) {
      if (rec.offset < next) continue;
      out.offsets.push(rec.offset);
      out.values.push(rec.value!.toString().replace(/\.+$/, ''));
    }
    next = r.nextOffset;
  }
  return out;
}

function assertStorageError(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof StorageError && e.code === code);
}

test('empty log: offsets, empty read at the end, out-of-range reads', () => {
  const dir = join(tempDir(), partitionDirName('t', 0));
  const log = openLog(dir);
  assert.equal(log.logStartOffset, 0);
  assert.equal(log.logEndOffset, 0);
  assert.equal(log.highWatermark, 0);
  const r = log.read(0, 1000);
  assert.deepEqual(r.chunks, []);
  assert.equal(r.bytes, 0);
  assertStorageError(() => log.read(1, 1000), 'OFFSET_OUT_OF_RANGE');
  assertStorageError(() => log.read(-1, 1000), 'OFFSET_OUT_OF_RANGE');
  assert.ok(existsSync(join(dir, '00000000000000000000.log')));
  assert.equal(log.offsetForTimestamp(0), null);
  assert.equal(log.maxTimestampOffset(), null);
  log.close();
  assert.ok(existsSync(join(dir, '00000000000000000000.index')));
  assert.ok(existsSync(join(dir, '00000000000000000000.timeindex')));
});

test('append assigns offsets in place, returns them, and reads return stored bytes', () => {
  const log = openLog(tempDir());
  const a = batch(3);
  const r1 = log.append(a);
  assert.deepEqual([r1.baseOffset, r1.lastOffset, r1.logAppendTime, r1.logStartOffset], [0, 2, -1, 0]);
  assert.equal(readBatchHeader(a, 0).baseOffset, 0);
  const two = Buffer.concat([batch(2, { tag: 'b' }), batch(4, { tag: 'c' })]);
  const r2 = log.append(two);
  assert.deepEqual([r2.baseOffset, r2.lastOffset], [3, 8]);
  assert.equal(readBatchHeader(two, 0).baseOffset, 3);
  assert.equal(readBatchHeader(two, readBatchHeader(two, 0).size).baseOffset, 5);
  assert.equal(readBatchHeader(two, 0).partitionLeaderEpoch, 0);
  assert.equal(log.logEndOffset, 9);

  const all = log.read(0, 1 << 20);
  assert.ok(Buffer.concat(all.chunks).equals(Buffer.concat([a, two])), 'bytes served as stored');
  assert.equal(all.nextOffset, 9);
  assert.deepEqual(values(all), ['v0', 'v1', 'v2', 'b0', 'b1', 'c0', 'c1', 'c2', 'c3']);
  // a fetch offset inside a batch returns that whole batch
  const mid = log.read(6, 1 << 20);
  assert.deepEqual(offsets(mid), [5, 6, 7, 8]);
  assert.deepEqual(log.read(9, 100).chunks, []);
  assertStorageError(() => log.append(Buffer.alloc(0)), 'CORRUPT_MESSAGE');
  assertStorageError(() => log.append(a.subarray(0, 70)), 'CORRUPT_MESSAGE');
  log.close();
});

test('append/read round trip across many small segments, from every offset', () => {
  const dir = tempDir();
  const log = openLog(dir, { segmentBytes: 2000, indexIntervalBytes: 150 });
  const expected: string[] = [];
  let n = 0;
  for (let i = 0; i < 120; i++) {
    const count = 1 + (i % 7);
    log.append(batch(count, { tag: `b${i}-`, valueSize: 10 + (i % 5) * 20 }));
    for (let j = 0; j < count; j++) expected.push(`b${i}-${j}`);
    n += count;
  }
  assert.equal(log.logEndOffset, n);
  assert.ok(log.segmentCount > 5, `segments: ${log.segmentCount}`);
  for (const name of readdirSync(dir)) assert.match(name, /^(\d{20}\.(log|index|timeindex))$/);
  const bases = log.segmentBaseOffsets();
  for (const b of bases) assert.ok(existsSync(join(dir, `${String(b).padStart(20, '0')}.log`)));
  for (const s of bases.slice(0, -1)) assert.ok(statSync(join(dir, `${String(s).padStart(20, '0')}.log`)).size <= 2000);

  assert.deepEqual(readAll(log).values, expected);
  assert.deepEqual(readAll(log, 0, 300).values, expected, 'small maxBytes still makes progress');
  for (let off = 0; off < n; off++) {
    const r = log.read(off, 500, { minOneBatch: true });
    const offs = offsets(r);
    assert.ok(offs[0]! <= off && offs.includes(off), `offset ${off}`);
    assert.deepEqual(
      offs,
      [...offs].sort((x, y) => x - y),
    );
    assert.ok(r.bytes <= 500 || r.chunks.length === 1);
  }
  log.close();
});

test('reads cross segment boundaries while room remains, whole batches only', () => {
  const log = openLog(tempDir(), { segmentBytes: 600 });
  const sizes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const b = batch(3, { tag: `s${i}-`, valueSize: 40 });
    sizes.push(b.length);
    log.append(b);
  }
  assert.ok(log.segmentCount >= 3);
  const r = log.read(0, 1 << 20);
  assert.equal(r.chunks.length, log.segmentCount);
  assert.equal(
    r.bytes,
    sizes.reduce((a, b) => a + b),
  );
  assert.equal(r.nextOffset, 30);
  // maxBytes between two batch boundaries: only whole batches
  const limited = log.read(0, sizes[0]! + sizes[1]! + 10);
  assert.equal(limited.bytes, sizes[0]! + sizes[1]!);
  assert.equal(limited.nextOffset, 6);
});

test('maxBytes smaller than the first batch: KIP-74 minOneBatch', () => {
  const log = openLog(tempDir());
  const big = batch(5, { valueSize: 500 });
  log.append(big);
  log.append(batch(1));
  const none = log.read(0, 100);
  assert.equal(none.bytes, 0);
  assert.equal(none.nextOffset, 0);
  const one = log.read(0, 100, { minOneBatch: true });
  assert.equal(one.bytes, big.length);
  assert.equal(one.nextOffset, 5);
  assert.deepEqual(offsets(one), [0, 1, 2, 3, 4]);
});

test('reopen after close keeps all data, offsets and indexes', () => {
  const dir = tempDir();
  const cfg = { segmentBytes: 1500, indexIntervalBytes: 100 };
  const log = openLog(dir, cfg);
  for (let i = 0; i < 40; i++) log.append(batch(3, { tag: `r${i}-`, valueSize: 20, ts: T0 + i * 1000 }));
  const before = readAll(log);
  const segs = log.segmentBaseOffsets();
  const idx = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('index'))
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
  log.close();
  assertStorageError(() => log.read(0, 10), 'KAFKA_STORAGE_ERROR');

  const logs: string[] = [];
  const again = openLog(dir, cfg, new FakeClock(), logs);
  assert.deepEqual(logs, []);
  assert.equal(again.logEndOffset, 120);
  assert.deepEqual(again.segmentBaseOffsets(), segs);
  assert.deepEqual(readAll(again), before);
  for (const [f, bytes] of Object.entries(idx)) {
    if (f.startsWith(String(segs.at(-1)).padStart(20, '0'))) continue; // active segment gets no final time entry
    assert.ok(readFileSync(join(dir, f)).equals(bytes), `${f} unchanged`);
  }
  const r = again.append(batch(1, { tag: 'after' }));
  assert.equal(r.baseOffset, 120);
  again.close();
});

test('index files: Kafka layout and sparse entries pointing at batch starts', () => {
  const dir = tempDir();
  const log = openLog(dir, { indexIntervalBytes: 200 });
  for (let i = 0; i < 30; i++) log.append(batch(2, { valueSize: 50, ts: T0 + i }));
  log.close();
  const data = readFileSync(join(dir, '00000000000000000000.log'));
  const index = readFileSync(join(dir, '00000000000000000000.index'));
  const time = readFileSync(join(dir, '00000000000000000000.timeindex'));
  assert.ok(index.length > 0 && index.length % 8 === 0);
  for (let i = 0; i < index.length; i += 8) {
    const rel = index.readInt32BE(i);
    const pos = index.readInt32BE(i + 4);
    assert.equal(readBatchHeader(data, pos).lastOffset, rel);
  }
  assert.ok(time.length > 0 && time.length % 12 === 0);
  let prev = -1;
  for (let i = 0; i < time.length; i += 12) {
    const ts = Number(time.readBigInt64BE(i));
    const rel = time.readInt32BE(i + 8);
    assert.ok(ts > prev);
    prev = ts;
    assert.equal(ts, T0 + Math.floor(rel / 2), 'entry points at the batch carrying the timestamp');
  }
});

test('index rebuild after deleting or corrupting index files', () => {
  const dir = tempDir();
  const cfg = { segmentBytes: 1200, indexIntervalBytes: 100 };
  const log = openLog(dir, cfg);
  for (let i = 0; i < 40; i++) log.append(batch(2, { tag: `x${i}-`, valueSize: 30 }));
  const expected = readAll(log);
  const bases = log.segmentBaseOffsets();
  log.close();
  assert.ok(bases.length >= 4);
  const name = (b: number, ext: string): string => join(dir, `${String(b).padStart(20, '0')}.${ext}`);
  const middle = bases[1]!;
  const saved = readFileSync(name(middle, 'index'));
  const savedTime = readFileSync(name(middle, 'timeindex'));
  assert.ok(saved.length > 0);
  unlinkSync(name(middle, 'index'));
  writeFileSync(name(bases[2]!, 'index'), Buffer.from([0, 0, 0, 9, 0, 0])); // not a multiple of 8
  unlinkSync(name(bases.at(-1)!, 'timeindex'));

  const logs: string[] = [];
  const again = openLog(dir, cfg, new FakeClock(), logs);
  assert.ok(
    logs.some((m) => m.includes(String(middle).padStart(20, '0')) && /rebuild/.test(m)),
    logs.join('\n'),
  );
  assert.ok(readFileSync(name(middle, 'index')).equals(saved), 'rebuilt index equals the original');
  assert.ok(readFileSync(name(middle, 'timeindex')).equals(savedTime), 'time index equal too');
  assert.ok(existsSync(name(bases.at(-1)!, 'timeindex')));
  assert.deepEqual(readAll(again), expected);
  for (let off = 0; off < again.logEndOffset; off++)
    assert.ok(offsets(again.read(off, 100, { minOneBatch: true })).includes(off));
  again.close();
});

test('torn write at the end of the last segment is truncated on reopen', () => {
  const dir = tempDir();
  const log = openLog(dir);
  for (let i = 0; i < 5; i++) log.append(batch(4, { tag: `t${i}-` }));
  const lastSize = batch(4, { tag: 't4-' }).length;
  log.close();
  const file = join(dir, '00000000000000000000.log');
  const full = statSync(file).size;
  writeFileSync(file, readFileSync(file).subarray(0, full - Math.floor(lastSize / 2)));

  const logs: string[] = [];
  const again = openLog(dir, {}, new FakeClock(), logs);
  assert.equal(again.logEndOffset, 16);
  assert.equal(statSync(file).size, full - lastSize);
  assert.ok(
    logs.some((m) => /truncating/.test(m) && /torn/.test(m)),
    logs.join('\n'),
  );
  assert.deepEqual(readAll(again).values.slice(-1), ['t3-3']);
  assert.equal(again.append(batch(1, { tag: 'n' })).baseOffset, 16);
  assert.deepEqual(readAll(again).values.slice(-2), ['t3-3', 'n0']);
  again.close();

  // a few stray bytes (less than a header) are dropped too
  writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([1, 2, 3])]));
  const third = openLog(dir);
  assert.equal(third.logEndOffset, 17);
  third.close();
});

test('a corrupt byte inside the last segment truncates from that batch on, never served', () => {
  const dir = tempDir();
  const log = openLog(dir);
  const sizes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const b = batch(3, { tag: `c${i}-`, valueSize: 20 });
    sizes.push(b.length);
    log.append(b);
  }
  log.close();
  const file = join(dir, '00000000000000000000.log');
  const bytes = readFileSync(file);
  const third = sizes[0]! + sizes[1]!;
  bytes[third + 70]! ^= 0xff; // inside the records of batch 2 (offsets 6..8)
  writeFileSync(file, bytes);

  const logs: string[] = [];
  const again = openLog(dir, {}, new FakeClock(), logs);
  assert.equal(again.logEndOffset, 6);
  assert.equal(statSync(file).size, third);
  assert.ok(
    logs.some((m) => /CRC/.test(m)),
    logs.join('\n'),
  );
  assert.deepEqual(readAll(again).values, ['c0-0', 'c0-1', 'c0-2', 'c1-0', 'c1-1', 'c1-2']);
  again.close();
});

test('corruption in an older segment whose index is missing drops that tail and later segments', () => {
  const dir = tempDir();
  const cfg = { segmentBytes: 800 };
  const log = openLog(dir, cfg);
  for (let i = 0; i < 20; i++) log.append(batch(2, { tag: `o${i}-`, valueSize: 40 }));
  const bases = log.segmentBaseOffsets();
  log.close();
  assert.ok(bases.length >= 3);
  const seg = (b: number, ext: string): string => join(dir, `${String(b).padStart(20, '0')}.${ext}`);
  const victim = bases[1]!;
  const bytes = readFileSync(seg(victim, 'log'));
  const firstSize = readBatchHeader(bytes, 0).size;
  bytes[firstSize + 65]! ^= 0x01; // second batch of the segment
  writeFileSync(seg(victim, 'log'), bytes);
  unlinkSync(seg(victim, 'index'));

  const logs: string[] = [];
  const again = openLog(dir, cfg, new FakeClock(), logs);
  const firstLast = readBatchHeader(bytes, 0).lastOffset;
  assert.equal(again.logEndOffset, firstLast + 1);
  assert.deepEqual(again.segmentBaseOffsets(), [bases[0]!, victim]);
  assert.ok(!existsSync(seg(bases[2]!, 'log')));
  assert.ok(
    logs.some((m) => /later segment/.test(m)),
    logs.join('\n'),
  );
  const all = readAll(again);
  assert.equal(all.offsets.length, firstLast + 1);
  assert.equal(again.append(batch(1)).baseOffset, firstLast + 1);
  again.close();
});

test('retention by bytes deletes the oldest closed segments and moves the log start', () => {
  const dir = tempDir();
  const log = openLog(dir, { segmentBytes: 1000, retentionBytes: 2500 });
  for (let i = 0; i < 30; i++) log.append(batch(2, { valueSize: 40 }));
  const before = log.segmentCount;
  const total = log.size;
  assert.ok(total > 2500 && before >= 5);
  const res = log.applyRetention();
  assert.ok(res.deletedSegments > 0);
  assert.equal(log.size, total - res.deletedBytes);
  assert.ok(log.size >= 2500 - 1000 && log.size - 1000 < 2500, `size ${log.size}`);
  assert.equal(log.logStartOffset, log.segmentBaseOffsets()[0]);
  assert.equal(res.logStartOffset, log.logStartOffset);
  assertStorageError(() => log.read(0, 100), 'OFFSET_OUT_OF_RANGE');
  assert.deepEqual(readAll(log).offsets[0], log.logStartOffset);
  // the active segment is never deleted, even with retention.bytes 0
  log.updateConfig({ retentionBytes: 0 });
  log.applyRetention();
  assert.equal(log.segmentCount, 1);
  assert.ok(log.size > 0);
  assert.equal(log.getConfig().retentionBytes, 0);
  log.close();
  const again = openLog(dir);
  assert.equal(again.logStartOffset, again.segmentBaseOffsets()[0]);
  assert.equal(again.logEndOffset, 60);
  again.close();
});

test('retention by time uses segment max timestamps and an injected clock', () => {
  const clock = new FakeClock(T0);
  const log = openLog(tempDir(), { segmentBytes: 400, retentionMs: 10_000 }, clock);
  for (let i = 0; i < 12; i++) log.append(batch(2, { ts: T0 + i * 1000, valueSize: 50 }));
  const bases = log.segmentBaseOffsets();
  assert.ok(bases.length >= 4);
  clock.t = T0 + 5000;
  assert.equal(log.applyRetention().deletedSegments, 0);
  clock.t = T0 + 10_000 + 3500; // batches with ts <= T0+3499 are expired
  const res = log.applyRetention();
  // two batches per segment: segments 0 and 1 (max ts T0+1000, T0+3000) expired
  assert.equal(res.deletedSegments, 2);
  assert.equal(log.logStartOffset, 8);
  const first = log.read(log.logStartOffset, 1 << 20);
  const ts = decodeRecords(Buffer.concat(first.chunks)).map((r) => r.timestamp);
  assert.ok(Math.max(...ts) >= T0 + 3500 - 1000, 'kept segments have recent data');
  clock.t = T0 + 10 ** 9;
  log.applyRetention(clock.t);
  assert.equal(log.segmentCount, 1, 'active segment kept');
  assert.equal(log.logEndOffset, 24);
  log.updateConfig({ retentionMs: -1 });
  assert.equal(log.applyRetention().deletedSegments, 0);
  log.close();
});

test('segment.ms rolls the active segment by age', () => {
  const clock = new FakeClock(T0);
  const log = openLog(tempDir(), { segmentMs: 60_000 }, clock);
  log.append(batch(1));
  clock.t += 30_000;
  log.append(batch(1));
  assert.equal(log.segmentCount, 1);
  clock.t += 31_000;
  log.append(batch(1));
  assert.deepEqual(log.segmentBaseOffsets(), [0, 2]);
  log.close();
});

test('deleteRecordsBefore raises and persists the log start offset and frees whole segments', () => {
  const dir = tempDir();
  const log = openLog(dir, { segmentBytes: 600 });
  for (let i = 0; i < 20; i++) log.append(batch(3, { valueSize: 30 }));
  const bases = log.segmentBaseOffsets();
  assert.ok(bases.length >= 4);
  const target = bases[2]! + 1;
  assert.equal(log.deleteRecordsBefore(target), target);
  assert.equal(log.logStartOffset, target);
  assert.deepEqual(log.segmentBaseOffsets(), bases.slice(2));
  assert.equal(readFileSync(join(dir, 'log-start-offset'), 'utf8').trim(), String(target));
  assertStorageError(() => log.read(target - 1, 100), 'OFFSET_OUT_OF_RANGE');
  assert.ok(offsets(log.read(target, 1000)).includes(target));
  assert.equal(log.deleteRecordsBefore(1), target, 'never moves backwards');
  assertStorageError(() => log.deleteRecordsBefore(61), 'OFFSET_OUT_OF_RANGE');
  log.close();

  const again = openLog(dir, { segmentBytes: 600 });
  assert.equal(again.logStartOffset, target);
  assert.equal(readAll(again).offsets[0], target);
  // deleting everything rolls so the old data can go, and offsets continue
  assert.equal(again.deleteRecordsBefore(60), 60);
  assert.deepEqual(again.segmentBaseOffsets(), [60]);
  assert.equal(again.size, 0);
  assert.deepEqual(again.read(60, 100).chunks, []);
  assert.equal(again.append(batch(2)).baseOffset, 60);
  again.close();
  const third = openLog(dir);
  assert.equal(third.logStartOffset, 60);
  assert.equal(third.logEndOffset, 62);
  third.close();
});

test('offsetForTimestamp finds the first record at or after a time (exact within uncompressed batches)', () => {
  const log = openLog(tempDir(), { segmentBytes: 500, indexIntervalBytes: 50 });
  // batch i holds 3 records at T0 + i*100 + {0, 10, 20}
  for (let i = 0; i < 20; i++) log.append(batch(3, { ts: T0 + i * 100, tsStep: 10 }));
  assert.ok(log.segmentCount > 2);
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: T0 });
  assert.deepEqual(log.offsetForTimestamp(T0), { offset: 0, timestamp: T0 });
  assert.deepEqual(log.offsetForTimestamp(T0 + 1), { offset: 1, timestamp: T0 + 10 });
  assert.deepEqual(log.offsetForTimestamp(T0 + 520), { offset: 17, timestamp: T0 + 520 });
  assert.deepEqual(log.offsetForTimestamp(T0 + 521), { offset: 18, timestamp: T0 + 600 });
  assert.deepEqual(log.offsetForTimestamp(T0 + 1920), { offset: 59, timestamp: T0 + 1920 });
  assert.equal(log.offsetForTimestamp(T0 + 1921), null);
  for (let k = 0; k < 60; k++) {
    const ts = T0 + Math.floor(k / 3) * 100 + (k % 3) * 10;
    assert.deepEqual(log.offsetForTimestamp(ts), { offset: k, timestamp: ts });
  }
  log.deleteRecordsBefore(31);
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 31, timestamp: T0 + 1010 });
  log.close();
});

test('offsetForTimestamp with out-of-order timestamps, LogAppendTime and compressed batches', () => {
  const log = openLog(tempDir(), { indexIntervalBytes: 0 });
  log.append(batch(2, { ts: T0 + 500 })); // 0,1
  log.append(batch(2, { ts: T0 + 100 })); // 2,3
  log.append(batch(2, { ts: T0 + 900 })); // 4,5
  assert.deepEqual(log.offsetForTimestamp(T0 + 200), { offset: 0, timestamp: T0 + 500 });
  assert.deepEqual(log.offsetForTimestamp(T0 + 600), { offset: 4, timestamp: T0 + 900 });
  const r = log.append(batch(2, { ts: T0 }), { logAppendTime: T0 + 2000 }); // 6,7
  assert.equal(r.logAppendTime, T0 + 2000);
  assert.deepEqual(log.offsetForTimestamp(T0 + 1500), { offset: 6, timestamp: T0 + 2000 });
  const gz = encodeRecordBatch({
    records: [
      { value: 'a', timestamp: T0 + 3000 },
      { value: 'b', timestamp: T0 + 3100 },
    ],
    compression: 1,
    compress: (_c, d) => d,
  });
  log.append(gz); // 8,9 (fake "compression": stored as-is)
  assert.deepEqual(log.offsetForTimestamp(T0 + 3050), { offset: 8, timestamp: T0 + 3100 });
  log.close();
});

test('maxTimestampOffset returns the record carrying the largest timestamp', () => {
  const dir = tempDir();
  const log = openLog(dir, { segmentBytes: 400 });
  log.append(batch(3, { ts: T0, tsStep: 1 }));
  const mid = encodeRecordBatch({
    records: [
      { value: 'a', timestamp: T0 + 10 },
      { value: 'b', timestamp: T0 + 99 },
      { value: 'c', timestamp: T0 + 20 },
      { value: 'd', timestamp: T0 + 99 },
    ],
  });
  log.append(mid); // offsets 3..6, max at 4
  for (let i = 0; i < 10; i++) log.append(batch(2, { ts: T0 + 50 }));
  assert.ok(log.segmentCount > 1);
  assert.deepEqual(log.maxTimestampOffset(), { offset: 4, timestamp: T0 + 99 });
  log.close();
  const again = openLog(dir, { segmentBytes: 400 });
  assert.deepEqual(again.maxTimestampOffset(), { offset: 4, timestamp: T0 + 99 });
  again.close();
});

test('recentBatches exposes producer fields of the last segments for idempotence', () => {
  const log = openLog(tempDir(), { segmentBytes: 400 });
  for (let i = 0; i < 8; i++) {
    const b = encodeRecordBatch({
      records: [{ value: 'x'.repeat(60) }, { value: 'y' }],
      producerId: 77,
      producerEpoch: 3,
      baseSequence: i * 2,
      now: T0,
    });
    log.append(b);
  }
  const recent = [...log.recentBatches(2)];
  assert.ok(recent.length > 0 && recent.length < 8);
  const last = recent.at(-1)!;
  assert.equal(last.producerId, 77);
  assert.equal(last.producerEpoch, 3);
  assert.equal(last.baseSequence, 14);
  assert.equal(last.baseOffset, 14);
  assert.equal(last.lastOffset, 15);
  assert.equal([...log.recentBatches(100)].length, 8);
  log.close();
});

test('truncateAll restarts the log at an offset; delete removes the directory', () => {
  const dir = join(tempDir(), 'topic-3');
  const log = openLog(dir);
  log.append(batch(5));
  log.truncateAll(100);
  assert.equal(log.logStartOffset, 100);
  assert.equal(log.logEndOffset, 100);
  assert.equal(log.append(batch(1)).baseOffset, 100);
  // The active segment's index files are written when it is sealed or closed.
  assert.deepEqual(readdirSync(dir).sort(), ['00000000000000000100.log', 'log-start-offset']);
  log.flush();
  assert.deepEqual(readdirSync(dir).sort(), [
    '00000000000000000100.index',
    '00000000000000000100.log',
    '00000000000000000100.timeindex',
    'log-start-offset',
  ]);
  log.delete();
  assert.ok(!existsSync(dir));
});

test('a log-start checkpoint beyond the data (lost in a crash) restarts empty there', () => {
  const dir = tempDir();
  const log = openLog(dir);
  log.append(batch(3));
  log.close();
  writeFileSync(join(dir, 'log-start-offset'), '50\n');
  const logs: string[] = [];
  const again = openLog(dir, {}, new FakeClock(), logs);
  assert.equal(again.logStartOffset, 50);
  assert.equal(again.logEndOffset, 50);
  assert.ok(logs.some((m) => /beyond the log end/.test(m)));
  again.close();
});

test('stray temp files and orphan index files are cleaned up on open', () => {
  const dir = tempDir();
  openLog(dir).close();
  writeFileSync(join(dir, 'log-start-offset.tmp'), 'x');
  writeFileSync(join(dir, '00000000000000000999.index'), Buffer.alloc(8));
  const log = openLog(dir);
  assert.deepEqual(readdirSync(dir).sort(), [
    '00000000000000000000.index',
    '00000000000000000000.log',
    '00000000000000000000.timeindex',
  ]);
  log.close();
});

test('open accepts an options object for its dependencies', () => {
  const clock = new FakeClock(T0);
  const logs: string[] = [];
  const log = PartitionLog.open(tempDir(), { segmentMs: 10 }, { now: clock.now, log: (m) => logs.push(m) });
  log.append(batch(1));
  clock.t += 20;
  log.append(batch(1));
  assert.equal(log.segmentCount, 2);
  log.flush();
  log.close();
});
