// Buffers for log bytes on their way to a socket (Fetch responses). Reading into fresh
// memory costs a page fault per 4 KB, and the allocator hands freed megabytes back to the
// system between fetches, so serving a topic cost the broker about three times the CPU
// of the read itself. These buffers go round instead: taken for a read, given back once
// the response that carried them has been written.

/** Reads up to max.partition.fetch.bytes (1 MB by default) fit; larger ones are allocated as before. */
const CAPACITY = (1 << 20) + (64 << 10);
/** Enough for the responses in flight on a few connections; the rest go to the collector. */
const MAX_FREE = 16;

export class ReadBuffers {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers out for a read and not given back: only these come back to the pool. */
  private readonly out = new WeakSet<ArrayBuffer>();

  /** A buffer of exactly `length` bytes to read into. */
  take = (length: number): Buffer => {
    if (length > CAPACITY) return Buffer.allocUnsafe(length);
    const ab = this.free.pop() ?? Buffer.allocUnsafeSlow(CAPACITY).buffer;
    this.out.add(ab);
    return Buffer.from(ab, 0, length);
  };

  /** A response was written: the pool's buffers among its chunks may be read into again. */
  giveBack = (chunks: readonly Buffer[]): void => {
    for (const c of chunks) {
      const ab = c.buffer;
      if (!this.out.has(ab as ArrayBuffer)) continue;
      this.out.delete(ab as ArrayBuffer);
      if (this.free.length < MAX_FREE) this.free.push(ab as ArrayBuffer);
    }
  };
}
