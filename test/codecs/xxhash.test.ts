import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { xxh32, xxh64, xxh64Parts } from '../../src/codecs/xxhash.js';
import { randomBytes } from './data.js';

describe('xxHash', () => {
  test('xxh32 known vectors', () => {
    assert.equal(xxh32(new Uint8Array(0)), 0x02cc5d05);
    assert.equal(xxh32(Buffer.from('a')), 0x550d7456);
    assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
    assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });

  test('xxh64 known vectors', () => {
    assert.equal(xxh64(new Uint8Array(0)), 0xef46db3751d8e999n);
    assert.equal(xxh64(Buffer.from('a')), 0xd24ec4f1a98c6e5bn);
    assert.equal(xxh64(Buffer.from('abc')), 0x44bc2cf5ad770999n);
    assert.equal(xxh64(Buffer.from('Nobody inspects the spammish repetition')), 0xfbcea83c8a378bf1n);
  });

  test('ranges hash like copies, across all tail lengths', () => {
    const data = randomBytes(300, 42);
    for (let start = 0; start < 40; start += 7) {
      for (let end = start; end <= data.length; end += 13) {
        const copy = Uint8Array.from(data.subarray(start, end));
        assert.equal(xxh32(data, 0, start, end), xxh32(copy));
        assert.equal(xxh64(data, 0n, start, end), xxh64(copy));
      }
    }
  });

  test('xxh64Parts splits the 64-bit value', () => {
    const data = randomBytes(1000, 3);
    const [h, l] = xxh64Parts(data);
    assert.equal((BigInt(h) << 32n) | BigInt(l), xxh64(data));
  });

  test('the seed changes the result', () => {
    // (The content checksums the lz4 and zstd tools wrote into the fixtures are
    // verified with these functions when those fixtures decode.)
    const d = Buffer.from('kafka');
    assert.notEqual(xxh32(d, 1), xxh32(d, 0));
    assert.notEqual(xxh64(d, 1n), xxh64(d, 0n));
  });
});
