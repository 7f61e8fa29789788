// The transaction coordinator on its own, with a manual clock: timeouts, retried
// completions, expiry of idle ids, epoch exhaustion and a torn transaction log.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../../src/broker/groups/clock.js';
import { nodeFs } from '../../../src/broker/storage/fs-interface.js';
import { TransactionCoordinator } from '../../../src/broker/transactions/coordinator.js';
import { coordinatorPartition } from '../../../src/broker/coordinator.js';
import { MAX_EPOCH, TxnStatus, type PendingOffset } from '../../../src/broker/transactions/state.js';
import { TxnLog, TXN_STATE_DIR } from '../../../src/broker/transactions/txn-log.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(
  opts: {
    dir?: string;
    clock?: ManualClock;
    config?: Record<string, number>;
    firstPid?: number;
    compactEvery?: boolean;
  } = {},
) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ktool-txn-'));
  if (!opts.dir) dirs.push(dir);
  const clock = opts.clock ?? new ManualClock();
  const config: Record<string, number> = {
    'transaction.max.timeout.ms': 900_000,
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000,
    'transactional.id.expiration.ms': 604_800_000,
    'offsets.topic.num.partitions': 50,
    ...opts.config,
  };
  const markers: Array<{
    topic: string;
    partition: number;
    producerId: number;
    producerEpoch: number;
    commit: boolean;
  }> = [];
  const applied: Array<{ group: string; offsets: PendingOffset[] }> = [];
  const logs: string[] = [];
  let nextPid = opts.firstPid ?? 100;
  let failMarkers = 0;
  const coordinator = new TransactionCoordinator({
    dataDir: dir,
    fs: nodeFs,
    clock,
    config: {
      int: (n) => {
        if (!(n in config)) throw new Error(`unknown config ${n}`);
        return config[n]!;
      },
    },
    log: (l) => logs.push(l),
    nextProducerId: () => nextPid++,
    partitionExists: (t, p) => t === 't' && p >= 0 && p < 3,
    writeMarker: (topic, partition, producerId, producerEpoch, commit) => {
      if (failMarkers > 0) {
        failMarkers--;
        throw new Error('disk on fire');
      }
      markers.push({ topic, partition, producerId, producerEpoch, commit });
    },
    applyOffsets: (group, offsets) => {
      applied.push({ group, offsets });
    },
    validateGroupCommit: () => E.NONE,
    store: opts.compactEvery ? { compactMinBytes: 1, compactRatio: 1 } : undefined,
  });
  coordinator.open();
  after(() => coordinator.close());
  return {
    dir,
    clock,
    coordinator,
    markers,
    applied,
    logs,
    failMarkersNext: (n: number) => {
      failMarkers = n;
    },
  };
}

