// LZ4 frames: output of the reference lz4 CLI (test/fixtures/codecs), frames
// shaped like Kafka's, hand-built edge cases and our encoder's output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CodecError } from '../../src/codecs/errors.js';
import { lz4Compress, lz4Decompress } from '../../src/codecs/lz4.js';
import { xxh32 } from '../../src/codecs/xxhash.js';
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
const fixtures = manifest.fixtures.filter((f) => f.codec === 'lz4');

function expectCodecError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  });
}

/** Build a frame around raw block payloads: [data, stored?] pairs. */
function frame(
  flg: number,
  bd: number,
  blocks: Array<[Buffer, boolean]>,
  opts: { contentSize?: number; content?: Buffer } = {},
): Buffer {
  const desc = [flg, bd];
  if (flg & 0x08) {
    const cs = Buffer.alloc(8);
    cs.writeUInt32LE(opts.contentSize! >>> 0, 0);
    desc.push(...cs);
  }
  if (flg & 0x01) desc.push(1, 2, 3, 4); // dictionary id
  const d = Buffer.from(desc);
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), d, Buffer.from([(xxh32(d) >>> 8) & 0xff])];
  for (const [data, stored] of blocks) {
    const h = Buffer.alloc(4);
    h.writeUInt32LE((data.length | (stored ? 0x80000000 : 0)) >>> 0, 0);
    parts.push(h, data);
    if (flg & 0x10) {
      const c = Buffer.alloc(4);
      c.writeUInt32LE(xxh32(data), 0);
      parts.push(c);
    }
  }
  parts.push(Buffer.alloc(4));
  if (flg & 0x04) {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(xxh32(opts.content!), 0);
    parts.push(c);
  }
  return Buffer.concat(parts);
}

describe('lz4 decompression of reference encoder output', () => {
  for (const f of fixtures) {
    test(`${f.command} (${f.covers})`, () => {
      const out = lz4Decompress(readFileSync(join(FIXTURES, f.file)));
      const want = FIXTURE_INPUTS[f.input]();
      assert.equal(out.length, want.length);
      assert.ok(out.equals(want));
    });
  }

  test('concatenated and skippable frames', () => {
    const a = readFileSync(join(FIXTURES, 'records30k.default.lz4'));
    const b = readFileSync(join(FIXTURES, 'binary.bx.lz4'));
    const skip = Buffer.alloc(12);
    skip.writeUInt32LE(0x184d2a5f, 0);
    skip.writeUInt32LE(4, 4);
    const out = lz4Decompress(Buffer.concat([a, skip, b, a]));
    const ra = FIXTURE_INPUTS.records30k();
    assert.ok(out.equals(Buffer.concat([ra, FIXTURE_INPUTS.binary(), ra])));
  });

  test('corrupted checksums are detected', () => {
    const bx = Buffer.from(readFileSync(join(FIXTURES, 'records30k.size-bx.lz4')));
    const flipped = Buffer.from(bx);
    flipped[30] ^= 1; // inside the first block
    expectCodecError(() => lz4Decompress(flipped), /checksum/);
    const content = Buffer.from(readFileSync(join(FIXTURES, 'records30k.default.lz4')));
    content[content.length - 2] ^= 1;
    expectCodecError(() => lz4Decompress(content), /content checksum/);
    const header = Buffer.from(bx);
    header[6] ^= 1; // inside the content size, covered by the header checksum
    expectCodecError(() => lz4Decompress(header), /header checksum/);
  });
});

