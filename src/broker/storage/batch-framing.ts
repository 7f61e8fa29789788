// The framing of record batches as the log stores them: what an append needs for its
// indexes, the longest whole-batch prefix of a read, and the error for a corrupt batch.
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  readBaseOffset,
  readBatchHeader,
  readLastOffsetDelta,
  type BatchHeader,
} from '../../protocol/record-batch.js';
import { StorageError } from './errors.js';
import type { AppendedBatch } from './segment.js';

export interface BatchToAppend extends AppendedBatch {
  position: number;
  lastOffsetDelta: number;
}

/**
 * Walk the batch framing of data the caller has validated, collecting what
 * the segment needs for its indexes. Framing errors still throw
 * CORRUPT_MESSAGE rather than writing garbage.
 */
export function describeBatches(records: Buffer): BatchToAppend[] {
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

export function corruptBatch(dir: string, h: BatchHeader): StorageError {
  return new StorageError(
    'CORRUPT_MESSAGE',
    `${dir}: record batch at offset ${h.baseOffset} is corrupt (failed its CRC-32C or header check)`,
  );
}

/** Length of the longest prefix of `chunk` made of whole batches, and the offset after it. */
export function wholeBatchPrefix(chunk: Buffer): { bytes: number; nextOffset: number } {
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
