/**
 * The durable log of one partition: a directory `<dataDir>/<topic>-<partition>/`
 * holding ordered segments, plus a `log-start-offset` checkpoint. On a single broker the
 * high watermark is the log end; a cluster's replica manager sets it. All I/O is
 * synchronous so an append (offset assignment + write + index update) is atomic with
 * respect to every other request on the broker's single thread.
 */
import {
  BATCH_HEADER_SIZE,
  assignOffsets,
  readBaseOffset,
  readBatchHeader,
  setLogAppendTime,
} from '../../protocol/record-batch.js';
import { StorageError, storageError } from './errors.js';
import { nodeFs, type StorageFs } from './fs-interface.js';
import { commitSwap, completeSwap } from './clean-swap.js';
import { cleaningSteps, type CleanerSettings, type CleanResult, type Codecs, type TxnView } from './log-cleaner.js';
import type { ReplicaLog } from './replica-log.js';
import { resolveLogConfig, type LogConfig } from './log-config.js';
import { LogSegment, type LocatedBatch } from './segment.js';
import { loadSegments, writeLogStartCheckpoint } from './log-recovery.js';
import { maxTimestampOffset, offsetForTimestamp, type TimestampOffset } from './log-time-lookup.js';
import { corruptBatch, describeBatches, wholeBatchPrefix } from './batch-framing.js';
import { expiredSegmentCount } from './retention.js';
import type {
  AppendOptions,
  AppendResult,
  Clock,
  LogFn,
  PartitionLogDeps,
  ReadOptions,
  ReadResult,
  RecentBatch,
  RetentionResult,
} from './log-types.js';

export { LOG_START_OFFSET_FILE } from './log-recovery.js';
export type { TimestampOffset } from './log-time-lookup.js';

