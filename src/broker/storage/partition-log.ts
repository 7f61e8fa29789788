/**
 * The durable log of one partition: a directory `<dataDir>/<topic>-<partition>/`
 * holding ordered segments, plus a `log-start-offset` checkpoint.
 *
 * Single replica, so highWatermark == logEndOffset. All I/O is synchronous so
 * an append (offset assignment + write + index update) is atomic with respect
 * to every other request on the broker's single thread.
 */
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  assignOffsets,
  readBaseOffset,
  readBatchHeader,
  readLastOffsetDelta,
  recordTimestamps,
  setLogAppendTime,
  type BatchHeader,
} from '../../protocol/record-batch.js';
import { StorageError, storageError } from './errors.js';
import { atomicWriteFile, nodeFs, type StorageFs } from './fs-interface.js';
import { commitSwap, completeSwap, recoverInterruptedClean } from './clean-swap.js';
import { cleaningSteps, type CleanerSettings, type CleanResult, type Codecs, type TxnView } from './log-cleaner.js';
import type { ReplicaLog } from './replica-log.js';
import { resolveLogConfig, type LogConfig } from './log-config.js';
import { LOG_SUFFIX, LogSegment, parseSegmentFileName, type AppendedBatch, type LocatedBatch } from './segment.js';

export const LOG_START_OFFSET_FILE = 'log-start-offset';

export type { LogConfig } from './log-config.js';
export type Clock = () => number;
export type LogFn = (msg: string) => void;

/** Dependencies of a partition log, as an options object (alternative to positional arguments). */
export interface PartitionLogDeps {
  fs?: StorageFs;
  /** Clock in ms (segment.ms, retention, lastModified). */
  now?: Clock;
  /** Receives recovery and retention messages. */
  log?: LogFn;
  /** The broker stopped cleanly last time: the last segment is loaded like the others, not recovered. */
  cleanShutdown?: boolean;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export interface AppendOptions {
  /** Accepted for callers that already validated; recomputed from the batch headers. */
  maxTimestamp?: number;
  recordCount?: number;
  /** Stamp every batch with this LogAppendTime (topic uses message.timestamp.type=LogAppendTime). */
  logAppendTime?: number;
  /**
   * A follower's append: the batches keep the offsets the leader gave them (the first must
   * start at the log end), so replicas stay byte-identical.
   */
  keepOffsets?: boolean;
  /** The leader epoch stamped into every batch (a cluster leader's); 0 by default. */
  leaderEpoch?: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The stamped time, or -1 when batches keep their CreateTime. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface ReadOptions {
  /** KIP-74: return the first batch whole even if it is larger than maxBytes. */
  minOneBatch?: boolean;
}

export interface ReadResult {
  /** Stored batch bytes, whole batches only, in offset order. */
  chunks: Buffer[];
  bytes: number;
  /** Offset after the last returned batch (== fetchOffset when nothing was returned). */
  nextOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
}

export interface RecentBatch extends BatchHeader {
  position: number;
  segmentBaseOffset: number;
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
    const interrupted = recoverInterruptedClean(fs, dir);
    if (interrupted !== null) this.log(`${dir}: ${interrupted}`);
    const bases = new Set<number>();
    const indexOnly = new Set<string>();
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.tmp') || name.endsWith('.deleted')) {
        fs.rmSync(join(dir, name), { force: true });
        continue;
      }
      const parsed = parseSegmentFileName(name);
      if (!parsed) continue;
      if (parsed.suffix === LOG_SUFFIX) bases.add(parsed.baseOffset);
      else indexOnly.add(name);
    }
    for (const name of indexOnly) {
      if (!bases.has(parseSegmentFileName(name)!.baseOffset)) {
        this.log(`${join(dir, name)}: removing index file without a log segment`);
        fs.unlinkSync(join(dir, name));
      }
    }
    const checkpoint = this.readLogStartCheckpoint();
    const sorted = [...bases].sort((a, b) => a - b);
    const now = this.clock();
    for (let i = 0; i < sorted.length; i++) {
      const base = sorted[i]!;
      const prev = this.segments[this.segments.length - 1];
      if (prev && base < prev.nextOffset) {
        this.log(
          `${dir}: segment ${base} overlaps the previous one (ends at ${prev.nextOffset}); removing it and all later segments`,
        );
        this.deleteSegmentFiles(sorted.slice(i));
        break;
      }
      const isLast = i === sorted.length - 1;
      const { segment, recovery } = LogSegment.open(fs, dir, base, {
        now,
        indexIntervalBytes: this.config.indexIntervalBytes,
        fullRecovery: isLast && !cleanShutdown,
        log: this.log,
      });
      if (prev && base > prev.nextOffset)
        this.log(`${dir}: offsets ${prev.nextOffset}..${base - 1} are missing between segments`);
      if (segment.isEmpty && !isLast) {
        this.log(`${segment.logPath}: removing empty non-final segment`);
        segment.deleteFiles();
        continue;
      }
      this.segments.push(segment);
      if (recovery.truncatedBytes > 0 && !isLast) {
        this.log(
          `${dir}: segment ${base} was truncated during recovery; removing the ${sorted.length - 1 - i} later segment(s)`,
        );
        this.deleteSegmentFiles(sorted.slice(i + 1));
        break;
      }
    }
    for (let i = 0; i < this.segments.length - 1; i++) this.segments[i]!.onBecomeInactive();

