// LZ4 (Kafka codec id 3): the LZ4 frame format around LZ4 blocks.
//
// Frame: magic 0x184D2204 (LE), FLG, BD, [content size u64], [dict id u32],
// header checksum byte = (xxh32(FLG..last descriptor byte, 0) >> 8) & 0xFF,
// then blocks [u32 LE size, high bit = stored uncompressed][data][xxh32 if
// block checksums], an end mark (size 0) and an optional xxh32 content
// checksum. Skippable frames (magic 0x184D2A50..5F) and concatenated frames
// are accepted, as is the legacy format (magic 0x184C2102).
//
// Block: sequences of [token: literal length << 4 | (match length - 4)]
// [literal length extension bytes][literals][u16 LE offset][match length
// extension bytes]; the last sequence has literals only.

import { CodecError, OutputBuffer, outputLimit } from './errors.js';
import { xxh32 } from './xxhash.js';

const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const LEGACY_BLOCK_SIZE = 8 * 1024 * 1024;

const MIN_MATCH = 4;
const LAST_LITERALS = 5; // the last 5 bytes of a block are always literals
const MF_LIMIT = 12; // a match cannot start in the last 12 bytes of a block
const HASH_LOG = 14;
const BLOCK_SIZE = 64 * 1024;

function fail(msg: string): never {
  throw new CodecError(`lz4: ${msg}`);
}

function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

// ---------------------------------------------------------------------------
// Block decoding
// ---------------------------------------------------------------------------

/**
 * Decode the LZ4 block `src[start, end)` into `dst` at `op`, where matches may
 * reach back to `windowStart`. At most `maxLen` bytes are produced. Returns
 * the new output position.
 */
export function lz4DecodeBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  op: number,
  windowStart: number,
  maxLen: number,
): number {
  let ip = start;
  const opLimit = op + maxLen;
  if (start === end) fail(`empty block at byte ${start}`);
  for (;;) {
    const token = src[ip++];
    // Literals.
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= end) fail(`truncated literal length at byte ${ip}`);
        b = src[ip++];
        litLen += b;
      } while (b === 255);
    }
    if (litLen > 0) {
      if (ip + litLen > end) fail(`literals run past the end of the block at byte ${ip}`);
      if (op + litLen > opLimit) fail(`block output exceeds ${maxLen} bytes (block maximum size or output limit)`);
      if (litLen < 48) {
        for (let i = 0; i < litLen; i++) dst[op + i] = src[ip + i];
      } else {
        dst.set(src.subarray(ip, ip + litLen), op);
      }
      ip += litLen;
      op += litLen;
    }
    if (ip === end) return op; // last sequence: literals only
    // Match.
    if (ip + 2 > end) fail(`truncated match offset at byte ${ip}`);
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op - windowStart) fail(`match offset ${offset} out of range at byte ${ip - 2}`);
    let matchLen = token & 15;
    if (matchLen === 15) {
      let b: number;
      do {
        if (ip >= end) fail(`truncated match length at byte ${ip}`);
        b = src[ip++];
        matchLen += b;
      } while (b === 255);
    }
    matchLen += MIN_MATCH;
    if (op + matchLen > opLimit) fail(`block output exceeds ${maxLen} bytes (block maximum size or output limit)`);
    let from = op - offset;
    if (offset >= matchLen && matchLen > 48) {
      dst.copyWithin(op, from, from + matchLen);
      op += matchLen;
    } else {
      const stop = op + matchLen;
      while (op < stop) dst[op++] = dst[from++];
    }
  }
}

// ---------------------------------------------------------------------------
// Frame decoding
// ---------------------------------------------------------------------------

const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/**
 * Decompress one or more concatenated LZ4 frames (plus skippable and legacy
 * frames). Accepts the header checksum as Kafka < 0.10 computed it (over the
 * magic too) as well as the correct one.
 */
export function lz4Decompress(src: Uint8Array, maxOutputBytes?: number): Buffer {
  const max = outputLimit(maxOutputBytes);
  if (src.length === 0) fail('empty input');
  const out = new OutputBuffer('lz4', max, Math.min(src.length * 4 + 1024, 4 * 1024 * 1024));
  let p = 0;
  while (p < src.length) {
    if (p + 4 > src.length) fail(`truncated frame magic at byte ${p}`);
    const magic = u32le(src, p);
    if (magic === FRAME_MAGIC) {
      p = decodeFrame(src, p, out);
    } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (p + 8 > src.length) fail(`truncated skippable frame at byte ${p}`);
      const size = u32le(src, p + 4);
      if (p + 8 + size > src.length) fail(`skippable frame at byte ${p} runs past the end of the input`);
      p += 8 + size;
    } else if (magic === LEGACY_MAGIC) {
      p = decodeLegacyFrame(src, p, out);
    } else {
      fail(`bad frame magic 0x${magic.toString(16)} at byte ${p}`);
    }
  }
  return out.result();
}

