// read_committed on the consumer side, by Kafka's consumer rule: a Fetch answer lists the
// aborted transactions in its range (producer id, first offset); from that offset on the
// producer's transactional batches are dropped until its ABORT marker.
import type { BatchHeader, DecodedRecord } from '../protocol/record-batch.js';

export class AbortedFilter {
  private readonly pending: Array<{ producerId: number; firstOffset: number }>;
  private readonly aborting = new Set<number>();

  constructor(aborted: ReadonlyArray<{ producerId: number; firstOffset: number }> | null | undefined) {
    this.pending = [...(aborted ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Whether the batch's records belong to an aborted transaction (control batches always skip). */
  skips(header: BatchHeader, records: readonly DecodedRecord[]): boolean {
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= header.lastOffset)
      this.aborting.add(this.pending.shift()!.producerId);
    if (header.isControl) {
      const key = records[0]?.key;
      // Control record key: version int16, type int16 (0 = ABORT).
      if (key && key.length >= 4 && key.readInt16BE(2) === 0) this.aborting.delete(header.producerId);
      return true;
    }
    return header.isTransactional && this.aborting.has(header.producerId);
  }
}
