// Zstandard (Kafka codec id 4), written from RFC 8878.
//
// Decompression is complete: frames (with or without content size, window
// descriptor, content checksum), skippable frames, concatenated frames, raw /
// RLE / compressed blocks, all literals section types (raw, RLE, Huffman with
// one or four streams, treeless), Huffman tables with FSE-compressed or direct
// weights, and sequences with predefined, RLE, FSE-compressed and repeat
// tables, with repeat offsets. Dictionaries are rejected.
//
// Compression (zstdCompress) writes one frame with the content size and no
// checksum: compressed blocks from a "double fast"-style LZ matcher (8- and
// 4-byte hashes, repeat offset 1), Huffman-compressed literals (weights
// FSE-compressed or direct), and per-block FSE tables for literal lengths,
// offsets and match lengths (predefined, RLE or block-specific, whichever is
// smallest). Blocks that do not shrink are stored raw, single-byte blocks as
// RLE. It reaches roughly the ratio of `zstd -1` at about 80 MB/s.

import { CodecError, OutputBuffer, outputLimit } from './errors.js';
import { xxh64Parts } from './xxhash.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_SIZE_MAX = 128 * 1024;

function fail(msg: string): never {
  throw new CodecError(`zstd: ${msg}`);
}

function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function highBit(x: number): number {
  return 31 - Math.clz32(x);
}

// ---------------------------------------------------------------------------
// Code tables (RFC 8878 section 3.1.1.3.2.1)
// ---------------------------------------------------------------------------

const LL_BASE = new Uint32Array([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024,
  2048, 4096, 8192, 16384, 32768, 65536,
]);
const LL_BITS = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);
const ML_BASE = new Uint32Array([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
  34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
]);
const ML_BITS = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3,
  3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);

const LL_MAX_SYMBOL = 35;
const ML_MAX_SYMBOL = 52;
const OF_MAX_SYMBOL = 31;
const LL_MAX_LOG = 9;
const ML_MAX_LOG = 9;
const OF_MAX_LOG = 8;

// Predefined distributions (RFC 8878 section 3.1.1.3.2.2).
const LL_DEFAULT_NORM = [
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1,
];
const ML_DEFAULT_NORM = [
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
];
const OF_DEFAULT_NORM = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];
const LL_DEFAULT_LOG = 6;
const ML_DEFAULT_LOG = 6;
const OF_DEFAULT_LOG = 5;

// ---------------------------------------------------------------------------
// Backward bit stream (FSE and Huffman streams are read from the end)
// ---------------------------------------------------------------------------

/**
 * Reads bits from the end of `src[base, end)` towards its start. The last byte
 * holds a 1 marker bit above the first bit to read. Reading past the start
 * yields zero bits and makes `bitPos` negative (an "overflow"). `src` must
 * have at least 4 readable bytes past `end` (the decoder pads its input).
 */
class BackwardBits {
  src: Uint8Array;
  base: number;
  bitPos: number;

  constructor(src: Uint8Array, base: number, end: number, what: string) {
    if (end <= base) fail(`empty ${what} bit stream`);
    const last = src[end - 1];
    if (last === 0) fail(`${what} bit stream has no end marker`);
    this.src = src;
    this.base = base;
    this.bitPos = (end - 1 - base) * 8 + highBit(last);
  }

