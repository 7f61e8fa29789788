// kill -9 the broker while producers are writing with acks=all, restart it, and check
// that every acknowledged record is there exactly once, CRC-valid, at contiguous offsets.
// KTOOL_KILL_ROUNDS sets the number of rounds (the soak run uses more).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { decodeBatches, encodeRecordBatch } from '../../src/broker/protocol/record-batch.js';
import { tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

const ROUNDS = Number(process.env.KTOOL_KILL_ROUNDS ?? 5);
const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));

interface RunningChild { child: ChildProcess; port: number }

function startChild(dataDir: string): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dataDir}`, '--override', 'log.segment.bytes=65536'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`broker did not start: ${out}`)); }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); if (!/listening on/.test(out)) reject(new Error(`broker exited ${code}: ${out}`)); });
  });
}

function kill9(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => { c.once('exit', () => resolve()); c.kill('SIGKILL'); });
}

async function readAll(client: WireClient, topic: string, partition: number) {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await client.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 4 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, 0);
    if (!p.records || p.records.length === 0) return { values, highWatermark: p.highWatermark };
    // verifyCrc makes decodeBatches throw on any corrupt batch the broker would serve.
    for (const b of decodeBatches(p.records, undefined, { verifyCrc: true })) {
      for (const rec of b.records) {
        assert.equal(rec.offset, offset, 'offsets are contiguous');
        values.push(rec.value!.toString());
        offset++;
      }
    }
  }
}

describe('kill -9 durability', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test(`${ROUNDS} rounds of kill -9 during acks=all produce lose nothing acknowledged`, { timeout: 300_000 }, async (t) => {
    const dataDir = tempDir('ktool-kill-');
    dirs.push(dataDir);
    const acked = new Map<string, string[]>([['raw', []], ['kjs', []]]);
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, port } = await startChild(dataDir);
      let stop = false;
      // Raw producer: batches of 20 records, acks=-1.
      const raw = (async () => {
        const w = await WireClient.open(port);
        try {
          while (!stop) {
            const values = Array.from({ length: 20 }, () => `raw-${seq++}`);
            const res = await w.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'kill.raw', partitionData: [{ index: 0, records: encodeRecordBatch({ records: values.map((v) => ({ key: null, value: v })) }) }] }] });
            const p = res.responses[0].partitionResponses[0];
            if (p.errorCode === 0) acked.get('raw')!.push(...values);
            else if (p.errorCode !== 3) throw new Error(`produce error ${p.errorCode}`);
          }
        } catch { /* the broker died under us: what was acknowledged is recorded */ } finally { w.close(); }
      })();
      // kafkajs producer with acks=all.
      const kjs = (async () => {
        const kafka = new Kafka({ clientId: 'kill-test', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
        const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
        try {
          await producer.connect();
          while (!stop) {
            const values = Array.from({ length: 10 }, () => `kjs-${seq++}`);
            try {
              await producer.send({ topic: 'kill.kjs', acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
              acked.get('kjs')!.push(...values);
            } catch (err) {
              if (stop) break;
              if (/leader|not available|does not host/i.test(String(err))) continue;
              break;
            }
          }
        } catch { /* broker killed */ } finally { await producer.disconnect().catch(() => {}); }
      })();
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 400)));
      await kill9(child);
      stop = true;
      await Promise.all([raw, kjs]);

      const restarted = await startChild(dataDir);
      const w = await WireClient.open(restarted.port);
      try {
        for (const [name, values] of acked) {
          const topic = `kill.${name}`;
          const md = await w.request(3, 1, { topics: [{ name: topic }] });
          if (md.topics[0].errorCode !== 0) { assert.equal(values.length, 0, `${topic} is missing`); continue; }
          const stored = await readAll(w, topic, 0);
          const present = new Set(stored.values);
          assert.equal(present.size, stored.values.length, `${topic}: no record stored twice`);
          const lost = values.filter((v) => !present.has(v));
          assert.deepEqual(lost.slice(0, 5), [], `round ${round}: ${lost.length} acknowledged records of ${topic} lost`);
        }
      } finally {
        w.close();
        await kill9(restarted.child);
      }
    }
    t.diagnostic(`acknowledged and verified: raw ${acked.get('raw')!.length}, kafkajs ${acked.get('kjs')!.length}`);
    assert.ok(acked.get('raw')!.length > 0, 'the raw producer got acknowledgements');
    assert.ok(acked.get('kjs')!.length > 0, 'kafkajs got acknowledgements');
  });
});