describe('lz4 frame features', () => {
  const text = Buffer.from('hello hello hello hello hello!');

  test('uncompressed blocks, content size, block and content checksums', () => {
    assert.equal(lz4Decompress(frame(0x60, 0x40, [[text, true]])).toString(), text.toString());
    const f = frame(
      0x60 | 0x08 | 0x10 | 0x04,
      0x70,
      [
        [text, true],
        [text, true],
      ],
      { contentSize: 60, content: Buffer.concat([text, text]) },
    );
    assert.equal(lz4Decompress(f).toString(), text.toString() + text.toString());
    const wrongSize = frame(0x68, 0x40, [[text, true]], { contentSize: 31 });
    expectCodecError(() => lz4Decompress(wrongSize), /announced 31/);
  });

  test('linked blocks may reference the previous block; independent ones may not', () => {
    // block 1: literals "abcdefgh" (token 0x80); block 2: match offset 8, length 8 then 5 literals
    const b1 = Buffer.from([0x80, ...Buffer.from('abcdefgh')]);
    const b2 = Buffer.from([0x04, 0x08, 0x00, 0x50, ...Buffer.from('12345')]);
    assert.equal(
      lz4Decompress(
        frame(0x40, 0x40, [
          [b1, false],
          [b2, false],
        ]),
      ).toString(),
      'abcdefghabcdefgh12345',
    );
    expectCodecError(
      () =>
        lz4Decompress(
          frame(0x60, 0x40, [
            [b1, false],
            [b2, false],
          ]),
        ),
      /offset 8 out of range/,
    );
  });

  test("Kafka's pre-0.10 header checksum (over the magic too) is accepted", () => {
    const good = lz4Compress(text);
    const bad = Buffer.from(good);
    bad[6] = (xxh32(bad, 0, 0, 6) >>> 8) & 0xff;
    assert.notEqual(bad[6], good[6]);
    assert.equal(lz4Decompress(bad).toString(), text.toString());
  });

  test('what lz4Compress writes: FLG 0x60, BD 0x40, 64 KB independent blocks, end mark', () => {
    const input = recordsText(200_000);
    const out = lz4Compress(input);
    assert.equal(out.readUInt32LE(0), 0x184d2204);
    assert.equal(out[4], 0x60);
    assert.equal(out[5], 0x40);
    assert.equal(out[6], (xxh32(out, 0, 4, 6) >>> 8) & 0xff);
    let p = 7;
    let blocks = 0;
    for (;;) {
      const w = out.readUInt32LE(p);
      p += 4;
      if (w === 0) break;
      assert.ok((w & 0x7fffffff) <= 65536);
      p += w & 0x7fffffff;
      blocks++;
    }
    assert.equal(p, out.length);
    assert.equal(blocks, Math.ceil(input.length / 65536));
  });

  test('incompressible blocks are stored uncompressed', () => {
    const input = randomBytes(100_000, 77);
    const out = lz4Compress(input);
    assert.ok((out.readUInt32LE(7) & 0x80000000) !== 0);
    assert.equal(out.length, 7 + 4 + 65536 + 4 + (100_000 - 65536) + 4);
  });

  test('malformed frames are rejected', () => {
    expectCodecError(() => lz4Decompress(Buffer.alloc(0)), /empty/);
    expectCodecError(() => lz4Decompress(Buffer.from('not lz4 at all')), /magic/);
    expectCodecError(() => lz4Decompress(frame(0xa0, 0x40, [])), /version/);
    expectCodecError(() => lz4Decompress(frame(0x62, 0x40, [])), /reserved/);
    expectCodecError(() => lz4Decompress(frame(0x60, 0x30, [])), /block maximum size/);
    expectCodecError(() => lz4Decompress(frame(0x61, 0x40, [])), /dictionary/);
    expectCodecError(
      () => lz4Decompress(frame(0x60, 0x40, [[Buffer.alloc(65537), true]])),
      /exceeds the frame's maximum/,
    );
    expectCodecError(() => lz4Decompress(frame(0x60, 0x40, [[text, true]]).subarray(0, 20)), /past the end|truncated/);
    expectCodecError(
      () => lz4Decompress(frame(0x60, 0x40, [[Buffer.from([0xf0]), false]])),
      /truncated literal length/,
    );
    expectCodecError(
      () => lz4Decompress(frame(0x60, 0x40, [[Buffer.from([0x10, 0x61, 0x00, 0x00]), false]])),
      /offset 0/,
    );
  });
});

describe('lz4 compression', () => {
  const cli = spawnSync('lz4', ['--version']).status === 0;
  for (const [label, input] of [
    ['empty', Buffer.alloc(0)],
    ['kafka-like 1 MB', kafkaLikeRecords(1 << 20)],
    ['mixed binary', mixedBinary(200_000)],
    ['random', randomBytes(150_000, 3)],
  ] as Array<[string, Buffer]>) {
    test(`${label}: readable by us${cli ? ' and the lz4 CLI' : ''}`, () => {
      const packed = lz4Compress(input);
      assert.ok(lz4Decompress(packed).equals(input));
      if (cli) {
        const r = spawnSync('lz4', ['-d', '-c', '-q'], { input: packed, maxBuffer: 64 << 20 });
        assert.equal(r.status, 0, r.stderr.toString());
        assert.ok(r.stdout.equals(input));
      }
    });
  }
});