  /** Read `n` (0..31) bits. */
  read(n: number): number {
    if (n === 0) return 0;
    if (n > 24) {
      const hi = this.read(n - 16);
      return hi * 65536 + this.read(16);
    }
    const pos = (this.bitPos -= n);
    const src = this.src;
    if (pos >= 0) {
      const i = this.base + (pos >>> 3);
      const v = (src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> (pos & 7);
      return v & ((1 << n) - 1);
    }
    return this.readUnder(pos, n);
  }

  private readUnder(pos: number, n: number): number {
    const avail = pos + n; // bits left above position 0
    if (avail <= 0) return 0;
    const i = this.base;
    const v = (this.src[i] | (this.src[i + 1] << 8) | (this.src[i + 2] << 16)) & ((1 << avail) - 1);
    return (v << -pos) & ((1 << n) - 1);
  }
}

// ---------------------------------------------------------------------------
// FSE tables
// ---------------------------------------------------------------------------

interface FseTable {
  log: number;
  /** per state: decoded symbol */
  sym: Uint8Array;
  /** per state: bits to read for the next state */
  nb: Uint8Array;
  /** per state: baseline added to those bits */
  base: Uint16Array;
}

/** Build a decoding table from normalized counts (-1 = "less than one"). */
function buildFseTable(norm: ArrayLike<number>, symbolCount: number, log: number): FseTable {
  const size = 1 << log;
  const sym = new Uint8Array(size);
  const nb = new Uint8Array(size);
  const base = new Uint16Array(size);
  const next = new Uint16Array(symbolCount);
  let high = size - 1;
  for (let s = 0; s < symbolCount; s++) {
    if (norm[s] === -1) {
      sym[high--] = s;
      next[s] = 1;
    } else {
      next[s] = norm[s];
    }
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let pos = 0;
  for (let s = 0; s < symbolCount; s++) {
    const n = norm[s];
    for (let i = 0; i < n; i++) {
      sym[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  if (pos !== 0) fail('corrupt FSE table (symbol spread did not complete)');
  for (let u = 0; u < size; u++) {
    const x = next[sym[u]]++;
    const bits = log - highBit(x);
    nb[u] = bits;
    base[u] = (x << bits) - size;
  }
  return { log, sym, nb, base };
}

function rleFseTable(symbol: number): FseTable {
  return { log: 0, sym: new Uint8Array([symbol]), nb: new Uint8Array(1), base: new Uint16Array(1) };
}

/**
 * Read an FSE table description (normalized counts) at `src[p]`, bounded by
 * `end`. Returns the table and the number of bytes used.
 */
function readFseTable(
  src: Uint8Array,
  p: number,
  end: number,
  maxSymbol: number,
  maxLog: number,
  what: string,
): [FseTable, number] {
  if (p >= end) fail(`truncated ${what} FSE table description`);
  const norm = new Int16Array(maxSymbol + 1);
  // Forward little-endian bit reader.
  let bitOff = 0; // bits consumed from src[p]
  const totalBits = (end - p) * 8;
  const peek = (n: number): number => {
    // n <= 16
    const i = p + (bitOff >>> 3);
    const v = (src[i] | (src[i + 1] << 8) | (src[i + 2] << 16)) >>> (bitOff & 7);
    return v & ((1 << n) - 1);
  };
  const log = peek(4) + 5;
  bitOff = 4;
  if (log > maxLog) fail(`${what} FSE table accuracy log ${log} exceeds ${maxLog}`);
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let s = 0;
  while (remaining > 1 && s <= maxSymbol) {
    if (bitOff > totalBits) fail(`truncated ${what} FSE table description`);
    const max = 2 * threshold - 1 - remaining;
    let value = peek(nbBits - 1);
    if (value < max) {
      bitOff += nbBits - 1;
    } else {
      value = peek(nbBits);
      if (value >= threshold) value -= max;
      bitOff += nbBits;
    }
    const count = value - 1;
    remaining -= count < 0 ? -count : count;
    norm[s++] = count;
    if (count === 0) {
      // Repeat flags: 2-bit counts of further zero-probability symbols.
      for (;;) {
        if (bitOff + 2 > totalBits) fail(`truncated ${what} FSE table description`);
        const rep = peek(2);
        bitOff += 2;
        for (let i = 0; i < rep; i++) {
          if (s > maxSymbol) fail(`${what} FSE table has too many symbols`);
          norm[s++] = 0;
        }
        if (rep !== 3) break;
      }
    }
    while (remaining < threshold) {
      nbBits--;
      threshold >>>= 1;
    }
  }
  if (remaining !== 1 || bitOff > totalBits) fail(`corrupt ${what} FSE table description`);
  return [buildFseTable(norm, s, log), (bitOff + 7) >>> 3];
}

let predefined: { ll: FseTable; ml: FseTable; of: FseTable } | null = null;
function predefinedTables(): { ll: FseTable; ml: FseTable; of: FseTable } {
  if (predefined === null) {
    predefined = {
      ll: buildFseTable(LL_DEFAULT_NORM, LL_DEFAULT_NORM.length, LL_DEFAULT_LOG),
      ml: buildFseTable(ML_DEFAULT_NORM, ML_DEFAULT_NORM.length, ML_DEFAULT_LOG),
      of: buildFseTable(OF_DEFAULT_NORM, OF_DEFAULT_NORM.length, OF_DEFAULT_LOG),
    };
  }
  return predefined;
}

// ---------------------------------------------------------------------------
// Huffman tables
// ---------------------------------------------------------------------------

interface HuffmanTable {
  maxBits: number;
  /** indexed by the next maxBits bits: symbol | (bits used << 8) */
  entries: Uint16Array;
}

const MAX_HUFFMAN_BITS = 12; // the reference decoder's limit (encoders use <= 11)

/** Read a Huffman tree description at `src[p]`; returns the table and the bytes used. */
function readHuffmanTable(src: Uint8Array, p: number, end: number): [HuffmanTable, number] {
  if (p >= end) fail('truncated Huffman tree description');
  const header = src[p];
  const weights = new Uint8Array(256);
  let count: number;
  let used: number;
  if (header >= 128) {
    count = header - 127;
    used = 1 + ((count + 1) >>> 1);
    if (p + used > end) fail('truncated Huffman tree description');
    for (let i = 0; i < count; i++) {
      const b = src[p + 1 + (i >>> 1)];
      weights[i] = i & 1 ? b & 15 : b >>> 4;
    }
  } else {
    used = 1 + header;
    if (header === 0 || p + used > end) fail('truncated Huffman tree description');
    count = decodeHuffmanWeights(src, p + 1, p + used, weights);
  }
  // Derive the last weight and the maximum code length.
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    if (w > MAX_HUFFMAN_BITS) fail(`Huffman weight ${w} too large`);
    if (w > 0) sum += 1 << (w - 1);
  }
  if (sum === 0) fail('Huffman weights are all zero');
  const maxBits = highBit(sum) + 1;
  if (maxBits > MAX_HUFFMAN_BITS) fail(`Huffman code length ${maxBits} too large`);
  const rest = (1 << maxBits) - sum;
  if ((rest & (rest - 1)) !== 0) fail('corrupt Huffman weights (not a complete prefix code)');
  weights[count] = highBit(rest) + 1;
  const symbols = count + 1;
  // Fill the table: lowest weights (longest codes) first, by symbol order.
  const size = 1 << maxBits;
  const entries = new Uint16Array(size);
  const rankStart = new Uint32Array(MAX_HUFFMAN_BITS + 2);
  for (let s = 0; s < symbols; s++) if (weights[s] > 0) rankStart[weights[s]] += 1 << (weights[s] - 1);
  let acc = 0;
  for (let w = 1; w <= maxBits; w++) {
    const n = rankStart[w];
    rankStart[w] = acc;
    acc += n;
  }
  if (acc !== size) fail('corrupt Huffman weights');
  for (let s = 0; s < symbols; s++) {
    const w = weights[s];
    if (w === 0) continue;
    const len = 1 << (w - 1);
    const entry = s | ((maxBits + 1 - w) << 8);
    const start = rankStart[w];
    entries.fill(entry, start, start + len);
    rankStart[w] = start + len;
  }
  return [{ maxBits, entries }, used];
}

/** Decode FSE-compressed Huffman weights from `src[p, end)`; returns the count. */
function decodeHuffmanWeights(src: Uint8Array, p: number, end: number, out: Uint8Array): number {
  const [table, descLen] = readFseTable(src, p, end, 255, 6, 'Huffman weights');
  const bits = new BackwardBits(src, p + descLen, end, 'Huffman weights');
  const { sym, nb, base } = table;
  let s1 = bits.read(table.log);
  let s2 = bits.read(table.log);
  let n = 0;
  for (;;) {
    if (n > 253) fail('too many Huffman weights');
    out[n++] = sym[s1];
    s1 = base[s1] + bits.read(nb[s1]);
    if (bits.bitPos < 0) {
      out[n++] = sym[s2];
      break;
    }
    if (n > 253) fail('too many Huffman weights');
    out[n++] = sym[s2];
    s2 = base[s2] + bits.read(nb[s2]);
    if (bits.bitPos < 0) {
      out[n++] = sym[s1];
      break;
    }
  }
  return n;
}

/** Decode one Huffman stream `src[start, end)` into `dst[op, opEnd)`. */
function decodeHuffmanStream(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  op: number,
  opEnd: number,
): void {
  if (end <= start) fail('empty Huffman stream');
  const last = src[end - 1];
  if (last === 0) fail('Huffman stream has no end marker');
  let bitPos = (end - 1 - start) * 8 + highBit(last);
  const maxBits = table.maxBits;
  const mask = (1 << maxBits) - 1;
  const entries = table.entries;
  while (op < opEnd) {
    const pos = bitPos - maxBits;
    let v: number;
    if (pos >= 0) {
      const i = start + (pos >>> 3);
      v = ((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16)) >>> (pos & 7)) & mask;
    } else {
      v = ((src[start] | (src[start + 1] << 8)) << -pos) & mask;
    }
    const e = entries[v];
    dst[op++] = e & 0xff;
    bitPos -= e >>> 8;
  }
  if (bitPos !== 0) fail(bitPos < 0 ? 'Huffman stream overrun' : 'Huffman stream not fully consumed');
}

// ---------------------------------------------------------------------------
// Frame decoding
// ---------------------------------------------------------------------------

interface FrameState {
  rep1: number;
  rep2: number;
  rep3: number;
  huffman: HuffmanTable | null;
  ll: FseTable | null;
  ml: FseTable | null;
  of: FseTable | null;
  /** output position where the frame's content starts */
  frameStart: number;
}

// Scratch buffer for decoded literals (at most one block's worth).
const literalScratch = new Uint8Array(BLOCK_SIZE_MAX + 64);

/**
 * Decompress one or more concatenated zstd frames (skippable frames are
 * ignored). Throws CodecError on malformed input, on frames that need a
 * dictionary, on checksum mismatches and when the output would exceed
 * `maxOutputBytes` (default 256 MiB).
 */
export function zstdDecompress(data: Uint8Array, maxOutputBytes?: number): Buffer {
  const max = outputLimit(maxOutputBytes);
  if (data.length === 0) fail('empty input');
  // Pad the input so bit readers may look a few bytes past a stream's end.
  const src = Buffer.allocUnsafe(data.length + 8);
  src.set(data);
  src.fill(0, data.length);
  const srcEnd = data.length;
  const out = new OutputBuffer('zstd', max, Math.min(data.length * 4 + 1024, 4 * 1024 * 1024));
  let p = 0;
  while (p < srcEnd) {
    if (p + 4 > srcEnd) fail(`truncated frame magic at byte ${p}`);
    const magic = u32le(src, p);
    if (magic === FRAME_MAGIC) {
      p = decodeFrame(src, p + 4, srcEnd, out);
    } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (p + 8 > srcEnd) fail(`truncated skippable frame at byte ${p}`);
      const size = u32le(src, p + 4);
      if (p + 8 + size > srcEnd) fail(`skippable frame at byte ${p} runs past the end of the input`);
      p += 8 + size;
    } else {
      fail(`bad frame magic 0x${magic.toString(16)} at byte ${p}`);
    }
  }
  return out.result();
}

function decodeFrame(src: Uint8Array, p: number, srcEnd: number, out: OutputBuffer): number {
  if (p >= srcEnd) fail('truncated frame header');
  const fhd = src[p++];
  const fcsFlag = fhd >>> 6;
  const singleSegment = (fhd & 0x20) !== 0;
  const hasChecksum = (fhd & 0x04) !== 0;
  const dictIdFlag = fhd & 3;
  if (fhd & 0x08) fail('reserved bit set in the frame header descriptor');
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  const dictIdSize = dictIdFlag === 3 ? 4 : dictIdFlag;
  const headerRest = (singleSegment ? 0 : 1) + dictIdSize + fcsSize;
  if (p + headerRest > srcEnd) fail('truncated frame header');
  // The window descriptor bounds how far back matches reach; the whole output
  // stays in memory here, so it needs no buffer of its own and is skipped
  // (offsets are still checked against the start of the frame).
  if (!singleSegment) p++;
  if (dictIdSize > 0) {
    let dictId = 0;
    for (let i = 0; i < dictIdSize; i++) dictId += src[p + i] * 2 ** (8 * i);
    p += dictIdSize;
    if (dictId !== 0) fail(`frame needs dictionary ${dictId}; dictionaries are not supported`);
  }
  let contentSize = -1;
  if (fcsSize > 0) {
    if (fcsSize === 1) contentSize = src[p];
    else if (fcsSize === 2) contentSize = (src[p] | (src[p + 1] << 8)) + 256;
    else if (fcsSize === 4) contentSize = u32le(src, p);
    else contentSize = u32le(src, p + 4) * 0x100000000 + u32le(src, p);
    p += fcsSize;
  }
  if (contentSize > 0) {
    if (contentSize > out.room()) fail(`frame content size ${contentSize} exceeds the output limit`);
    // Pre-size, but no more than the input could expand to (an RLE block of 4
    // bytes yields 128 KiB).
    out.ensure(Math.min(contentSize, (srcEnd - p) * 32768 + BLOCK_SIZE_MAX));
  }
  const state: FrameState = {
    rep1: 1,
    rep2: 4,
    rep3: 8,
    huffman: null,
    ll: null,
    ml: null,
    of: null,
    frameStart: out.len,
  };
  for (;;) {
    if (p + 3 > srcEnd) fail(`truncated block header at byte ${p}`);
    const bh = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16);
    p += 3;
    const last = bh & 1;
    const type = (bh >>> 1) & 3;
    const size = bh >>> 3;
    if (size > BLOCK_SIZE_MAX) fail(`block size ${size} exceeds 128 KiB at byte ${p - 3}`);
    if (type === 0) {
      if (p + size > srcEnd) fail(`raw block at byte ${p - 3} runs past the end of the input`);
      const dst = out.ensure(size);
      dst.set(src.subarray(p, p + size), out.len);
      out.len += size;
      p += size;
    } else if (type === 1) {
      if (p + 1 > srcEnd) fail(`truncated RLE block at byte ${p - 3}`);
      const dst = out.ensure(size);
      dst.fill(src[p], out.len, out.len + size);
      out.len += size;
      p += 1;
    } else if (type === 2) {
      if (p + size > srcEnd) fail(`compressed block at byte ${p - 3} runs past the end of the input`);
      decodeCompressedBlock(src, p, p + size, out, state);
      p += size;
    } else {
      fail(`reserved block type at byte ${p - 3}`);
    }
    if (last) break;
  }
  const produced = out.len - state.frameStart;
  if (contentSize >= 0 && produced !== contentSize) {
    fail(`frame decoded to ${produced} bytes but its header announced ${contentSize}`);
  }
  if (hasChecksum) {
    if (p + 4 > srcEnd) fail('truncated content checksum');
    const want = u32le(src, p);
    const [, low] = xxh64Parts(out.buf, 0n, state.frameStart, out.len);
    if (low !== want) fail('content checksum mismatch');
    p += 4;
  }
  return p;
}

function decodeCompressedBlock(src: Uint8Array, p: number, end: number, out: OutputBuffer, st: FrameState): void {
  // ---- Literals section ----
  if (p >= end) fail('empty compressed block');
  const b0 = src[p];
  const litType = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  let regen: number;
  let litBuf: Uint8Array;
  let litPos: number;
  if (litType === 0 || litType === 1) {
    let hdr: number;
    if ((sizeFormat & 1) === 0) {
      hdr = 1;
      regen = b0 >>> 3;
    } else if (sizeFormat === 1) {
      hdr = 2;
      regen = (b0 >>> 4) + (src[p + 1] << 4);
    } else {
      hdr = 3;
      regen = (b0 >>> 4) + (src[p + 1] << 4) + (src[p + 2] << 12);
    }
    if (p + hdr > end) fail('truncated literals section header');
    if (regen > BLOCK_SIZE_MAX) fail(`literals size ${regen} exceeds 128 KiB`);
    p += hdr;
    if (litType === 0) {
      if (p + regen > end) fail('raw literals run past the end of the block');
      litBuf = src;
      litPos = p;
      p += regen;
    } else {
      if (p + 1 > end) fail('truncated RLE literals');
      litBuf = literalScratch;
      litBuf.fill(src[p], 0, regen);
      litPos = 0;
      p += 1;
    }
  } else {
    let hdr: number;
    let csize: number;
    let streams = 4;
    if (sizeFormat <= 1) {
      hdr = 3;
      if (sizeFormat === 0) streams = 1;
      regen = (b0 >>> 4) + ((src[p + 1] & 0x3f) << 4);
      csize = (src[p + 1] >>> 6) + (src[p + 2] << 2);
    } else if (sizeFormat === 2) {
      hdr = 4;
      regen = (b0 >>> 4) + (src[p + 1] << 4) + ((src[p + 2] & 3) << 12);
      csize = (src[p + 2] >>> 2) + (src[p + 3] << 6);
    } else {
      hdr = 5;
      regen = (b0 >>> 4) + (src[p + 1] << 4) + ((src[p + 2] & 0x3f) << 12);
      csize = (src[p + 2] >>> 6) + (src[p + 3] << 2) + (src[p + 4] << 10);
    }
    if (p + hdr > end) fail('truncated literals section header');
    if (regen > BLOCK_SIZE_MAX) fail(`literals size ${regen} exceeds 128 KiB`);
    p += hdr;
    if (p + csize > end) fail('compressed literals run past the end of the block');
    const litEnd = p + csize;
    let table: HuffmanTable;
    if (litType === 2) {
      const [t, used] = readHuffmanTable(src, p, litEnd);
      table = t;
      st.huffman = t;
      p += used;
    } else {
      if (st.huffman === null) fail('treeless literals without a previous Huffman table');
      table = st.huffman;
    }
    litBuf = literalScratch;
    litPos = 0;
    if (streams === 1) {
      decodeHuffmanStream(table, src, p, litEnd, litBuf, 0, regen);
    } else {
      if (p + 6 > litEnd) fail('truncated Huffman jump table');
      const s1 = src[p] | (src[p + 1] << 8);
      const s2 = src[p + 2] | (src[p + 3] << 8);
      const s3 = src[p + 4] | (src[p + 5] << 8);
      const a = p + 6;
      const b = a + s1;
      const c = b + s2;
      const d = c + s3;
      if (d > litEnd) fail('Huffman jump table points past the literals');
      const seg = (regen + 3) >>> 2;
      if (seg * 3 > regen) fail(`literals size ${regen} too small for four streams`);
      decodeHuffmanStream(table, src, a, b, litBuf, 0, seg);
      decodeHuffmanStream(table, src, b, c, litBuf, seg, 2 * seg);
      decodeHuffmanStream(table, src, c, d, litBuf, 2 * seg, 3 * seg);
      decodeHuffmanStream(table, src, d, litEnd, litBuf, 3 * seg, regen);
    }
    p = litEnd;
  }

  // ---- Sequences section header ----
  if (p >= end) fail('missing sequences section');
  let nbSeq = src[p++];
  if (nbSeq >= 128) {
    if (nbSeq < 255) {
      if (p >= end) fail('truncated sequences header');
      nbSeq = ((nbSeq - 128) << 8) + src[p++];
    } else {
      if (p + 2 > end) fail('truncated sequences header');
      nbSeq = src[p] + (src[p + 1] << 8) + 0x7f00;
      p += 2;
    }
  }
  const room = out.ensureUpTo(BLOCK_SIZE_MAX);
  const dst = out.buf;
  let op = out.len;
  const opLimit = op + room;
  const litEndPos = litPos + regen;
  if (nbSeq === 0) {
    if (p !== end) fail('extra bytes after a block without sequences');
    if (regen > room) fail(`output exceeds ${room} bytes (block maximum size or output limit)`);
    dst.set(litBuf.subarray(litPos, litEndPos), op);
    out.len = op + regen;
    return;
  }
  if (p >= end) fail('truncated sequences header');
  const modes = src[p++];
  if (modes & 3) fail('reserved bits set in symbol compression modes');
  const pre = predefinedTables();
  const pick = (
    mode: number,
    prev: FseTable | null,
    def: FseTable,
    maxSym: number,
    maxLog: number,
    what: string,
  ): FseTable => {
    switch (mode) {
      case 0:
        return def;
      case 1: {
        if (p >= end) fail(`truncated ${what} RLE symbol`);
        const s = src[p++];
        if (s > maxSym) fail(`${what} RLE symbol ${s} out of range`);
        return rleFseTable(s);
      }
      case 2: {
        const [t, used] = readFseTable(src, p, end, maxSym, maxLog, what);
        p += used;
        return t;
      }
      default:
        if (prev === null) fail(`${what} repeat mode without a previous table`);
        return prev;
    }
  };
  const llT = (st.ll = pick(modes >>> 6, st.ll, pre.ll, LL_MAX_SYMBOL, LL_MAX_LOG, 'literal lengths'));
  const ofT = (st.of = pick((modes >>> 4) & 3, st.of, pre.of, OF_MAX_SYMBOL, OF_MAX_LOG, 'offsets'));
  const mlT = (st.ml = pick((modes >>> 2) & 3, st.ml, pre.ml, ML_MAX_SYMBOL, ML_MAX_LOG, 'match lengths'));

  // ---- Sequences ----
  const bits = new BackwardBits(src, p, end, 'sequences');
  let llState = bits.read(llT.log);
  let ofState = bits.read(ofT.log);
  let mlState = bits.read(mlT.log);
  // The hot loop reads bits inline: `bp` is the number of unread bits above
  // `base`; reads of up to 24 bits take one 4-byte load.
  let bp = bits.bitPos;
  const base = p;
  const llSym = llT.sym,
    llNb = llT.nb,
    llBase = llT.base;
  const ofSym = ofT.sym,
    ofNb = ofT.nb,
    ofBase = ofT.base;
  const mlSym = mlT.sym,
    mlNb = mlT.nb,
    mlBase = mlT.base;
  let rep1 = st.rep1,
    rep2 = st.rep2,
    rep3 = st.rep3;
  const frameStart = st.frameStart;
  let lp = litPos;
  for (let i = 0; i < nbSeq; i++) {
    const ofCode = ofSym[ofState];
    const mlCode = mlSym[mlState];
    const llCode = llSym[llState];
    // Extra bits: offset first (highest), then match length, then literal length.
    const mlExtra = ML_BITS[mlCode];
    const llExtra = LL_BITS[llCode];
    let ofValue: number;
    let ml: number;
    let ll: number;
    const sum = ofCode + mlExtra + llExtra;
    if (sum <= 24 && bp >= sum) {
      bp -= sum;
      const j = base + (bp >>> 3);
      const v = (src[j] | (src[j + 1] << 8) | (src[j + 2] << 16) | (src[j + 3] << 24)) >>> (bp & 7);
      ll = LL_BASE[llCode] + (v & ((1 << llExtra) - 1));
      ml = ML_BASE[mlCode] + ((v >>> llExtra) & ((1 << mlExtra) - 1));
      ofValue = (1 << ofCode) + ((v >>> (llExtra + mlExtra)) & ((1 << ofCode) - 1));
    } else {
      bits.bitPos = bp;
      ofValue = 2 ** ofCode + bits.read(ofCode);
      ml = ML_BASE[mlCode] + bits.read(mlExtra);
      ll = LL_BASE[llCode] + bits.read(llExtra);
      bp = bits.bitPos;
    }
    let offset: number;
    if (ofValue > 3) {
      offset = ofValue - 3;
      rep3 = rep2;
      rep2 = rep1;
      rep1 = offset;
    } else {
      const idx = ll === 0 ? ofValue + 1 : ofValue; // 1..4
      if (idx === 1) {
        offset = rep1;
      } else if (idx === 2) {
        offset = rep2;
        rep2 = rep1;
        rep1 = offset;
      } else if (idx === 3) {
        offset = rep3;
        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      } else {
        offset = rep1 - 1;
        if (offset === 0) fail('repeat offset resolves to 0');
        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      }
    }
    if (i + 1 < nbSeq) {
      // State updates: literal length (highest), match length, offset.
      const a = llNb[llState],
        b = mlNb[mlState],
        c = ofNb[ofState];
      const tot = a + b + c;
      if (tot <= 24 && bp >= tot) {
        bp -= tot;
        const j = base + (bp >>> 3);
        const v = (src[j] | (src[j + 1] << 8) | (src[j + 2] << 16) | (src[j + 3] << 24)) >>> (bp & 7);
        ofState = ofBase[ofState] + (v & ((1 << c) - 1));
        mlState = mlBase[mlState] + ((v >>> c) & ((1 << b) - 1));
        llState = llBase[llState] + ((v >>> (b + c)) & ((1 << a) - 1));
      } else {
        bits.bitPos = bp;
        llState = llBase[llState] + bits.read(a);
        mlState = mlBase[mlState] + bits.read(b);
        ofState = ofBase[ofState] + bits.read(c);
        bp = bits.bitPos;
      }
    }
    // Execute: literals, then the match.
    if (lp + ll > litEndPos) fail('sequence uses more literals than decoded');
    if (op + ll + ml > opLimit) fail(`output exceeds ${room} bytes (block maximum size or output limit)`);
    if (ll < 48) {
      for (let k = 0; k < ll; k++) dst[op + k] = litBuf[lp + k];
    } else {
      dst.set(litBuf.subarray(lp, lp + ll), op);
    }
    op += ll;
    lp += ll;
    if (offset > op - frameStart) fail(`match offset ${offset} reaches before the start of the frame`);
    let from = op - offset;
    if (offset >= ml && ml > 48) {
      dst.copyWithin(op, from, from + ml);
      op += ml;
    } else {
      const stop = op + ml;
      while (op < stop) dst[op++] = dst[from++];
    }
  }
  if (bp !== 0) fail(bp < 0 ? 'sequences bit stream overrun' : 'sequences bit stream not fully consumed');
  // Trailing literals.
  const rest = litEndPos - lp;
  if (op + rest > opLimit) fail(`output exceeds ${room} bytes (block maximum size or output limit)`);
  dst.set(litBuf.subarray(lp, litEndPos), op);
  op += rest;
  st.rep1 = rep1;
  st.rep2 = rep2;
  st.rep3 = rep3;
  out.len = op;
}

/** The frame content size declared in the first frame's header, or -1. */
export function zstdFrameContentSize(data: Uint8Array): number {
  if (data.length < 5 || u32le(data, 0) !== FRAME_MAGIC) return -1;
  const fhd = data[4];
  const fcsFlag = fhd >>> 6;
  const single = (fhd & 0x20) !== 0;
  const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
  if (fcsSize === 0) return -1;
  const dictIdFlag = fhd & 3;
  const p = 5 + (single ? 0 : 1) + (dictIdFlag === 3 ? 4 : dictIdFlag);
  if (p + fcsSize > data.length) return -1;
  if (fcsSize === 1) return data[p];
  if (fcsSize === 2) return (data[p] | (data[p + 1] << 8)) + 256;
  if (fcsSize === 4) return u32le(data, p);
  return u32le(data, p + 4) * 0x100000000 + u32le(data, p);
}

// ===========================================================================
// Compression
// ===========================================================================

/** Forward bit writer (LSB first), as read back by BackwardBits. */
class BitWriter {
  buf: Uint8Array;
  pos: number;
  private acc = 0;
  private n = 0;

