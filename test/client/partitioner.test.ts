import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2, partitionForKey } from '../../src/client/partitioner.js';

test('murmur2 matches the Java client for known keys', () => {
  // Values the Java client's Utils.murmur2 returns for these inputs.
  const cases: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [s, expected] of cases) assert.equal(murmur2(Buffer.from(s)), expected, s);
});

test('keys map to stable partitions', () => {
  assert.equal(partitionForKey(Buffer.from('foobar'), 3), (-790332482 & 0x7fffffff) % 3);
});