export type { LogConfig } from './log-config.js';
export type * from './log-types.js';

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class PartitionLog implements ReplicaLog {
  private segments: LogSegment[] = [];
  private _logStartOffset = 0;
  private config: LogConfig;
  private closed = false;
  /** Set after an I/O failure we could not undo: the partition goes offline. */
  private offlineReason: string | null = null;
  private unflushed = new Set<LogSegment>();
  /** Set on replicated partitions; null means the log end (one replica). */
  private hw: number | null = null;

  private constructor(
    readonly dir: string,
    config: LogConfig,
    private readonly fs: StorageFs,
    private readonly clock: Clock,
    private readonly log: LogFn,
  ) {
    this.config = config;
  }

  /**
   * Open (creating if needed) the partition directory and recover it:
   * stray temp files and orphan index files are removed, every segment is
   * loaded (the last one, and any whose index is missing or inconsistent,
   * is fully validated with CRC-32C and truncated at the first bad batch),
   * segments after a truncated one are dropped so offsets stay contiguous.
   */
  static open(
    dir: string,
    config: Partial<LogConfig> = {},
    fsOrDeps: StorageFs | PartitionLogDeps = nodeFs,
    clock: Clock = Date.now,
    log: LogFn = () => {},
  ): PartitionLog {
    let fs: StorageFs;
    let cleanShutdown = false;
    if (isStorageFs(fsOrDeps)) fs = fsOrDeps;
    else {
      fs = fsOrDeps.fs ?? nodeFs;
      clock = fsOrDeps.now ?? clock;
      log = fsOrDeps.log ?? log;
      cleanShutdown = fsOrDeps.cleanShutdown ?? false;
    }
    const pl = new PartitionLog(dir, resolveLogConfig(config), fs, clock, log);
    try {
      fs.mkdirSync(dir, { recursive: true });
      pl.recover(cleanShutdown);
    } catch (e) {
      pl.closeSegments();
      throw e instanceof StorageError ? e : storageError(`cannot open partition log ${dir}`, e);
    }
    return pl;
  }

  private recover(cleanShutdown: boolean): void {
    const { fs, dir } = this;
    const loaded = loadSegments(fs, dir, {
      now: this.clock(),
      indexIntervalBytes: this.config.indexIntervalBytes,
      cleanShutdown,
      log: this.log,
    });
    this.segments = loaded.segments;
    this._logStartOffset = Math.max(loaded.checkpoint ?? 0, this.segments[0]!.baseOffset);
    if (this._logStartOffset > this.logEndOffset) {
      // The checkpoint is ahead of the data (data lost in a crash): restart empty at the checkpoint.
      this.log(
        `${dir}: log start offset ${this._logStartOffset} is beyond the log end ${this.logEndOffset}; starting an empty log there`,
      );
      this.truncateAll(this._logStartOffset);
    }
    // Segments entirely below the start offset were due for deletion before a crash.
    this.deleteSegmentsBelow(this._logStartOffset);
  }

  // ---- offsets ----

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** Single replica: the log end. A replicated partition sets it from its in-sync replicas. */
  get highWatermark(): number {
    return this.hw === null ? this.logEndOffset : Math.min(this.hw, this.logEndOffset);
  }

  setHighWatermark(offset: number | null): void {
    this.hw = offset;
  }

  /**
   * Drops every batch at or after `offset` (a follower whose tail diverged from its leader's).
   * A batch straddling `offset` goes too; the log end may end up below it.
   */
  truncateTo(offset: number): void {
    this.assertWritable();
    if (offset >= this.logEndOffset) return;
    if (offset <= this._logStartOffset) {
      this.truncateAll(Math.max(offset, 0));
      return;
    }
    while (this.segments.length > 1 && this.active.baseOffset >= offset) {
      const seg = this.segments.pop()!;
      this.unflushed.delete(seg);
      seg.deleteFiles();
    }
    this.active.truncateTo(offset, this.config.indexIntervalBytes, this.log);
    this.unflushed.add(this.active);
    this.flush();
  }

  /** Bytes stored across all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (for tools and tests). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  getConfig(): Readonly<LogConfig> {
    return this.config;
  }

  /** Apply changed topic configs (AlterConfigs) to this open log. */
  updateConfig(config: Partial<LogConfig>): void {
    this.config = resolveLogConfig({ ...this.config, ...config });
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  // ---- append ----

  /**
   * Append validated batches (one or more, back to back). Offsets are
   * assigned in place in `records` (each batch's baseOffset = the running
   * next offset); the bytes are written before returning. Rolls a new
   * segment first when segment.bytes or segment.ms says so.
   */
  append(records: Buffer, opts: AppendOptions = {}): AppendResult {
    this.assertWritable();
    const batches = describeBatches(records);
    const firstOffset = this.logEndOffset;
    const now = this.clock();
    let next = firstOffset;
    if (opts.keepOffsets && batches.length > 0 && readBaseOffset(records, batches[0]!.position) !== firstOffset) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `${this.dir}: replicated batch starts at ${readBaseOffset(records, batches[0]!.position)}, the log ends at ${firstOffset}`,
      );
    }
    for (const b of batches) {
      if (opts.keepOffsets) next = readBaseOffset(records, b.position);
      else assignOffsets(records, b.position, next, opts.leaderEpoch);
      if (opts.logAppendTime !== undefined) {
        setLogAppendTime(records, b.position, opts.logAppendTime);
        b.maxTimestamp = opts.logAppendTime;
      }
      b.lastOffset = next + b.lastOffsetDelta;
      next = b.lastOffset + 1;
    }
    this.maybeRoll(records.length, next - 1, now);
    const segment = this.active;
    try {
      segment.append(records, batches, this.config.indexIntervalBytes, now);
    } catch (e) {
      if (segment.broken) this.offlineReason = e instanceof Error ? e.message : String(e);
      throw e instanceof StorageError ? e : storageError(`append to ${this.dir} failed`, e);
    }
    this.unflushed.add(segment);
    return {
      baseOffset: firstOffset,
      lastOffset: next - 1,
      logAppendTime: opts.logAppendTime ?? -1,
      logStartOffset: this._logStartOffset,
    };
  }

  private maybeRoll(incomingBytes: number, lastOffset: number, now: number): void {
    const seg = this.active;
    if (seg.isEmpty) return;
    const full = seg.size + incomingBytes > this.config.segmentBytes;
    const old = now - seg.created >= this.config.segmentMs;
    // Relative offsets in the index are int32.
    const offsetOverflow = lastOffset - seg.baseOffset > 0x7fffffff;
    if (full || old || offsetOverflow) this.roll(now);
  }

  /** Start a new active segment at the log end. */
  roll(now = this.clock()): void {
    this.assertWritable();
    const seg = this.active;
    if (seg.isEmpty) return;
    const next = LogSegment.create(this.fs, this.dir, seg.nextOffset, now);
    seg.onBecomeInactive();
    this.segments.push(next);
  }

  /** fsync every segment written since the last flush. */
  flush(): void {
    this.assertOpen();
    for (const seg of this.unflushed) seg.flush();
    this.unflushed.clear();
  }

  // ---- read ----

  /**
   * Stored bytes from the batch holding `fetchOffset` on, up to `maxBytes`
   * of whole batches, crossing segments while room remains. The first batch
   * may start before fetchOffset (clients skip those records).
   */
  read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.assertReadable();
    const result: ReadResult = {
      chunks: [],
      bytes: 0,
      nextOffset: fetchOffset,
      logStartOffset: this._logStartOffset,
      logEndOffset: this.logEndOffset,
      highWatermark: this.highWatermark,
    };
    this.checkOffsetInRange(fetchOffset);
    if (fetchOffset === this.logEndOffset) return result;

    let segIndex = this.segmentIndexFor(fetchOffset);
    let start: LocatedBatch | null = null;
    for (; segIndex < this.segments.length; segIndex++) {
      const seg = this.segments[segIndex]!;
      start = seg.nextOffset > fetchOffset ? seg.findBatch(fetchOffset) : null;
      if (start) break;
    }
    if (!start) return result;

    let remaining = maxBytes;
    let position = start.position;
    const firstSize = start.header.size;
    if (firstSize > remaining) {
      if (!options.minOneBatch) return result;
      const seg = this.segments[segIndex]!;
      const chunk = seg.read(position, firstSize, options.into);
      if (seg.intactPrefix(chunk, position) === 0) throw corruptBatch(this.dir, start.header);
      result.chunks.push(chunk);
      result.bytes = firstSize;
      result.nextOffset = start.header.lastOffset + 1;
      return result;
    }
    while (segIndex < this.segments.length && remaining >= BATCH_HEADER_SIZE) {
      const seg = this.segments[segIndex]!;
      const available = seg.size - position;
      const want = Math.min(remaining, available);
      if (want > 0) {
        const chunk = seg.read(position, want, options.into);
        const { bytes, nextOffset } = wholeBatchPrefix(chunk);
        // Serve what comes before a corrupt batch; a read starting at one reports it.
        const intact = bytes > 0 ? seg.intactPrefix(chunk, position, bytes) : 0;
        if (intact < bytes) {
          if (intact === 0 && result.bytes === 0) throw corruptBatch(this.dir, readBatchHeader(chunk, 0));
          if (intact > 0) {
            result.chunks.push(chunk.subarray(0, intact));
            result.bytes += intact;
            result.nextOffset = wholeBatchPrefix(chunk.subarray(0, intact)).nextOffset;
          }
          break;
        }
        if (bytes > 0) {
          result.chunks.push(bytes === chunk.length ? chunk : chunk.subarray(0, bytes));
          result.bytes += bytes;
          result.nextOffset = nextOffset;
          remaining -= bytes;
        }
        // Stop unless this segment was consumed to its end: the next batch does not fit.
        if (bytes < available) break;
      }
      segIndex++;
      position = 0;
    }
    return result;
  }

  private checkOffsetInRange(offset: number): void {
    if (offset < this._logStartOffset || offset > this.logEndOffset) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is out of range for ${this.dir} (log start ${this._logStartOffset}, log end ${this.logEndOffset})`,
      );
    }
  }

  /** Index of the last segment whose baseOffset <= offset (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---- timestamps ----

  /** The first offset whose record is at or after `timestamp` (see log-time-lookup.ts). */
  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    this.assertReadable();
    return offsetForTimestamp(this.segments, this._logStartOffset, timestamp);
  }

  /** The offset of the record with the largest timestamp (see log-time-lookup.ts). */
  maxTimestampOffset(): TimestampOffset | null {
    this.assertReadable();
    return maxTimestampOffset(this.segments);
  }

  // ---- compaction hooks (the cleaner itself lives in log-cleaner.ts) ----

  /** Closed segments, oldest first: what the cleaner may rewrite. */
  closedSegments(): readonly LogSegment[] {
    this.assertWritable();
    return this.segments.slice(0, -1);
  }

  /** Are these still consecutive closed segments of this log (none deleted or replaced)? */
  hasSegments(group: readonly LogSegment[]): boolean {
    if (this.closed) return false;
    const first = this.segments.indexOf(group[0]!);
    return (
      first >= 0 &&
      first + group.length < this.segments.length &&
      group.every((seg, i) => this.segments[first + i] === seg)
    );
  }

  /** The filesystem and clock the log runs on, for the cleaner's files and lags. */
  get storage(): { fs: StorageFs; now: Clock; log: LogFn } {
    return { fs: this.fs, now: this.clock, log: this.log };
  }

  /**
   * Put the cleaned segment `base` (written to its `.cleaned` file) in place of
   * `old`, consecutive closed segments, in one synchronous step: readers see
   * either the old segments or the new one.
   */
  replaceSegments(old: readonly LogSegment[], base: number): void {
    this.assertWritable();
    if (!this.hasSegments(old)) throw new Error(`${this.dir}: segments to replace are not consecutive closed segments`);
    const first = this.segments.indexOf(old[0]!);
    commitSwap(
      this.fs,
      this.dir,
      base,
      old.map((seg) => seg.baseOffset),
    );
    for (const seg of old) {
      this.unflushed.delete(seg);
      seg.close();
    }
    completeSwap(
      this.fs,
      this.dir,
      base,
      old.map((seg) => seg.baseOffset),
    );
    const { segment } = LogSegment.open(this.fs, this.dir, base, {
      now: this.clock(),
      indexIntervalBytes: this.config.indexIntervalBytes,
      fullRecovery: true,
      log: () => {},
    });
    if (segment.isEmpty) {
      // Nothing survived: the range is a gap now, like any compacted range.
      segment.deleteFiles();
      this.segments.splice(first, old.length);
      return;
    }
    segment.onBecomeInactive();
    this.segments.splice(first, old.length, segment);
  }

  // ---- deletion and retention ----

  /**
   * DeleteRecords: raise logStartOffset to `offset` (persisted atomically
   * before any file is removed) and delete the segments entirely below it.
   * Returns the new logStartOffset.
   */
  deleteRecordsBefore(offset: number): number {
    this.assertWritable();
    if (offset > this.logEndOffset || offset < 0) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `cannot delete records before ${offset}: log ends at ${this.logEndOffset}`,
      );
    }
    if (offset <= this._logStartOffset) return this._logStartOffset;
    try {
      writeLogStartCheckpoint(this.fs, this.dir, offset);
    } catch (e) {
      throw storageError(`cannot persist log start offset for ${this.dir}`, e);
    }
    this._logStartOffset = offset;
    // When everything is deleted, roll so the old active segment's bytes can go too.
    if (this.active.nextOffset <= offset && !this.active.isEmpty) this.roll();
    this.deleteSegmentsBelow(offset);
    return this._logStartOffset;
  }

  private deleteSegmentsBelow(offset: number): void {
    while (this.segments.length > 1 && this.segments[0]!.nextOffset <= offset) {
      this.deleteOldestSegment();
    }
  }

  private deleteOldestSegment(): number {
    const seg = this.segments.shift()!;
    this.unflushed.delete(seg);
    const bytes = seg.size;
    seg.deleteFiles();
    this._logStartOffset = Math.max(this._logStartOffset, this.segments[0]!.baseOffset);
    return bytes;
  }

  /**
   * Delete closed segments by retention.ms (segment's largest timestamp, or
   * its modification time when it has none) and retention.bytes, oldest
   * first. The active segment is never deleted.
   */
  cleaningSteps(settings: CleanerSettings, codecs: Codecs, now: number, txns?: TxnView): Generator<void, CleanResult> {
    return cleaningSteps(this, settings, codecs, now, txns);
  }

  applyRetention(now = this.clock()): RetentionResult {
    this.assertWritable();
    const expired = this.config.deleteRetention ? expiredSegmentCount(this.segments, this.config, now) : 0;
    let deletedBytes = 0;
    for (let i = 0; i < expired; i++) deletedBytes += this.deleteOldestSegment();
    if (expired > 0) {
      this.log(
        `${this.dir}: retention deleted ${expired} segment(s), ${deletedBytes} bytes; log start offset now ${this._logStartOffset}`,
      );
    }
    return { deletedSegments: expired, deletedBytes, logStartOffset: this._logStartOffset };
  }

  /** Drop all data and restart the log empty at `startOffset`. */
  truncateAll(startOffset = 0): void {
    this.assertOpen();
    const now = this.clock();
    for (const seg of this.segments) seg.deleteFiles();
    this.segments = [];
    this.unflushed.clear();
    this._logStartOffset = startOffset;
    this.segments.push(LogSegment.create(this.fs, this.dir, startOffset, now));
    writeLogStartCheckpoint(this.fs, this.dir, startOffset);
    this.offlineReason = null;
  }

  // ---- producer state support ----

  /**
   * Batch headers of the last `segmentCount` segments (offset order, at or
   * above logStartOffset), so the broker can rebuild idempotent producer
   * state (producerId -> epoch and last sequences) on startup.
   */
  *recentBatches(segmentCount = 2): Generator<RecentBatch> {
    this.assertReadable();
    const from = Math.max(0, this.segments.length - segmentCount);
    for (const seg of this.segments.slice(from)) {
      for (const { position, header } of seg.batches()) {
        if (header.lastOffset < this._logStartOffset) continue;
        const rb = header as RecentBatch;
        rb.position = position;
        rb.segmentBaseOffset = seg.baseOffset;
        yield rb;
      }
    }
  }

  // ---- lifecycle ----

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSegments();
  }

  private closeSegments(): void {
    for (const seg of this.segments) seg.close();
  }

  /** Close without writing index files, for a directory about to be deleted. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    for (const seg of this.segments) seg.discard();
  }

  /** Close and remove the whole partition directory (topic deletion). */
  delete(): void {
    this.close();
    try {
      this.fs.rmSync(this.dir, { recursive: true, force: true });
    } catch (e) {
      throw storageError(`cannot delete ${this.dir}`, e);
    }
  }

  get isOffline(): boolean {
    return this.offlineReason !== null;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('KAFKA_STORAGE_ERROR', `partition log ${this.dir} is closed`);
  }

  private assertReadable(): void {
    this.assertOpen();
    if (this.offlineReason !== null)
      throw new StorageError('KAFKA_STORAGE_ERROR', `partition log ${this.dir} is offline: ${this.offlineReason}`);
  }

  private assertWritable(): void {
    this.assertReadable();
  }
}

function isStorageFs(x: StorageFs | PartitionLogDeps): x is StorageFs {
  return typeof (x as StorageFs).openSync === 'function';
}