  constructor(buf: Uint8Array, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Append the low `nbits` (0..31) bits of `value`. */
  write(value: number, nbits: number): void {
    if (nbits > 24) {
      this.write(value & 0xffffff, 24);
      this.write(Math.floor(value / 0x1000000), nbits - 24);
      return;
    }
    this.acc |= (value & ((1 << nbits) - 1)) << this.n;
    this.n += nbits;
    while (this.n >= 8) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }

  /** Pad to a byte boundary (no marker); returns the end position. */
  flushBytes(): number {
    if (this.n > 0) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc = 0;
      this.n = 0;
    }
    return this.pos;
  }

  /** Write the end marker bit and pad to a byte; returns the end position. */
  close(): number {
    this.write(1, 1);
    if (this.n > 0) {
      this.buf[this.pos++] = this.acc & 0xff;
      this.acc = 0;
      this.n = 0;
    }
    return this.pos;
  }
}

/** FSE encoding table derived from the same normalized counts as the decoder's. */
interface FseEncoder {
  log: number;
  size: number;
  /** per symbol: its count (1 for "less than one") */
  count: Int32Array;
  /** per symbol: log - highBit(count) */
  nbHigh: Int32Array;
  /** per symbol: offset of its states in `states` */
  first: Int32Array;
  /** decoder states grouped by symbol, ascending */
  states: Int32Array;
}

function buildFseEncoder(norm: ArrayLike<number>, log: number): FseEncoder {
  const dec = buildFseTable(norm, norm.length, log);
  const size = 1 << log;
  const n = norm.length;
  const count = new Int32Array(n);
  const nbHigh = new Int32Array(n);
  const first = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) {
    count[s] = norm[s] === -1 ? 1 : norm[s];
    nbHigh[s] = count[s] > 0 ? log - highBit(count[s]) : 0;
    first[s + 1] = first[s] + count[s];
  }
  const states = new Int32Array(size);
  const fill = first.slice(0, n);
  for (let u = 0; u < size; u++) states[fill[dec.sym[u]]++] = u;
  return { log, size, count, nbHigh, first, states };
}

