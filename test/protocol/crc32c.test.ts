import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c } from '../../src/protocol/crc32c.js';

/** Bit-at-a-time reference, independent of the table code. */
function referenceCrc(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('crc32c: standard check value of "123456789"', () => {
  assert.equal(crc32c(Buffer.from('123456789', 'ascii')), 0xe3069283);
});

test('crc32c: RFC 3720 (iSCSI) test vectors', () => {
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
});

test('crc32c: empty input is 0', () => {
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('crc32c: matches a bitwise reference for every length 0..300 and a large buffer', () => {
  const data = randomBytes(300);
  for (let n = 0; n <= 300; n++) assert.equal(crc32c(data, 0, n), referenceCrc(data.subarray(0, n)), `length ${n}`);
  const big = randomBytes(100_003);
  assert.equal(crc32c(big), referenceCrc(big));
});

test('crc32c: sub-ranges and incremental computation', () => {
  const data = randomBytes(1000);
  assert.equal(crc32c(data, 17, 555), referenceCrc(data.subarray(17, 555)));
  for (const split of [0, 1, 15, 16, 17, 500, 999, 1000]) {
    const first = crc32c(data, 0, split);
    assert.equal(crc32c(data, split, data.length, first), crc32c(data), `split ${split}`);
  }
});

test('crc32c: works on a plain Uint8Array', () => {
  const u = new Uint8Array(Buffer.from('123456789', 'ascii'));
  assert.equal(crc32c(u), 0xe3069283);
});
