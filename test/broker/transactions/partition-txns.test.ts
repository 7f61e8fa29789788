// A partition's transaction bookkeeping on its own: the LSO, and which aborted
// transactions a read_committed fetch of a range must list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartitionTxns, type BatchFacts } from '../../../src/broker/transactions/partition-txns.js';

const data = (producerId: number, count = 1): BatchFacts => ({
  baseOffset: 0,
  lastOffsetDelta: count - 1,
  producerId,
  producerEpoch: 0,
  baseSequence: 0,
  maxTimestamp: 1,
  isTransactional: true,
  isControl: false,
});
const marker = (producerId: number): BatchFacts => ({ ...data(producerId), baseSequence: -1, isControl: true });

describe('partition transactions', () => {
  test('the LSO is the first offset of the oldest open transaction', () => {
    const t = new PartitionTxns();
    assert.equal(t.lastStableOffset(10), 10);
    t.onBatch(data(1, 3), 10);
    t.onBatch(data(2), 13);
    t.onBatch(data(1), 14);
    assert.equal(t.lastStableOffset(15), 10);
    t.onBatch(marker(1), 15, 'commit');
    assert.equal(t.lastStableOffset(16), 13);
    t.onBatch(marker(2), 16, 'abort');
    assert.equal(t.lastStableOffset(17), 17);
    assert.deepEqual(t.abortedBetween(0, 17), [{ producerId: 2, firstOffset: 13 }]);
    assert.deepEqual(t.abortedBetween(17, 20), []);
    assert.deepEqual(t.abortedBetween(0, 13), [], 'a range ending before the transaction began');
  });

  test('aborted lookups match a plain scan over many interleaved transactions', () => {
    const t = new PartitionTxns();
    const all: Array<{ producerId: number; firstOffset: number; lastOffset: number }> = [];
    let offset = 0;
    const open = new Map<number, number>();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const pid = rnd(8);
      if (open.has(pid) && rnd(3) === 0) {
        const abort = rnd(2) === 0;
        t.onBatch(marker(pid), offset, abort ? 'abort' : 'commit');
        if (abort) all.push({ producerId: pid, firstOffset: open.get(pid)!, lastOffset: offset });
        open.delete(pid);
      } else {
        t.onBatch(data(pid, 2), offset);
        if (!open.has(pid)) open.set(pid, offset);
        offset += 1;
      }
      offset += 1;
    }
    for (let k = 0; k < 300; k++) {
      const from = rnd(offset);
      const to = from + rnd(200);
      const expected = all
        .filter((a) => a.lastOffset >= from && a.firstOffset < to)
        .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      assert.deepEqual(t.abortedBetween(from, to), expected, `range ${from}..${to}`);
    }
  });
});
