// What one partition knows about transactions: which producers have a transaction open
// in it and from which offset (the last stable offset is the first of those), the
// aborted transactions a read_committed consumer must skip (Kafka's .txnindex), and the
// last batch of every producer (DescribeProducers). It is rebuilt from the log's batch
// headers when the partition opens (from a checkpoint written at a clean shutdown, when
// there is one): the markers in the log are the truth.

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
  lastStableOffset: number;
}

export interface ProducerInfo {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** -1 when the producer has no transaction open here. */
  currentTxnStartOffset: number;
}

export interface PartitionTxnsSnapshot {
  ongoing: Array<[number, number]>;
  aborted: AbortedTxn[];
  producers: ProducerInfo[];
}

/** The batch-header fields the partition's transaction state follows. */
export interface BatchFacts {
  baseOffset: number;
  lastOffsetDelta: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  maxTimestamp: number;
  isTransactional: boolean;
  isControl: boolean;
}

/** A control record's key: version int16, type int16 (0 abort, 1 commit). */
export function controlType(key: Buffer | null): 'abort' | 'commit' | null {
  if (!key || key.length < 4) return null;
  const type = key.readInt16BE(2);
  return type === 0 ? 'abort' : type === 1 ? 'commit' : null;
}

export class PartitionTxns {
  /** producerId -> first offset of its open transaction. Insertion order = start order. */
  private readonly ongoing = new Map<number, number>();
  /** In marker order, so sorted by lastOffset. */
  private aborted: AbortedTxn[] = [];
  /** The longest aborted transaction (lastOffset - firstOffset): bounds the search below. */
  private maxSpan = 0;
  private readonly producers = new Map<number, ProducerInfo>();

  /**
   * Follows a batch appended at `baseOffset`. Control batches need their type, which
   * lives in the record key, so the caller passes it.
   */
  onBatch(b: BatchFacts, baseOffset: number, marker: 'abort' | 'commit' | null = null, coordinatorEpoch = -1): void {
    if (b.producerId < 0) return;
    const lastOffset = baseOffset + b.lastOffsetDelta;
    const info = this.producers.get(b.producerId) ?? {
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      lastSequence: -1,
      lastTimestamp: -1,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1,
    };
    info.producerEpoch = b.producerEpoch;
    info.lastTimestamp = b.maxTimestamp;
    this.producers.set(b.producerId, info);
    if (b.isControl) {
      info.coordinatorEpoch = coordinatorEpoch;
      const first = this.ongoing.get(b.producerId);
      if (first === undefined) return;
      this.ongoing.delete(b.producerId);
      info.currentTxnStartOffset = -1;
      if (marker === 'abort') {
        this.aborted.push({
          producerId: b.producerId,
          firstOffset: first,
          lastOffset,
          lastStableOffset: this.lastStableOffset(lastOffset + 1),
        });
        this.maxSpan = Math.max(this.maxSpan, lastOffset - first);
      }
      return;
    }
    if (b.baseSequence >= 0) info.lastSequence = (b.baseSequence + b.lastOffsetDelta) | 0;
    if (b.isTransactional && !this.ongoing.has(b.producerId)) {
      this.ongoing.set(b.producerId, baseOffset);
      info.currentTxnStartOffset = baseOffset;
    }
  }

  /** The first offset of an open transaction, or the high watermark when none is open. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.ongoing.values()) if (first < lso) lso = first;
    return lso;
  }

  hasOngoing(producerId: number): boolean {
    return this.ongoing.has(producerId);
  }

  /** Aborted transactions with data in [from, to): what a read_committed fetch of that range must skip. */
  abortedBetween(from: number, to: number): Array<{ producerId: number; firstOffset: number }> {
    const out: Array<{ producerId: number; firstOffset: number }> = [];
    // The first entry ending at or after `from`; entries ending past to + maxSpan start past `to`.
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.aborted.length; i++) {
      const a = this.aborted[i]!;
      if (a.lastOffset - this.maxSpan >= to) break;
      if (a.firstOffset < to) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    }
    return out;
  }

  /** Whether the producer's data at `offset` belongs to a transaction that was aborted. */
  isAborted(producerId: number, offset: number): boolean {
    return this.aborted.some((a) => a.producerId === producerId && a.firstOffset <= offset && offset <= a.lastOffset);
  }

  /** Drops index entries wholly below the log start (retention or DeleteRecords removed them). */
  trimBefore(logStartOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < logStartOffset) {
      this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
    }
  }

  producer(producerId: number): ProducerInfo | undefined {
    return this.producers.get(producerId);
  }

  /** Everything, for a checkpoint. */
  snapshot(): PartitionTxnsSnapshot {
    return {
      ongoing: [...this.ongoing],
      aborted: this.aborted.map((a) => ({ ...a })),
      producers: [...this.producers.values()].map((p) => ({ ...p })),
    };
  }

  static fromSnapshot(s: PartitionTxnsSnapshot): PartitionTxns {
    const t = new PartitionTxns();
    for (const [pid, first] of s.ongoing) t.ongoing.set(pid, first);
    for (const a of s.aborted) {
      t.aborted.push({ ...a });
      t.maxSpan = Math.max(t.maxSpan, a.lastOffset - a.firstOffset);
    }
    for (const p of s.producers) t.producers.set(p.producerId, { ...p });
    return t;
  }

  activeProducers(): ProducerInfo[] {
    return [...this.producers.values()];
  }

  get abortedCount(): number {
    return this.aborted.length;
  }
}
