import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProducerStateTable } from '../../../src/broker/producer-state.js';
import { FrameReader, FrameSizeError } from '../../../src/protocol/frame-reader.js';

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

describe('frame reader', () => {
  test('splits frames across arbitrary chunk boundaries', () => {
    const stream = Buffer.concat([frame(Buffer.from('hello')), frame(Buffer.alloc(0)), frame(Buffer.from('world!'))]);
    for (const step of [1, 2, 3, 7, stream.length]) {
      const r = new FrameReader(100);
      const got: string[] = [];
      for (let i = 0; i < stream.length; i += step)
        got.push(...r.push(stream.subarray(i, i + step)).map((f) => f.toString()));
      assert.deepEqual(got, ['hello', '', 'world!'], `step ${step}`);
    }
  });

  test('rejects a negative or oversized size before buffering', () => {
    assert.throws(() => new FrameReader(100).push(frame(Buffer.alloc(101))), FrameSizeError);
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-1, 0);
    assert.throws(() => new FrameReader(100).push(neg), FrameSizeError);
  });
});

describe('producer state', () => {
  test('append, duplicate, gap, epoch rules', () => {
    const t = new ProducerStateTable();
    assert.deepEqual(t.check(7, 0, 0, 4), { kind: 'append' });
    t.record(7, 0, { firstSeq: 0, lastSeq: 4, firstOffset: 10, lastOffset: 14, maxTimestamp: 1 });
    assert.equal(t.check(7, 0, 0, 4).kind, 'duplicate');
    assert.equal(t.check(7, 0, 5, 9).kind, 'append');
    const gap = t.check(7, 0, 6, 9);
    assert.equal(gap.kind === 'error' && gap.error, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    t.record(7, 1, { firstSeq: 0, lastSeq: 0, firstOffset: 20, lastOffset: 20, maxTimestamp: 1 });
    const fenced = t.check(7, 0, 1, 1);
    assert.equal(fenced.kind === 'error' && fenced.error, 'INVALID_PRODUCER_EPOCH');
    const badNewEpoch = t.check(7, 2, 3, 3);
    assert.equal(badNewEpoch.kind === 'error' && badNewEpoch.error, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  test('keeps only the last five batches and wraps sequences at Int32 max', () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 7; i++)
      t.record(1, 0, { firstSeq: i, lastSeq: i, firstOffset: i, lastOffset: i, maxTimestamp: 0 });
    assert.equal(t.check(1, 0, 0, 0).kind, 'error');
    assert.equal(t.check(1, 0, 2, 2).kind, 'duplicate');
    t.record(2, 0, { firstSeq: 0x7ffffffe, lastSeq: 0x7fffffff, firstOffset: 0, lastOffset: 1, maxTimestamp: 0 });
    assert.equal(t.check(2, 0, 0, 3).kind, 'append');
  });
});
