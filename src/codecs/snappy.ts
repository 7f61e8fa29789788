// Snappy (Kafka codec id 2): the raw block format plus the xerial stream
// framing that Kafka's Java client writes (snappy-java's SnappyOutputStream).
//
// Raw block: uvarint uncompressed length, then elements whose tag byte's low
// two bits select literal (00), copy with 1-byte offset (01), 2-byte offset
// (10) or 4-byte offset (11).
//
// Xerial framing: magic 0x82 'SNAPPY' 0x00, int32 BE version, int32 BE
// minimum compatible version, then chunks of [int32 BE length][raw block].
//
// `snappyCompress` writes xerial framing (readable by the Java client, by
// librdkafka and by kafkajs); `snappyDecompress` accepts both forms.

import { CodecError, outputLimit } from './errors.js';

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_SIZE = 16;
/** Uncompressed bytes per xerial chunk (snappy-java's default block size). */
const XERIAL_CHUNK = 32 * 1024;
/** Snappy compresses in independent 64 KB fragments so offsets fit 16 bits. */
const FRAGMENT = 64 * 1024;
const HASH_LOG = 14;
const MIN_MATCH = 4;

function fail(msg: string): never {
  throw new CodecError(`snappy: ${msg}`);
}

// ---------------------------------------------------------------------------
// Raw block decoding
// ---------------------------------------------------------------------------

/** Read the uncompressed length preamble: [value, bytesUsed]. */
function readPreamble(src: Uint8Array, start: number, end: number): [number, number] {
  let result = 0;
  let shift = 0;
  let p = start;
  for (;;) {
    if (p >= end) fail('truncated length preamble');
    const b = src[p++];
    if (shift === 28 && b > 0x0f) fail('length preamble does not fit in 32 bits');
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return [result, p - start];
}

/** Uncompressed length stored in a raw snappy block. */
export function snappyUncompressedLength(src: Uint8Array): number {
  return readPreamble(src, 0, src.length)[0];
}

/**
 * Decode the raw block `src[start, end)` into `dst` at `dstPos`; `dst` must have
 * room for the announced length. Returns the announced (= written) length.
 */
function decodeBlockInto(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dstPos: number,
  expected: number,
): void {
  let ip = start;
  let op = dstPos;
  const opEnd = dstPos + expected;
  while (ip < end) {
    const tag = src[ip++];
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > end) fail(`truncated literal length at byte ${ip - 1}`);
        len = src[ip];
        if (extra > 1) len |= src[ip + 1] << 8;
        if (extra > 2) len |= src[ip + 2] << 16;
        if (extra > 3) len = (len | (src[ip + 3] << 24)) >>> 0;
        ip += extra;
      }
      len += 1;
      if (ip + len > end) fail(`literal of ${len} bytes runs past the end of the input at byte ${ip}`);
      if (op + len > opEnd) fail(`literal overflows the announced length ${expected}`);
      if (len < 48) {
        for (let i = 0; i < len; i++) dst[op + i] = src[ip + i];
      } else {
        dst.set(src.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (ip >= end) fail(`truncated copy at byte ${ip - 1}`);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++];
    } else if (type === 2) {
      if (ip + 2 > end) fail(`truncated copy at byte ${ip - 1}`);
      len = (tag >>> 2) + 1;
      offset = src[ip] | (src[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > end) fail(`truncated copy at byte ${ip - 1}`);
      len = (tag >>> 2) + 1;
      offset = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op - dstPos) fail(`copy offset ${offset} out of range at byte ${ip}`);
    if (op + len > opEnd) fail(`copy overflows the announced length ${expected}`);
    let from = op - offset;
    if (offset >= len && len > 48) {
      dst.copyWithin(op, from, from + len);
      op += len;
    } else {
      const stop = op + len;
      while (op < stop) dst[op++] = dst[from++];
    }
  }
  if (op !== opEnd) fail(`decoded ${op - dstPos} bytes but the block announced ${expected}`);
}

/** Decompress one raw snappy block (no framing). */
export function snappyDecompressRaw(src: Uint8Array, maxOutputBytes?: number): Buffer {
  const max = outputLimit(maxOutputBytes);
  const [len, used] = readPreamble(src, 0, src.length);
  checkLength(len, src.length - used, max);
  const out = Buffer.allocUnsafe(len);
  decodeBlockInto(src, used, src.length, out, 0, len);
  return out;
}

function checkLength(len: number, compressedBody: number, max: number): void {
  if (len > max) fail(`uncompressed length ${len} exceeds the limit of ${max} bytes`);
  // The densest element is a 3-byte copy of 64 bytes (a 2-byte copy yields at
  // most 11), so a block cannot expand more than ~22x.
  if (len > compressedBody * 22 + 64)
    fail(`uncompressed length ${len} is impossible for ${compressedBody} bytes of input`);
}

