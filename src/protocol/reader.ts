// Bounds-checked reads of Kafka's primitive types from a Buffer.
// Frames come from the network, so every length is checked against the bytes
// actually left before anything is sliced or allocated; failures raise ProtocolError.

import { ProtocolError } from './errors.js';

const TWO_POW_32 = 4294967296;

export class Reader {
  readonly buf: Buffer;
  pos: number;
  /** Exclusive end; tagged fields narrow it temporarily. */
  end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new ProtocolError(`reader window [${offset}, ${end}) outside a buffer of ${buf.length} bytes`);
    }
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private truncated(need: number): never {
    throw new ProtocolError(`truncated frame: need ${need} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
  }

  skip(n: number): void {
    if (n < 0 || this.end - this.pos < n) this.truncated(n);
    this.pos += n;
  }

  int8(): number {
    if (this.pos >= this.end) this.truncated(1);
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  uint8(): number {
    if (this.pos >= this.end) this.truncated(1);
    return this.buf[this.pos++]!;
  }

  bool(): boolean {
    return this.uint8() !== 0;
  }

  int16(): number {
    if (this.end - this.pos < 2) this.truncated(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
  }

  uint16(): number {
    if (this.end - this.pos < 2) this.truncated(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  int32(): number {
    if (this.end - this.pos < 4) this.truncated(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  /** int64 as a JS number; exact up to 2^53, which covers offsets and timestamps. */
  int64(): number {
    const hi = this.int32();
    const lo = this.int32() >>> 0;
    return hi * TWO_POW_32 + lo;
  }

  float64(): number {
    if (this.end - this.pos < 8) this.truncated(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128 of at most 5 bytes (Kafka's unsigned varint). */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p < end && b[p]! < 0x80) {
      this.pos = p + 1;
      return b[p]!;
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= end) this.truncated(1);
      const byte = b[p++]!;
      // Multiplication instead of << so a 5th byte cannot flip the sign.
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        this.pos = p;
        return result;
      }
    }
    throw new ProtocolError(`malformed varint at offset ${this.pos}: more than 5 bytes`);
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed 64-bit varint (at most 10 bytes), as a JS number. */
  varlong(): number {
    // The zigzag sign sits in bit 0; peel it off first so magnitudes up to 2^53
    // stay exact (the zigzag value itself would need 54 bits).
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p >= end) this.truncated(1);
    let byte = b[p++]!;
    const negative = (byte & 1) === 1;
    let magnitude = (byte & 0x7f) >>> 1;
    let scale = 64;
    for (let i = 1; byte >= 0x80; i++) {
      if (i === 10) throw new ProtocolError(`malformed varlong at offset ${this.pos}: more than 10 bytes`);
      if (p >= end) this.truncated(1);
      byte = b[p++]!;
      magnitude += (byte & 0x7f) * scale;
      scale *= 128;
    }
    this.pos = p;
    return negative ? -magnitude - 1 : magnitude;
  }

  /** Returns the start of `n` bytes and advances past them. */
  private take(n: number): number {
    if (this.end - this.pos < n) {
      throw new ProtocolError(
        `length ${n} at offset ${this.pos} runs past the end of the frame (${this.end - this.pos} left)`,
      );
    }
    const p = this.pos;
    this.pos = p + n;
    return p;
  }

  private utf8(n: number): string {
    const p = this.take(n);
    return this.buf.toString('utf8', p, p + n);
  }

  /** Length-prefixed (int16) string; null for length -1. */
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolError(`negative string length ${n}`);
    }
    return this.utf8(n);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError('null in a non-nullable string');
    return s;
  }

  /** Unsigned-varint (length + 1) string; null for 0. */
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.utf8(n - 1);
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolError('null in a non-nullable compact string');
    return s;
  }

  /** int32-length bytes as a view into the frame (no copy); null for -1. */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolError(`negative bytes length ${n}`);
    }
    const p = this.take(n);
    return this.buf.subarray(p, p + n);
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new ProtocolError('null in non-nullable bytes');
    return b;
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const p = this.take(n - 1);
    return this.buf.subarray(p, p + n - 1);
  }

  compactBytes(): Buffer {
    const b = this.compactNullableBytes();
    if (b === null) throw new ProtocolError('null in non-nullable compact bytes');
    return b;
  }

  /** 16 bytes rendered like Kafka's Uuid.toString: base64url, no padding, 22 chars. */
  uuid(): string {
    const p = this.take(16);
    return this.buf.toString('base64url', p, p + 16);
  }

  /**
   * int32 element count (-1 = null). `minElementSize` lets a garbage count be
   * rejected before any element is decoded or any array allocated.
   */
  arrayLength(minElementSize = 1): number {
    const n = this.int32();
    if (n < 0) {
      if (n === -1) return -1;
      throw new ProtocolError(`negative array length ${n}`);
    }
    this.checkCount(n, minElementSize);
    return n;
  }

  /** Unsigned-varint (count + 1) element count; -1 for null. */
  compactArrayLength(minElementSize = 1): number {
    const n = this.uvarint() - 1;
    if (n >= 0) this.checkCount(n, minElementSize);
    return n;
  }

  private checkCount(n: number, minElementSize: number): void {
    if (n * (minElementSize > 0 ? minElementSize : 1) > this.end - this.pos) {
      throw new ProtocolError(
        `array of ${n} elements at offset ${this.pos} cannot fit in ${this.end - this.pos} bytes`,
      );
    }
  }

  array<T>(readElement: (r: Reader) => T, minElementSize = 1): T[] {
    const n = this.arrayLength(minElementSize);
    if (n < 0) throw new ProtocolError('null in a non-nullable array');
    return this.elements(n, readElement);
  }

  nullableArray<T>(readElement: (r: Reader) => T, minElementSize = 1): T[] | null {
    const n = this.arrayLength(minElementSize);
    return n < 0 ? null : this.elements(n, readElement);
  }

  compactArray<T>(readElement: (r: Reader) => T, minElementSize = 1): T[] {
    const n = this.compactArrayLength(minElementSize);
    if (n < 0) throw new ProtocolError('null in a non-nullable compact array');
    return this.elements(n, readElement);
  }

  compactNullableArray<T>(readElement: (r: Reader) => T, minElementSize = 1): T[] | null {
    const n = this.compactArrayLength(minElementSize);
    return n < 0 ? null : this.elements(n, readElement);
  }

  private elements<T>(n: number, readElement: (r: Reader) => T): T[] {
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readElement(this);
    return out;
  }

  /**
   * Reads a tagged-field section. `onTag` is called with the reader narrowed to
   * the field's bytes; whatever it leaves unread (all of an unknown tag) is skipped.
   */
  taggedFields<T>(onTag?: (tag: number, r: Reader, target: T) => void, target?: T): void {
    const count = this.uvarint();
    if (count > this.end - this.pos) {
      throw new ProtocolError(`${count} tagged fields cannot fit in ${this.end - this.pos} bytes`);
    }
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      const start = this.take(size);
      if (onTag !== undefined) {
        const outerEnd = this.end;
        this.pos = start;
        this.end = start + size;
        try {
          onTag(tag, this, target as T);
        } finally {
          this.end = outerEnd;
        }
        this.pos = start + size;
      }
    }
  }
}
