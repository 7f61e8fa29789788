// zstd: frames written by the reference zstd CLI (test/fixtures/codecs, see
// manifest.json for the commands and what each one covers), hand-built frames for
// the cases the CLI rarely emits, and our own encoder's output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CodecError } from '../../src/codecs/errors.js';
import { zstdCompress, zstdDecompress, zstdFrameContentSize } from '../../src/codecs/zstd.js';
import { FIXTURE_INPUTS, kafkaLikeRecords, mixedBinary, randomBytes, recordsText } from './data.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'codecs');

interface Fixture {
  file: string;
  input: string;
  codec: string;
  command: string;
  covers: string;
}
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { fixtures: Fixture[] };
const fixtures = manifest.fixtures.filter((f) => f.codec === 'zstd');
const load = (f: Fixture): Buffer => readFileSync(join(FIXTURES, f.file));
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function expectCodecError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  });
}

describe('zstd decompression of reference encoder output', () => {
  for (const f of fixtures) {
    test(`${f.command} (${f.covers})`, () => {
      const out = zstdDecompress(load(f));
      const want = FIXTURE_INPUTS[f.input]();
      assert.equal(out.length, want.length);
      assert.ok(out.equals(want));
    });
  }

  test('concatenated frames decode to the concatenated content', () => {
    const parts = ['records.l3.zst', 'small.l3.zst', 'empty.l3.zst', 'records30k.stdin.zst', 'random.l3.zst'];
    const data = Buffer.concat(parts.map((p) => readFileSync(join(FIXTURES, p))));
    const want = Buffer.concat([
      FIXTURE_INPUTS.records(),
      FIXTURE_INPUTS.small(),
      Buffer.alloc(0),
      FIXTURE_INPUTS.records30k(),
      FIXTURE_INPUTS.random(),
    ]);
    assert.ok(zstdDecompress(data).equals(want));
  });

  test('skippable frames are ignored', () => {
    const skippable = (magicLow: number, payload: Buffer): Buffer => {
      const h = Buffer.alloc(8);
      h.writeUInt32LE(0x184d2a50 + magicLow, 0);
      h.writeUInt32LE(payload.length, 4);
      return Buffer.concat([h, payload]);
    };
    const frame = readFileSync(join(FIXTURES, 'small.l3.zst'));
    const data = Buffer.concat([
      skippable(0, Buffer.from('meta')),
      frame,
      skippable(15, Buffer.alloc(0)),
      frame,
      skippable(7, randomBytes(100)),
    ]);
    const small = FIXTURE_INPUTS.small();
    assert.ok(zstdDecompress(data).equals(Buffer.concat([small, small])));
    expectCodecError(() => zstdDecompress(skippable(1, Buffer.from('meta')).subarray(0, 10)), /skippable/);
  });

  test('the content checksum is verified', () => {
    const data = Buffer.from(readFileSync(join(FIXTURES, 'records30k.l1.zst')));
    data[data.length - 1] ^= 0x40;
    expectCodecError(() => zstdDecompress(data), /checksum/);
  });

  test('content size in the header must match', () => {
    // raw block "hello" with a 1-byte content size of 6
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2006 290000 68656c6c6f')), /announced 6/);
    assert.equal(zstdDecompress(hex('28b52ffd 2005 290000 68656c6c6f')).toString(), 'hello');
  });

  test('frameContentSize reads the header', () => {
    assert.equal(zstdFrameContentSize(readFileSync(join(FIXTURES, 'records.l3.zst'))), 150_000);
    assert.equal(zstdFrameContentSize(readFileSync(join(FIXTURES, 'records30k.stdin.zst'))), -1);
    assert.equal(zstdFrameContentSize(Buffer.from('nope')), -1);
  });
});