let encoders: { ll: FseEncoder; ml: FseEncoder; of: FseEncoder } | null = null;
function predefinedEncoders(): { ll: FseEncoder; ml: FseEncoder; of: FseEncoder } {
  if (encoders === null) {
    encoders = {
      ll: buildFseEncoder(LL_DEFAULT_NORM, LL_DEFAULT_LOG),
      ml: buildFseEncoder(ML_DEFAULT_NORM, ML_DEFAULT_LOG),
      of: buildFseEncoder(OF_DEFAULT_NORM, OF_DEFAULT_LOG),
    };
  }
  return encoders;
}

/** Encode symbol `s` from encoder state `x` (in [size, 2 * size)); returns the new state. */
function fseEncode(e: FseEncoder, w: BitWriter, x: number, s: number): number {
  let nb = e.nbHigh[s];
  if (x >>> nb < e.count[s]) nb--;
  w.write(x, nb);
  return e.states[e.first[s] + (x >>> nb) - e.count[s]] + e.size;
}

function fseInitState(e: FseEncoder, s: number): number {
  return e.states[e.first[s]] + e.size;
}

// Length -> code maps.
const LL_CODE_SMALL = new Uint8Array(64);
const ML_CODE_SMALL = new Uint8Array(128);
for (let c = 0; c < LL_BASE.length; c++) {
  for (let v = LL_BASE[c]; v < LL_BASE[c] + (1 << LL_BITS[c]) && v < 64; v++) LL_CODE_SMALL[v] = c;
}
for (let c = 0; c < ML_BASE.length; c++) {
  for (let v = ML_BASE[c] - 3; v < ML_BASE[c] - 3 + (1 << ML_BITS[c]) && v < 128; v++) ML_CODE_SMALL[v] = c;
}
function llCode(ll: number): number {
  return ll < 64 ? LL_CODE_SMALL[ll] : highBit(ll) + 19;
}
function mlCode(ml: number): number {
  const v = ml - 3;
  return v < 128 ? ML_CODE_SMALL[v] : highBit(v) + 36;
}

