// kill -9 the broker in the middle of a transaction, restart it: the transaction is still
// open (its LSO holds), transaction.timeout.ms then aborts it and fences its producer,
// and committed transactions before the crash stay committed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCode as E } from '../../src/protocol/errors.js';
import { tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';
import {
  addPartitions,
  API,
  committedValues,
  createTopic,
  endTxn,
  fetch,
  initPid,
  latestOffset,
  produceTxn,
} from '../broker/transactions/helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));

function startChild(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
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
        'transaction.abort.timed.out.transaction.cleanup.interval.ms=100',
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

describe('kill -9 during a transaction', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test(
    'the open transaction is recovered after a restart and aborted after its timeout',
    { timeout: 60_000 },
    async () => {
      const dataDir = tempDir('ktool-txn-kill-');
      dirs.push(dataDir);
      let { child, port } = await startChild(dataDir);
      let c = await WireClient.open(port);
      await createTopic(c, 'tk', 2);
      const pid = await initPid(c, 'tk-tx', 5000);
      await addPartitions(c, 'tk-tx', pid, 'tk', [0, 1]);
      await produceTxn(c, 'tk-tx', pid, 'tk', 0, ['ok0', 'ok1'], 0);
      await produceTxn(c, 'tk-tx', pid, 'tk', 1, ['ok2'], 0);
      assert.equal(await endTxn(c, 'tk-tx', pid, true), 0);
      await addPartitions(c, 'tk-tx', pid, 'tk', [0]);
      await produceTxn(c, 'tk-tx', pid, 'tk', 0, ['open0', 'open1'], 2);
      c.close();
      await kill9(child);

      ({ child, port } = await startChild(dataDir));
      c = await WireClient.open(port);
      try {
        const started = Date.now();
        const described = await c.request(API.DescribeTransactions, 0, { transactionalIds: ['tk-tx'] });
        const state = described.transactionStates[0];
        assert.equal(state.transactionState, 'Ongoing');
        assert.deepEqual(state.topics, [{ topic: 'tk', partitions: [0] }]);
        assert.equal(await latestOffset(c, 'tk', 0, 1), 3, 'the open transaction holds the LSO at its first offset');
        assert.deepEqual(committedValues(await fetch(c, 'tk', 0, 0, 1)), ['ok0', 'ok1']);
        let d = state;
        while (d.transactionState !== 'CompleteAbort' && Date.now() - started < 15_000) {
          await new Promise((r) => setTimeout(r, 100));
          d = (await c.request(API.DescribeTransactions, 0, { transactionalIds: ['tk-tx'] })).transactionStates[0];
        }
        assert.equal(d.transactionState, 'CompleteAbort');
        assert.equal(d.producerEpoch, pid.producerEpoch + 1, 'the abort fenced the producer');
        assert.equal(await endTxn(c, 'tk-tx', pid, true), E.PRODUCER_FENCED);
        const p0 = await fetch(c, 'tk', 0, 0, 1);
        assert.equal(p0.lastStableOffset, p0.highWatermark);
        assert.deepEqual(committedValues(p0), ['ok0', 'ok1']);
        assert.deepEqual(committedValues(await fetch(c, 'tk', 1, 0, 1)), ['ok2']);
        // A new producer for the id carries on.
        const next = await initPid(c, 'tk-tx', 5000);
        assert.equal(next.producerEpoch, pid.producerEpoch + 2);
      } finally {
        c.close();
        await kill9(child);
      }
    },
  );
});
