// A consume-transform-produce loop (confluent-kafka, send_offsets_to_transaction) killed
// with kill -9 at random points, the loop and separately the broker, over 20 rounds:
// the output read with read_committed holds each input record's result exactly once.
// KTOOL_CTP_ROUNDS sets the number of rounds.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { tempDir } from '../helpers/broker.js';
import { PYTHON, requireTool } from '../helpers/tools.js';
import { WireClient } from '../helpers/wire.js';
import { freePort } from '../cli/helpers.js';
import { committedValues, createTopic, fetch } from '../broker/transactions/helpers.js';

const ROUNDS = Number(process.env.KTOOL_CTP_ROUNDS ?? 20);
const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
const LOOP = fileURLToPath(new URL('./python/ctp_loop.py', import.meta.url));
const TOTAL = 2000;

function startBroker(dataDir: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        'group.initial.rebalance.delay.ms=0',
        '--override',
        'transaction.abort.timed.out.transaction.cleanup.interval.ms=500',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${out}`));
    }, 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve(child);
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
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

function startLoop(bootstrap: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(
    PYTHON,
    [LOOP, bootstrap, 'ctp.in', 'ctp.out', 'ctp-group', 'ctp-tx', String(TOTAL), '20', '60'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('consume-transform-produce under kill -9', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test(
    `${ROUNDS} rounds of kill -9 (loop or broker): every input's result is committed exactly once`,
    { timeout: 600_000 },
    async (t) => {
      if (!requireTool(t, 'confluent-kafka')) return;
      const dataDir = tempDir('ktool-ctp-');
      dirs.push(dataDir);
      const port = await freePort();
      const bootstrap = `127.0.0.1:${port}`;
      let broker = await startBroker(dataDir, port);
      {
        const c = await WireClient.open(port);
        await createTopic(c, 'ctp.in');
        await createTopic(c, 'ctp.out');
        for (let i = 0; i < TOTAL; i += 100) {
          const records = encodeRecordBatch({
            records: Array.from({ length: 100 }, (_, j) => ({ key: null, value: `in-${i + j}` })),
          });
          const r = await c.request(0, 9, {
            transactionalId: null,
            acks: -1,
            timeoutMs: 1000,
            topicData: [{ name: 'ctp.in', partitionData: [{ index: 0, records }] }],
          });
          assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
        }
        c.close();
      }
      let loop = startLoop(bootstrap);
      let brokerKills = 0;
      let loopKills = 0;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          // A slow start (python, rebalances) needs more time before there is anything to interrupt.
          await sleep(800 + Math.floor(Math.random() * 1500));
          if (round % 2 === 0) {
            await kill9(loop.child);
            loopKills++;
          } else {
            await kill9(broker);
            brokerKills++;
            broker = await startBroker(dataDir, port);
          }
          // A loop that died of the broker's crash (or finished) is started again.
          if (loop.child.exitCode !== null || loop.child.signalCode !== null) loop = startLoop(bootstrap);
        }
        // Let the last loop run to the end, restarting it while it fails.
        const deadline = Date.now() + 240_000;
        for (;;) {
          const code = await loop.exited;
          if (code === 0) break;
          assert.ok(Date.now() < deadline, `the loop never finished: ${loop.output()}`);
          loop = startLoop(bootstrap);
        }
        const c = await WireClient.open(port);
        const values: string[] = [];
        let offset = 0;
        let aborted = 0;
        let uncommitted = 0;
        for (;;) {
          const f = await fetch(c, 'ctp.out', 0, offset, 1);
          if (f.batches.length === 0) break;
          values.push(...committedValues(f));
          aborted += f.abortedTransactions?.length ?? 0;
          uncommitted += f.records.length;
          const last = f.batches[f.batches.length - 1]!;
          offset = last.baseOffset + (last.isControl ? 1 : last.values.length);
        }
        c.close();
        const counts = new Map<string, number>();
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
        const missing = Array.from({ length: TOTAL }, (_, i) => `out-in-${i}`).filter((v) => !counts.has(v));
        const twice = [...counts].filter(([, n]) => n > 1);
        assert.deepEqual(missing, [], 'every input has a result');
        assert.deepEqual(twice, [], 'no result twice');
        assert.equal(values.length, TOTAL);
        t.diagnostic(
          `${loopKills} loop kills, ${brokerKills} broker kills, ${TOTAL} records; ${aborted} aborted transaction(s) holding ${uncommitted - TOTAL} record(s) read_committed dropped`,
        );
      } finally {
        await kill9(loop.child);
        await kill9(broker);
      }
    },
  );
});
