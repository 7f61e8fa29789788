// Compacted topics: retention never removes what a compact-only topic keeps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compress, decompress, type CompressionCodec } from '../../../src/codecs/index.js';
import { decodeBatches, decodeRecords, encodeRecordBatch } from '../../../src/protocol/record-batch.js';
import { cleanedLogPath, commitSwap } from '../../../src/broker/storage/clean-swap.js';
import { nodeFs } from '../../../src/broker/storage/fs-interface.js';
import { cleanLog, type CleanerSettings } from '../../../src/broker/storage/log-cleaner.js';
import { policyCompacts, policyDeletes } from '../../../src/broker/storage/log-config.js';
import { PartitionLog } from '../../../src/broker/storage/partition-log.js';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { FakeClock, T0, batch, tempDir } from './helpers.js';

describe('cleanup.policy and retention', () => {
  test('policy parsing: delete, compact, and both', () => {
    assert.equal(policyDeletes('delete'), true);
    assert.equal(policyDeletes('compact'), false);
    assert.equal(policyDeletes('compact,delete'), true);
    assert.equal(policyDeletes(' delete , compact'), true);
    assert.equal(policyCompacts('compact'), true);
    assert.equal(policyCompacts('delete'), false);
    assert.equal(policyCompacts('delete,compact'), true);
  });

  test('a compact-only log keeps every segment through time and size retention', () => {
    const clock = new FakeClock(T0);
    const log = PartitionLog.open(
      tempDir(),
      { segmentBytes: 400, retentionMs: 1000, retentionBytes: 0, deleteRetention: false },
      { now: () => clock.t },
    );
    for (let i = 0; i < 12; i++) log.append(batch(2, { ts: T0 + i * 1000, valueSize: 50 }));
    const segments = log.segmentCount;
    assert.ok(segments >= 4);
    clock.t = T0 + 10 ** 9;
    assert.equal(log.applyRetention().deletedSegments, 0);
    assert.equal(log.segmentCount, segments);
    assert.equal(log.logStartOffset, 0);
    // compact,delete: retention applies again
    log.updateConfig({ deleteRetention: true });
    assert.ok(log.applyRetention().deletedSegments > 0);
    log.close();
  });

  describe('over TCP', () => {
    let broker: TestBroker;
    before(async () => {
      broker = await startTestBroker({ 'log.retention.check.interval.ms': '50' });
    });
    after(async () => {
      await broker?.destroy();
    });

    test("the issue's reproduction: compact, retention.ms and segment.ms short, every key survives", async () => {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: 'state',
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'retention.ms', value: '200' },
              { name: 'segment.ms', value: '50' },
            ],
          },
        ],
      });
      const producer = kafka.producer();
      await producer.connect();
      for (const key of ['a', 'b', 'c', 'd']) {
        await producer.send({ topic: 'state', messages: [{ key, value: `value-${key}` }] });
        await new Promise((r) => setTimeout(r, 120));
      }
      await new Promise((r) => setTimeout(r, 500));
      broker.broker.applyRetention();
      const offsets = await admin.fetchTopicOffsets('state');
      assert.deepEqual(
        offsets.map((o) => [o.low, o.high]),
        [['0', '4']],
      );
      await producer.disconnect();
      await admin.disconnect();
    });

    test('the broker compacts a topic in the background; kcat reads across the gaps; keyless records are refused', async () => {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: 'latest',
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.ms', value: '30' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ],
      });
      const producer = kafka.producer();
      await producer.connect();
      for (let round = 0; round < 3; round++) {
        for (const key of ['a', 'b', 'c']) {
          await producer.send({ topic: 'latest', messages: [{ key, value: `${key}${round}` }] });
          await new Promise((r) => setTimeout(r, 40));
        }
      }
      await producer.send({ topic: 'latest', messages: [{ key: 'z', value: 'last' }] }); // rolls the previous segment
      await assert.rejects(
        producer.send({ topic: 'latest', messages: [{ value: 'no key' }] }),
        /failed the validation on broker/,
      );
      await broker.broker.cleanCompactedLogs();
      // Asynchronously: the broker runs in this process.
      const out = await execFileP(
        'kcat',
        ['-C', '-b', broker.bootstrap, '-t', 'latest', '-o', 'beginning', '-e', '-q', '-f', '%o %k=%s\\n'],
        { encoding: 'utf8' },
      );
      assert.deepEqual(out.stdout.trim().split('\n'), ['6 a=a2', '7 b=b2', '8 c=c2', '9 z=last']);
      await producer.disconnect();
      await admin.disconnect();
    });

    test('a consumer reading while a large partition is compacted sees a consistent log, and is not kept waiting', async () => {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: 'big',
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.bytes', value: '262144' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ],
      });
      await admin.disconnect();
      const dir = tempDir();
      const lines: string[] = [];
      for (let v = 0; v < 20; v++) for (let k = 0; k < 5000; k++) lines.push(`k${k}:v${v}-${'x'.repeat(60)}`);
      writeFileSync(join(dir, 'in.txt'), lines.join('\n') + '\n');
      await execFileP('kcat', ['-P', '-b', broker.bootstrap, '-t', 'big', '-K:', '-l', join(dir, 'in.txt')]);
      const cleaning = broker.broker.cleanCompactedLogs();
      const { stdout } = await execFileP(
        'kcat',
        ['-C', '-b', broker.bootstrap, '-t', 'big', '-o', 'beginning', '-e', '-q', '-f', '%o %k %s\\n'],
        { maxBuffer: 64 << 20 },
      );
      let last = -1;
      const latest = new Map<string, string>();
      for (const line of stdout.trim().split('\n')) {
        const [o, k, v] = line.split(' ');
        assert.ok(Number(o) > last, 'offsets only grow');
        last = Number(o);
        latest.set(k!, v!.split('-')[0]!);
      }
      assert.equal(latest.size, 5000);
      for (const v of latest.values()) assert.equal(v, 'v19');
      await cleaning;
      const after = await execFileP(
        'kcat',
        ['-C', '-b', broker.bootstrap, '-t', 'big', '-o', 'beginning', '-e', '-q', '-f', '%k\\n'],
        { maxBuffer: 64 << 20 },
      );
      assert.ok(after.stdout.trim().split('\n').length < 100_000, 'compacted');
    });
  });
});

