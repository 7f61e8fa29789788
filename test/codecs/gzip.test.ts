import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CodecError } from '../../src/codecs/errors.js';
import { gzipCompress, gzipCompressAsync, gzipDecompress, gzipDecompressAsync } from '../../src/codecs/gzip.js';
import { recordsText } from './data.js';

describe('gzip', () => {
  test('concatenated gzip members decode to the concatenation', () => {
    const a = recordsText(10_000, 1);
    const b = recordsText(20_000, 2);
    const data = Buffer.concat([gzipSync(a), gzipSync(b, { level: 9 }), gzipSync(Buffer.alloc(0))]);
    assert.ok(gzipDecompress(data).equals(Buffer.concat([a, b])));
  });

  test('async variants', async () => {
    const a = recordsText(50_000);
    const packed = await gzipCompressAsync(a);
    assert.ok((await gzipDecompressAsync(packed)).equals(a));
    await assert.rejects(gzipDecompressAsync(packed.subarray(0, 100)), CodecError);
    await assert.rejects(gzipDecompressAsync(packed, 1000), /limit/);
  });

  test('corrupt, truncated and oversized input throws CodecError', () => {
    const packed = gzipCompress(recordsText(50_000));
    assert.throws(() => gzipDecompress(Buffer.alloc(0)), CodecError);
    assert.throws(() => gzipDecompress(Buffer.from('not gzip')), /gzip: incorrect header check/);
    assert.throws(() => gzipDecompress(packed.subarray(0, packed.length - 10)), /gzip: unexpected end of file/);
    const flipped = Buffer.from(packed);
    flipped[packed.length - 6] ^= 1; // the CRC-32 in the trailer
    assert.throws(() => gzipDecompress(flipped), CodecError);
    assert.throws(() => gzipDecompress(packed, 49_999), /exceeds the limit of 49999 bytes/);
  });
});
