// Appends Kafka's primitive types to a growable Buffer. Output is a list of
// chunks so that large payloads (record batches) can be passed through without
// being copied: `chunk()` seals what was written so far and appends the caller's
// Buffer as its own element.

const TWO_POW_32 = 4294967296;
/** Below this size an external buffer is cheaper to copy than to keep as a chunk. */
const COPY_THRESHOLD = 1024;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the bytes in `buf` not yet sealed into `chunks`. */
  private chunkStart = 0;
  private readonly chunks: Buffer[] = [];
  /** Bytes already sealed into `chunks`. */
  private sealed = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.sealed + this.pos - this.chunkStart;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    // Only the unsealed tail moves; sealed chunks keep viewing the old buffer.
    const pending = this.pos - this.chunkStart;
    const size = Math.max(this.buf.length * 2, pending + n, 256);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.chunkStart, this.pos);
    this.buf = next;
    this.chunkStart = 0;
    this.pos = pending;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
    this.pos = p + 2;
    return this;
  }

  uint16(v: number): this {
    return this.int16(v);
  }

  int32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
    return this;
  }

  uint32(v: number): this {
    return this.int32(v);
  }

  /** int64 from a JS number (exact up to 2^53). */
  int64(v: number): this {
    // Offsets and timestamps are mostly small non-negative values: skip the division.
    const hi = v >= 0 && v < TWO_POW_32 ? 0 : Math.floor(v / TWO_POW_32);
    const lo = v - hi * TWO_POW_32;
    this.ensure(8);
    const b = this.buf;
    const p = this.pos;
    b[p] = (hi >>> 24) & 0xff;
    b[p + 1] = (hi >>> 16) & 0xff;
    b[p + 2] = (hi >>> 8) & 0xff;
    b[p + 3] = hi & 0xff;
    b[p + 4] = (lo >>> 24) & 0xff;
    b[p + 5] = (lo >>> 16) & 0xff;
    b[p + 6] = (lo >>> 8) & 0xff;
    b[p + 7] = lo & 0xff;
    this.pos = p + 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** Unsigned varint of a value in [0, 2^32). */
  uvarint(v: number): this {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    v >>>= 0;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
    return this;
  }

  /** Zigzag signed 32-bit varint. */
  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31));
  }

  /** Zigzag signed 64-bit varint from a JS number (exact for |v| <= 2^53). */
  varlong(v: number): this {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    // Zigzag is (magnitude << 1) | sign; emit the sign with the low 6 bits so the
    // doubled value, which may not fit a double exactly, is never formed.
    const negative = v < 0;
    let magnitude = negative ? -v - 1 : v;
    const first = (magnitude % 64) * 2 + (negative ? 1 : 0);
    magnitude = Math.floor(magnitude / 64);
    if (magnitude === 0) {
      b[p++] = first;
    } else {
      b[p++] = first | 0x80;
      while (magnitude >= 0x80) {
        b[p++] = (magnitude % 0x80) | 0x80;
        magnitude = Math.floor(magnitude / 0x80);
      }
      b[p++] = magnitude;
    }
    this.pos = p;
    return this;
  }

  /** Raw bytes, copied. */
  raw(src: Uint8Array): this {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /**
   * Appends `src` without copying it (when it is large enough to matter). The
   * caller must not modify `src` until the output chunks have been sent.
   */
  chunk(src: Buffer): this {
    if (src.length < COPY_THRESHOLD) return this.raw(src);
    this.seal();
    this.chunks.push(src);
    this.sealed += src.length;
    return this;
  }

  private seal(): void {
    if (this.pos > this.chunkStart) {
      this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
      this.sealed += this.pos - this.chunkStart;
      this.chunkStart = this.pos;
    }
  }

  private utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }

  string(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new RangeError(`string of ${n} bytes is too long for an int16 length`);
    this.int16(n);
    this.utf8(s, n);
    return this;
  }

  nullableString(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  compactString(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n + 1);
    this.utf8(s, n);
    return this;
  }

  compactNullableString(s: string | null): this {
    return s === null ? this.uvarint(0) : this.compactString(s);
  }

  bytes(b: Uint8Array): this {
    return this.int32(b.length).raw(b);
  }

  nullableBytes(b: Uint8Array | null): this {
    return b === null ? this.int32(-1) : this.bytes(b);
  }

  compactBytes(b: Uint8Array): this {
    return this.uvarint(b.length + 1).raw(b);
  }

  compactNullableBytes(b: Uint8Array | null): this {
    return b === null ? this.uvarint(0) : this.compactBytes(b);
  }

  /** 22-char base64url (Kafka's Uuid.toString) -> 16 bytes. */
  uuid(s: string): this {
    this.ensure(16);
    const n = s.length === 22 ? this.buf.write(s, this.pos, 16, 'base64url') : 0;
    if (n !== 16) throw new RangeError(`not a Kafka uuid: ${JSON.stringify(s)}`);
    this.pos += 16;
    return this;
  }

  arrayLength(n: number): this {
    return this.int32(n);
  }

  compactArrayLength(n: number): this {
    return this.uvarint(n + 1);
  }

  /** The bytes written, as chunks to be sent in order. */
  finish(): Buffer[] {
    this.seal();
    return this.chunks;
  }
}

/** Joins chunks into one Buffer (without copying when there is only one). */
export function concatChunks(chunks: readonly Buffer[]): Buffer {
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks as Buffer[]);
}

/** Total byte length of a list of chunks. */
export function chunksLength(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
