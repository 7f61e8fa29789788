// kill -9 the broker while producers are writing with acks=all, restart it, and check
// that every acknowledged record is there exactly once, CRC-valid, at contiguous offsets.
// KTOOL_KILL_ROUNDS sets the number of rounds (the soak run uses more).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { decodeBatches, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { tempDir } from '../helpers/broker.js';
import { PYTHON, requireTool } from '../helpers/tools.js';
import { WireClient } from '../helpers/wire.js';

const ROUNDS = Number(process.env.KTOOL_KILL_ROUNDS ?? 20);
const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));

interface RunningChild {
  child: ChildProcess;
  port: number;
}

function startChild(dataDir: string): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--override',
        'listeners=PLAINTEXT://127.0.0.1:0',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        'log.segment.bytes=65536',
      ],
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

function kill9(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

async function readAll(client: WireClient, topic: string, partition: number) {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await client.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 8 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 4 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
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
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test(
    `${ROUNDS} rounds of kill -9 during acks=all produce lose nothing acknowledged`,
    { timeout: 300_000 },
    async (t) => {
      const dataDir = tempDir('ktool-kill-');
      dirs.push(dataDir);
      const acked = new Map<string, string[]>([
        ['raw', []],
        ['kjs', []],
        ['ck', []],
      ]);
      const idempotent = new Set(['ck']);
      const withPython = requireTool(t, 'confluent-kafka');
      let seq = 0;
      // State that must come through every crash unchanged: a topic config and a group's offsets.
      {
        const { child, port } = await startChild(dataDir);
        const w = await WireClient.open(port);
        await w.request(19, 5, {
          topics: [
            {
              name: 'kill.meta',
              numPartitions: 3,
              replicationFactor: 1,
              assignments: [],
              configs: [{ name: 'retention.ms', value: '4242' }],
            },
          ],
          timeoutMs: 1000,
          validateOnly: false,
        });
        const commit = await w.request(8, 2, {
          groupId: 'kill-group',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          retentionTimeMs: -1,
          topics: [
            { name: 'kill.meta', partitions: [{ partitionIndex: 1, committedOffset: 0, committedMetadata: 'm' }] },
          ],
        });
        assert.equal(commit.topics[0].partitions[0].errorCode, 0);
        w.close();
        await kill9(child);
      }
      for (let round = 0; round < ROUNDS; round++) {
        const { child, port } = await startChild(dataDir);
        let stop = false;
        // Raw producer: batches of 20 records, acks=-1.
        const raw = (async () => {
          const w = await WireClient.open(port);
          try {
            while (!stop) {
              const values = Array.from({ length: 20 }, () => `raw-${seq++}`);
              const res = await w.request(0, 9, {
                transactionalId: null,
                acks: -1,
                timeoutMs: 1000,
                topicData: [
                  {
                    name: 'kill.raw',
                    partitionData: [
                      {
                        index: 0,
                        records: encodeRecordBatch({ records: values.map((v) => ({ key: null, value: v })) }),
                      },
                    ],
                  },
                ],
              });
              const p = res.responses[0].partitionResponses[0];
              if (p.errorCode === 0) acked.get('raw')!.push(...values);
              else if (p.errorCode !== 3) throw new Error(`produce error ${p.errorCode}`);
            }
          } catch {
            /* the broker died under us: what was acknowledged is recorded */
          } finally {
            w.close();
          }
        })();
        // kafkajs producer with acks=all.
        const kjs = (async () => {
          const kafka = new Kafka({
            clientId: 'kill-test',
            brokers: [`127.0.0.1:${port}`],
            logLevel: logLevel.NOTHING,
            retry: { retries: 0 },
          });
          const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
          try {
            await producer.connect();
            while (!stop) {
              const values = Array.from({ length: 10 }, () => `kjs-${seq++}`);
              try {
                await producer.send({
                  topic: 'kill.kjs',
                  acks: -1,
                  messages: values.map((value) => ({ value, partition: 0 })),
                });
                acked.get('kjs')!.push(...values);
              } catch (err) {
                if (stop) break;
                if (/leader|not available|does not host/i.test(String(err))) continue;
                break;
              }
            }
          } catch {
            /* broker killed */
          } finally {
            await producer.disconnect().catch(() => {});
          }
        })();
        // confluent-kafka's idempotent producer prints each acknowledged value.
        let ckOut = '';
        const ck = withPython
          ? spawn(
              PYTHON,
              [
                fileURLToPath(new URL('./python/idempotent_producer.py', import.meta.url)),
                `127.0.0.1:${port}`,
                'kill.ck',
                `ck${round}`,
              ],
              { stdio: ['ignore', 'pipe', 'ignore'] },
            )
          : undefined;
        ck?.stdout!.on('data', (d: Buffer) => {
          ckOut += d.toString();
        });
        await new Promise((r) => setTimeout(r, (withPython ? 600 : 150) + Math.floor(Math.random() * 400)));
        await kill9(child);
        stop = true;
        if (ck) {
          await new Promise((r) => {
            ck.once('exit', r);
            ck.kill('SIGKILL');
          });
          acked.get('ck')!.push(...ckOut.split('\n').slice(0, -1));
        }
        await Promise.all([raw, kjs]);

        const restarted = await startChild(dataDir);
        const w = await WireClient.open(restarted.port);
        try {
          for (const [name, values] of acked) {
            const topic = `kill.${name}`;
            const md = await w.request(3, 1, { topics: [{ name: topic }] });
            if (md.topics[0].errorCode !== 0) {
              assert.equal(values.length, 0, `${topic} is missing`);
              continue;
            }
            const stored = await readAll(w, topic, 0);
            const present = new Set(stored.values);
            // Idempotent producers must not duplicate; the others may (at least once).
            if (idempotent.has(name))
              assert.equal(present.size, stored.values.length, `${topic}: no record stored twice`);
            const lost = values.filter((v) => !present.has(v));
            assert.deepEqual(
              lost.slice(0, 5),
              [],
              `round ${round}: ${lost.length} acknowledged records of ${topic} lost`,
            );
          }
          const md = await w.request(32, 1, {
            resources: [{ resourceType: 2, resourceName: 'kill.meta', configurationKeys: ['retention.ms'] }],
            includeSynonyms: false,
          });
          assert.equal(md.results[0].configs[0].value, '4242', 'topic config survives');
          const offsets = await w.request(9, 2, { groupId: 'kill-group', topics: null });
          assert.deepEqual(
            offsets.topics.map(
              (x: {
                name: string;
                partitions: Array<{ partitionIndex: number; committedOffset: number; metadata: string }>;
              }) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])],
            ),
            [['kill.meta', [[1, 0, 'm']]]],
            'committed offsets survive',
          );
        } finally {
          w.close();
          await kill9(restarted.child);
        }
      }
      t.diagnostic(
        `${ROUNDS} kill -9 rounds; acknowledged and verified: raw ${acked.get('raw')!.length}, kafkajs ${acked.get('kjs')!.length}, confluent-kafka idempotent ${acked.get('ck')!.length}`,
      );
      assert.ok(acked.get('raw')!.length > 0, 'the raw producer got acknowledgements');
      assert.ok(acked.get('kjs')!.length > 0, 'kafkajs got acknowledgements');
    },
  );
});