const execFileP = promisify(execFile);
const codecs = {
  compress: (c: number, d: Buffer) => compress(c as CompressionCodec, d),
  decompress: (c: number, d: Buffer) => decompress(c as CompressionCodec, d),
};
const EAGER: CleanerSettings = {
  minCleanableRatio: 0,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 86_400_000,
  segmentBytes: 1 << 20,
  maxMapEntries: 1_000_000,
};

function keyed(
  entries: Array<[string, string | null]>,
  ts: number,
  opts: { compression?: number; producerId?: number; baseSequence?: number } = {},
): Buffer {
  return encodeRecordBatch({
    records: entries.map(([key, value]) => ({ key, value, timestamp: ts })),
    compression: opts.compression ?? 0,
    compress: codecs.compress,
    now: ts,
    producerId: opts.producerId,
    producerEpoch: opts.producerId === undefined ? undefined : 0,
    baseSequence: opts.baseSequence,
  });
}

function contents(log: PartitionLog): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1 << 20, { minOneBatch: true });
    if (r.chunks.length === 0) break;
    for (const rec of decodeRecords(Buffer.concat(r.chunks), codecs.decompress)) {
      if (rec.offset >= offset)
        out.push([rec.offset, rec.key!.toString(), rec.value === null ? null : rec.value.toString()]);
    }
    offset = r.nextOffset;
  }
  return out;
}

