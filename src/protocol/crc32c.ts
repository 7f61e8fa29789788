/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by Kafka's
 * record batch v2.
 *
 * Pure JS "slice-by-16": table k maps a byte to the CRC contribution of that
 * byte followed by k zero bytes, so 16 input bytes are folded per loop
 * iteration with 16 independent table lookups. The 16 tables are separate
 * Int32Arrays (not one big table with offsets) because V8 optimises fixed
 * references to typed arrays better than computed offsets.
 */

import { makeCrcTables } from './crc-tables.js';

const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = makeCrcTables(0x82f63b78, 16) as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/**
 * Continue a CRC-32C over `buf[start, end)`. `crc` is a previous result
 * (0 to start fresh), so a checksum can be computed over several pieces:
 * `crc32c(b, 0, b.length, crc32c(a))` equals the CRC of a followed by b.
 * Returns an unsigned 32-bit number.
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (end > buf.length) end = buf.length; // never walk past the data on a bogus length
  let c = ~crc;
  let i = start;
  const end16 = end - 16;
  while (i <= end16) {
    const a = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) ^ c;
    c =
      T15[a & 0xff]! ^
      T14[(a >>> 8) & 0xff]! ^
      T13[(a >>> 16) & 0xff]! ^
      T12[a >>> 24]! ^
      T11[buf[i + 4]!]! ^
      T10[buf[i + 5]!]! ^
      T9[buf[i + 6]!]! ^
      T8[buf[i + 7]!]! ^
      T7[buf[i + 8]!]! ^
      T6[buf[i + 9]!]! ^
      T5[buf[i + 10]!]! ^
      T4[buf[i + 11]!]! ^
      T3[buf[i + 12]!]! ^
      T2[buf[i + 13]!]! ^
      T1[buf[i + 14]!]! ^
      T0[buf[i + 15]!]!;
    i += 16;
  }
  while (i < end) {
    c = (c >>> 8) ^ T0[(c ^ buf[i]!) & 0xff]!;
    i++;
  }
  return ~c >>> 0;
}