const ENC_HASH_LOG = 16;
/** Largest match the encoder emits (keeps ML codes within the table). */
const ENC_MAX_MATCH = 65535 + 3;
/** Window used when the content is larger than a single segment. */
const ENC_WINDOW_LOG = 23;
const SINGLE_SEGMENT_MAX = 1 << ENC_WINDOW_LOG;

interface Sequences {
  n: number;
  ll: Uint32Array;
  ml: Uint32Array;
  /** offset values as coded: 1 = repeat offset 1, else offset + 3 */
  ofv: Uint32Array;
  lit: Uint8Array;
  litLen: number;
}

/**
 * Compress `src` as one zstd frame (content size set, no checksum, no
 * dictionary; single segment up to 8 MiB, else an 8 MiB window).
 */
export function zstdCompress(src: Uint8Array): Buffer {
  const n = src.length;
  const blocks = Math.max(1, Math.ceil(n / BLOCK_SIZE_MAX));
  const out = Buffer.allocUnsafe(18 + blocks * 3 + n + 8);
  out.writeUInt32LE(FRAME_MAGIC, 0);
  let op = 4;
  const single = n <= SINGLE_SEGMENT_MAX;
  let fcsFlag: number;
  if (single && n < 256) fcsFlag = 0;
  else if (n < 65536 + 256 && n >= 256) fcsFlag = 1;
  else if (n < 2 ** 32) fcsFlag = 2;
  else fcsFlag = 3;
  out[op++] = (fcsFlag << 6) | (single ? 0x20 : 0);
  if (!single) out[op++] = (ENC_WINDOW_LOG - 10) << 3;
  if (fcsFlag === 0) out[op++] = n;
  else if (fcsFlag === 1) {
    out.writeUInt16LE(n - 256, op);
    op += 2;
  } else if (fcsFlag === 2) {
    out.writeUInt32LE(n, op);
    op += 4;
  } else {
    out.writeUInt32LE(n >>> 0, op);
    out.writeUInt32LE(Math.floor(n / 2 ** 32), op + 4);
    op += 8;
  }
  if (n === 0) {
    out[op++] = 1; // last, raw, size 0
    out[op++] = 0;
    out[op++] = 0;
    return out.subarray(0, op);
  }
  const maxOffset = single ? n : 1 << ENC_WINDOW_LOG;
  // Hash tables sized to the input (small batches are common in Kafka).
  const sizeLog = highBit(Math.max(n, 256)) + 1;
  const shortLog = Math.min(ENC_HASH_LOG, sizeLog);
  const longLog = Math.min(LONG_HASH_LOG, sizeLog);
  const tables = {
    short: new Int32Array(1 << shortLog).fill(-1),
    long: new Int32Array(1 << longLog).fill(-1),
    shortShift: 32 - shortLog,
    longShift: 32 - longLog,
  };
  const blockCap = Math.min(n, BLOCK_SIZE_MAX);
  const seqCap = (blockCap >>> 2) + 1;
  const seqs: Sequences = {
    n: 0,
    ll: new Uint32Array(seqCap),
    ml: new Uint32Array(seqCap),
    ofv: new Uint32Array(seqCap),
    lit: new Uint8Array(blockCap),
    litLen: 0,
  };
  const reps = [1, 4, 8];
  const scratch = new Uint8Array(blockCap + 1024);
  for (let start = 0; start < n; start += BLOCK_SIZE_MAX) {
    const end = Math.min(n, start + BLOCK_SIZE_MAX);
    const last = end === n ? 1 : 0;
    const size = end - start;
    // RLE block?
    let same = true;
    const b = src[start];
    for (let i = start + 1; i < end; i++) {
      if (src[i] !== b) {
        same = false;
        break;
      }
    }
    if (same && size > 1) {
      const h = last | (1 << 1) | (size << 3);
      out[op++] = h & 0xff;
      out[op++] = (h >>> 8) & 0xff;
      out[op++] = h >>> 16;
      out[op++] = b;
      // Keep the hash table current for later blocks.
      continue;
    }
    const savedReps = reps.slice();
    findSequences(src, start, end, tables, maxOffset, reps, seqs);
    const csize = encodeBlockBody(seqs, scratch, size);
    if (csize > 0 && csize < size) {
      const h = last | (2 << 1) | (csize << 3);
      out[op++] = h & 0xff;
      out[op++] = (h >>> 8) & 0xff;
      out[op++] = h >>> 16;
      out.set(scratch.subarray(0, csize), op);
      op += csize;
    } else {
      reps[0] = savedReps[0];
      reps[1] = savedReps[1];
      reps[2] = savedReps[2];
      const h = last | (size << 3);
      out[op++] = h & 0xff;
      out[op++] = (h >>> 8) & 0xff;
      out[op++] = h >>> 16;
      out.set(src.subarray(start, end), op);
      op += size;
    }
  }
  return out.subarray(0, op);
}

function load32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Length of the common run of src[a..] and src[b..] (a > b), up to `limit` (exclusive end for a). */
function matchLength(src: Uint8Array, a: number, b: number, limit: number): number {
  const start = a;
  while (a + 4 <= limit && load32(src, a) === load32(src, b)) {
    a += 4;
    b += 4;
  }
  while (a < limit && src[a] === src[b]) {
    a++;
    b++;
  }
  return a - start;
}

