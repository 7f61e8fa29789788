// A corrupt batch in the log: after a clean shutdown nothing is recovered (and so nothing
// valid after it is truncated); consumers get every record before the corrupt batch and
// then CORRUPT_MESSAGE at its offset, and the records after it stay readable. After a crash,
// recovery of the active segment stays strict: it truncates at the corrupt batch.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../../src/broker/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeBatches, encodeRecordBatch, readBatchHeader } from '../../../src/protocol/record-batch.js';
import { tempDir } from '../../helpers/broker.js';
import { WireClient } from '../../helpers/wire.js';

const MAIN = fileURLToPath(new URL('../../../dist/broker/main.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const BATCHES = 50;
const PER_BATCH = 100;

function dataDir(): string {
  const d = tempDir('ktool-corrupt-');
  dirs.push(d);
  return d;
}

async function inProcess(dir: string) {
  const b = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir } });
  const w = await WireClient.open(b.port);
  return {
    w,
    async close() {
      w.close();
      await b.close();
    },
  };
}

async function fill(w: WireClient, topic: string, configs: Array<{ name: string; value: string }> = []): Promise<void> {
  const c = await w.request(19, 5, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(c.topics[0].errorCode, 0, c.topics[0].errorMessage);
  for (let b = 0; b < BATCHES; b++) {
    const records = Array.from({ length: PER_BATCH }, (_, i) => ({
      key: null,
      value: `v${b * PER_BATCH + i}`.padEnd(40, '.'),
    }));
    const r = await w.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records }) }] }],
    });
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  }
}

/** Flip 8 bytes in the records of the batch holding `offset` (or, with `header`, set its length to 3). */
function corruptBatchAt(partitionDir: string, offset: number, header = false): void {
  const logs = readdirSync(partitionDir)
    .filter((n) => n.endsWith('.log'))
    .sort();
  const name = logs.filter((n) => Number(n.slice(0, 20)) <= offset).at(-1)!;
  const path = join(partitionDir, name);
  const bytes = readFileSync(path);
  for (let pos = 0; pos < bytes.length;) {
    const h = readBatchHeader(bytes, pos);
    if (h.baseOffset <= offset && offset <= h.lastOffset) {
      if (header) bytes.writeInt32BE(3, pos + 8);
      else for (let i = 0; i < 8; i++) bytes[pos + 61 + 100 + i] ^= 0xff;
      writeFileSync(path, bytes);
      return;
    }
    pos += h.size;
  }
  throw new Error(`offset ${offset} not found in ${path}`);
}

interface FetchAnswer {
  errorCode: number;
  highWatermark: number;
  offsets: number[];
}