describe('the log cleaner', () => {
  function compactedLog(clock: FakeClock) {
    const dir = tempDir();
    const log = PartitionLog.open(dir, { segmentBytes: 300, deleteRetention: false }, { now: () => clock.t });
    // 4 keys written 5 times each, one batch per write, across many segments; one gzip batch.
    for (let round = 0; round < 5; round++) {
      for (const k of ['a', 'b', 'c', 'd'])
        log.append(keyed([[k, `${k}${round}`]], clock.t, { compression: round === 2 ? 1 : 0 }));
    }
    log.roll();
    return { dir, log };
  }

  test('keeps only the latest value of every key, at its original offset', () => {
    const clock = new FakeClock(T0);
    const { dir, log } = compactedLog(clock);
    const before = log.segmentCount;
    const r = cleanLog(log, EAGER, codecs, clock.t);
    assert.equal(r.cleaned, true);
    assert.equal(r.recordsRemoved, 16);
    assert.ok(log.segmentCount < before, 'segments are merged');
    assert.deepEqual(contents(log), [
      [16, 'a', 'a4'],
      [17, 'b', 'b4'],
      [18, 'c', 'c4'],
      [19, 'd', 'd4'],
    ]);
    assert.equal(log.logEndOffset, 20);
    // A second pass has nothing dirty.
    assert.equal(cleanLog(log, EAGER, codecs, clock.t).cleaned, false);
    // The compacted log, gaps and all, survives a restart (and a crash's full recovery).
    log.close();
    const again = PartitionLog.open(dir, { segmentBytes: 300, deleteRetention: false }, { now: () => clock.t });
    assert.deepEqual(contents(again), [
      [16, 'a', 'a4'],
      [17, 'b', 'b4'],
      [18, 'c', 'c4'],
      [19, 'd', 'd4'],
    ]);
    // New writes continue after the log end, not after the last kept offset.
    assert.equal(again.append(keyed([['a', 'a5']], clock.t)).baseOffset, 20);
    again.close();
  });

  test('a fetch from an offset inside a gap starts at the next record kept', () => {
    const clock = new FakeClock(T0);
    const { log } = compactedLog(clock);
    cleanLog(log, EAGER, codecs, clock.t);
    const r = log.read(3, 1 << 20);
    const recs = decodeRecords(Buffer.concat(r.chunks), codecs.decompress);
    assert.equal(recs[0]!.offset, 16);
    log.close();
  });

  test('min.compaction.lag.ms and min.cleanable.dirty.ratio hold the cleaner back', () => {
    const clock = new FakeClock(T0);
    const { log } = compactedLog(clock);
    assert.equal(cleanLog(log, { ...EAGER, minCompactionLagMs: 60_000 }, codecs, clock.t).cleaned, false);
    clock.t += 60_000;
    assert.equal(cleanLog(log, { ...EAGER, minCompactionLagMs: 60_000 }, codecs, clock.t).cleaned, true);
    // After one clean, new dirty data below the ratio waits...
    for (const k of ['a', 'b']) log.append(keyed([[k, 'new']], clock.t));
    log.roll();
    assert.equal(cleanLog(log, { ...EAGER, minCleanableRatio: 0.9 }, codecs, clock.t).cleaned, false);
    // ...unless max.compaction.lag.ms says it is overdue.
    clock.t += 10_000;
    assert.equal(
      cleanLog(log, { ...EAGER, minCleanableRatio: 0.9, maxCompactionLagMs: 5_000 }, codecs, clock.t).cleaned,
      true,
    );
    assert.deepEqual(
      contents(log).map(([, k, v]) => `${k}=${v}`),
      ['c=c4', 'd=d4', 'a=new', 'b=new'],
    );
    log.close();
  });

  test('tombstones stay for delete.retention.ms, then go', () => {
    const clock = new FakeClock(T0);
    const log = PartitionLog.open(tempDir(), { segmentBytes: 200, deleteRetention: false }, { now: () => clock.t });
    log.append(
      keyed(
        [
          ['a', '1'],
          ['b', '1'],
        ],
        clock.t,
      ),
    );
    log.append(keyed([['a', null]], clock.t));
    log.roll();
    cleanLog(log, { ...EAGER, deleteRetentionMs: 1000 }, codecs, clock.t);
    assert.deepEqual(contents(log), [
      [1, 'b', '1'],
      [2, 'a', null],
    ]);
    clock.t += 5000;
    log.append(keyed([['c', '1']], clock.t));
    log.roll();
    cleanLog(log, { ...EAGER, deleteRetentionMs: 1000 }, codecs, clock.t);
    assert.deepEqual(contents(log), [
      [1, 'b', '1'],
      [3, 'c', '1'],
    ]);
    log.close();
  });

  test("a producer's last batch survives empty, with its producer id, epoch and sequence", () => {
    const clock = new FakeClock(T0);
    const log = PartitionLog.open(tempDir(), { segmentBytes: 1 << 20, deleteRetention: false }, { now: () => clock.t });
    log.append(
      keyed(
        [
          ['a', '1'],
          ['b', '1'],
        ],
        clock.t,
        { producerId: 7, baseSequence: 0 },
      ),
    );
    log.append(
      keyed(
        [
          ['a', '2'],
          ['b', '2'],
        ],
        clock.t,
      ),
    );
    log.roll();
    cleanLog(log, EAGER, codecs, clock.t);
    const batches = decodeBatches(Buffer.concat(log.read(0, 1 << 20).chunks), codecs.decompress);
    assert.equal(batches[0]!.header.producerId, 7);
    assert.equal(batches[0]!.header.baseSequence, 0);
    assert.equal(batches[0]!.header.lastOffset, 1);
    assert.equal(batches[0]!.records.length, 0);
    assert.deepEqual(contents(log), [
      [2, 'a', '2'],
      [3, 'b', '2'],
    ]);
    log.close();
  });

  test('a crash after the swap is committed completes it on restart; before, drops the half-written output', () => {
    const clock = new FakeClock(T0);
    const { dir, log } = compactedLog(clock);
    const expected = contents(log);
    const bases = log.segmentBaseOffsets();
    log.close();
    // Before the commit point: a stray .cleaned file is discarded and nothing changes.
    writeFileSync(cleanedLogPath(dir, bases[0]!), Buffer.from('half-written'));
    let again = PartitionLog.open(dir, { segmentBytes: 300, deleteRetention: false }, { now: () => clock.t });
    assert.deepEqual(contents(again), expected);
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.cleaned')));
    // After it: the cleaned segment (here one made-up record) replaces the first two segments.
    again.close();
    const cleaned = encodeRecordBatch({
      records: [{ key: 'zz', value: 'kept', timestamp: T0, offsetDelta: 0 }],
      baseOffset: bases[0]!,
      now: T0,
    });
    writeFileSync(cleanedLogPath(dir, bases[0]!), cleaned);
    commitSwap(nodeFs, dir, bases[0]!, [bases[0]!, bases[1]!]);
    again = PartitionLog.open(dir, { segmentBytes: 300, deleteRetention: false }, { now: () => clock.t });
    const after = contents(again);
    assert.deepEqual(after[0], [bases[0]!, 'zz', 'kept']);
    assert.deepEqual(
      after.slice(1),
      expected.filter(([o]) => o >= bases[2]!),
    );
    assert.ok(!existsSync(join(dir, 'cleaner-swap.json')));
    again.close();
  });
});
