/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
 * Kafka's legacy message formats (magic 0 and 1). Record batch v2 uses
 * CRC-32C instead (see crc32c.ts). Node 20's zlib has no crc32, so this is
 * table-driven JS: "slice-by-8", where table k maps a byte to the CRC
 * contribution of that byte followed by k zero bytes, folding 8 input bytes
 * per loop iteration.
 */

const POLY = 0xedb88320;

function makeTables(): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      const c = prev[n]!;
      t[n] = (c >>> 8) ^ t0[c & 0xff]!;
    }
    tables.push(t);
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = makeTables() as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/**
 * Continue a CRC-32 over `buf[start, end)`. `crc` is a previous result (0 to
 * start fresh), so `crc32(b, 0, b.length, crc32(a))` is the CRC of a then b.
 * Returns an unsigned 32-bit number.
 */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (end > buf.length) end = buf.length;
  let c = ~crc;
  let i = start;
  const end8 = end - 8;
  while (i <= end8) {
    const a = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) ^ c;
    c =
      T7[a & 0xff]! ^
      T6[(a >>> 8) & 0xff]! ^
      T5[(a >>> 16) & 0xff]! ^
      T4[a >>> 24]! ^
      T3[buf[i + 4]!]! ^
      T2[buf[i + 5]!]! ^
      T1[buf[i + 6]!]! ^
      T0[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) {
    c = (c >>> 8) ^ T0[(c ^ buf[i]!) & 0xff]!;
    i++;
  }
  return ~c >>> 0;
}
