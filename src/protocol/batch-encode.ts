// Encoding whole record batches from a list of records (client side, the broker's own
// records, compaction, tests), with the one record writer in batch-builder.ts.
import { RecordBatchBuilder, type BatchHeaderOptions, type BytesLike, type RecordInput } from './batch-builder.js';

export type DecompressFn = (codec: number, data: Buffer) => Buffer;

export interface EncodeBatchOptions extends BatchHeaderOptions {
  records: readonly RecordInput[];
  /** Timestamp for records that have none; defaults to Date.now(). */
  now?: number;
}

/** One record batch v2 in a single Buffer. */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const records = opts.records;
  if (records.length === 0 && opts.lastOffsetDelta === undefined)
    throw new RangeError('a record batch needs at least one record');
  const now = opts.now ?? Date.now();
  const builder = new RecordBatchBuilder(estimateSize(records));
  for (const r of records) builder.append(r, now);
  return builder.finish({ ...opts, firstTimestamp: opts.firstTimestamp ?? now });
}

/** Enough for the records' bytes and their framing, so the builder rarely grows. */
function estimateSize(records: readonly RecordInput[]): number {
  let n = 0;
  for (const r of records) n += 24 + lengthOf(r.key) + lengthOf(r.value) + (r.headers ? 64 * r.headers.length : 0);
  return n;
}

function lengthOf(v: BytesLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? v.length * 3 : v.length;
}

/**
 * Build a control batch (transaction marker): one record whose key is
 * version int16 0 + type int16 (0 abort, 1 commit) and whose value is
 * version int16 0 + coordinatorEpoch int32.
 */
export function encodeControlBatch(opts: {
  commit: boolean;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch?: number;
  baseOffset?: number;
  timestamp?: number;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(opts.commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(opts.coordinatorEpoch ?? 0, 2);
  return encodeRecordBatch({
    records: [{ key, value, timestamp: opts.timestamp }],
    baseOffset: opts.baseOffset,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    isTransactional: true,
    isControl: true,
    now: opts.timestamp,
  });
}

// ---------------------------------------------------------------------------