describe('zstd hand-built frames (the zstd 1.5.4 CLI decodes or rejects each one the same way)', () => {
  test('RLE literals, no sequences', () => {
    assert.equal(zstdDecompress(hex('28b52ffd 2005 1d0000 296100')).toString(), 'aaaaa');
  });

  test('RLE literals with RLE-mode literal length, offset and match length tables', () => {
    // literals "aaaa" (RLE), one sequence: LL 4 (code 4), offset 1 (code 2), ML 10 (code 7)
    assert.equal(zstdDecompress(hex('28b52ffd 200e 450000 2161 01 54 04 02 07 04')).toString(), 'a'.repeat(14));
  });

  test('8-byte content size field', () => {
    assert.equal(zstdDecompress(hex('28b52ffd e0 0500000000000000 290000 68656c6c6f')).toString(), 'hello');
  });

  test('window descriptor and a 4-byte dictionary id of 0', () => {
    // FHD 0x03: no content size, not single segment, dictionary id field of 4 bytes
    assert.equal(zstdDecompress(hex('28b52ffd 03 00 00000000 290000 68656c6c6f')).toString(), 'hello');
  });

  test('frames that need a dictionary are rejected clearly', () => {
    expectCodecError(() => zstdDecompress(hex('28b52ffd 01 00 07 290000 68656c6c6f')), /dictionar/);
  });

  test('treeless literals without a previous Huffman table are rejected', () => {
    // literals type 3 (treeless), 1 stream, regen 5, compressed size 1
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2005 2d0000 534000 80 00')), /treeless/);
  });

  test('repeat-mode tables without previous tables are rejected', () => {
    // raw literal "a", 1 sequence with all three tables in repeat mode
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2005 2d0000 0861 01 fc 01')), /repeat mode/);
  });

  test('reserved bits and block types are rejected', () => {
    expectCodecError(() => zstdDecompress(hex('28b52ffd 28 05 290000 68656c6c6f')), /reserved/);
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2005 2f0000 68656c6c6f')), /reserved block type/);
  });

  test('bad magic and truncated headers are rejected', () => {
    expectCodecError(() => zstdDecompress(Buffer.alloc(0)), /empty/);
    expectCodecError(() => zstdDecompress(hex('28b52ffe 2005 290000 68656c6c6f')), /magic/);
    expectCodecError(() => zstdDecompress(hex('28b52f')), /truncated/);
    expectCodecError(() => zstdDecompress(hex('28b52ffd')), /truncated/);
    expectCodecError(() => zstdDecompress(hex('28b52ffd e0 0500')), /truncated/);
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2005 2900')), /truncated/);
    expectCodecError(() => zstdDecompress(hex('28b52ffd 2005 290000 68656c')), /past the end/);
  });

  test('a content size above the output limit is rejected before decoding', () => {
    expectCodecError(() => zstdDecompress(hex('28b52ffd e0 0000000000010000 290000 68656c6c6f')), /limit/);
  });
});

describe('zstd compression', () => {
  const zstdCli = spawnSync('zstd', ['--version']).status === 0;
  const inputs: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['1 byte', Buffer.from('x')],
    ['small text', recordsText(1000)],
    ['kafka-like 1 MB', kafkaLikeRecords(1 << 20)],
    ['mixed binary', mixedBinary(200_000)],
    ['random', randomBytes(200_000, 8)],
    ['runs', Buffer.concat([Buffer.alloc(300_000, 1), recordsText(1000), Buffer.alloc(1000, 2)])],
    [
      '9 MB (window descriptor instead of single segment)',
      Buffer.concat(Array.from({ length: 9 }, (_, i) => recordsText(1 << 20, i + 1))),
    ],
  ];

  for (const [label, input] of inputs) {
    test(`${label}: valid frame with the content size, readable by us${zstdCli ? ' and the zstd CLI' : ''}`, () => {
      const packed = zstdCompress(input);
      assert.equal(zstdFrameContentSize(packed), input.length);
      assert.ok(zstdDecompress(packed).equals(input));
      if (zstdCli) {
        const r = spawnSync('zstd', ['-d', '-c', '-q'], { input: packed, maxBuffer: 64 << 20 });
        assert.equal(r.status, 0, r.stderr.toString());
        assert.ok(r.stdout.equals(input), 'zstd CLI decoded different bytes');
      }
    });
  }

  test('compresses Kafka-like records (compressed blocks, not just raw)', () => {
    const input = kafkaLikeRecords(1 << 20);
    const packed = zstdCompress(input);
    assert.ok(packed.length < input.length / 3, `ratio ${(input.length / packed.length).toFixed(2)}`);
  });
});
