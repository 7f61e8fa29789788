// The transaction APIs over TCP, request by request: the last stable offset, the aborted
// transaction list, Kafka's error codes for zombies and misuse, timeouts and restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../../src/protocol/record-batch.js';
import { TxnLog } from '../../../src/broker/transactions/txn-log.js';
import { TxnStatus } from '../../../src/broker/transactions/state.js';
import { nodeFs } from '../../../src/broker/storage/fs-interface.js';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBroker, tempDir, type TestBroker } from '../../helpers/broker.js';
import { WireClient } from '../../helpers/wire.js';
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
} from './helpers.js';

describe('transactions over the wire', () => {
  let broker: TestBroker;
  let c: WireClient;
  before(async () => {
    broker = await startTestBroker({ 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100' });
    c = await WireClient.open(broker.port);
  });
  after(async () => {
    c?.close();
    await broker?.destroy();
  });

  test('read_committed stops at the last stable offset; ListOffsets with isolation level 1 answers it', async () => {
    await createTopic(c, 'lso');
    const plain = await initPid(c, null as unknown as string);
    assert.equal(plain.errorCode, 0);
    assert.equal((await produceTxn(c, null, plain, 'lso', 0, ['p0', 'p1'], 0)).errorCode, 0);
    const pid = await initPid(c, 'lso-tx');
    assert.deepEqual(await addPartitions(c, 'lso-tx', pid, 'lso', [0]), [0]);
    assert.equal((await produceTxn(c, 'lso-tx', pid, 'lso', 0, ['t0', 't1'], 0)).baseOffset, 2);
    assert.equal((await produceTxn(c, null, plain, 'lso', 0, ['p2'], 2)).baseOffset, 4);

    const committed = await fetch(c, 'lso', 0, 0, 1);
    assert.deepEqual([committed.highWatermark, committed.lastStableOffset], [5, 2]);
    assert.deepEqual(
      committed.records.map((r) => r.value),
      ['p0', 'p1'],
      'nothing at or past the LSO',
    );
    assert.deepEqual(committed.abortedTransactions, []);
    assert.deepEqual(
      (await fetch(c, 'lso', 0, 0, 0)).records.map((r) => r.value),
      ['p0', 'p1', 't0', 't1', 'p2'],
    );
    assert.equal(await latestOffset(c, 'lso', 0, 1), 2);
    assert.equal(await latestOffset(c, 'lso', 0, 0), 5);
    // A read_committed fetch at the LSO is empty, not out of range.
    const atLso = await fetch(c, 'lso', 0, 2, 1);
    assert.deepEqual([atLso.errorCode, atLso.records.length], [0, 0]);

    // A long poll parked at the LSO wakes when the commit marker moves it.
    const parked = fetch(c, 'lso', 0, 2, 1, 5000);
    const c2 = await WireClient.open(broker.port);
    const started = Date.now();
    assert.equal(await endTxn(c2, 'lso-tx', pid, true), 0);
    const woke = await parked;
    c2.close();
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(
      woke.records.map((r) => r.value),
      ['t0', 't1', 'p2'],
    );
    assert.equal(woke.controlBatches, 1, 'the commit marker is served; clients skip it');
    assert.deepEqual([woke.lastStableOffset, woke.highWatermark], [6, 6]);
    assert.equal(await latestOffset(c, 'lso', 0, 1), 6);
  });

  test('an aborted transaction is listed in read_committed fetches of its range and its records dropped', async () => {
    await createTopic(c, 'aborts');
    const a = await initPid(c, 'ab-a');
    const b = await initPid(c, 'ab-b');
    await addPartitions(c, 'ab-a', a, 'aborts', [0]);
    await addPartitions(c, 'ab-b', b, 'aborts', [0]);
    await produceTxn(c, 'ab-a', a, 'aborts', 0, ['a0'], 0);
    await produceTxn(c, 'ab-b', b, 'aborts', 0, ['b0'], 0);
    await produceTxn(c, 'ab-a', a, 'aborts', 0, ['a1'], 1);
    assert.equal(await endTxn(c, 'ab-a', a, false), 0);
    assert.equal(await endTxn(c, 'ab-b', b, true), 0);
    // A second transaction of the aborting producer, committed, must survive the filter.
    await addPartitions(c, 'ab-a', a, 'aborts', [0]);
    await produceTxn(c, 'ab-a', a, 'aborts', 0, ['a2'], 2);
    assert.equal(await endTxn(c, 'ab-a', a, true), 0);

    const f = await fetch(c, 'aborts', 0, 0, 1);
    assert.deepEqual(f.abortedTransactions, [{ producerId: a.producerId, firstOffset: 0 }]);
    assert.deepEqual(committedValues(f), ['b0', 'a2']);
    // Past the aborted range the list is empty.
    assert.deepEqual((await fetch(c, 'aborts', 0, 4, 1)).abortedTransactions, []);
    assert.equal((await fetch(c, 'aborts', 0, 0, 0)).abortedTransactions, null, 'read_uncommitted gets no list');
  });

  test('OffsetFetch with RequireStable answers UNSTABLE_OFFSET_COMMIT while a transaction holds an offset of the partition', async () => {
    await createTopic(c, 'stable.in', 2);
    const pid = await initPid(c, 'st-tx');
    assert.equal(
      (await c.request(API.AddOffsetsToTxn, 3, { transactionalId: 'st-tx', ...pid, groupId: 'st-g' })).errorCode,
      0,
    );
    const toc = await c.request(API.TxnOffsetCommit, 3, {
      transactionalId: 'st-tx',
      groupId: 'st-g',
      ...pid,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'stable.in',
          partitions: [{ partitionIndex: 1, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
    });
    assert.equal(toc.topics[0].partitions[0].errorCode, 0);
    const ask = (requireStable: boolean, version = 7) =>
      c.request(API.OffsetFetch, version, {
        groupId: 'st-g',
        topics: [{ name: 'stable.in', partitionIndexes: [0, 1] }],
        requireStable,
      });
    const stable = await ask(true);
    assert.deepEqual(
      stable.topics[0].partitions.map((p: { errorCode: number; committedOffset: number }) => [
        p.errorCode,
        p.committedOffset,
      ]),
      [
        [0, -1],
        [E.UNSTABLE_OFFSET_COMMIT, -1],
      ],
    );
    const loose = await ask(false);
    assert.deepEqual(
      loose.topics[0].partitions.map((p: { errorCode: number }) => p.errorCode),
      [0, 0],
    );
    const v8 = await c.request(API.OffsetFetch, 8, {
      groups: [{ groupId: 'st-g', topics: [{ name: 'stable.in', partitionIndexes: [1] }] }],
      requireStable: true,
    });
    assert.equal(v8.groups[0].topics[0].partitions[0].errorCode, E.UNSTABLE_OFFSET_COMMIT);
    assert.equal(await endTxn(c, 'st-tx', pid, true), 0);
    const after = await ask(true);
    assert.deepEqual(
      after.topics[0].partitions.map((p: { errorCode: number; committedOffset: number }) => [
        p.errorCode,
        p.committedOffset,
      ]),
      [
        [0, -1],
        [0, 9],
      ],
    );
  });

  test('the log cleaner keeps a committed value over a later aborted one and leaves open transactions alone', async () => {
    const r = await c.request(19, 7, {
      topics: [
        {
          name: 'compacted.tx',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '1' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          ],
        },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.equal(r.topics[0].errorCode, 0);
    const pid = await initPid(c, 'cl-tx');
    const keyed = (key: string, value: string, seq: number, transactional = true) => {
      const records = encodeRecordBatch({
        records: [{ key, value }],
        producerId: pid.producerId,
        producerEpoch: pid.producerEpoch,
        baseSequence: seq,
        isTransactional: transactional,
      });
      return c.request(API.Produce, 9, {
        transactionalId: 'cl-tx',
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'compacted.tx', partitionData: [{ index: 0, records }] }],
      });
    };
    const step = async (key: string, value: string, seq: number, end: boolean | null) => {
      await addPartitions(c, 'cl-tx', pid, 'compacted.tx', [0]);
      await keyed(key, value, seq);
      await new Promise((res) => setTimeout(res, 5));
      if (end !== null) assert.equal(await endTxn(c, 'cl-tx', pid, end), 0);
      await new Promise((res) => setTimeout(res, 5));
    };
    await step('k', 'committed', 0, true);
    await step('k', 'aborted', 1, false);
    await step('j', 'j-committed', 2, true);
    await step('j', 'j-open', 3, null);
    // Roll past everything so all of it is in closed segments.
    const p = broker.broker.topic('compacted.tx')!.partitions[0]!;
    p.log.roll();
    await broker.broker.cleanCompactedLogs();
    const f = await fetch(c, 'compacted.tx', 0, 0, 1);
    assert.deepEqual(committedValues(f), ['committed', 'j-committed']);
    const all = await fetch(c, 'compacted.tx', 0, 0, 0);
    assert.ok(!all.records.some((x) => x.value === 'aborted'), 'the aborted record is gone');
    assert.ok(
      all.records.some((x) => x.value === 'j-open'),
      'the open transaction is untouched',
    );
    assert.equal(await endTxn(c, 'cl-tx', pid, true), 0);
    assert.deepEqual(committedValues(await fetch(c, 'compacted.tx', 0, 0, 1)), ['committed', 'j-committed', 'j-open']);
  });

  test("zombies and misuse get Kafka's error codes", async () => {
    await createTopic(c, 'errs', 2);
    assert.equal((await initPid(c, 'e-tx', 900_001)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await initPid(c, 'e-tx', 0)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await initPid(c, '')).errorCode, E.INVALID_REQUEST);
    const old = await initPid(c, 'e-tx');
    assert.equal(await endTxn(c, 'e-tx', old, true), E.INVALID_TXN_STATE, 'nothing to end');
    assert.equal(
      await endTxn(c, 'e-tx', { producerId: old.producerId + 1000, producerEpoch: 0 }, true),
      E.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal(await endTxn(c, 'nobody', old, true), E.INVALID_PRODUCER_ID_MAPPING);
    assert.deepEqual(await addPartitions(c, 'e-tx', old, 'errs', [0]), [0]);
    // Data for a partition not in the transaction is refused.
    assert.equal((await produceTxn(c, 'e-tx', old, 'errs', 1, ['x'], 0)).errorCode, E.INVALID_TXN_STATE);
    assert.equal((await produceTxn(c, 'e-tx', old, 'errs', 0, ['x'], 0)).errorCode, 0);
    assert.deepEqual(await addPartitions(c, 'e-tx', old, 'nope', [0]), [E.UNKNOWN_TOPIC_OR_PARTITION]);

    const next = await initPid(c, 'e-tx');
    assert.deepEqual([next.producerId, next.producerEpoch > old.producerEpoch], [old.producerId, true]);
    assert.equal((await produceTxn(c, 'e-tx', old, 'errs', 0, ['zombie'], 1)).errorCode, E.INVALID_PRODUCER_EPOCH);
    assert.equal(await endTxn(c, 'e-tx', old, true), E.PRODUCER_FENCED);
    assert.equal(await endTxn(c, 'e-tx', old, true, 1), E.INVALID_PRODUCER_EPOCH, 'old clients get the old code');
    assert.deepEqual(await addPartitions(c, 'e-tx', old, 'errs', [0]), [E.PRODUCER_FENCED]);
    assert.deepEqual(await addPartitions(c, 'e-tx', old, 'errs', [0], 1), [E.INVALID_PRODUCER_EPOCH]);
    // KIP-360: InitProducerId naming another producer id is a zombie's.
    assert.equal(
      (await initPid(c, 'e-tx', 60_000, 4, { producerId: old.producerId + 7, producerEpoch: 0 })).errorCode,
      E.PRODUCER_FENCED,
    );
    assert.equal(
      (await initPid(c, 'e-tx', 60_000, 3, { producerId: old.producerId + 7, producerEpoch: 0 })).errorCode,
      E.INVALID_PRODUCER_EPOCH,
    );
    // ... naming the current one bumps the epoch.
    const bumped = await initPid(c, 'e-tx', 60_000, 4, next);
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [0, next.producerEpoch + 1]);
    // The zombie's open transaction was aborted: nothing of it is committed.
    const f = await fetch(c, 'errs', 0, 0, 1);
    assert.deepEqual(committedValues(f), []);
    assert.equal(f.lastStableOffset, f.highWatermark);
  });

  test('transaction.timeout.ms aborts an abandoned transaction and fences its producer', async () => {
    await createTopic(c, 'abandoned');
    const pid = await initPid(c, 'gone', 300);
    await addPartitions(c, 'gone', pid, 'abandoned', [0]);
    await produceTxn(c, 'gone', pid, 'abandoned', 0, ['lost'], 0);
    assert.equal(await latestOffset(c, 'abandoned', 0, 1), 0);
    const deadline = Date.now() + 5000;
    while (broker.broker.transactions.describe('gone').transactionState !== 'CompleteAbort' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const d = broker.broker.transactions.describe('gone');
    assert.equal(d.transactionState, 'CompleteAbort');
    assert.equal(d.producerEpoch, pid.producerEpoch + 1);
    assert.equal(await latestOffset(c, 'abandoned', 0, 1), 2, 'the abort marker moved the LSO past the data');
    assert.equal(await endTxn(c, 'gone', pid, true), E.PRODUCER_FENCED);
    assert.deepEqual(committedValues(await fetch(c, 'abandoned', 0, 0, 1)), []);
  });
});

describe('transactions across restarts', () => {
  test('open and aborted transactions survive a restart, from the shutdown checkpoint or the log alone', async () => {
    const dir = tempDir();
    let b = await startTestBroker({}, dir);
    let c = await WireClient.open(b.port);
    await createTopic(c, 'r');
    const gone = await initPid(c, 'r-gone');
    await addPartitions(c, 'r-gone', gone, 'r', [0]);
    await produceTxn(c, 'r-gone', gone, 'r', 0, ['x0'], 0);
    assert.equal(await endTxn(c, 'r-gone', gone, false), 0);
    const pid = await initPid(c, 'r-tx');
    await addPartitions(c, 'r-tx', pid, 'r', [0]);
    await produceTxn(c, 'r-tx', pid, 'r', 0, ['r0', 'r1'], 0);
    c.close();
    await b.close();
    const checkpoint = join(dir, 'r-0', 'transactions.checkpoint');
    assert.ok(existsSync(checkpoint), 'a clean shutdown leaves a checkpoint');
    const saved = readFileSync(checkpoint);

    const expectState = async (broker: TestBroker) => {
      const w = await WireClient.open(broker.port);
      try {
        assert.equal(broker.broker.transactions.describe('r-tx').transactionState, 'Ongoing');
        assert.equal(await latestOffset(w, 'r', 0, 1), 2, 'the open transaction still holds the LSO');
        const f = await fetch(w, 'r', 0, 0, 1);
        assert.deepEqual(f.abortedTransactions, [{ producerId: gone.producerId, firstOffset: 0 }]);
        assert.deepEqual(committedValues(f), []);
      } finally {
        w.close();
      }
    };
    b = await startTestBroker({}, dir);
    await expectState(b);
    assert.ok(!existsSync(checkpoint), 'the checkpoint is used once');
    await b.close();
    // Without the checkpoint (a crash), the log alone gives the same state.
    rmSync(checkpoint);
    b = await startTestBroker({}, dir);
    await expectState(b);
    await b.close();
    // A checkpoint claiming more than the log holds is ignored.
    const bogus = JSON.parse(saved.toString());
    writeFileSync(checkpoint, JSON.stringify({ ...bogus, end: 999, ongoing: [] }));
    b = await startTestBroker({}, dir);
    await expectState(b);

    c = await WireClient.open(b.port);
    try {
      assert.equal(await endTxn(c, 'r-tx', pid, true), 0);
      assert.deepEqual(committedValues(await fetch(c, 'r', 0, 0, 1)), ['r0', 'r1']);
    } finally {
      c.close();
      await b.destroy();
    }
  });

  test('a commit prepared before a crash is finished on start: markers written, offsets visible', async () => {
    const dir = tempDir();
    let b = await startTestBroker({}, dir);
    let c = await WireClient.open(b.port);
    await createTopic(c, 'p');
    await createTopic(c, 'p.in');
    const pid = await initPid(c, 'p-tx');
    await addPartitions(c, 'p-tx', pid, 'p', [0]);
    await produceTxn(c, 'p-tx', pid, 'p', 0, ['p0'], 0);
    assert.equal(
      (await c.request(API.AddOffsetsToTxn, 3, { transactionalId: 'p-tx', ...pid, groupId: 'pg' })).errorCode,
      0,
    );
    const toc = await c.request(API.TxnOffsetCommit, 3, {
      transactionalId: 'p-tx',
      groupId: 'pg',
      ...pid,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'p.in',
          partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'm' }],
        },
      ],
    });
    assert.equal(toc.topics[0].partitions[0].errorCode, 0);
    c.close();
    await b.close();

    // What a crash between storing PrepareCommit and writing the markers leaves behind.
    const { log, states } = TxnLog.open({ dataDir: dir, fs: nodeFs, log: () => {} });
    const meta = states.get('p-tx')!;
    assert.equal(meta.pendingOffsets.size, 1, 'the pending offset was stored with the transaction');
    log.write([{ kind: 'state', meta: { ...meta, status: TxnStatus.PrepareCommit } }]);
    log.close();

    b = await startTestBroker({}, dir);
    c = await WireClient.open(b.port);
    try {
      assert.equal(b.broker.transactions.describe('p-tx').transactionState, 'CompleteCommit');
      assert.deepEqual(committedValues(await fetch(c, 'p', 0, 0, 1)), ['p0']);
      assert.equal(b.broker.groups.committed('pg', 'p.in', 0)?.offset, 42);
    } finally {
      c.close();
      await b.destroy();
    }
  });

  test('ListTransactions, DescribeTransactions and DescribeProducers; WriteTxnMarkers aborts a transaction the coordinator lost', async () => {
    const dir = tempDir();
    let b = await startTestBroker({}, dir);
    let c = await WireClient.open(b.port);
    await createTopic(c, 'h', 2);
    const pid = await initPid(c, 'h-tx', 45_000);
    const other = await initPid(c, 'h-other');
    await addPartitions(c, 'h-tx', pid, 'h', [0, 1]);
    await produceTxn(c, 'h-tx', pid, 'h', 1, ['h0', 'h1'], 0);

    const listed = await c.request(API.ListTransactions, 1, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1,
    });
    assert.deepEqual(listed.transactionStates, [
      { transactionalId: 'h-other', producerId: other.producerId, transactionState: 'Empty' },
      { transactionalId: 'h-tx', producerId: pid.producerId, transactionState: 'Ongoing' },
    ]);
    const ongoing = await c.request(API.ListTransactions, 0, {
      stateFilters: ['Ongoing', 'Bogus'],
      producerIdFilters: [],
    });
    assert.deepEqual(ongoing.unknownStateFilters, ['Bogus']);
    assert.deepEqual(
      ongoing.transactionStates.map((t: { transactionalId: string }) => t.transactionalId),
      ['h-tx'],
    );
    const byPid = await c.request(API.ListTransactions, 0, { stateFilters: [], producerIdFilters: [other.producerId] });
    assert.deepEqual(
      byPid.transactionStates.map((t: { transactionalId: string }) => t.transactionalId),
      ['h-other'],
    );
    // Kafka's duration filter: the open transaction is younger than an hour; an id with no
    // transaction (start time -1) passes any filter.
    const longRunning = await c.request(API.ListTransactions, 1, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: 3_600_000,
    });
    assert.deepEqual(
      longRunning.transactionStates.map((t: { transactionalId: string }) => t.transactionalId),
      ['h-other'],
    );

    const described = await c.request(API.DescribeTransactions, 0, { transactionalIds: ['h-tx', 'nope'] });
    const [d, missing] = described.transactionStates;
    assert.deepEqual(
      [d.errorCode, d.transactionState, d.transactionTimeoutMs, d.producerId, d.producerEpoch, d.topics],
      [0, 'Ongoing', 45_000, pid.producerId, pid.producerEpoch, [{ topic: 'h', partitions: [0, 1] }]],
    );
    assert.ok(d.transactionStartTimeMs > Date.now() - 60_000 && d.transactionStartTimeMs <= Date.now());
    assert.equal(missing.errorCode, E.TRANSACTIONAL_ID_NOT_FOUND);

    const producers = await c.request(API.DescribeProducers, 0, {
      topics: [{ name: 'h', partitionIndexes: [1, 0, 9] }],
    });
    const [p1, p0, p9] = producers.topics[0].partitions;
    assert.equal(p1.activeProducers.length, 1);
    const ap = p1.activeProducers[0];
    assert.deepEqual(
      [ap.producerId, ap.producerEpoch, ap.lastSequence, ap.currentTxnStartOffset],
      [pid.producerId, pid.producerEpoch, 1, 0],
    );
    assert.deepEqual(p0.activeProducers, []);
    assert.equal(p9.errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
    c.close();
    await b.close();

    // The coordinator's state is lost: the partition's transaction now hangs.
    rmSync(join(dir, '__transaction_state-state'), { recursive: true, force: true });
    b = await startTestBroker({}, dir);
    c = await WireClient.open(b.port);
    try {
      assert.equal(
        (await c.request(API.DescribeTransactions, 0, { transactionalIds: ['h-tx'] })).transactionStates[0].errorCode,
        E.TRANSACTIONAL_ID_NOT_FOUND,
      );
      assert.equal(await latestOffset(c, 'h', 1, 1), 0, 'the hanging transaction holds the LSO back');
      const stale = await c.request(27, 1, {
        markers: [
          {
            producerId: pid.producerId,
            producerEpoch: pid.producerEpoch - 1,
            transactionResult: false,
            topics: [{ name: 'h', partitionIndexes: [1] }],
            coordinatorEpoch: 0,
          },
        ],
      });
      assert.equal(stale.markers[0].topics[0].partitions[0].errorCode, E.INVALID_PRODUCER_EPOCH);
      const abort = await c.request(27, 1, {
        markers: [
          {
            producerId: pid.producerId,
            producerEpoch: pid.producerEpoch,
            transactionResult: false,
            topics: [{ name: 'h', partitionIndexes: [1] }],
            coordinatorEpoch: 0,
          },
        ],
      });
      assert.equal(abort.markers[0].topics[0].partitions[0].errorCode, 0);
      assert.equal(await latestOffset(c, 'h', 1, 1), 3);
      assert.deepEqual(committedValues(await fetch(c, 'h', 1, 0, 1)), []);
    } finally {
      c.close();
      await b.destroy();
    }
  });
});