function decodeFrame(src: Uint8Array, frameStart: number, out: OutputBuffer): number {
  let p = frameStart + 4;
  if (p + 3 > src.length) fail('truncated frame header');
  const flg = src[p];
  const bd = src[p + 1];
  if (flg >>> 6 !== 1) fail(`unsupported frame version ${flg >>> 6}`);
  if (flg & 0x02) fail('reserved FLG bit set');
  if (bd & 0x8f) fail(`reserved BD bits set (0x${bd.toString(16)})`);
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
  if (blockMax === 0) fail(`invalid block maximum size code ${(bd >>> 4) & 7}`);
  const descEnd = p + 2 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
  if (descEnd + 1 > src.length) fail('truncated frame header');
  const hc = src[descEnd];
  if (hc !== ((xxh32(src, 0, p, descEnd) >>> 8) & 0xff) && hc !== ((xxh32(src, 0, frameStart, descEnd) >>> 8) & 0xff)) {
    fail(`frame header checksum mismatch at byte ${frameStart}`);
  }
  let contentSize = -1;
  if (hasContentSize) {
    const lo = u32le(src, p + 2);
    const hi = u32le(src, p + 6);
    contentSize = hi * 0x100000000 + lo;
  }
  if (hasDictId) fail('frames that need a dictionary are not supported');
  p = descEnd + 1;
  const frameOut = out.len;
  // Pre-size from the header, bounded by what the input can expand to (255x).
  if (contentSize > out.room()) fail(`frame content size ${contentSize} exceeds the output limit`);
  if (contentSize >= 0) out.ensure(Math.min(contentSize, (src.length - p) * 255 + 1024));
  for (;;) {
    if (p + 4 > src.length) fail(`truncated block header at byte ${p}`);
    const word = u32le(src, p);
    p += 4;
    if (word === 0) break; // end mark
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail(`block of ${size} bytes exceeds the frame's maximum ${blockMax} at byte ${p - 4}`);
    const dataEnd = p + size;
    if (dataEnd + (blockChecksum ? 4 : 0) > src.length) fail(`block at byte ${p - 4} runs past the end of the input`);
    if (blockChecksum) {
      const want = u32le(src, dataEnd);
      if (xxh32(src, 0, p, dataEnd) !== want) fail(`block checksum mismatch at byte ${p - 4}`);
    }
    if (stored) {
      const dst = out.ensure(size);
      dst.set(src.subarray(p, dataEnd), out.len);
      out.len += size;
    } else {
      const room = out.ensureUpTo(blockMax);
      const windowStart = independent ? out.len : frameOut;
      out.len = lz4DecodeBlock(src, p, dataEnd, out.buf, out.len, windowStart, room);
    }
    p = dataEnd + (blockChecksum ? 4 : 0);
  }
  const produced = out.len - frameOut;
  if (contentSize >= 0 && produced !== contentSize) {
    fail(`frame decoded to ${produced} bytes but its header announced ${contentSize}`);
  }
  if (contentChecksum) {
    if (p + 4 > src.length) fail('truncated content checksum');
    const want = u32le(src, p);
    if (xxh32(out.buf, 0, frameOut, out.len) !== want) fail('content checksum mismatch');
    p += 4;
  }
  return p;
}