const LONG_HASH_LOG = 17;

function hashLong(src: Uint8Array, i: number, shift: number): number {
  const lo = load32(src, i);
  const hi = load32(src, i + 4);
  return (Math.imul(lo, -1640531535) ^ Math.imul(hi, 0x27d4eb2f)) >>> shift;
}

/**
 * LZ parse of `src[start, end)` in the manner of a "double fast" matcher: an
 * 8-byte hash finds long matches, a 4-byte hash short ones, the last offset
 * is tried first, and a short match is dropped for a long one starting one
 * byte later. Matches may reach back into earlier blocks (within maxOffset).
 */
function findSequences(
  src: Uint8Array,
  start: number,
  end: number,
  tables: { short: Int32Array; long: Int32Array; shortShift: number; longShift: number },
  maxOffset: number,
  reps: number[],
  seqs: Sequences,
): void {
  const shift = tables.shortShift;
  const lshift = tables.longShift;
  const short = tables.short;
  const long = tables.long;
  const lit = seqs.lit;
  let nseq = 0;
  let litLen = 0;
  let anchor = start;
  let ip = start;
  const limit = end - 8; // room for the 8-byte hash loads
  let skip = 64;
  let rep1 = reps[0];
  while (ip < limit) {
    const seq = load32(src, ip);
    const hs = Math.imul(seq, -1640531535) >>> shift;
    const hl = hashLong(src, ip, lshift);
    const candS = short[hs];
    const candL = long[hl];
    short[hs] = ip;
    long[hl] = ip;
    let offset: number;
    let mStart = ip;
    let mLen: number;
    const rc = ip + 1 - rep1;
    if (ip + 1 > anchor && rc >= 0 && ip + 1 < limit && load32(src, rc) === load32(src, ip + 1)) {
      // Repeat offset at ip + 1 (leaves at least one literal, so it codes as repeat 1).
      mStart = ip + 1;
      offset = rep1;
      mLen = 4 + matchLength(src, ip + 5, rc + 4, end);
    } else if (
      candL >= 0 &&
      ip - candL <= maxOffset &&
      load32(src, candL) === seq &&
      load32(src, candL + 4) === load32(src, ip + 4)
    ) {
      offset = ip - candL;
      mLen = 8 + matchLength(src, ip + 8, candL + 8, end);
    } else if (candS >= 0 && ip - candS <= maxOffset && load32(src, candS) === seq) {
      offset = ip - candS;
      mLen = 4 + matchLength(src, ip + 4, candS + 4, end);
      // A long match at ip + 1 beats a short one here.
      const n = ip + 1;
      if (n < limit) {
        const hl1 = hashLong(src, n, lshift);
        const c1 = long[hl1];
        long[hl1] = n;
        if (
          c1 >= 0 &&
          n - c1 <= maxOffset &&
          load32(src, c1) === load32(src, n) &&
          load32(src, c1 + 4) === load32(src, n + 4)
        ) {
          const len1 = 8 + matchLength(src, n + 8, c1 + 8, end);
          if (len1 > mLen) {
            mStart = n;
            offset = n - c1;
            mLen = len1;
          }
        }
      }
    } else {
      ip += skip++ >>> 6;
      continue;
    }
    skip = 64;
    // Extend backwards into the pending literals.
    let back = mStart - offset;
    while (mStart > anchor && back > 0 && src[mStart - 1] === src[back - 1]) {
      mStart--;
      back--;
      mLen++;
    }
    if (mLen > ENC_MAX_MATCH) mLen = ENC_MAX_MATCH;
    const mEnd = mStart + mLen;
    const ll = mStart - anchor;
    if (ll > 0) {
      if (ll < 32) for (let i = 0; i < ll; i++) lit[litLen + i] = src[anchor + i];
      else lit.set(src.subarray(anchor, mStart), litLen);
      litLen += ll;
    }
    seqs.ll[nseq] = ll;
    seqs.ml[nseq] = mLen;
    if (offset === rep1 && ll > 0) {
      seqs.ofv[nseq] = 1;
    } else {
      seqs.ofv[nseq] = offset + 3;
      reps[2] = reps[1];
      reps[1] = rep1;
      rep1 = offset;
    }
    nseq++;
    // Index a couple of positions inside the match for later searches.
    if (mEnd - 2 < limit) {
      const q = mStart + 2;
      if (q < limit) {
        long[hashLong(src, q, lshift)] = q;
        short[Math.imul(load32(src, q), -1640531535) >>> shift] = q;
      }
      const r = mEnd - 2;
      long[hashLong(src, r, lshift)] = r;
      short[Math.imul(load32(src, r), -1640531535) >>> shift] = r;
    }
    ip = mEnd;
    anchor = ip;
  }
  reps[0] = rep1;
  const rest = end - anchor;
  lit.set(src.subarray(anchor, end), litLen);
  litLen += rest;
  seqs.n = nseq;
  seqs.litLen = litLen;
}

/**
 * Write the literals and sequences sections of a compressed block into `dst`.
 * Returns the size, or 0 if it would not be smaller than `rawSize`.
 */
function encodeBlockBody(seqs: Sequences, dst: Uint8Array, rawSize: number): number {
  const litLen = seqs.litLen;
  let op = writeLiterals(seqs.lit, litLen, dst, 0, rawSize);
  if (op < 0 || op >= rawSize) return 0;
  // Sequences section header.
  const nseq = seqs.n;
  if (nseq < 128) {
    dst[op++] = nseq;
  } else if (nseq < 0x7f00) {
    dst[op++] = (nseq >>> 8) + 128;
    dst[op++] = nseq & 0xff;
  } else {
    dst[op++] = 255;
    dst[op++] = (nseq - 0x7f00) & 0xff;
    dst[op++] = (nseq - 0x7f00) >>> 8;
  }
  if (nseq === 0) return op < rawSize ? op : 0;
  const { ll, ml, ofv } = seqs;
  // Symbol codes per sequence, then a table per kind: predefined, RLE or
  // FSE-compressed (with its description), whichever is cheapest.
  const llCodes = new Uint8Array(nseq);
  const mlCodes = new Uint8Array(nseq);
  const ofCodes = new Uint8Array(nseq);
  for (let k = 0; k < nseq; k++) {
    llCodes[k] = llCode(ll[k]);
    mlCodes[k] = mlCode(ml[k]);
    ofCodes[k] = highBit(ofv[k]);
  }
  const pre = predefinedEncoders();
  const modePos = op++;
  const llSel = chooseTable(llCodes, nseq, LL_MAX_SYMBOL, LL_MAX_LOG, LL_DEFAULT_NORM, LL_DEFAULT_LOG, pre.ll, dst, op);
  op = llSel.end;
  const ofSel = chooseTable(ofCodes, nseq, OF_MAX_SYMBOL, OF_MAX_LOG, OF_DEFAULT_NORM, OF_DEFAULT_LOG, pre.of, dst, op);
  op = ofSel.end;
  const mlSel = chooseTable(mlCodes, nseq, ML_MAX_SYMBOL, ML_MAX_LOG, ML_DEFAULT_NORM, ML_DEFAULT_LOG, pre.ml, dst, op);
  op = mlSel.end;
  dst[modePos] = (llSel.mode << 6) | (ofSel.mode << 4) | (mlSel.mode << 2);
  if (op >= rawSize) return 0;
  const enc = { ll: llSel.enc, of: ofSel.enc, ml: mlSel.enc };
  // A sequence takes at most ~72 bits; `dst` has 1 KiB of slack past
  // rawSize and the loop below stops once the output reaches rawSize.
  const w = new BitWriter(dst, op);
  let i = nseq - 1;
  let llc = llCodes[i];
  let mlc = mlCodes[i];
  let ofc = ofCodes[i];
  let sLL = fseInitState(enc.ll, llc);
  let sML = fseInitState(enc.ml, mlc);
  let sOF = fseInitState(enc.of, ofc);
  w.write(ll[i] - LL_BASE[llc], LL_BITS[llc]);
  w.write(ml[i] - ML_BASE[mlc], ML_BITS[mlc]);
  w.write(ofv[i] - 2 ** ofc, ofc);
  for (i = nseq - 2; i >= 0; i--) {
    llc = llCodes[i];
    mlc = mlCodes[i];
    ofc = ofCodes[i];
    sOF = fseEncode(enc.of, w, sOF, ofc);
    sML = fseEncode(enc.ml, w, sML, mlc);
    sLL = fseEncode(enc.ll, w, sLL, llc);
    w.write(ll[i] - LL_BASE[llc], LL_BITS[llc]);
    w.write(ml[i] - ML_BASE[mlc], ML_BITS[mlc]);
    w.write(ofv[i] - 2 ** ofc, ofc);
    if (w.pos > rawSize) return 0;
  }
  w.write(sML - enc.ml.size, enc.ml.log);
  w.write(sOF - enc.of.size, enc.of.log);
  w.write(sLL - enc.ll.size, enc.ll.log);
  op = w.close();
  return op < rawSize ? op : 0;
}