describe('transaction coordinator', () => {
  test('a transaction open past its timeout is aborted by the periodic pass, with the epoch bumped', () => {
    const s = setup();
    const pid = s.coordinator.initProducerId('slow', 5000, null);
    assert.deepEqual(pid, { errorCode: 0, producerId: 100, producerEpoch: 0 });
    s.coordinator.addPartitions('slow', 100, 0, [{ topic: 't', partitions: [0, 2] }]);
    s.clock.advance(5000);
    assert.equal(s.coordinator.state('slow')!.status, TxnStatus.Ongoing, 'not beyond the timeout yet');
    s.clock.advance(1000);
    const meta = s.coordinator.state('slow')!;
    assert.equal(meta.status, TxnStatus.CompleteAbort);
    assert.equal(meta.producerEpoch, 1);
    assert.deepEqual(s.markers, [
      { topic: 't', partition: 0, producerId: 100, producerEpoch: 1, commit: false },
      { topic: 't', partition: 2, producerId: 100, producerEpoch: 1, commit: false },
    ]);
    assert.equal(s.coordinator.endTxn('slow', 100, 0, true), E.PRODUCER_FENCED);
  });

  test('a completion whose markers fail is retried by the periodic pass; offsets apply only on commit', () => {
    const s = setup();
    s.coordinator.initProducerId('r', 60_000, null);
    s.coordinator.addPartitions('r', 100, 0, [{ topic: 't', partitions: [1] }]);
    assert.equal(s.coordinator.addOffsets('r', 100, 0, 'g'), 0);
    assert.deepEqual(
      s.coordinator.state('r')!.partitions.get('__consumer_offsets'),
      new Set([coordinatorPartition('g', 50)]),
    );
    const toc = s.coordinator.txnOffsetCommit({
      transactionalId: 'r',
      groupId: 'g',
      producerId: 100,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }],
        },
      ],
    });
    assert.equal(toc[0]!.partitions[0]!.errorCode, 0);
    assert.equal(s.coordinator.hasPendingOffsets('g', 't', 0), true);
    s.failMarkersNext(1);
    assert.equal(s.coordinator.endTxn('r', 100, 0, true), 0, 'the commit is prepared, so it will happen');
    assert.equal(s.coordinator.state('r')!.status, TxnStatus.PrepareCommit);
    assert.deepEqual(s.applied, []);
    assert.equal(s.coordinator.initProducerId('r', 60_000, null).errorCode, E.CONCURRENT_TRANSACTIONS);
    s.clock.advance(1000);
    assert.equal(s.coordinator.state('r')!.status, TxnStatus.CompleteCommit);
    assert.deepEqual(
      s.markers.map((m) => [m.topic, m.partition, m.commit]),
      [['t', 1, true]],
    );
    assert.deepEqual(
      s.applied.map((a) => [a.group, a.offsets.map((o) => [o.topic, o.partition, o.offset])]),
      [['g', [['t', 0, 7]]]],
    );
    assert.equal(s.coordinator.hasPendingOffsets('g', 't', 0), false);
  });

  test('state survives a reopen; idle ids expire after transactional.id.expiration.ms', () => {
    const clock = new ManualClock();
    const first = setup({ clock, config: { 'transactional.id.expiration.ms': 60_000 } });
    first.coordinator.initProducerId('idle', 60_000, null);
    first.coordinator.initProducerId('busy', 60_000, null);
    first.coordinator.addPartitions('busy', 101, 0, [{ topic: 't', partitions: [0] }]);
    first.coordinator.close();
    const second = setup({
      dir: first.dir,
      clock,
      config: { 'transactional.id.expiration.ms': 60_000, 'transaction.max.timeout.ms': 900_000 },
    });
    assert.equal(second.coordinator.state('busy')!.status, TxnStatus.Ongoing);
    assert.equal(second.coordinator.state('idle')!.producerId, 100);
    // 'busy' times out after 60 s; 'idle' expires after 60 s idle; 'busy' (now CompleteAbort) later too.
    clock.advance(61_000);
    assert.equal(second.coordinator.state('idle'), undefined);
    assert.equal(second.coordinator.state('busy')!.status, TxnStatus.CompleteAbort);
    second.coordinator.close();
    const third = setup({ dir: first.dir, clock });
    assert.equal(third.coordinator.state('idle'), undefined, 'the expiry was stored as a tombstone');
    assert.equal(third.coordinator.state('busy')!.status, TxnStatus.CompleteAbort);
  });

  test('an exhausted epoch rotates to a new producer id', () => {
    const s = setup();
    s.coordinator.initProducerId('old', 60_000, null);
    s.coordinator.close();
    const { log, states } = TxnLog.open({ dataDir: s.dir, fs: nodeFs, log: () => {} });
    log.write([{ kind: 'state', meta: { ...states.get('old')!, producerEpoch: MAX_EPOCH } }]);
    log.close();
    const again = setup({ dir: s.dir, firstPid: 500 });
    const r = again.coordinator.initProducerId('old', 60_000, null);
    assert.deepEqual([r.errorCode, r.producerId, r.producerEpoch], [0, 500, 0]);
  });

  test('a torn frame at the end of the transaction log is cut off; the frames before it hold', () => {
    const s = setup();
    s.coordinator.initProducerId('a', 60_000, null);
    s.coordinator.initProducerId('b', 60_000, null);
    s.coordinator.close();
    appendFileSync(join(s.dir, TXN_STATE_DIR, 'transactions.log'), Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    const again = setup({ dir: s.dir });
    assert.deepEqual([again.coordinator.state('a')?.producerId, again.coordinator.state('b')?.producerId], [100, 101]);
    assert.ok(
      again.logs.some((l) => /dropping 7 bytes/.test(l)),
      again.logs.join('\n'),
    );
    assert.equal(again.coordinator.initProducerId('c', 60_000, null).errorCode, 0);
  });

  test('a compacted transaction log holds the latest state of every id, pending offsets included', () => {
    const s = setup({ compactEvery: true });
    for (let i = 0; i < 5; i++) s.coordinator.initProducerId('busy', 60_000, null);
    s.coordinator.addPartitions('busy', 100, 4, [{ topic: 't', partitions: [0] }]);
    s.coordinator.addOffsets('busy', 100, 4, 'g');
    s.coordinator.txnOffsetCommit({
      transactionalId: 'busy',
      groupId: 'g',
      producerId: 100,
      producerEpoch: 4,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 2, committedOffset: 11, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
    });
    s.coordinator.initProducerId('other', 60_000, null);
    s.coordinator.close();
    const again = setup({ dir: s.dir });
    const busy = again.coordinator.state('busy')!;
    assert.deepEqual([busy.producerEpoch, busy.status, busy.pendingOffsets.size], [4, TxnStatus.Ongoing, 1]);
    assert.equal(again.coordinator.state('other')!.producerId, 101);
    // The group is known again through its offsets partition, so more offsets may follow.
    const toc = again.coordinator.txnOffsetCommit({
      transactionalId: 'busy',
      groupId: 'g',
      producerId: 100,
      producerEpoch: 4,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 1, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
    });
    assert.equal(toc[0]!.partitions[0]!.errorCode, 0);
    assert.equal(again.coordinator.endTxn('busy', 100, 4, true), 0);
    assert.deepEqual(
      again.applied.map((a) => a.offsets.map((o) => [o.partition, o.offset]).sort()),
      [
        [
          [1, 3],
          [2, 11],
        ],
      ],
    );
  });
});
