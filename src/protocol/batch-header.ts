/**
 * Kafka record batch v2 (magic 2) on raw bytes.
 *
 * The broker never re-encodes what producers send: it validates the bytes,
 * patches a few header fields in place (base offset, leader epoch, optionally
 * the log-append timestamp) and stores them as received. The encoder and
 * decoder (batch-encode.ts, batch-decode.ts) are for the client side and for tests.
 *
 * Batch header layout (big endian, byte offsets):
 *   0 baseOffset int64        8 batchLength int32     12 partitionLeaderEpoch int32
 *  16 magic int8             17 crc uint32            21 attributes int16
 *  23 lastOffsetDelta int32  27 baseTimestamp int64   35 maxTimestamp int64
 *  43 producerId int64       51 producerEpoch int16   53 baseSequence int32
 *  57 recordsCount int32     61 records...
 * The CRC-32C covers bytes 21..end, so baseOffset and the leader epoch can be
 * rewritten without recomputing it.
 */
import { crc32c } from './crc32c.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before the batchLength field's coverage starts (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;
/** Smallest legal batchLength: a header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
export const MAGIC_V2 = 2;

export const OFF_BASE_OFFSET = 0;
export const OFF_BATCH_LENGTH = 8;
export const OFF_LEADER_EPOCH = 12;
export const OFF_MAGIC = 16;
export const OFF_CRC = 17;
export const OFF_ATTRIBUTES = 21;
export const OFF_LAST_OFFSET_DELTA = 23;
export const OFF_BASE_TIMESTAMP = 27;
export const OFF_MAX_TIMESTAMP = 35;
export const OFF_PRODUCER_ID = 43;
export const OFF_PRODUCER_EPOCH = 51;
export const OFF_BASE_SEQUENCE = 53;
export const OFF_RECORDS_COUNT = 57;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;

/** Compression codec ids stored in attribute bits 0-2. */
export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;

/** 0 = CreateTime, 1 = LogAppendTime. */
export type TimestampType = 0 | 1;

const TWO_32 = 4294967296;

export function readInt64(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
  const lo = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}

export function writeInt64(buf: Uint8Array, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  writeInt32(buf, pos, hi);
  writeInt32(buf, pos + 4, lo);
}

export function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

export function writeInt32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

function readInt16(buf: Uint8Array, pos: number): number {
  return (((buf[pos]! << 8) | buf[pos + 1]!) << 16) >> 16;
}

export function writeInt16(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 8;
  buf[pos + 1] = value;
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  /** Derived from attributes. */
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
  /** Whole batch size on the wire: 12 + batchLength. */
  size: number;
}

/**
 * Parse the 61-byte header at `pos`. The caller guarantees the bytes exist;
 * fields are not validated here (see validateBatches).
 */
export function readBatchHeader(buf: Uint8Array, pos: number): BatchHeader {
  const baseOffset = readInt64(buf, pos + OFF_BASE_OFFSET);
  const batchLength = readInt32(buf, pos + OFF_BATCH_LENGTH);
  const attributes = readInt16(buf, pos + OFF_ATTRIBUTES);
  const lastOffsetDelta = readInt32(buf, pos + OFF_LAST_OFFSET_DELTA);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: readInt32(buf, pos + OFF_LEADER_EPOCH),
    magic: (buf[pos + OFF_MAGIC]! << 24) >> 24,
    crc: readInt32(buf, pos + OFF_CRC) >>> 0,
    attributes,
    lastOffsetDelta,
    baseTimestamp: readInt64(buf, pos + OFF_BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + OFF_MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + OFF_PRODUCER_ID),
    producerEpoch: readInt16(buf, pos + OFF_PRODUCER_EPOCH),
    baseSequence: readInt32(buf, pos + OFF_BASE_SEQUENCE),
    recordsCount: readInt32(buf, pos + OFF_RECORDS_COUNT),
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 1 : 0,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    lastOffset: baseOffset + lastOffsetDelta,
    size: LOG_OVERHEAD + batchLength,
  };
}

/** Size of the batch at `pos` including the 12-byte offset/length prefix. */
export function batchSize(buf: Uint8Array, pos: number): number {
  return LOG_OVERHEAD + readInt32(buf, pos + OFF_BATCH_LENGTH);
}

export function readBaseOffset(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + OFF_BASE_OFFSET);
}
export function readLastOffsetDelta(buf: Uint8Array, pos: number): number {
  return readInt32(buf, pos + OFF_LAST_OFFSET_DELTA);
}
export function readMaxTimestamp(buf: Uint8Array, pos: number): number {
  return readInt64(buf, pos + OFF_MAX_TIMESTAMP);
}
export function readMagic(buf: Uint8Array, pos: number): number {
  return (buf[pos + OFF_MAGIC]! << 24) >> 24;
}

/** Compute the CRC-32C a batch should carry (attributes .. end). */
export function computeBatchCrc(buf: Uint8Array, pos: number, size = batchSize(buf, pos)): number {
  return crc32c(buf, pos + OFF_ATTRIBUTES, pos + size);
}

export function batchCrcMatches(buf: Uint8Array, pos: number, size = batchSize(buf, pos)): boolean {
  return computeBatchCrc(buf, pos, size) === readInt32(buf, pos + OFF_CRC) >>> 0;
}

/**
 * Give a stored batch its offset and the leader epoch it was written in (0 on a single
 * node, the partition's epoch on a cluster leader). Neither field is covered by the CRC.
 */
export function assignOffsets(buf: Uint8Array, pos: number, baseOffset: number, leaderEpoch = 0): void {
  writeInt64(buf, pos + OFF_BASE_OFFSET, baseOffset);
  writeInt32(buf, pos + OFF_LEADER_EPOCH, leaderEpoch);
}

/**
 * Switch a batch to LogAppendTime: set attribute bit 3 and maxTimestamp (the
 * consumer then reports maxTimestamp for every record), then recompute the
 * CRC because both fields are covered by it.
 */
export function setLogAppendTime(buf: Uint8Array, pos: number, timestamp: number): void {
  const attrs = readInt16(buf, pos + OFF_ATTRIBUTES);
  writeInt16(buf, pos + OFF_ATTRIBUTES, attrs | TIMESTAMP_TYPE_BIT);
  writeInt64(buf, pos + OFF_MAX_TIMESTAMP, timestamp);
  writeInt32(buf, pos + OFF_CRC, computeBatchCrc(buf, pos));
}