// ---------------------------------------------------------------------------
// Literals: raw, RLE or Huffman-compressed
// ---------------------------------------------------------------------------

const HUF_MAX_BITS = 11;

function writeRawLiteralsHeader(type: number, n: number, dst: Uint8Array, op: number): number {
  if (n < 32) {
    dst[op++] = type | (n << 3);
  } else if (n < 4096) {
    dst[op++] = type | 0x04 | ((n & 0xf) << 4);
    dst[op++] = n >>> 4;
  } else {
    dst[op++] = type | 0x0c | ((n & 0xf) << 4);
    dst[op++] = (n >>> 4) & 0xff;
    dst[op++] = n >>> 12;
  }
  return op;
}

/**
 * Write the literals section for `lit[0, n)` at `dst[op]`: Huffman-compressed
 * when that is smaller, RLE when all bytes are equal, raw otherwise. Returns
 * the new position, or -1 if it would reach `limit`.
 */
function writeLiterals(lit: Uint8Array, n: number, dst: Uint8Array, op: number, limit: number): number {
  if (n === 0) {
    dst[op] = 0;
    return op + 1;
  }
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i++) counts[lit[i]]++;
  let distinct = 0;
  let maxSym = 0;
  for (let sym = 0; sym < 256; sym++) {
    if (counts[sym] > 0) {
      distinct++;
      maxSym = sym;
    }
  }
  if (distinct === 1 && n >= 4) {
    op = writeRawLiteralsHeader(1, n, dst, op);
    dst[op++] = lit[0];
    return op;
  }
  const rawEnd = writeRawLiteralsHeader(0, n, dst, op) + n;
  if (distinct > 1 && n >= 64) {
    const huf = writeHuffmanLiterals(lit, n, counts, maxSym, dst, op, Math.min(rawEnd, limit));
    if (huf > 0) return huf;
  }
  if (rawEnd >= limit) return -1;
  op = writeRawLiteralsHeader(0, n, dst, op);
  dst.set(lit.subarray(0, n), op);
  return op + n;
}

/**
 * Huffman code lengths (at most HUF_MAX_BITS) for the symbols with non-zero
 * counts, forming a complete prefix code (zstd infers the last weight).
 */
function huffmanLengths(counts: Uint32Array, maxSym: number): Uint8Array {
  const syms: number[] = [];
  for (let sym = 0; sym <= maxSym; sym++) if (counts[sym] > 0) syms.push(sym);
  syms.sort((a, b) => counts[a] - counts[b] || a - b);
  const n = syms.length;
  // Two-queue Huffman construction: nodes 0..n-1 are leaves, n.. internal.
  const weight = new Float64Array(2 * n);
  const parent = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) weight[i] = counts[syms[i]];
  let leaf = 0;
  let inner = n;
  let next = n;
  const pick = (): number => {
    if (leaf < n && (inner >= next || weight[leaf] <= weight[inner])) return leaf++;
    return inner++;
  };
  while (next < 2 * n - 1) {
    const a = pick();
    const b = pick();
    weight[next] = weight[a] + weight[b];
    parent[a] = next;
    parent[b] = next;
    next++;
  }
  const depth = new Uint8Array(2 * n);
  for (let i = 2 * n - 3; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
  const len = new Uint8Array(256);
  for (let i = 0; i < n; i++) len[syms[i]] = Math.min(depth[i], HUF_MAX_BITS);
  // Restore Kraft's equality sum(2^(L - len)) = 2^L after clamping.
  const L = HUF_MAX_BITS;
  let kraft = 0;
  for (const sym of syms) kraft += 1 << (L - len[sym]);
  const target = 1 << L;
  // syms is sorted by increasing count: lengthen the rarest symbols first.
  while (kraft > target) {
    let best = -1;
    for (const sym of syms) {
      if (len[sym] < L && (best < 0 || len[sym] > len[best])) best = sym;
    }
    kraft -= 1 << (L - len[best] - 1);
    len[best]++;
  }
  while (kraft < target) {
    const deficit = target - kraft;
    let best = -1;
    for (let i = n - 1; i >= 0; i--) {
      const sym = syms[i];
      if (len[sym] > 1 && 1 << (L - len[sym]) <= deficit && (best < 0 || len[sym] > len[best])) best = sym;
    }
    kraft += 1 << (L - len[best]);
    len[best]--;
  }
  return len;
}

/** Returns the new position, or 0 if Huffman literals would not fit below `limit`. */
function writeHuffmanLiterals(
  lit: Uint8Array,
  n: number,
  counts: Uint32Array,
  maxSym: number,
  dst: Uint8Array,
  op: number,
  limit: number,
): number {
  const len = huffmanLengths(counts, maxSym);
  let maxBits = 0;
  for (let sym = 0; sym <= maxSym; sym++) if (len[sym] > maxBits) maxBits = len[sym];
  const weights = new Uint8Array(256);
  for (let sym = 0; sym <= maxSym; sym++) weights[sym] = len[sym] > 0 ? maxBits + 1 - len[sym] : 0;
  // Canonical codes as the decoder assigns them: by weight, then symbol.
  const rankStart = new Uint32Array(HUF_MAX_BITS + 2);
  for (let sym = 0; sym <= maxSym; sym++) if (weights[sym] > 0) rankStart[weights[sym]] += 1 << (weights[sym] - 1);
  let acc = 0;
  for (let w = 1; w <= maxBits; w++) {
    const c = rankStart[w];
    rankStart[w] = acc;
    acc += c;
  }
  const code = new Uint16Array(256);
  for (let sym = 0; sym <= maxSym; sym++) {
    const w = weights[sym];
    if (w === 0) continue;
    code[sym] = rankStart[w] >>> (w - 1);
    rankStart[w] += 1 << (w - 1);
  }
  // Tree description into a scratch area (weights of symbols 0..maxSym-1).
  const desc = new Uint8Array(256);
  let descLen = fseCompressWeights(weights, maxSym, desc);
  if (maxSym <= 128 && (descLen === 0 || descLen > 1 + ((maxSym + 1) >>> 1))) {
    desc[0] = 127 + maxSym;
    for (let i = 0; i < maxSym; i += 2) desc[1 + (i >>> 1)] = (weights[i] << 4) | (i + 1 < maxSym ? weights[i + 1] : 0);
    descLen = 1 + ((maxSym + 1) >>> 1);
  }
  if (descLen === 0) return 0;
  // Streams, written after room for the largest header (5 bytes).
  const single = n < 256;
  const hdr = single ? 3 : n < 1024 ? 3 : n < 16384 ? 4 : 5;
  let p = op + hdr;
  if (p + descLen >= limit) return 0;
  dst.set(desc.subarray(0, descLen), p);
  p += descLen;
  if (single) {
    p = huffmanStream(lit, 0, n, code, len, dst, p, limit);
    if (p < 0) return 0;
  } else {
    const seg = (n + 3) >>> 2;
    const jump = p;
    p += 6;
    let start = 0;
    for (let k = 0; k < 4; k++) {
      const end = k < 3 ? start + seg : n;
      const before = p;
      p = huffmanStream(lit, start, end, code, len, dst, p, limit);
      if (p < 0) return 0;
      if (k < 3) {
        dst[jump + 2 * k] = (p - before) & 0xff;
        dst[jump + 2 * k + 1] = (p - before) >>> 8;
      }
      start = end;
    }
  }
  const csize = p - op - hdr;
  if (p >= limit) return 0;
  // Header: type 2 (compressed), size format by stream count and sizes.
  if (single) {
    if (csize > 1023) return 0;
    dst[op] = 2 | (0 << 2) | ((n & 0xf) << 4);
    dst[op + 1] = ((n >>> 4) & 0x3f) | ((csize & 3) << 6);
    dst[op + 2] = csize >>> 2;
  } else if (hdr === 3) {
    if (csize > 1023) return 0;
    dst[op] = 2 | (1 << 2) | ((n & 0xf) << 4);
    dst[op + 1] = ((n >>> 4) & 0x3f) | ((csize & 3) << 6);
    dst[op + 2] = csize >>> 2;
  } else if (hdr === 4) {
    if (csize > 16383) return 0;
    dst[op] = 2 | (2 << 2) | ((n & 0xf) << 4);
    dst[op + 1] = (n >>> 4) & 0xff;
    dst[op + 2] = ((n >>> 12) & 3) | ((csize & 0x3f) << 2);
    dst[op + 3] = csize >>> 6;
  } else {
    if (csize > 262143) return 0;
    dst[op] = 2 | (3 << 2) | ((n & 0xf) << 4);
    dst[op + 1] = (n >>> 4) & 0xff;
    dst[op + 2] = ((n >>> 12) & 0x3f) | ((csize & 3) << 6);
    dst[op + 3] = (csize >>> 2) & 0xff;
    dst[op + 4] = csize >>> 10;
  }
  return p;
}

