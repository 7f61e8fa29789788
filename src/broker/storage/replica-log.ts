// What the broker core needs from a partition's log, whatever stores it: append and read,
// the offsets that bound it, retention and compaction hooks, and its lifecycle. The
// segment files of PartitionLog are one implementation; a replica of the replicated
// cluster is this log plus its replication state.
import type { CleanerSettings, CleanResult, Codecs, TxnView } from './log-cleaner.js';
import type { StorageFs } from './fs-interface.js';
import type { LogConfig } from './log-config.js';
import type {
  AppendOptions,
  AppendResult,
  ReadOptions,
  ReadResult,
  RecentBatch,
  RetentionResult,
  TimestampOffset,
} from './partition-log.js';

export interface ReplicaLog {
  /** Where the log lives (a directory for file-backed logs). */
  readonly dir: string;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** Bytes stored. */
  readonly size: number;
  readonly segmentCount: number;
  /** True once a storage failure took the log offline. */
  readonly isOffline: boolean;
  /** Where side state kept next to the log (checkpoints) is written, and the log's clock. */
  readonly storage: { fs: StorageFs; now: () => number };

  append(records: Buffer, opts?: AppendOptions): AppendResult;
  read(fetchOffset: number, maxBytes: number, options?: ReadOptions): ReadResult;
  offsetForTimestamp(timestamp: number): TimestampOffset | null;
  maxTimestampOffset(): TimestampOffset | null;
  /** Batch headers of the newest segments, oldest first (producer and transaction state rebuilds). */
  recentBatches(segmentCount?: number): Generator<RecentBatch>;
  /** The first offset of each segment, oldest first. */
  segmentBaseOffsets(): number[];
  /** The closed segments' modification times, oldest first. */
  closedSegments(): ReadonlyArray<{ readonly lastModified: number }>;

  /** A replicated partition's high watermark, from its in-sync replicas (null: the log end). */
  setHighWatermark(offset: number | null): void;
  /** Drops every batch at or after `offset`: a follower's tail that diverged from its leader. */
  truncateTo(offset: number): void;
  /** Drops everything and restarts empty at `startOffset` (a follower behind its leader's log start). */
  truncateAll(startOffset?: number): void;

  /** DeleteRecords: moves the log start offset forward; returns the new one. */
  deleteRecordsBefore(offset: number): number;
  /** Retention hook: drops what retention.ms / retention.bytes no longer keep. */
  applyRetention(now?: number): RetentionResult;
  /** Compaction hook: one clean of the log, in steps the caller runs between requests. */
  cleaningSteps(settings: CleanerSettings, codecs: Codecs, now: number, txns?: TxnView): Generator<void, CleanResult>;
  updateConfig(config: Partial<LogConfig>): void;

  flush(): void;
  close(): void;
  /** Closes without writing index files, for a log about to be deleted. */
  discard(): void;
  delete(): void;
}
