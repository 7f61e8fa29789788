import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadBuffers } from '../../../src/broker/storage/read-buffers.js';

test('a buffer given back after its response was written serves the next read', () => {
  const pool = new ReadBuffers();
  const a = pool.take(1000);
  assert.equal(a.length, 1000);
  // A response carries views of the read (whole batches below the high watermark).
  pool.giveBack([Buffer.from('header'), a.subarray(0, 600)]);
  const b = pool.take(5000);
  assert.equal(b.length, 5000);
  assert.equal(b.buffer, a.buffer);
});

test('a buffer goes back once, however many views of it a response had', () => {
  const pool = new ReadBuffers();
  const a = pool.take(100);
  pool.giveBack([a.subarray(0, 50), a.subarray(50)]);
  pool.giveBack([a]);
  const b = pool.take(100);
  const c = pool.take(100);
  assert.equal(b.buffer, a.buffer);
  assert.notEqual(c.buffer, a.buffer);
});

test('buffers the pool did not hand out, and reads larger than it keeps, are never reused', () => {
  const pool = new ReadBuffers();
  const foreign = Buffer.allocUnsafeSlow(2048);
  const big = pool.take(8 << 20);
  assert.equal(big.length, 8 << 20);
  pool.giveBack([foreign, big]);
  const next = pool.take(2048);
  assert.notEqual(next.buffer, foreign.buffer);
  assert.notEqual(next.buffer, big.buffer);
});
