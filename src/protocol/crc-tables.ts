/**
 * Lookup tables for reflected CRC-32 variants. Table k maps a byte to the CRC
 * contribution of that byte followed by k zero bytes, which lets a loop fold
 * several input bytes per iteration ("slice-by-N").
 */
export function makeCrcTables(poly: number, count: number): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < count; k++) {
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
