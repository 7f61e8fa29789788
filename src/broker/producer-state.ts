// Idempotent-producer bookkeeping for one partition: the last few batches of each producer
// id, enough to recognise a retried batch and to spot a gap in sequence numbers.

const BATCHES_KEPT = 5; // Kafka keeps the metadata of the last five batches per producer.
const INT32_MAX = 0x7fffffff;

export interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMeta[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; batch: BatchMeta }
  | { kind: 'error'; error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' | 'INVALID_PRODUCER_EPOCH'; message: string };

function nextSeq(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const entry = this.producers.get(producerId);
    if (!entry) return { kind: 'append' };
    if (epoch < entry.epoch) {
      return {
        kind: 'error',
        error: 'INVALID_PRODUCER_EPOCH',
        message: `Epoch ${epoch} of producer ${producerId} is older than the current epoch ${entry.epoch}`,
      };
    }
    if (epoch > entry.epoch) {
      if (firstSeq !== 0) {
        return {
          kind: 'error',
          error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
          message: `Invalid sequence number for new epoch of producer ${producerId} at epoch ${epoch}: ${firstSeq} (expected 0)`,
        };
      }
      return { kind: 'append' };
    }
    const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', batch: dup };
    const last = entry.batches[entry.batches.length - 1];
    if (last && firstSeq !== nextSeq(last.lastSeq)) {
      return {
        kind: 'error',
        error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        message: `Out of order sequence number for producer ${producerId} at epoch ${epoch}: ${firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      };
    }
    return { kind: 'append' };
  }

  record(producerId: number, epoch: number, batch: BatchMeta): void {
    let entry = this.producers.get(producerId);
    if (!entry || epoch > entry.epoch) {
      entry = { epoch, batches: [] };
      this.producers.set(producerId, entry);
    }
    entry.batches.push(batch);
    if (entry.batches.length > BATCHES_KEPT) entry.batches.shift();
  }

  get size(): number {
    return this.producers.size;
  }
}
