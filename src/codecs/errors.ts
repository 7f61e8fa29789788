// Shared error type and limits for the record compression codecs.

/** Thrown by every codec on malformed, truncated or oversized input. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** Default cap on the size of one decompressed payload (256 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Validate a caller-provided output cap and return the effective value. */
export function outputLimit(maxOutputBytes: number | undefined): number {
  if (maxOutputBytes === undefined) return DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isFinite(maxOutputBytes) || maxOutputBytes < 0) {
    throw new RangeError(`maxOutputBytes must be a non-negative finite number, got ${maxOutputBytes}`);
  }
  // Buffers cannot exceed 2^32 - 1 bytes on any 64-bit Node anyway.
  return Math.min(Math.floor(maxOutputBytes), 0xffffffff);
}

/**
 * A growable output buffer with a hard cap. Decoders write straight into
 * `buf`; `ensure(n)` makes room for `n` more bytes after `len` or throws.
 */
export class OutputBuffer {
  buf: Uint8Array;
  len = 0;
  constructor(
    private readonly codec: string,
    private readonly max: number,
    initial: number,
  ) {
    // Not zero-filled: decoders write every byte below len before result() exposes it, and
    // zeroing megabytes per batch was a large share of decompression time.
    this.buf = Buffer.allocUnsafeSlow(Math.max(0, Math.min(initial, max)));
  }

  ensure(extra: number): Uint8Array {
    const need = this.len + extra;
    if (need <= this.buf.length) return this.buf;
    if (need > this.max) {
      throw new CodecError(`${this.codec}: decompressed size exceeds the limit of ${this.max} bytes`);
    }
    // A request far beyond the current size is a known total (a frame's content size): give
    // exactly that. Small steps double, so a stream of them costs amortised linear time.
    let cap = Math.max(this.buf.length * 2, 65536);
    if (need > cap) cap = need;
    if (cap > this.max) cap = this.max;
    const next = Buffer.allocUnsafeSlow(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    return next;
  }

  /**
   * Make room for up to `want` more bytes, but never past the cap; returns how
   * many bytes of room were granted (a decoder that needs more than that has
   * hit the limit).
   */
  ensureUpTo(want: number): number {
    const room = Math.min(want, this.max - this.len);
    this.ensure(room);
    return room;
  }

  /** Bytes that may still be written before the cap. */
  room(): number {
    return this.max - this.len;
  }

  /** The bytes written so far as a Buffer (no copy unless the slack is large). */
  result(): Buffer {
    const { buf, len } = this;
    if (buf.length - len > 1024 * 1024 && buf.length - len > len / 4) {
      return Buffer.from(buf.subarray(0, len));
    }
    return Buffer.from(buf.buffer, buf.byteOffset, len);
  }
}
