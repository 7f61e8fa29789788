// Zig-zag varints (protobuf style), as records inside a batch use them.

export interface Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

/** Zig-zag varint of at most 5 bytes (int32); null when malformed or past end. */
export function readVarint(cur: Cursor): number | null {
  const { buf, end } = cur;
  let pos = cur.pos;
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end || shift > 28) return null;
    const b = buf[pos++]!;
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  cur.pos = pos;
  return (result >>> 1) ^ -(result & 1);
}

/** Zig-zag varlong of at most 10 bytes, as a JS number (exact below 2^53). */
export function readVarlong(cur: Cursor): number | null {
  const { buf, end } = cur;
  let pos = cur.pos;
  let result = 0;
  let mul = 1;
  for (let i = 0; ; i++) {
    if (pos >= end || i >= 10) return null;
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  cur.pos = pos;
  // zig-zag decode without 32-bit operators: even -> n/2, odd -> -(n+1)/2
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

/** Bytes needed for zig-zag varint/varlong encoding of `v`. */
export function varlongSize(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return varintSize(v);
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

export function varintSize(v: number): number {
  const z = ((v << 1) ^ (v >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

export function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return writeVarint(buf, pos, v);
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

// ---------------------------------------------------------------------------
