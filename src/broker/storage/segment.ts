/**
 * One log segment: `<base>.log` holding record batches exactly as stored,
 * plus its sparse `<base>.index` and `<base>.timeindex` (see indexes.ts).
 * `<base>` is the first offset, zero-padded to 20 digits.
 *
 * The segment keeps only metadata and index entries in memory; batch bytes
 * are always read from the file.
 */
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  MAGIC_V2,
  MIN_BATCH_LENGTH,
  batchCrcMatches,
  readBatchHeader,
  type BatchHeader,
} from '../../protocol/record-batch.js';
import { StorageError, storageError } from './errors.js';
import { FileWindow } from './file-window.js';
import { atomicWriteFile, readFully, writeFully, type StorageFs } from './fs-interface.js';
import { OffsetIndex, TimeIndex } from './indexes.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Base offset encoded in a segment file name, or null for other files. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const m = /^(\d{20})(\.log|\.index|\.timeindex)$/.exec(name);
  return m ? { baseOffset: Number(m[1]), suffix: m[2]! } : null;
}

/** What the partition log knows about each batch it hands to `append`. */
export interface AppendedBatch {
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

export interface LocatedBatch {
  position: number;
  header: BatchHeader;
}

export interface SegmentOpenOptions {
  now: number;
  indexIntervalBytes: number;
  /** Validate every batch (CRC included) and rebuild the indexes from the log. */
  fullRecovery: boolean;
  log: (msg: string) => void;
}

export interface SegmentRecovery {
  /** Bytes cut from the end of the log because they were torn or corrupt. */
  truncatedBytes: number;
  rebuiltIndexes: boolean;
}

/** Window for sequential scans (recovery, producer state); lookups use less. */
const SCAN_WINDOW = 1024 * 1024;
const LOOKUP_WINDOW = 16 * 1024;

export class LogSegment {
  nextOffset: number;
  size = 0;
  /** Largest batch maxTimestamp in the segment (-1: none). */
  maxTimestamp = -1;
  /** Last offset of the first batch carrying maxTimestamp. */
  offsetOfMaxTimestamp = -1;
  /** When the segment was created or (after a restart) opened; drives segment.ms. */
  created: number;
  lastModified: number;
  /** Set when an I/O failure left the file in an unknown state. */
  broken = false;

  private offsetIndex = new OffsetIndex();
  private timeIndex = new TimeIndex();
  private bytesSinceIndexEntry = 0;
  /**
   * The index files no longer match memory. Entries are not written as they are
   * made: the files are written whole when the segment is sealed, flushed or
   * closed, so an open partition holds one file handle, not three. After a crash
   * the active segment's index is rebuilt from the log, which recovery scans anyway.
   */
  private indexFilesStale = false;
  private closed = false;
  /**
   * Bytes from the start of the file whose batches are known intact: checked by recovery
   * or by a read, or appended by this broker after validation. Reads check the rest, so a
   * segment loaded without recovery never serves a corrupt batch.
   */
  private intactBytes = 0;

