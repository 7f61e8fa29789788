/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of Kafka's
 * legacy message formats (magic 0 and 1). Record batch v2 uses CRC-32C (crc32c.ts).
 * Node 20's zlib has no crc32. Legacy messages are rare here, so a byte-at-a-time
 * loop is enough.
 */
import { makeCrcTables } from './crc-tables.js';

const [T0] = makeCrcTables(0xedb88320, 1) as [Int32Array];

/**
 * Continue a CRC-32 over `buf[start, end)`. `crc` is a previous result (0 to
 * start fresh), so `crc32(b, 0, b.length, crc32(a))` is the CRC of a then b.
 * Returns an unsigned 32-bit number.
 */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (end > buf.length) end = buf.length;
  let c = ~crc;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ T0[(c ^ buf[i]!) & 0xff]!;
  return ~c >>> 0;
}