async function fetchFrom(w: WireClient, topic: string, offset: number, maxBytes = 8 << 20): Promise<FetchAnswer> {
  const f = await w.request(1, 11, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            logStartOffset: -1,
            partitionMaxBytes: maxBytes,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = f.responses[0].partitions[0];
  const offsets: number[] = [];
  // verifyCrc: a corrupt batch served to the client fails the test here.
  if (p.records)
    for (const b of decodeBatches(p.records, undefined, { verifyCrc: true }))
      for (const r of b.records) offsets.push(r.offset);
  return { errorCode: p.errorCode, highWatermark: Number(p.highWatermark), offsets };
}

/** Consume from `from` the way a consumer does, until an error or the end. */
async function consume(
  w: WireClient,
  topic: string,
  from: number,
  maxBytes?: number,
): Promise<{ offsets: number[]; stoppedAt: number; errorCode: number }> {
  const offsets: number[] = [];
  let next = from;
  for (;;) {
    const a = await fetchFrom(w, topic, next, maxBytes);
    if (a.errorCode !== 0) return { offsets, stoppedAt: next, errorCode: a.errorCode };
    const fresh = a.offsets.filter((o) => o >= next);
    if (fresh.length === 0) return { offsets, stoppedAt: next, errorCode: 0 };
    offsets.push(...fresh);
    next = fresh.at(-1)! + 1;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function startChild(dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${out}`));
    }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(out)) reject(new Error(`broker exited ${code}: ${out}`));
    });
  });
}

describe('a corrupt batch in the middle of a log', () => {
  test('after a clean stop: nothing is truncated, records before it are served, then CORRUPT_MESSAGE, then the rest', async () => {
    const dir = dataDir();
    let b = await inProcess(dir);
    await fill(b.w, 'cb');
    await b.close();
    assert.ok(existsSync(join(dir, '.kafka_cleanshutdown')), 'a clean stop leaves the marker');
    corruptBatchAt(join(dir, 'cb-0'), 2000);
    b = await inProcess(dir);
    try {
      assert.ok(!existsSync(join(dir, '.kafka_cleanshutdown')), 'a running broker has no clean-shutdown marker');
      const first = await fetchFrom(b.w, 'cb', 0);
      assert.equal(first.highWatermark, BATCHES * PER_BATCH, 'the valid records after the corrupt batch are kept');
      const c = await consume(b.w, 'cb', 0);
      assert.deepEqual(c.offsets, range(0, 2000));
      assert.equal(c.stoppedAt, 2000);
      assert.equal(c.errorCode, ErrorCode.CORRUPT_MESSAGE);
      // Small fetches reach the corrupt batch too, one batch at a time.
      const small = await consume(b.w, 'cb', 1500, 5000);
      assert.deepEqual(small.offsets, range(1500, 2000));
      assert.equal(small.errorCode, ErrorCode.CORRUPT_MESSAGE);
      const rest = await consume(b.w, 'cb', 2100);
      assert.deepEqual(rest.offsets, range(2100, BATCHES * PER_BATCH));
      assert.equal(rest.errorCode, 0);
      // The partition stays writable.
      const r = await b.w.request(0, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'cb',
            partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: 'after' }] }) }],
          },
        ],
      });
      assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
      assert.equal(Number(r.responses[0].partitionResponses[0].baseOffset), BATCHES * PER_BATCH);
    } finally {
      await b.close();
    }
  });

  test('a batch header cut short in the active segment after a clean stop: the broker starts and serves up to it', async () => {
    const dir = dataDir();
    let b = await inProcess(dir);
    await fill(b.w, 'hdr');
    await b.close();
    corruptBatchAt(join(dir, 'hdr-0'), 2000, true);
    b = await inProcess(dir);
    try {
      const c = await consume(b.w, 'hdr', 0);
      assert.deepEqual(c.offsets, range(0, 2000));
      assert.equal(c.errorCode, ErrorCode.CORRUPT_MESSAGE);
    } finally {
      await b.close();
    }
  });

  test('in an older segment: consumers get every record before it, then CORRUPT_MESSAGE', async () => {
    const dir = dataDir();
    let b = await inProcess(dir);
    await fill(b.w, 'old', [{ name: 'segment.bytes', value: '20000' }]);
    await b.close();
    const segments = readdirSync(join(dir, 'old-0')).filter((n) => n.endsWith('.log')).length;
    assert.ok(segments > 5, `${segments} segments`);
    corruptBatchAt(join(dir, 'old-0'), 300);
    // Whether or not the stop was clean, an older segment is not recovered: the read finds it.
    rmSync(join(dir, '.kafka_cleanshutdown'), { force: true });
    b = await inProcess(dir);
    try {
      const c = await consume(b.w, 'old', 0);
      assert.deepEqual(c.offsets, range(0, 300));
      assert.equal(c.errorCode, ErrorCode.CORRUPT_MESSAGE);
      const rest = await consume(b.w, 'old', 400);
      assert.deepEqual(rest.offsets, range(400, BATCHES * PER_BATCH));
    } finally {
      await b.close();
    }
  });

  test(
    'after kill -9, recovery truncates the active segment at the corrupt batch and serves nothing corrupt',
    { timeout: 60_000 },
    async () => {
      const dir = dataDir();
      let c = await startChild(dir);
      let w = await WireClient.open(c.port);
      await fill(w, 'crash');
      w.close();
      await new Promise<void>((resolve) => {
        c.child.once('exit', () => resolve());
        c.child.kill('SIGKILL');
      });
      assert.ok(!existsSync(join(dir, '.kafka_cleanshutdown')));
      corruptBatchAt(join(dir, 'crash-0'), 2000);
      c = await startChild(dir);
      w = await WireClient.open(c.port);
      try {
        const all = await consume(w, 'crash', 0);
        assert.deepEqual(all.offsets, range(0, 2000));
        assert.equal(all.errorCode, 0);
        assert.equal((await fetchFrom(w, 'crash', 0)).highWatermark, 2000);
      } finally {
        w.close();
        c.child.kill('SIGKILL');
      }
    },
  );
});
