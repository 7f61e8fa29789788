// A replica's leader-epoch cache (Kafka's leader-epoch-checkpoint, kept in memory and
// rebuilt from the batch headers, which carry the epoch they were written in): for each
// epoch, the first offset written in it. It answers "where does epoch E end in this log?",
// which is how a returning replica finds the point where its log diverged from the leader's.
import type { ReplicaLog } from '../storage/replica-log.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Kafka's answer for an epoch the log has never seen (UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET). */
export const UNDEFINED_EPOCH = -1;

export class EpochCache {
  private entries: EpochEntry[] = [];

  static fromLog(log: ReplicaLog): EpochCache {
    const cache = new EpochCache();
    for (const b of log.recentBatches(Number.MAX_SAFE_INTEGER)) cache.onBatch(b.partitionLeaderEpoch, b.baseOffset);
    return cache;
  }

  get latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1]!.epoch;
  }

  /** The epoch a batch at `baseOffset` was written in; only newer epochs start an entry. */
  onBatch(epoch: number, baseOffset: number): void {
    if (epoch < 0) return;
    const last = this.entries[this.entries.length - 1];
    if (!last || epoch > last.epoch) this.entries.push({ epoch, startOffset: baseOffset });
  }

  /** The log lost every offset from `offset` on. */
  truncateFrom(offset: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.startOffset >= offset) this.entries.pop();
  }

  /** The epoch of the batch just before `offset`, for Fetch's lastFetchedEpoch. */
  epochBefore(offset: number): number {
    let found = UNDEFINED_EPOCH;
    for (const e of this.entries) {
      if (e.startOffset < offset) found = e.epoch;
      else break;
    }
    return found;
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= `epoch` this log knows, and the offset where
   * it ends (the next epoch's start, or the log end for the latest).
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let i = -1;
    for (let j = 0; j < this.entries.length; j++) if (this.entries[j]!.epoch <= epoch) i = j;
    if (i < 0) return { epoch: UNDEFINED_EPOCH, endOffset: -1 };
    const next = this.entries[i + 1];
    return { epoch: this.entries[i]!.epoch, endOffset: next ? next.startOffset : logEndOffset };
  }
}