function isXerial(src: Uint8Array): boolean {
  if (src.length < XERIAL_MAGIC.length) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (src[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/**
 * Decompress Kafka snappy data: xerial-framed (Java client) or a raw block
 * (librdkafka), detected by the xerial magic.
 */
export function snappyDecompress(src: Uint8Array, maxOutputBytes?: number): Buffer {
  const max = outputLimit(maxOutputBytes);
  if (!isXerial(src)) {
    if (src.length === 0) fail('empty input');
    return snappyDecompressRaw(src, max);
  }
  if (src.length < XERIAL_HEADER_SIZE) fail('truncated xerial header');
  // Pass 1: validate chunk boundaries and sum the uncompressed lengths.
  const chunks: Array<[number, number, number, number]> = []; // start, end, bodyStart, len
  let total = 0;
  let p = XERIAL_HEADER_SIZE;
  while (p < src.length) {
    if (p + 4 > src.length) fail(`truncated xerial chunk header at byte ${p}`);
    const clen = ((src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]) >>> 0;
    const start = p + 4;
    const end = start + clen;
    if (end > src.length) fail(`xerial chunk of ${clen} bytes at byte ${p} runs past the end of the input`);
    if (clen === 0) fail(`empty xerial chunk at byte ${p}`);
    const [len, used] = readPreamble(src, start, end);
    checkLength(len, clen - used, max);
    total += len;
    if (total > max) fail(`decompressed size exceeds the limit of ${max} bytes`);
    chunks.push([start, end, start + used, len]);
    p = end;
  }
  const out = Buffer.allocUnsafe(total);
  let op = 0;
  for (const [, end, body, len] of chunks) {
    decodeBlockInto(src, body, end, out, op, len);
    op += len;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Raw block encoding
// ---------------------------------------------------------------------------

/** Largest raw block `n` input bytes can produce. */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function emitLiteral(dst: Uint8Array, op: number, src: Uint8Array, from: number, len: number): number {
  const n = len - 1;
  if (n < 60) {
    dst[op++] = n << 2;
  } else if (n < 0x100) {
    dst[op++] = 60 << 2;
    dst[op++] = n;
  } else if (n < 0x10000) {
    dst[op++] = 61 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = n >>> 8;
  } else if (n < 0x1000000) {
    dst[op++] = 62 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = (n >>> 8) & 0xff;
    dst[op++] = n >>> 16;
  } else {
    dst[op++] = 63 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = (n >>> 8) & 0xff;
    dst[op++] = (n >>> 16) & 0xff;
    dst[op++] = n >>> 24;
  }
  if (len < 16) {
    for (let i = 0; i < len; i++) dst[op + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + len), op);
  }
  return op + len;
}

function emitCopyUpTo64(dst: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    dst[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[op++] = offset & 0xff;
  } else {
    dst[op++] = 2 | ((len - 1) << 2);
    dst[op++] = offset & 0xff;
    dst[op++] = offset >>> 8;
  }
  return op;
}

function emitCopy(dst: Uint8Array, op: number, offset: number, len: number): number {
  // Keep every piece >= 4 bytes so the 1-byte-offset form stays usable.
  while (len >= 68) {
    op = emitCopyUpTo64(dst, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(dst, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(dst, op, offset, len);
}

const hashTable = new Int32Array(1 << HASH_LOG);

function load32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Compress `src[start, end)` (at most 64 KB) as elements into `dst` at `op`. */
function compressFragment(src: Uint8Array, start: number, end: number, dst: Uint8Array, op: number): number {
  const table = hashTable;
  table.fill(-1);
  const shift = 32 - HASH_LOG;
  let anchor = start;
  let ip = start;
  const limit = end - MIN_MATCH; // last position where a 4-byte read fits
  let skip = 32;
  while (ip <= limit) {
    const seq = load32(src, ip);
    const h = Math.imul(seq, 0x1e35a7bd) >>> shift;
    const cand = table[h];
    table[h] = ip;
    if (cand < 0 || load32(src, cand) !== seq) {
      ip += skip++ >>> 5; // accelerate through incompressible data
      continue;
    }
    skip = 32;
    // Extend the match forwards.
    let len = MIN_MATCH;
    while (ip + len < end && src[cand + len] === src[ip + len]) len++;
    if (ip > anchor) op = emitLiteral(dst, op, src, anchor, ip - anchor);
    op = emitCopy(dst, op, ip - cand, len);
    ip += len;
    anchor = ip;
    // Seed the table with the position just before the next search point.
    if (ip - 1 <= limit) table[Math.imul(load32(src, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1;
  }
  if (anchor < end) op = emitLiteral(dst, op, src, anchor, end - anchor);
  return op;
}

/** Compress into one raw snappy block (no framing). */
export function snappyCompressRaw(src: Uint8Array): Buffer {
  const dst = Buffer.allocUnsafe(snappyMaxCompressedLength(src.length));
  const op = compressRawInto(src, 0, src.length, dst, 0);
  return dst.subarray(0, op);
}

function compressRawInto(src: Uint8Array, start: number, end: number, dst: Uint8Array, op: number): number {
  // Preamble: uvarint uncompressed length.
  let n = end - start;
  while (n >= 0x80) {
    dst[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[op++] = n;
  for (let p = start; p < end; p += FRAGMENT) {
    op = compressFragment(src, p, Math.min(end, p + FRAGMENT), dst, op);
  }
  return op;
}

/** Compress with xerial framing (what Kafka's Java client writes). */
export function snappyCompress(src: Uint8Array): Buffer {
  const chunks = Math.max(1, Math.ceil(src.length / XERIAL_CHUNK));
  const dst = Buffer.allocUnsafe(XERIAL_HEADER_SIZE + chunks * 4 + snappyMaxCompressedLength(src.length) + chunks * 32);
  for (let i = 0; i < XERIAL_MAGIC.length; i++) dst[i] = XERIAL_MAGIC[i];
  dst.writeInt32BE(1, 8); // version
  dst.writeInt32BE(1, 12); // minimum compatible version
  let op = XERIAL_HEADER_SIZE;
  for (let p = 0; p < src.length; p += XERIAL_CHUNK) {
    const lenPos = op;
    op = compressRawInto(src, p, Math.min(src.length, p + XERIAL_CHUNK), dst, op + 4);
    dst.writeUInt32BE(op - lenPos - 4, lenPos);
  }
  return dst.subarray(0, op);
}
