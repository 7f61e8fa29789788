// What a read_committed fetch gets: stored batches cut at the last stable offset, and the
// aborted transactions in the range it returns, so the consumer can drop their records.
import { BATCH_HEADER_SIZE, batchSize, readBaseOffset, readLastOffsetDelta } from '../../protocol/record-batch.js';
import type { Partition } from '../broker.js';

export interface CommittedRead {
  chunks: Buffer[];
  bytes: number;
  abortedTransactions: Array<{ producerId: number; firstOffset: number }>;
}

/**
 * Keeps the whole batches of `chunks` that start below `lso`. The LSO is always the first
 * offset of a batch (the first batch of an open transaction) or the log end, so no batch
 * straddles it.
 */
export function cutAtOffset(chunks: Buffer[], lso: number): { chunks: Buffer[]; bytes: number; nextOffset: number } {
  const out: Buffer[] = [];
  let bytes = 0;
  let nextOffset = -1;
  for (const chunk of chunks) {
    let pos = 0;
    while (chunk.length - pos >= BATCH_HEADER_SIZE) {
      if (readBaseOffset(chunk, pos) >= lso) break;
      const size = batchSize(chunk, pos);
      if (pos + size > chunk.length) break;
      nextOffset = readBaseOffset(chunk, pos) + readLastOffsetDelta(chunk, pos) + 1;
      pos += size;
    }
    if (pos > 0) {
      out.push(pos === chunk.length ? chunk : chunk.subarray(0, pos));
      bytes += pos;
    }
    if (pos < chunk.length) break;
  }
  return { chunks: out, bytes, nextOffset };
}

export function readCommitted(p: Partition, fetchOffset: number, chunks: Buffer[]): CommittedRead {
  const lso = p.txns.lastStableOffset(p.log.highWatermark);
  const cut = cutAtOffset(chunks, lso);
  p.txns.trimBefore(p.log.logStartOffset);
  const abortedTransactions = cut.bytes > 0 ? p.txns.abortedBetween(fetchOffset, cut.nextOffset) : [];
  return { chunks: cut.chunks, bytes: cut.bytes, abortedTransactions };
}