    if (this.segments.length === 0) this.segments.push(LogSegment.create(fs, dir, checkpoint ?? 0, now));
    const first = this.segments[0]!;
    this._logStartOffset = Math.max(checkpoint ?? 0, first.baseOffset);
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

  /** Remove the files of segments that were never opened (dropped during recovery). */
  private deleteSegmentFiles(bases: number[]): void {
    for (const base of bases) {
      for (const name of this.fs.readdirSync(this.dir)) {
        const parsed = parseSegmentFileName(name);
        if (parsed && parsed.baseOffset === base) this.fs.unlinkSync(join(this.dir, name));
      }
    }
  }

  private readLogStartCheckpoint(): number | null {
    const p = join(this.dir, LOG_START_OFFSET_FILE);
    if (!this.fs.existsSync(p)) return null;
    const text = this.fs.readFileSync(p).toString('utf8').trim();
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) {
      this.log(`${p}: ignoring unreadable checkpoint ${JSON.stringify(text)}`);
      return null;
    }
    return n;
  }

  private writeLogStartCheckpoint(offset: number): void {
    atomicWriteFile(this.fs, join(this.dir, LOG_START_OFFSET_FILE), `${offset}\n`);
  }

  // -------------------------------------------------------------------------
  // Offsets
  // -------------------------------------------------------------------------

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

  // -------------------------------------------------------------------------
  // Append
  // -------------------------------------------------------------------------

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

  // -------------------------------------------------------------------------
  // Read
  // -------------------------------------------------------------------------

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
      const chunk = seg.read(position, firstSize);
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
        const chunk = seg.read(position, want);
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

  // -------------------------------------------------------------------------
  // Timestamps
  // -------------------------------------------------------------------------

  /**
   * First offset (>= logStartOffset) whose record timestamp is >= `timestamp`
   * (ListOffsets by time). Uncompressed CreateTime batches are decoded to find
   * the exact record; compressed batches answer at batch granularity
   * (their first offset and maxTimestamp). Null if no record qualifies.
   */
  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    this.assertReadable();
    for (const seg of this.segments) {
      if (seg.nextOffset <= this._logStartOffset || seg.maxTimestamp < timestamp) continue;
      const found = seg.findBatchByTimestamp(timestamp);
      if (!found) continue;
      for (const { position, header } of seg.batches(found.position)) {
        if (header.maxTimestamp < timestamp || header.lastOffset < this._logStartOffset) continue;
        const exact = this.firstRecordAtOrAfter(seg, position, header, timestamp);
        if (exact) return exact;
      }
    }
    return null;
  }

  private firstRecordAtOrAfter(
    seg: LogSegment,
    position: number,
    header: BatchHeader,
    timestamp: number,
  ): TimestampOffset | null {
    if (header.compression !== 0 || header.timestampType === 1) {
      return { offset: Math.max(header.baseOffset, this._logStartOffset), timestamp: header.maxTimestamp };
    }
    const rt = recordTimestamps(seg.read(position, header.size), 0);
    if (!rt) return { offset: Math.max(header.baseOffset, this._logStartOffset), timestamp: header.maxTimestamp };
    for (let i = 0; i < rt.offsets.length; i++) {
      if (rt.timestamps[i]! >= timestamp && rt.offsets[i]! >= this._logStartOffset) {
        return { offset: rt.offsets[i]!, timestamp: rt.timestamps[i]! };
      }
    }
    return null;
  }

  /**
   * Offset and timestamp of the record with the largest timestamp (first
   * one on ties). Exact for uncompressed batches; for compressed ones the
   * batch's last offset. Null when no batch carries a timestamp.
   */
  maxTimestampOffset(): TimestampOffset | null {
    this.assertReadable();
    let best: LogSegment | null = null;
    for (const seg of this.segments) {
      if (seg.maxTimestamp >= 0 && (best === null || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    }
    if (!best) return null;
    const ts = best.maxTimestamp;
    const located = best.findBatch(best.offsetOfMaxTimestamp);
    if (!located || located.header.compression !== 0 || located.header.timestampType === 1) {
      return { offset: best.offsetOfMaxTimestamp, timestamp: ts };
    }
    const rt = recordTimestamps(best.read(located.position, located.header.size), 0);
    const i = rt ? rt.timestamps.indexOf(ts) : -1;
    return { offset: i >= 0 ? rt!.offsets[i]! : best.offsetOfMaxTimestamp, timestamp: ts };
  }

  // -------------------------------------------------------------------------
  // Compaction hooks (the cleaner itself lives in log-cleaner.ts)
  // -------------------------------------------------------------------------

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

  // -------------------------------------------------------------------------
  // Deletion and retention
  // -------------------------------------------------------------------------

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
      this.writeLogStartCheckpoint(offset);
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
    const { retentionMs, retentionBytes, deleteRetention } = this.config;
    let deletedSegments = 0;
    let deletedBytes = 0;
    if (!deleteRetention) return { deletedSegments, deletedBytes, logStartOffset: this._logStartOffset };
    if (retentionMs >= 0) {
      while (this.segments.length > 1 && now - this.segments[0]!.largestTimestamp > retentionMs) {
        deletedBytes += this.deleteOldestSegment();
        deletedSegments++;
      }
    }
    if (retentionBytes >= 0) {
      let excess = this.size - retentionBytes;
      while (this.segments.length > 1 && excess - this.segments[0]!.size >= 0) {
        const bytes = this.deleteOldestSegment();
        excess -= bytes;
        deletedBytes += bytes;
        deletedSegments++;
      }
    }
    if (deletedSegments > 0) {
      this.log(
        `${this.dir}: retention deleted ${deletedSegments} segment(s), ${deletedBytes} bytes; log start offset now ${this._logStartOffset}`,
      );
    }
    return { deletedSegments, deletedBytes, logStartOffset: this._logStartOffset };
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
    this.writeLogStartCheckpoint(startOffset);
    this.offlineReason = null;
  }

  // -------------------------------------------------------------------------
  // Producer state support
  // -------------------------------------------------------------------------

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

  // -------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------

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

interface BatchToAppend extends AppendedBatch {
  position: number;
  lastOffsetDelta: number;
}

/**
 * Walk the batch framing of data the caller has validated, collecting what
 * the segment needs for its indexes. Framing errors still throw
 * CORRUPT_MESSAGE rather than writing garbage.
 */
function describeBatches(records: Buffer): BatchToAppend[] {
  const out: BatchToAppend[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < BATCH_HEADER_SIZE)
      throw new StorageError('CORRUPT_MESSAGE', `truncated batch header at byte ${pos}`);
    const h = readBatchHeader(records, pos);
    if (h.batchLength < MIN_BATCH_LENGTH || pos + h.size > records.length || h.lastOffsetDelta < 0) {
      throw new StorageError('CORRUPT_MESSAGE', `malformed batch at byte ${pos}`);
    }
    out.push({
      position: pos,
      size: h.size,
      lastOffsetDelta: h.lastOffsetDelta,
      lastOffset: -1,
      maxTimestamp: h.maxTimestamp,
    });
    pos += h.size;
  }
  if (out.length === 0) throw new StorageError('CORRUPT_MESSAGE', 'no record batch to append');
  return out;
}

function corruptBatch(dir: string, h: BatchHeader): StorageError {
  return new StorageError(
    'CORRUPT_MESSAGE',
    `${dir}: record batch at offset ${h.baseOffset} is corrupt (failed its CRC-32C or header check)`,
  );
}

/** Length of the longest prefix of `chunk` made of whole batches, and the offset after it. */
function wholeBatchPrefix(chunk: Buffer): { bytes: number; nextOffset: number } {
  let pos = 0;
  let nextOffset = -1;
  while (chunk.length - pos >= BATCH_HEADER_SIZE) {
    const size = LOG_OVERHEAD + chunk.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE || pos + size > chunk.length) break;
    nextOffset = readBaseOffset(chunk, pos) + readLastOffsetDelta(chunk, pos) + 1;
    pos += size;
  }
  return { bytes: pos, nextOffset };
}
