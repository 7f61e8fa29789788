/**
 * Buffered positional reads over one file, for walking batch headers without
 * a syscall per 61-byte header. Requests that fall inside the current window
 * are served from memory; anything else refills the window at the requested
 * position. Requests larger than the window get a buffer of their own.
 */
import { BATCH_HEADER_SIZE, readBatchHeader, type BatchHeader } from '../../protocol/record-batch.js';
import { storageError } from './errors.js';
import { readFully, type StorageFs } from './fs-interface.js';

export interface ByteView {
  buf: Buffer;
  offset: number;
}

export class FileWindow {
  private buf: Buffer;
  private start = 0;
  private len = 0;

  constructor(
    private readonly fs: StorageFs,
    private readonly fd: number,
    /** Bytes of the file that may be read (the segment's logical size). */
    private readonly limit: number,
    windowSize = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(windowSize, BATCH_HEADER_SIZE));
  }

  /**
   * Bytes [pos, pos+length) as a view, or null if they lie beyond the limit
   * or the file turned out shorter than expected.
   */
  view(pos: number, length: number): ByteView | null {
    if (pos < 0 || pos + length > this.limit) return null;
    if (pos >= this.start && pos + length <= this.start + this.len) {
      return { buf: this.buf, offset: pos - this.start };
    }
    if (length > this.buf.length) {
      const own = Buffer.allocUnsafe(length);
      return this.fill(own, length, pos) === length ? { buf: own, offset: 0 } : null;
    }
    const want = Math.min(this.buf.length, this.limit - pos);
    this.start = pos;
    this.len = 0; // invalid until the read succeeds
    this.len = this.fill(this.buf, want, pos);
    return this.len >= length ? { buf: this.buf, offset: 0 } : null;
  }

  private fill(buf: Buffer, length: number, pos: number): number {
    try {
      return readFully(this.fs, this.fd, buf, 0, length, pos);
    } catch (e) {
      throw storageError(`read of ${length} bytes at ${pos} failed`, e);
    }
  }

  /** The batch header at `pos`, or null if fewer than 61 bytes remain. */
  header(pos: number): BatchHeader | null {
    const v = this.view(pos, BATCH_HEADER_SIZE);
    return v === null ? null : readBatchHeader(v.buf, v.offset);
  }
}
