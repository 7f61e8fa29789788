/**
 * Splits a TCP byte stream into Kafka frames (int32 size + payload). The size is checked
 * against the limit before anything is buffered for it, so a hostile size costs nothing.
 */
/** What a socket that reads into our buffers gets when no large frame is being filled. */
const SCRATCH_BYTES = 64 * 1024;

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = -1;
  /** Direct reads: the large frame being read in place, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;
  private scratch: Buffer | null = null;

  private readonly limit: () => number;

  /**
   * `maxFrameBytes` may be a function, read per frame, for limits that change (SASL).
   * `alloc` gives the buffer a frame that spans several chunks is copied (or read) into.
   */
  constructor(
    maxFrameBytes: number | (() => number),
    private readonly alloc: (length: number) => Buffer = Buffer.allocUnsafe,
  ) {
    this.limit = typeof maxFrameBytes === 'number' ? () => maxFrameBytes : maxFrameBytes;
  }

  /** Feeds bytes in; returns complete frames, or throws FrameTooLargeError. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.needed < 0) {
        if (this.buffered < 4) break;
        const size = this.peekInt32();
        const max = this.limit();
        if (size < 0 || size > max) throw new FrameSizeError(size, max);
        this.consume(4);
        this.needed = size;
      }
      if (this.buffered < this.needed) break;
      frames.push(this.consume(this.needed));
      this.needed = -1;
    }
    return frames;
  }

  /**
   * For a socket that reads into buffers we hand it (net.connect's onread): where the next
   * read should land. The rest of a large frame is read straight into the frame, so a
   * megabyte response is not assembled from copies of 64 KB chunks.
   */
  target(): Buffer {
    if (this.frame !== null) return this.frame.subarray(this.filled);
    if (this.scratch === null) this.scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
    return this.scratch;
  }

  /** `n` bytes were read into the last target(); returns complete frames, or throws FrameSizeError. */
  written(n: number): Buffer[] {
    if (this.frame !== null) {
      this.filled += n;
      if (this.filled < this.frame.length) return [];
      const done = this.frame;
      this.frame = null;
      this.needed = -1;
      return [done];
    }
    // The scratch is read into again, so what is kept of it is copied: small frames whole,
    // and the start of a large one, whose rest then goes in place.
    const kept = Buffer.allocUnsafe(n);
    this.scratch!.copy(kept, 0, 0, n);
    const frames = this.push(kept);
    if (this.needed > 0 && this.needed - this.buffered > SCRATCH_BYTES) {
      const frame = this.alloc(this.needed);
      let at = 0;
      for (const c of this.chunks) at += c.copy(frame, at);
      this.frame = frame;
      this.filled = at;
      this.chunks = [];
      this.buffered = 0;
    }
    return frames;
  }

  private peekInt32(): number {
    const head = this.chunks[0];
    if (head.length >= 4) return head.readInt32BE(0);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.readInt32BE(0);
  }

  private consume(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const head = this.chunks[0];
    if (head.length === n) {
      this.chunks.shift();
      return head;
    }
    if (head.length > n) {
      this.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    }
    const out = this.alloc(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const take = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, take);
      filled += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return out;
  }
}

export class FrameSizeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Invalid frame size ${size} (socket.request.max.bytes is ${limit})`);
  }
}
