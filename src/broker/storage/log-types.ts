// What a partition log takes and answers: its dependencies, append and read options and
// results, and what retention reports.
import type { BatchHeader } from '../../protocol/record-batch.js';
import type { StorageFs } from './fs-interface.js';

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

export interface AppendOptions {
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
  /** Where to read: a buffer of the given length (by default a fresh one). */
  into?: (length: number) => Buffer;
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

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
}

export interface RecentBatch extends BatchHeader {
  position: number;
  segmentBaseOffset: number;
}
