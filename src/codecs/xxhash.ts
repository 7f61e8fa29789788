// xxHash32 and xxHash64 (non-cryptographic hashes used by the LZ4 frame format
// and by zstd's content checksum), written from the algorithm description.
// xxHash64 works on pairs of unsigned 32-bit halves to avoid BigInt in loops.

const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** xxHash32 of `data[start, end)` with `seed`; returns an unsigned 32-bit number. */
export function xxh32(data: Uint8Array, seed = 0, start = 0, end = data.length): number {
  const len = end - start;
  let p = start;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P32_1 + P32_2) | 0;
    let v2 = (seed + P32_2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P32_1) | 0;
    const limit = end - 16;
    while (p <= limit) {
      v1 = Math.imul(rotl32((v1 + Math.imul(u32le(data, p), P32_2)) | 0, 13), P32_1);
      v2 = Math.imul(rotl32((v2 + Math.imul(u32le(data, p + 4), P32_2)) | 0, 13), P32_1);
      v3 = Math.imul(rotl32((v3 + Math.imul(u32le(data, p + 8), P32_2)) | 0, 13), P32_1);
      v4 = Math.imul(rotl32((v4 + Math.imul(u32le(data, p + 12), P32_2)) | 0, 13), P32_1);
      p += 16;
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    h = (seed + P32_5) | 0;
  }
  h = (h + len) | 0;
  while (p + 4 <= end) {
    h = Math.imul(rotl32((h + Math.imul(u32le(data, p), P32_3)) | 0, 17), P32_4);
    p += 4;
  }
  while (p < end) {
    h = Math.imul(rotl32((h + Math.imul(data[p], P32_5)) | 0, 11), P32_1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P32_2);
  h ^= h >>> 13;
  h = Math.imul(h, P32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---------------------------------------------------------------------------
// xxHash64 on 32-bit halves
// ---------------------------------------------------------------------------

// Primes as [high, low].
const P64_1H = 0x9e3779b1,
  P64_1L = 0x85ebca87;
const P64_2H = 0xc2b2ae3d,
  P64_2L = 0x27d4eb4f;
const P64_3H = 0x165667b1,
  P64_3L = 0x9e3779f9;
const P64_4H = 0x85ebca77,
  P64_4L = 0xc2b2ae63;
const P64_5H = 0x27d4eb2f,
  P64_5L = 0x165667c5;

// Scratch result of the 64-bit helpers (high, low), unsigned.
let rH = 0;
let rL = 0;

/** (aH:aL * bH:bL) mod 2^64 into rH:rL. */
function mul64(aH: number, aL: number, bH: number, bL: number): void {
  const a0 = aL & 0xffff,
    a1 = aL >>> 16,
    b0 = bL & 0xffff,
    b1 = bL >>> 16;
  const lo = a0 * b0;
  const m1 = a1 * b0;
  const m2 = a0 * b1;
  const t = (lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  rL = (((t & 0xffff) << 16) | (lo & 0xffff)) >>> 0;
  const hiOfLow = (t >>> 16) + (m1 >>> 16) + (m2 >>> 16) + a1 * b1;
  rH = (hiOfLow + Math.imul(aH, bL) + Math.imul(aL, bH)) >>> 0;
}

/** aH:aL + bH:bL into rH:rL. */
function add64(aH: number, aL: number, bH: number, bL: number): void {
  const lo = (aL >>> 0) + (bL >>> 0);
  rL = lo >>> 0;
  rH = (aH + bH + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** rotl(aH:aL, r) for 0 < r < 32 into rH:rL. */
function rotl64(aH: number, aL: number, r: number): void {
  const h = (aH << r) | (aL >>> (32 - r));
  rL = ((aL << r) | (aH >>> (32 - r))) >>> 0;
  rH = h >>> 0;
}

/** The xxh64 round: acc = rotl(acc + lane * P2, 31) * P1, into rH:rL. */
function round64(accH: number, accL: number, laneH: number, laneL: number): void {
  mul64(laneH, laneL, P64_2H, P64_2L);
  add64(accH, accL, rH, rL);
  rotl64(rH, rL, 31);
  mul64(rH, rL, P64_1H, P64_1L);
}

/** acc = (acc ^ round(0, val)) * P1 + P4, into rH:rL. */
function mergeRound64(accH: number, accL: number, valH: number, valL: number): void {
  round64(0, 0, valH, valL);
  const xH = (accH ^ rH) >>> 0,
    xL = (accL ^ rL) >>> 0;
  mul64(xH, xL, P64_1H, P64_1L);
  add64(rH, rL, P64_4H, P64_4L);
}

const TWO32 = 4294967296;
const P64_1L0 = P64_1L & 0xffff,
  P64_1L1 = P64_1L >>> 16;
const P64_2L0 = P64_2L & 0xffff,
  P64_2L1 = P64_2L >>> 16;

/** xxHash64 as [high, low] unsigned 32-bit halves. */
export function xxh64Parts(data: Uint8Array, seed: bigint = 0n, start = 0, end = data.length): [number, number] {
  const sH = Number((seed >> 32n) & 0xffffffffn);
  const sL = Number(seed & 0xffffffffn);
  const len = end - start;
  let p = start;
  let hH: number, hL: number;
  if (len >= 32) {
    add64(sH, sL, P64_1H, P64_1L);
    add64(rH, rL, P64_2H, P64_2L);
    let v1H = rH,
      v1L = rL;
    add64(sH, sL, P64_2H, P64_2L);
    let v2H = rH,
      v2L = rL;
    let v3H = sH,
      v3L = sL;
    // seed - P1 = seed + (2^64 - P1)
    add64(sH, sL, ~P64_1H >>> 0, ~P64_1L >>> 0);
    add64(rH, rL, 0, 1);
    let v4H = rH,
      v4L = rL;
    const limit = end - 32;
    // The stripe rounds acc = rotl(acc + lane * P2, 31) * P1, written out with
    // exact double arithmetic (16-bit x 32-bit partial products stay < 2^53).
    let lL: number, lH: number, a0: number, a1: number, m: number, tL: number, tH: number;
    let sum: number, aL: number, aH: number, xH: number, xL: number;
    while (p <= limit) {
      // lane 1
      lL = (data[p + 0] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
      lH = (data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24)) >>> 0;
      a0 = lL & 0xffff;
      a1 = lL >>> 16;
      m = a0 * P64_2L1 + a1 * P64_2L0;
      tL = Math.imul(lL, P64_2L) >>> 0;
      tH =
        a1 * P64_2L1 + Math.floor((m * 65536 + a0 * P64_2L0) / TWO32) + Math.imul(lH, P64_2L) + Math.imul(lL, P64_2H);
      sum = v1L + tL;
      aL = sum >>> 0;
      aH = (v1H + tH + (sum >= TWO32 ? 1 : 0)) >>> 0;
      xH = ((aH << 31) | (aL >>> 1)) >>> 0;
      xL = ((aL << 31) | (aH >>> 1)) >>> 0;
      a0 = xL & 0xffff;
      a1 = xL >>> 16;
      m = a0 * P64_1L1 + a1 * P64_1L0;
      v1L = Math.imul(xL, P64_1L) >>> 0;
      v1H =
        (a1 * P64_1L1 +
          Math.floor((m * 65536 + a0 * P64_1L0) / TWO32) +
          Math.imul(xH, P64_1L) +
          Math.imul(xL, P64_1H)) >>>
        0;
      // lane 2
      lL = (data[p + 8] | (data[p + 9] << 8) | (data[p + 10] << 16) | (data[p + 11] << 24)) >>> 0;
      lH = (data[p + 12] | (data[p + 13] << 8) | (data[p + 14] << 16) | (data[p + 15] << 24)) >>> 0;
      a0 = lL & 0xffff;
      a1 = lL >>> 16;
      m = a0 * P64_2L1 + a1 * P64_2L0;
      tL = Math.imul(lL, P64_2L) >>> 0;
      tH =
        a1 * P64_2L1 + Math.floor((m * 65536 + a0 * P64_2L0) / TWO32) + Math.imul(lH, P64_2L) + Math.imul(lL, P64_2H);
      sum = v2L + tL;
      aL = sum >>> 0;
      aH = (v2H + tH + (sum >= TWO32 ? 1 : 0)) >>> 0;
      xH = ((aH << 31) | (aL >>> 1)) >>> 0;
      xL = ((aL << 31) | (aH >>> 1)) >>> 0;
      a0 = xL & 0xffff;
      a1 = xL >>> 16;
      m = a0 * P64_1L1 + a1 * P64_1L0;
      v2L = Math.imul(xL, P64_1L) >>> 0;
      v2H =
        (a1 * P64_1L1 +
          Math.floor((m * 65536 + a0 * P64_1L0) / TWO32) +
          Math.imul(xH, P64_1L) +
          Math.imul(xL, P64_1H)) >>>
        0;
      // lane 3
      lL = (data[p + 16] | (data[p + 17] << 8) | (data[p + 18] << 16) | (data[p + 19] << 24)) >>> 0;
      lH = (data[p + 20] | (data[p + 21] << 8) | (data[p + 22] << 16) | (data[p + 23] << 24)) >>> 0;
      a0 = lL & 0xffff;
      a1 = lL >>> 16;
      m = a0 * P64_2L1 + a1 * P64_2L0;
      tL = Math.imul(lL, P64_2L) >>> 0;
      tH =
        a1 * P64_2L1 + Math.floor((m * 65536 + a0 * P64_2L0) / TWO32) + Math.imul(lH, P64_2L) + Math.imul(lL, P64_2H);
      sum = v3L + tL;
      aL = sum >>> 0;
      aH = (v3H + tH + (sum >= TWO32 ? 1 : 0)) >>> 0;
      xH = ((aH << 31) | (aL >>> 1)) >>> 0;
      xL = ((aL << 31) | (aH >>> 1)) >>> 0;
      a0 = xL & 0xffff;
      a1 = xL >>> 16;
      m = a0 * P64_1L1 + a1 * P64_1L0;
      v3L = Math.imul(xL, P64_1L) >>> 0;
      v3H =
        (a1 * P64_1L1 +
          Math.floor((m * 65536 + a0 * P64_1L0) / TWO32) +
          Math.imul(xH, P64_1L) +
          Math.imul(xL, P64_1H)) >>>
        0;
      // lane 4
      lL = (data[p + 24] | (data[p + 25] << 8) | (data[p + 26] << 16) | (data[p + 27] << 24)) >>> 0;
      lH = (data[p + 28] | (data[p + 29] << 8) | (data[p + 30] << 16) | (data[p + 31] << 24)) >>> 0;
      a0 = lL & 0xffff;
      a1 = lL >>> 16;
      m = a0 * P64_2L1 + a1 * P64_2L0;
      tL = Math.imul(lL, P64_2L) >>> 0;
      tH =
        a1 * P64_2L1 + Math.floor((m * 65536 + a0 * P64_2L0) / TWO32) + Math.imul(lH, P64_2L) + Math.imul(lL, P64_2H);
      sum = v4L + tL;
      aL = sum >>> 0;
      aH = (v4H + tH + (sum >= TWO32 ? 1 : 0)) >>> 0;
      xH = ((aH << 31) | (aL >>> 1)) >>> 0;
      xL = ((aL << 31) | (aH >>> 1)) >>> 0;
      a0 = xL & 0xffff;
      a1 = xL >>> 16;
      m = a0 * P64_1L1 + a1 * P64_1L0;
      v4L = Math.imul(xL, P64_1L) >>> 0;
      v4H =
        (a1 * P64_1L1 +
          Math.floor((m * 65536 + a0 * P64_1L0) / TWO32) +
          Math.imul(xH, P64_1L) +
          Math.imul(xL, P64_1H)) >>>
        0;
      p += 32;
    }
    rotl64(v1H, v1L, 1);
    let hH0 = rH,
      hL0 = rL;
    rotl64(v2H, v2L, 7);
    add64(hH0, hL0, rH, rL);
    hH0 = rH;
    hL0 = rL;
    rotl64(v3H, v3L, 12);
    add64(hH0, hL0, rH, rL);
    hH0 = rH;
    hL0 = rL;
    rotl64(v4H, v4L, 18);
    add64(hH0, hL0, rH, rL);
    hH0 = rH;
    hL0 = rL;
    mergeRound64(hH0, hL0, v1H, v1L);
    mergeRound64(rH, rL, v2H, v2L);
    mergeRound64(rH, rL, v3H, v3L);
    mergeRound64(rH, rL, v4H, v4L);
    hH = rH;
    hL = rL;
  } else {
    add64(sH, sL, P64_5H, P64_5L);
    hH = rH;
    hL = rL;
  }
  // h += len (len < 2^53)
  add64(hH, hL, Math.floor(len / 0x100000000) >>> 0, len >>> 0);
  hH = rH;
  hL = rL;
  while (p + 8 <= end) {
    round64(0, 0, u32le(data, p + 4), u32le(data, p));
    hH = (hH ^ rH) >>> 0;
    hL = (hL ^ rL) >>> 0;
    rotl64(hH, hL, 27);
    mul64(rH, rL, P64_1H, P64_1L);
    add64(rH, rL, P64_4H, P64_4L);
    hH = rH;
    hL = rL;
    p += 8;
  }
  if (p + 4 <= end) {
    mul64(0, u32le(data, p), P64_1H, P64_1L);
    hH = (hH ^ rH) >>> 0;
    hL = (hL ^ rL) >>> 0;
    rotl64(hH, hL, 23);
    mul64(rH, rL, P64_2H, P64_2L);
    add64(rH, rL, P64_3H, P64_3L);
    hH = rH;
    hL = rL;
    p += 4;
  }
  while (p < end) {
    mul64(0, data[p], P64_5H, P64_5L);
    hH = (hH ^ rH) >>> 0;
    hL = (hL ^ rL) >>> 0;
    rotl64(hH, hL, 11);
    mul64(rH, rL, P64_1H, P64_1L);
    hH = rH;
    hL = rL;
    p++;
  }
  // avalanche
  hL = (hL ^ (hH >>> 1)) >>> 0; // h ^= h >> 33
  mul64(hH, hL, P64_2H, P64_2L);
  hH = rH;
  hL = rL;
  hL = (hL ^ ((hL >>> 29) | (hH << 3))) >>> 0;
  hH = (hH ^ (hH >>> 29)) >>> 0; // h ^= h >> 29
  mul64(hH, hL, P64_3H, P64_3L);
  hH = rH;
  hL = rL;
  hL = (hL ^ hH) >>> 0; // h ^= h >> 32
  return [hH, hL];
}

/** xxHash64 of `data[start, end)` with `seed`, as an unsigned bigint. */
export function xxh64(data: Uint8Array, seed: bigint = 0n, start = 0, end = data.length): bigint {
  const [h, l] = xxh64Parts(data, seed, start, end);
  return (BigInt(h) << 32n) | BigInt(l);
}