function decodeLegacyFrame(src: Uint8Array, frameStart: number, out: OutputBuffer): number {
  let p = frameStart + 4;
  while (p < src.length) {
    if (p + 4 > src.length) fail(`truncated legacy block header at byte ${p}`);
    const size = u32le(src, p);
    // A new frame (of any kind) ends the legacy frame.
    if (size === LEGACY_MAGIC || size === FRAME_MAGIC || (size & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) break;
    p += 4;
    if (p + size > src.length) fail(`legacy block at byte ${p - 4} runs past the end of the input`);
    // A block expands at most 255x; legacy blocks decode to at most 8 MB.
    const room = out.ensureUpTo(Math.min(LEGACY_BLOCK_SIZE, size * 255 + 16));
    out.len = lz4DecodeBlock(src, p, p + size, out.buf, out.len, out.len, room);
    p += size;
  }
  return p;
}

// ---------------------------------------------------------------------------
// Block encoding
// ---------------------------------------------------------------------------

/** Largest LZ4 block `n` input bytes can produce. */
export function lz4MaxCompressedLength(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

const hashTable = new Int32Array(1 << HASH_LOG);

function writeLength(dst: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    dst[op++] = 255;
    n -= 255;
  }
  dst[op++] = n;
  return op;
}

/**
 * Compress `src[start, end)` as one independent LZ4 block into `dst` at `op`.
 * Returns the new output position.
 */
export function lz4EncodeBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, op: number): number {
  const table = hashTable;
  table.fill(-1);
  const shift = 32 - HASH_LOG;
  let anchor = start;
  let ip = start;
  const matchLimit = end - LAST_LITERALS; // matches must end before this
  const searchLimit = end - MF_LIMIT; // matches must start at or before this
  let skip = 64;
  while (ip <= searchLimit) {
    const seq = src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24);
    const h = Math.imul(seq, -1640531535) >>> shift;
    const cand = table[h];
    table[h] = ip;
    if (
      cand < 0 ||
      ip - cand > 0xffff ||
      (src[cand] | (src[cand + 1] << 8) | (src[cand + 2] << 16) | (src[cand + 3] << 24)) !== seq
    ) {
      ip += skip++ >>> 6;
      continue;
    }
    skip = 64;
    let mStart = ip;
    let mCand = cand;
    // Extend backwards over pending literals.
    while (mStart > anchor && mCand > start && src[mStart - 1] === src[mCand - 1]) {
      mStart--;
      mCand--;
    }
    let mEnd = ip + MIN_MATCH;
    let c = cand + MIN_MATCH;
    while (mEnd < matchLimit && src[mEnd] === src[c]) {
      mEnd++;
      c++;
    }
    // Emit the sequence.
    const litLen = mStart - anchor;
    const mlCode = mEnd - mStart - MIN_MATCH;
    const tokenPos = op++;
    let token = (litLen >= 15 ? 15 : litLen) << 4;
    if (litLen >= 15) op = writeLength(dst, op, litLen - 15);
    if (litLen < 16) {
      for (let i = 0; i < litLen; i++) dst[op + i] = src[anchor + i];
    } else {
      dst.set(src.subarray(anchor, mStart), op);
    }
    op += litLen;
    const offset = mStart - mCand;
    dst[op++] = offset & 0xff;
    dst[op++] = offset >>> 8;
    token |= mlCode >= 15 ? 15 : mlCode;
    if (mlCode >= 15) op = writeLength(dst, op, mlCode - 15);
    dst[tokenPos] = token;
    ip = mEnd;
    anchor = ip;
    if (ip - 2 >= start && ip <= searchLimit) {
      const p2 = ip - 2;
      table[
        Math.imul(src[p2] | (src[p2 + 1] << 8) | (src[p2 + 2] << 16) | (src[p2 + 3] << 24), -1640531535) >>> shift
      ] = p2;
    }
  }
  // Last literals.
  const litLen = end - anchor;
  if (litLen >= 15) {
    dst[op++] = 15 << 4;
    op = writeLength(dst, op, litLen - 15);
  } else {
    dst[op++] = litLen << 4;
  }
  dst.set(src.subarray(anchor, end), op);
  return op + litLen;
}

// ---------------------------------------------------------------------------
// Frame encoding
// ---------------------------------------------------------------------------

/**
 * Compress as one LZ4 frame with independent 64 KB blocks, no checksums
 * (FLG 0x60, BD 0x40: what Kafka's Java producer writes). Blocks that do
 * not shrink are stored uncompressed.
 */
export function lz4Compress(src: Uint8Array): Buffer {
  const blocks = Math.ceil(src.length / BLOCK_SIZE);
  const dst = Buffer.allocUnsafe(7 + 4 + blocks * 4 + lz4MaxCompressedLength(src.length) + blocks * 16);
  dst.writeUInt32LE(FRAME_MAGIC, 0);
  dst[4] = 0x60; // version 01, independent blocks
  dst[5] = 0x40; // 64 KB blocks
  dst[6] = (xxh32(dst, 0, 4, 6) >>> 8) & 0xff;
  let op = 7;
  for (let p = 0; p < src.length; p += BLOCK_SIZE) {
    const end = Math.min(src.length, p + BLOCK_SIZE);
    const n = end - p;
    const sizePos = op;
    op += 4;
    const blockEnd = lz4EncodeBlock(src, p, end, dst, op);
    const size = blockEnd - op;
    if (size >= n) {
      dst.set(src.subarray(p, end), op);
      dst.writeUInt32LE((n | 0x80000000) >>> 0, sizePos);
      op += n;
    } else {
      dst.writeUInt32LE(size, sizePos);
      op = blockEnd;
    }
  }
  dst.writeUInt32LE(0, op); // end mark
  return dst.subarray(0, op + 4);
}
