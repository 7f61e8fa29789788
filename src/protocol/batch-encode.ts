// Encoding record batches (client side and tests).
import { crc32c } from './crc32c.js';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  CONTROL_BIT,
  LOG_OVERHEAD,
  MAGIC_V2,
  OFF_ATTRIBUTES,
  OFF_BASE_OFFSET,
  OFF_BASE_SEQUENCE,
  OFF_BASE_TIMESTAMP,
  OFF_BATCH_LENGTH,
  OFF_CRC,
  OFF_LAST_OFFSET_DELTA,
  OFF_LEADER_EPOCH,
  OFF_MAGIC,
  OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  OFF_RECORDS_COUNT,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
  type TimestampType,
  writeInt16,
  writeInt32,
  writeInt64,
} from './batch-header.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

export type BytesLike = Uint8Array | string;

export interface RecordHeaderInput {
  key: string;
  value: BytesLike | null;
}

export interface RecordInput {
  key?: BytesLike | null;
  value?: BytesLike | null;
  headers?: readonly RecordHeaderInput[] | null;
  /** Defaults to the batch's `now`. */
  timestamp?: number;
  /** Offset relative to the batch's base; defaults to the record's index. Compaction keeps the original ones. */
  offsetDelta?: number;
}

export type CompressFn = (codec: number, data: Buffer) => Buffer;
export type DecompressFn = (codec: number, data: Buffer) => Buffer;

export interface EncodeBatchOptions {
  records: readonly RecordInput[];
  baseOffset?: number;
  /** -1 as producers send it; the broker overwrites it. */
  partitionLeaderEpoch?: number;
  /** Codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). Non-zero needs `compress`. */
  compression?: number;
  compress?: CompressFn;
  timestampType?: TimestampType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Timestamp for records that have none; defaults to Date.now(). */
  now?: number;
  /** Defaults to the last record's offset delta; compaction keeps a batch's original span. */
  lastOffsetDelta?: number;
  /** The batch's base timestamp when it has no records left (compaction keeps an emptied producer batch). */
  firstTimestamp?: number;
}

const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');

function bytesLen(v: BytesLike | null | undefined): number {
  if (v === null || v === undefined) return -1;
  return typeof v === 'string' ? utf8Len(v) : v.length;
}

/**
 * Encode one record batch v2 into a single exactly-sized Buffer.
 * Two passes: sizes first (kept in a typed array), then one write pass with
 * varints emitted straight into the output. This is the producer hot path.
 */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const records = opts.records;
  const count = records.length;
  if (count === 0 && opts.lastOffsetDelta === undefined)
    throw new RangeError('a record batch needs at least one record');
  const compression = opts.compression ?? 0;
  if (compression !== 0 && !opts.compress)
    throw new Error(`compression codec ${compression} needs a compress callback`);
  const now = opts.now ?? Date.now();

  const firstTs = count === 0 ? (opts.firstTimestamp ?? now) : (records[0]!.timestamp ?? now);
  let maxTs = firstTs;
  const bodySizes = new Int32Array(count);
  let recordsBytes = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const ts = r.timestamp ?? now;
    if (ts > maxTs) maxTs = ts;
    const kl = bytesLen(r.key);
    const vl = bytesLen(r.value);
    let body =
      1 +
      varlongSize(ts - firstTs) +
      varintSize(r.offsetDelta ?? i) +
      varintSize(kl) +
      (kl > 0 ? kl : 0) +
      varintSize(vl) +
      (vl > 0 ? vl : 0);
    const headers = r.headers;
    const hc = headers ? headers.length : 0;
    body += varintSize(hc);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      const hk = utf8Len(hdr.key);
      const hv = bytesLen(hdr.value);
      body += varintSize(hk) + hk + varintSize(hv) + (hv > 0 ? hv : 0);
    }
    bodySizes[i] = body;
    recordsBytes += varintSize(body) + body;
  }

  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBytes);
  let p = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    p = writeVarint(out, p, bodySizes[i]!);
    out[p++] = 0; // record attributes: unused
    p = writeVarlong(out, p, (r.timestamp ?? now) - firstTs);
    p = writeVarint(out, p, r.offsetDelta ?? i);
    p = writeBytesField(out, p, r.key);
    p = writeBytesField(out, p, r.value);
    const headers = r.headers;
    const hc = headers ? headers.length : 0;
    p = writeVarint(out, p, hc);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      p = writeBytesField(out, p, hdr.key);
      p = writeBytesField(out, p, hdr.value);
    }
  }

  let batch = out;
  if (compression !== 0) {
    const compressed = opts.compress!(compression, out.subarray(BATCH_HEADER_SIZE));
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    batch.set(compressed, BATCH_HEADER_SIZE);
  }

  let attributes = compression & COMPRESSION_MASK;
  if (opts.timestampType === 1) attributes |= TIMESTAMP_TYPE_BIT;
  if (opts.isTransactional) attributes |= TRANSACTIONAL_BIT;
  if (opts.isControl) attributes |= CONTROL_BIT;
  writeInt64(batch, OFF_BASE_OFFSET, opts.baseOffset ?? 0);
  writeInt32(batch, OFF_BATCH_LENGTH, batch.length - LOG_OVERHEAD);
  writeInt32(batch, OFF_LEADER_EPOCH, opts.partitionLeaderEpoch ?? -1);
  batch[OFF_MAGIC] = MAGIC_V2;
  writeInt16(batch, OFF_ATTRIBUTES, attributes);
  writeInt32(
    batch,
    OFF_LAST_OFFSET_DELTA,
    opts.lastOffsetDelta ?? (count === 0 ? 0 : (records[count - 1]!.offsetDelta ?? count - 1)),
  );
  writeInt64(batch, OFF_BASE_TIMESTAMP, firstTs);
  writeInt64(batch, OFF_MAX_TIMESTAMP, maxTs);
  writeInt64(batch, OFF_PRODUCER_ID, opts.producerId ?? -1);
  writeInt16(batch, OFF_PRODUCER_EPOCH, opts.producerEpoch ?? -1);
  writeInt32(batch, OFF_BASE_SEQUENCE, opts.baseSequence ?? -1);
  writeInt32(batch, OFF_RECORDS_COUNT, count);
  writeInt32(batch, OFF_CRC, crc32c(batch, OFF_ATTRIBUTES, batch.length));
  return batch;
}

function writeBytesField(out: Buffer, p: number, v: BytesLike | null | undefined): number {
  if (v === null || v === undefined) return writeVarint(out, p, -1);
  if (typeof v === 'string') {
    const n = utf8Len(v);
    p = writeVarint(out, p, n);
    return p + (n > 0 ? out.write(v, p, 'utf8') : 0);
  }
  p = writeVarint(out, p, v.length);
  out.set(v, p);
  return p + v.length;
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