/** One Huffman stream for lit[start, end), last symbol first; -1 if past `limit`. */
function huffmanStream(
  lit: Uint8Array,
  start: number,
  end: number,
  code: Uint16Array,
  len: Uint8Array,
  dst: Uint8Array,
  op: number,
  limit: number,
): number {
  if (op + Math.ceil(((end - start) * HUF_MAX_BITS) / 8) + 2 > dst.length && op + 8 > limit) return -1;
  const w = new BitWriter(dst, op);
  for (let i = end - 1; i >= start; i--) {
    const sym = lit[i];
    w.write(code[sym], len[sym]);
    if (w.pos >= limit) return -1;
  }
  const p = w.close();
  return p >= limit ? -1 : p;
}

/**
 * FSE-compress the Huffman weights of symbols 0..count-1 into `out` (header
 * byte, table description, two-state stream). Returns the size, or 0 if FSE
 * cannot be used (fewer than two distinct weights, or over 127 bytes).
 */
function fseCompressWeights(weights: Uint8Array, count: number, out: Uint8Array): number {
  if (count < 2) return 0;
  const hist = new Uint32Array(16);
  for (let i = 0; i < count; i++) hist[weights[i]]++;
  let maxW = 0;
  let distinct = 0;
  for (let v = 0; v < 16; v++) {
    if (hist[v] > 0) {
      distinct++;
      maxW = v;
    }
  }
  if (distinct < 2) return 0;
  const log = 6;
  const size = 1 << log;
  const norm = normalizeCounts(hist, maxW, count, log);
  const w = new BitWriter(out, 1);
  writeNCount(norm, log, w);
  let p = w.flushBytes();
  // Two interleaved states over one table, as the decoder reads them.
  const enc = buildFseEncoder(norm, log);
  const bw = new BitWriter(out, p);
  let i = count;
  let s1: number;
  let s2: number;
  if (count & 1) {
    s1 = fseInitState(enc, weights[--i]);
    s2 = fseInitState(enc, weights[--i]);
    s1 = fseEncode(enc, bw, s1, weights[--i]);
  } else {
    s2 = fseInitState(enc, weights[--i]);
    s1 = fseInitState(enc, weights[--i]);
  }
  while (i > 0) {
    s2 = fseEncode(enc, bw, s2, weights[--i]);
    s1 = fseEncode(enc, bw, s1, weights[--i]);
    if (bw.pos > 160) return 0;
  }
  bw.write(s2 - size, log);
  bw.write(s1 - size, log);
  p = bw.close();
  const total = p - 1;
  if (total > 127) return 0;
  out[0] = total;
  return p;
}

// ---------------------------------------------------------------------------
// FSE table selection for sequences
// ---------------------------------------------------------------------------

/** Normalize a histogram to counts summing to 2^log (every used symbol >= 1). */
function normalizeCounts(hist: ArrayLike<number>, maxSym: number, total: number, log: number): number[] {
  const size = 1 << log;
  const norm = new Array<number>(maxSym + 1).fill(0);
  let sum = 0;
  for (let v = 0; v <= maxSym; v++) {
    if (hist[v] === 0) continue;
    norm[v] = Math.max(1, Math.round((hist[v] * size) / total));
    sum += norm[v];
  }
  while (sum !== size) {
    // Adjust the largest entry (the cheapest to change in relative terms).
    let largest = -1;
    for (let v = 0; v <= maxSym; v++) if (norm[v] > 1 && (largest < 0 || norm[v] > norm[largest])) largest = v;
    if (sum < size) {
      if (largest < 0) for (let v = 0; v <= maxSym; v++) if (norm[v] > 0) largest = v;
      norm[largest] += size - sum;
      sum = size;
    } else {
      const cut = Math.min(sum - size, norm[largest] - 1);
      norm[largest] -= cut;
      sum -= cut;
    }
  }
  return norm;
}

/** Write an FSE table description (the inverse of readFseTable). */
function writeNCount(norm: number[], log: number, w: BitWriter): void {
  w.write(log - 5, 4);
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let sym = 0;
  while (remaining > 1) {
    const c = norm[sym];
    const value = c + 1;
    const max = 2 * threshold - 1 - remaining;
    if (value < max) w.write(value, nbBits - 1);
    else if (value < threshold) w.write(value, nbBits);
    else w.write(value + max, nbBits);
    remaining -= c;
    sym++;
    if (c === 0) {
      let z = 0;
      while (sym + z < norm.length && norm[sym + z] === 0) z++;
      sym += z;
      while (z >= 3) {
        w.write(3, 2);
        z -= 3;
      }
      w.write(z, 2);
    }
    while (remaining < threshold) {
      nbBits--;
      threshold >>>= 1;
    }
  }
}

interface TableChoice {
  mode: number;
  enc: FseEncoder;
  end: number;
}

/**
 * Pick the table for one kind of code: RLE if a single symbol is used, else
 * the predefined distribution or a block-specific one written at dst[op],
 * whichever costs fewer bits.
 */
function chooseTable(
  codes: Uint8Array,
  n: number,
  maxAllowed: number,
  maxLog: number,
  defNorm: number[],
  defLog: number,
  defEnc: FseEncoder,
  dst: Uint8Array,
  op: number,
): TableChoice {
  const hist = new Uint32Array(maxAllowed + 1);
  let maxSym = 0;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (hist[c]++ === 0) distinct++;
    if (c > maxSym) maxSym = c;
  }
  if (distinct === 1) {
    dst[op] = maxSym;
    const norm = new Array<number>(maxSym + 1).fill(0);
    norm[maxSym] = 1;
    return { mode: 1, enc: buildFseEncoder(norm, 0), end: op + 1 };
  }
  // Cost with the predefined table (symbols beyond it cannot use it).
  let preBits = Infinity;
  if (maxSym < defNorm.length) {
    preBits = 0;
    for (let v = 0; v <= maxSym; v++) {
      if (hist[v] === 0) continue;
      const p = defNorm[v] === -1 ? 1 : defNorm[v];
      if (p === 0) {
        preBits = Infinity;
        break;
      }
      preBits += hist[v] * (defLog - Math.log2(p));
    }
  }
  if (n < 32 && preBits !== Infinity) return { mode: 0, enc: defEnc, end: op };
  let log = Math.min(maxLog, Math.max(5, highBit(n - 1) + 1, highBit(maxSym) + 2));
  if (log > maxLog) log = maxLog;
  const norm = normalizeCounts(hist, maxSym, n, log);
  const w = new BitWriter(dst, op);
  writeNCount(norm, log, w);
  const end = w.flushBytes();
  let customBits = (end - op) * 8;
  for (let v = 0; v <= maxSym; v++) if (hist[v] > 0) customBits += hist[v] * (log - Math.log2(norm[v]));
  if (preBits <= customBits) return { mode: 0, enc: defEnc, end: op };
  return { mode: 2, enc: buildFseEncoder(norm, log), end };
}
