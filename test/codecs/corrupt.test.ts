// Robustness: malformed, truncated and hostile inputs must make every decompressor
// throw CodecError quickly (never hang, never throw anything else, never allocate
// past the output limit).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CodecError, compress, decompress, type CompressionCodec } from '../../src/codecs/index.js';
import { xxh32 } from '../../src/codecs/xxhash.js';
import { mixedBinary, prng, recordsText } from './data.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'codecs');

function seeds(): Array<[CompressionCodec, Buffer]> {
  const out: Array<[CompressionCodec, Buffer]> = [];
  for (const codec of [1, 2, 3, 4] as CompressionCodec[]) {
    out.push([codec, compress(codec, recordsText(3000))]);
    out.push([codec, compress(codec, mixedBinary(3000))]);
  }
  for (const f of [
    'small.l3.zst',
    'records30k.l1.zst',
    'nibbles.l3.zst',
    'letters.l3.zst',
    'twoLetters.wlog12.zst',
    'binary.l19.zst',
  ]) {
    out.push([4, readFileSync(join(FIXTURES, f))]);
  }
  for (const f of ['records30k.size-bx.lz4', 'records30k.legacy.lz4']) out.push([3, readFileSync(join(FIXTURES, f))]);
  return out;
}

/** Decompress, requiring success or a CodecError, within a time bound. */
function attempt(codec: CompressionCodec, data: Buffer, label: string): 'ok' | 'error' {
  const start = process.hrtime.bigint();
  try {
    decompress(codec, data, 16 * 1024 * 1024);
    return 'ok';
  } catch (e) {
    assert.ok(
      e instanceof CodecError,
      `${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`,
    );
    return 'error';
  } finally {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 2000, `${label} took ${ms} ms`);
  }
}

describe('corrupt input', () => {
  test('random mutations of valid streams', () => {
    const r = prng(2024);
    const all = seeds();
    let errors = 0;
    for (let i = 0; i < 6000; i++) {
      const [codec, base] = all[r() % all.length];
      const b = Buffer.from(base);
      let data: Buffer;
      switch (r() % 4) {
        case 0:
          data = b.subarray(0, r() % (b.length + 1));
          break;
        case 1:
          for (let k = 1 + (r() % 4); k > 0; k--) b[r() % b.length] ^= 1 << (r() % 8);
          data = b;
          break;
        case 2:
          for (let k = 1 + (r() % 4); k > 0; k--) b[r() % b.length] = r() & 0xff;
          data = b;
          break;
        default: {
          const p = r() % b.length;
          data = Buffer.concat([b.subarray(0, p), Buffer.from([r() & 0xff, r() & 0xff]), b.subarray(p)]);
        }
      }
      if (attempt(codec, data, `codec ${codec} mutation ${i}`) === 'error') errors++;
    }
    assert.ok(errors > 4000, `only ${errors} of 6000 mutations were detected`);
  });

  test('garbage after each magic number', () => {
    const r = prng(99);
    const prefixes: Array<[CompressionCodec, number[]]> = [
      [1, [0x1f, 0x8b, 0x08, 0x00]],
      [2, [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]],
      [2, []],
      [3, [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]],
      [3, [0x02, 0x21, 0x4c, 0x18]],
      [4, [0x28, 0xb5, 0x2f, 0xfd, 0x20]],
      [4, [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]],
    ];
    for (let i = 0; i < 3000; i++) {
      const [codec, prefix] = prefixes[i % prefixes.length];
      const tail = Buffer.alloc(r() % 300);
      for (let k = 0; k < tail.length; k++) tail[k] = r() & 0xff;
      attempt(codec, Buffer.concat([Buffer.from(prefix), tail]), `codec ${codec} garbage ${i}`);
    }
  });

  test('every truncation of small valid streams is rejected', () => {
    for (const codec of [1, 2, 3, 4] as CompressionCodec[]) {
      const packed = compress(codec, recordsText(2000, 4));
      for (let n = 0; n < packed.length; n++) {
        // A xerial stream has no end mark: its bare 16-byte header is a valid empty stream.
        if (codec === 2 && n === 16) continue;
        assert.equal(
          attempt(codec, packed.subarray(0, n), `codec ${codec} cut at ${n}`),
          'error',
          `codec ${codec} accepted ${n} of ${packed.length} bytes`,
        );
      }
    }
  });
});

describe('hostile sizes', () => {
  const LIMIT = 1 << 20;
  const expectLimit = (codec: CompressionCodec, data: Buffer) =>
    assert.throws(
      () => decompress(codec, data, LIMIT),
      (e: unknown) => e instanceof CodecError && /limit|impossible|exceed/.test((e as Error).message),
    );

  test('snappy: huge announced lengths', () => {
    expectLimit(2, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]));
    expectLimit(2, Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x01]), Buffer.alloc(10)]));
  });

  test('lz4: huge content size and block expansion', () => {
    const huge = compress(3, Buffer.from('x'));
    // rebuild the header with a content size of 2^40
    const desc = Buffer.from([0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0]);
    const hdr = Buffer.concat([huge.subarray(0, 4), desc, Buffer.from([(xxh32(desc) >>> 8) & 0xff])]);
    expectLimit(3, Buffer.concat([hdr, huge.subarray(7)]));
    // A long run expands 255x per byte: 4 MB from a small frame, over a 1 MB limit.
    expectLimit(3, compress(3, Buffer.alloc(4 << 20, 1)));
  });

  test('zstd: huge content size and RLE block bombs', () => {
    expectLimit(4, Buffer.from('28b52ffde00000000000010000290000', 'hex'));
    // 100 RLE blocks of 128 KiB each = 12.5 MiB from ~400 bytes, no content size.
    const blocks: number[] = [];
    for (let i = 0; i < 100; i++) {
      const h = (i === 99 ? 1 : 0) | (1 << 1) | ((128 * 1024) << 3);
      blocks.push(h & 0xff, (h >>> 8) & 0xff, h >>> 16, 0x41);
    }
    const bomb = Buffer.concat([Buffer.from('28b52ffd0000', 'hex'), Buffer.from(blocks)]);
    expectLimit(4, bomb);
    assert.equal(decompress(4, bomb).length, 100 * 128 * 1024);
  });

  test('gzip: bombs stop at the limit', () => {
    expectLimit(1, compress(1, Buffer.alloc(8 << 20)));
  });
});