  private constructor(
    private readonly fs: StorageFs,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly logFd: number,
    now: number,
  ) {
    this.nextOffset = baseOffset;
    this.created = now;
    this.lastModified = now;
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, LOG_SUFFIX));
  }

  private get indexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, INDEX_SUFFIX));
  }

  private get timeIndexPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, TIME_INDEX_SUFFIX));
  }

  /** maxTimestamp, or the file's modification time when no batch has one (Kafka's rule). */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModified;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Create a fresh, empty segment (replacing any leftover files of that name). */
  static create(fs: StorageFs, dir: string, baseOffset: number, now: number): LogSegment {
    // Leftover index files of that name would describe other data.
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const p = join(dir, segmentFileName(baseOffset, suffix));
      if (fs.existsSync(p)) safely(() => fs.unlinkSync(p));
    }
    let fd: number;
    try {
      fd = fs.openSync(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'w+');
    } catch (e) {
      throw storageError(`cannot create segment ${baseOffset} in ${dir}`, e);
    }
    return new LogSegment(fs, dir, baseOffset, fd, now);
  }

  /**
   * Open an existing segment. Without `fullRecovery` the index files are
   * loaded and only the batches after the last index entry are walked
   * (headers only); if anything is inconsistent it falls back to a full
   * recovery: every batch is checked (length, magic, CRC-32C, contiguous
   * offsets), the file is truncated at the first bad one and the indexes are
   * rebuilt.
   */
  static open(
    fs: StorageFs,
    dir: string,
    baseOffset: number,
    opts: SegmentOpenOptions,
  ): { segment: LogSegment; recovery: SegmentRecovery } {
    const path = (suffix: string): string => join(dir, segmentFileName(baseOffset, suffix));
    const missingIndex = !fs.existsSync(path(INDEX_SUFFIX)) || !fs.existsSync(path(TIME_INDEX_SUFFIX));
    let segment: LogSegment;
    let fd: number | undefined;
    try {
      fd = fs.openSync(path(LOG_SUFFIX), 'r+');
      const stat = fs.fstatSync(fd);
      segment = new LogSegment(fs, dir, baseOffset, fd, opts.now);
      segment.size = stat.size;
      segment.lastModified = stat.mtimeMs;
    } catch (e) {
      if (fd !== undefined) safely(() => fs.closeSync(fd!));
      throw storageError(`cannot open segment ${path(LOG_SUFFIX)}`, e);
    }
    try {
      if (!opts.fullRecovery && !missingIndex && segment.loadIndexes()) {
        return { segment, recovery: { truncatedBytes: 0, rebuiltIndexes: false } };
      }
      if (!opts.fullRecovery) opts.log(`${path(LOG_SUFFIX)}: index missing or inconsistent, rebuilding from the log`);
      const truncatedBytes = segment.recover(opts.indexIntervalBytes, opts.log);
      return { segment, recovery: { truncatedBytes, rebuiltIndexes: true } };
    } catch (e) {
      segment.close();
      throw e instanceof StorageError ? e : storageError(`cannot recover segment ${path(LOG_SUFFIX)}`, e);
    }
  }

  // -------------------------------------------------------------------------
  // Loading and recovery
  // -------------------------------------------------------------------------

  /** Trust the index files, walk only the tail. False if anything is off. */
  private loadIndexes(): boolean {
    const offsetBytes = this.fs.readFileSync(this.indexPath);
    const offsetIndex = OffsetIndex.fromBuffer(offsetBytes, this.size);
    if (offsetIndex === null) return false;
    let startPos = 0;
    let expectLast = -1;
    if (offsetIndex.count > 0) {
      startPos = offsetIndex.positionAt(offsetIndex.count - 1);
      expectLast = this.baseOffset + offsetIndex.relativeOffsetAt(offsetIndex.count - 1);
    }
    const window = new FileWindow(this.fs, this.logFd, this.size, LOOKUP_WINDOW);
    let pos = startPos;
    let next = startPos === 0 ? this.baseOffset : -1;
    let tailMax = -1;
    let tailMaxOffset = -1;
    while (pos < this.size) {
      const h = window.header(pos);
      if (h === null || !headerSane(h) || pos + h.size > this.size) return false;
      // Offsets only ever grow; a compacted segment has gaps between batches.
      if (next === -1 ? h.lastOffset !== expectLast : h.baseOffset < next) return false;
      if (h.maxTimestamp > tailMax) {
        tailMax = h.maxTimestamp;
        tailMaxOffset = h.lastOffset;
      }
      next = h.lastOffset + 1;
      pos += h.size;
    }
    if (next === -1) return false;
    const timeIndex = TimeIndex.fromBuffer(this.fs.readFileSync(this.timeIndexPath), next - 1 - this.baseOffset);
    if (timeIndex === null) return false;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.nextOffset = next;
    this.bytesSinceIndexEntry = this.size - startPos;
    if (timeIndex.count > 0) {
      this.maxTimestamp = timeIndex.lastTimestamp;
      this.offsetOfMaxTimestamp = this.baseOffset + timeIndex.lastRelativeOffset;
    }
    if (tailMax > this.maxTimestamp) {
      this.maxTimestamp = tailMax;
      this.offsetOfMaxTimestamp = tailMaxOffset;
    }
    return true;
  }

  /**
   * Validate every batch from the start, truncate at the first torn or
   * corrupt one, rebuild both indexes and rewrite their files if they differ.
   * Returns the number of bytes truncated.
   */
  private recover(indexIntervalBytes: number, log: (msg: string) => void): number {
    this.offsetIndex = new OffsetIndex();
    this.timeIndex = new TimeIndex();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
    const window = new FileWindow(this.fs, this.logFd, this.size, SCAN_WINDOW);
    let pos = 0;
    let next = this.baseOffset;
    let problem: string | null = null;
    while (pos < this.size) {
      const h = window.header(pos);
      if (h === null) {
        problem = `torn batch header (${this.size - pos} bytes)`;
        break;
      }
      if (!headerSane(h)) {
        problem = `invalid batch header (magic ${h.magic}, batchLength ${h.batchLength}, lastOffsetDelta ${h.lastOffsetDelta})`;
        break;
      }
      if (pos + h.size > this.size) {
        problem = `torn batch: needs ${h.size} bytes, ${this.size - pos} present`;
        break;
      }
      if (h.baseOffset < next) {
        problem = `batch base offset ${h.baseOffset} where at least ${next} was expected`;
        break;
      }
      const bytes = window.view(pos, h.size);
      if (bytes === null) {
        problem = 'short read';
        break;
      }
      if (!batchCrcMatches(bytes.buf, bytes.offset, h.size)) {
        problem = `CRC-32C mismatch in batch at offset ${h.baseOffset}`;
        break;
      }
      this.indexBatch(h.lastOffset, h.maxTimestamp, pos, h.size, indexIntervalBytes, false);
      next = h.lastOffset + 1;
      pos += h.size;
    }
    const truncated = this.size - pos;
    if (truncated > 0) {
      log(`${this.logPath}: truncating ${truncated} bytes at byte ${pos} (offset ${next}): ${problem}`);
      this.fs.ftruncateSync(this.logFd, pos);
      this.size = pos;
    }
    this.nextOffset = next;
    this.intactBytes = pos;
    this.rewriteIndexFiles(true);
    return truncated;
  }

  /**
   * Cuts the segment before the first batch holding an offset >= `offset` (a batch that
   * straddles it goes whole: the caller refetches from the new end). Indexes are rebuilt.
   */
  truncateTo(offset: number, indexIntervalBytes: number, log: (msg: string) => void): void {
    this.assertOpen();
    const found = this.findBatch(offset);
    if (!found) return;
    this.fs.ftruncateSync(this.logFd, found.position);
    this.size = found.position;
    this.recover(indexIntervalBytes, log);
  }

  /** Make the index files equal the in-memory indexes (only writing when they differ). */
  private rewriteIndexFiles(onlyIfDifferent: boolean): void {
    const pairs: [string, Buffer][] = [
      [this.indexPath, this.offsetIndex.toBuffer()],
      [this.timeIndexPath, this.timeIndex.toBuffer()],
    ];
    for (const [path, wanted] of pairs) {
      if (onlyIfDifferent && this.fs.existsSync(path) && this.fs.readFileSync(path).equals(wanted)) continue;
      atomicWriteFile(this.fs, path, wanted);
    }
    this.indexFilesStale = false;
  }

  // -------------------------------------------------------------------------
  // Appending
  // -------------------------------------------------------------------------

  /**
   * Write `buf` (whole batches with offsets already assigned) at the end of
   * the log with writeSync, so it is in the page cache before returning. On
   * failure the file is cut back to its previous size and a
   * KAFKA_STORAGE_ERROR is thrown; if even that fails the segment is marked
   * broken.
   */
  append(buf: Uint8Array, batches: readonly AppendedBatch[], indexIntervalBytes: number, now: number): void {
    this.assertOpen();
    const start = this.size;
    try {
      writeFully(this.fs, this.logFd, buf, 0, buf.length, start);
    } catch (e) {
      try {
        this.fs.ftruncateSync(this.logFd, start);
      } catch {
        this.broken = true;
      }
      throw storageError(
        `write to ${this.logPath} failed${this.broken ? ' and the partial write could not be removed' : ''}`,
        e,
      );
    }
    let pos = start;
    for (const b of batches) {
      this.indexBatch(b.lastOffset, b.maxTimestamp, pos, b.size, indexIntervalBytes, true);
      pos += b.size;
    }
    if (this.intactBytes === start) this.intactBytes = pos;
    this.size = pos;
    this.nextOffset = batches[batches.length - 1]!.lastOffset + 1;
    this.lastModified = now;
  }

  /** Kafka's rule: an index entry for a batch once more than the interval was written since the last one. */
  private indexBatch(
    lastOffset: number,
    maxTimestamp: number,
    position: number,
    size: number,
    interval: number,
    writeFiles: boolean,
  ): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceIndexEntry > interval) {
      const rel = lastOffset - this.baseOffset;
      this.offsetIndex.append(rel, position);
      if (writeFiles) this.indexFilesStale = true;
      this.maybeAppendTimeEntry(writeFiles);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
  }

  private maybeAppendTimeEntry(writeFiles: boolean): void {
    if (this.maxTimestamp < 0) return;
    const rel = this.offsetOfMaxTimestamp - this.baseOffset;
    if (this.timeIndex.maybeAppend(this.maxTimestamp, rel) && writeFiles) this.indexFilesStale = true;
  }

  /** Called when a newer segment takes over: record the final max timestamp in the time index. */
  onBecomeInactive(): void {
    this.maybeAppendTimeEntry(true);
    this.saveIndexes();
  }

  /**
   * Writes the index files if they lag behind memory. A failure is not fatal: the
   * in-memory copy is authoritative and the next open rebuilds missing indexes.
   */
  private saveIndexes(): void {
    if (this.broken) return;
    if (!this.indexFilesStale && this.fs.existsSync(this.indexPath) && this.fs.existsSync(this.timeIndexPath)) return;
    try {
      this.rewriteIndexFiles(false);
    } catch {
      // left stale: retried on flush or close
    }
  }

  // -------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------

  /** Read exactly `length` bytes at `position`. */
  read(position: number, length: number, into: (length: number) => Buffer = Buffer.allocUnsafe): Buffer {
    this.assertOpen();
    const b = into(length);
    let n: number;
    try {
      n = readFully(this.fs, this.logFd, b, 0, length, position);
    } catch (e) {
      throw storageError(`read from ${this.logPath} failed`, e);
    }
    if (n !== length)
      throw new StorageError(
        'KAFKA_STORAGE_ERROR',
        `${this.logPath}: short read at ${position} (${n} of ${length} bytes)`,
      );
    return b;
  }

  /**
   * How much of `chunk` (`length` bytes of whole batches read at batch boundary
   * `position`) is intact batches: sane header and matching CRC-32C. Checked once:
   * a checked run from the start of the file is remembered.
   */
  intactPrefix(chunk: Buffer, position: number, length = chunk.length): number {
    let pos = 0;
    let next = -1;
    while (length - pos >= BATCH_HEADER_SIZE) {
      const h = readBatchHeader(chunk, pos);
      const at = position + pos;
      if (at + h.size <= this.intactBytes && h.size >= BATCH_HEADER_SIZE) {
        pos += h.size;
        next = h.lastOffset + 1;
        continue;
      }
      // The base offset is outside the CRC: it must at least follow the batch before it.
      if (!headerSane(h) || pos + h.size > length || h.baseOffset < next || !batchCrcMatches(chunk, pos, h.size)) break;
      if (at === this.intactBytes) this.intactBytes = at + h.size;
      pos += h.size;
      next = h.lastOffset + 1;
    }
    return pos;
  }

  /** Header of the batch at `position` (must be a batch boundary). */
  headerAt(position: number): BatchHeader {
    this.assertOpen();
    const h = new FileWindow(this.fs, this.logFd, this.size, BATCH_HEADER_SIZE).header(position);
    if (h === null) throw new StorageError('KAFKA_STORAGE_ERROR', `${this.logPath}: no batch header at ${position}`);
    return h;
  }

  /** First batch whose lastOffset >= offset, or null if the segment ends before it. */
  findBatch(offset: number): LocatedBatch | null {
    const start = this.offsetIndex.lookup(offset - this.baseOffset);
    return this.scanFrom(start, (h) => h.lastOffset >= offset);
  }

  /** First batch whose maxTimestamp >= timestamp, narrowed with the time index. */
  findBatchByTimestamp(timestamp: number): LocatedBatch | null {
    if (this.maxTimestamp < timestamp) return null;
    const rel = this.timeIndex.lookupBefore(timestamp);
    const start = rel < 0 ? 0 : this.offsetIndex.lookup(rel);
    return this.scanFrom(start, (h) => h.maxTimestamp >= timestamp);
  }

  private scanFrom(start: number, match: (h: BatchHeader) => boolean): LocatedBatch | null {
    this.assertOpen();
    const window = new FileWindow(this.fs, this.logFd, this.size, LOOKUP_WINDOW);
    let pos = start;
    while (pos < this.size) {
      const h = window.header(pos);
      if (h === null || h.size < BATCH_HEADER_SIZE) {
        throw new StorageError('CORRUPT_MESSAGE', `${this.logPath}: unreadable batch header at byte ${pos}`);
      }
      if (match(h)) return { position: pos, header: h };
      pos += h.size;
    }
    return null;
  }

  /** Every batch header from `fromPosition` on, in order (buffered reads). */
  *batches(fromPosition = 0): Generator<LocatedBatch> {
    const limit = this.size;
    const window = new FileWindow(this.fs, this.logFd, limit, SCAN_WINDOW);
    let pos = fromPosition;
    while (pos < limit) {
      this.assertOpen();
      const h = window.header(pos);
      if (h === null || h.size < BATCH_HEADER_SIZE) {
        throw new StorageError('CORRUPT_MESSAGE', `${this.logPath}: unreadable batch header at byte ${pos}`);
      }
      yield { position: pos, header: h };
      pos += h.size;
    }
  }

  // -------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------

  flush(): void {
    this.assertOpen();
    try {
      this.fs.fsyncSync(this.logFd);
    } catch (e) {
      throw storageError(`fsync of ${this.logPath} failed`, e);
    }
    this.saveIndexes();
  }

  close(): void {
    if (this.closed) return;
    this.saveIndexes();
    this.discard();
  }

  /** Close without writing the index files: the segment is about to be deleted. */
  discard(): void {
    this.closed = true;
    safely(() => this.fs.closeSync(this.logFd));
  }

  /** Close and remove the three files (log first, so a crash leaves no half-segment that looks valid). */
  deleteFiles(): void {
    this.close();
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const p = join(this.dir, segmentFileName(this.baseOffset, suffix));
      try {
        this.fs.unlinkSync(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(`cannot delete ${p}`, e);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('KAFKA_STORAGE_ERROR', `${this.logPath} is closed`);
  }
}

/** Header checks that need no payload: magic 2, minimal length, non-negative delta. */
function headerSane(h: BatchHeader): boolean {
  return h.magic === MAGIC_V2 && h.batchLength >= MIN_BATCH_LENGTH && h.lastOffsetDelta >= 0;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // best effort cleanup
  }
}
