import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReusedBuffers } from '../../src/protocol/reused-buffers.js';

test('a buffer given back after its response was written serves the next read', () => {
  const pool = new ReusedBuffers();
  const a = pool.take(100_000);
  assert.equal(a.length, 100_000);
  // A response carries views of the read (whole batches below the high watermark).
  pool.giveBack([Buffer.from('header'), a.subarray(0, 600)]);
  const b = pool.take(50_000);
  assert.equal(b.length, 50_000);
  assert.ok(b.buffer === a.buffer, 'the same memory');
});

test('a buffer goes back once, however many views of it a response had', () => {
  const pool = new ReusedBuffers();
  const a = pool.take(20000);
  pool.giveBack([a.subarray(0, 50), a.subarray(50)]);
  pool.giveBack([a]);
  const b = pool.take(20000);
  const c = pool.take(20000);
  assert.ok(b.buffer === a.buffer, 'the same memory');
  assert.ok(c.buffer !== a.buffer, 'given back once');
});

test('small reads, reads larger than the pool keeps, and buffers it did not hand out are never reused', () => {
  const small = new ReusedBuffers();
  const s = small.take(100);
  small.giveBack([s]);
  assert.ok(small.take(20000).buffer !== s.buffer, 'a small read is not pooled');

  const pool = new ReusedBuffers();
  const foreign = Buffer.allocUnsafeSlow(20000);
  const big = pool.take(8 << 20);
  assert.equal(big.length, 8 << 20);
  pool.giveBack([foreign, big]);
  const next = pool.take(20000);
  assert.ok(next.buffer !== foreign.buffer && next.buffer !== big.buffer, 'neither was taken back');
});
