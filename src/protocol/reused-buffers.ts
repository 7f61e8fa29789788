// Megabyte buffers that go round: on the broker, log bytes read for Fetch responses and
// Produce request frames; on the client, Fetch response frames. Fresh memory costs a page
// fault per 4 KB, and the allocator hands freed megabytes back to the system between
// requests, so serving a topic cost the broker about three times the CPU of the read
// itself. On the client, frames left to the collector piled up: a consumer held some
// 40 MB of read responses between collections. A buffer is taken for a read (or a frame)
// and given back once nothing refers to it any more: the response that carried it was
// written, the request was served, the records were printed.

/** Reads up to max.partition.fetch.bytes and requests up to message.max.bytes (1 MB by default) fit; larger ones are allocated as before. */
const CAPACITY = (1 << 20) + (64 << 10);
/** Smaller ones come from Node's pool and cost no fault. */
const SMALLEST = 16 * 1024;
/** Enough for the responses in flight on a few connections; the rest go to the collector. */
const MAX_FREE = 16;

export class ReusedBuffers {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers out for a read and not given back: only these come back to the pool. */
  private readonly out = new WeakSet<ArrayBuffer>();

  /** `maxFree`: how many given-back buffers are kept for reuse. */
  constructor(private readonly maxFree = MAX_FREE) {}

  /** A buffer of exactly `length` bytes to fill. */
  take = (length: number): Buffer => {
    if (length > CAPACITY || length < SMALLEST) return Buffer.allocUnsafe(length);
    const ab = this.free.pop() ?? Buffer.allocUnsafeSlow(CAPACITY).buffer;
    this.out.add(ab);
    return Buffer.from(ab, 0, length);
  };

  /** Done with these (a response written, a request served): the pool's buffers among them may be filled again. */
  giveBack = (chunks: readonly Buffer[]): void => {
    for (const c of chunks) {
      const ab = c.buffer;
      if (!this.out.has(ab as ArrayBuffer)) continue;
      this.out.delete(ab as ArrayBuffer);
      if (this.free.length < this.maxFree) this.free.push(ab as ArrayBuffer);
    }
  };
}
