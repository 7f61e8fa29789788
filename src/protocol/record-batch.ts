/**
 * Kafka record batch v2 (magic 2) on raw bytes.
 *
 * The broker never re-encodes what producers send: it validates the bytes,
 * patches a few header fields in place (base offset, leader epoch, optionally
 * the log-append timestamp) and stores them as received. The encoder and
 * decoder at the bottom of this file are for the client side and for tests.
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

function readInt32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

function writeInt32(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

function readInt16(buf: Uint8Array, pos: number): number {
  return (((buf[pos]! << 8) | buf[pos + 1]!) << 16) >> 16;
}

function writeInt16(buf: Uint8Array, pos: number, value: number): void {
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
 * Give a stored batch its offset. partitionLeaderEpoch is reset to 0 (the
 * dev broker's only epoch). Neither field is covered by the CRC.
 */
export function assignOffsets(buf: Uint8Array, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + OFF_BASE_OFFSET, baseOffset);
  writeInt32(buf, pos + OFF_LEADER_EPOCH, 0);
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

// ---------------------------------------------------------------------------
// Validation of incoming (produce) data
// ---------------------------------------------------------------------------

/** Kafka error names returned by validateBatches. */
export type BatchErrorName = 'CORRUPT_MESSAGE' | 'UNSUPPORTED_FOR_MESSAGE_FORMAT' | 'INVALID_RECORD';

export interface BatchError {
  error: BatchErrorName;
  message: string;
  /** Index of the offending batch, when one was identified. */
  batchIndex?: number;
}

export interface BatchInfo extends BatchHeader {
  /** Byte position of the batch in the validated buffer. */
  position: number;
}

export interface ValidatedBatches {
  error: null;
  batches: BatchInfo[];
  /** Offsets the data will consume: sum over batches of lastOffsetDelta + 1. */
  recordCount: number;
  /** Largest batch maxTimestamp (-1 if none carry a timestamp). */
  maxTimestamp: number;
  /** Index in `batches` of the first batch carrying maxTimestamp. */
  maxTimestampBatch: number;
  bytes: number;
}

export type ValidateResult = ValidatedBatches | BatchError;

export interface ValidateOptions {
  /**
   * Also walk the records of uncompressed batches and check they are well
   * formed (lengths, count, increasing offset deltas). Default true: a batch
   * with a valid CRC but broken records would otherwise poison consumers.
   */
  checkRecords?: boolean;
  /**
   * Batches a client produced (Kafka's LogValidator with origin CLIENT): their offset
   * range must match their record count (lastOffsetDelta + 1 = recordsCount); only
   * compacted batches written by the log itself may be sparse. Default false.
   */
  fromClient?: boolean;
}

/** Highest compression codec id Kafka defines (zstd). */
const MAX_COMPRESSION_CODEC = 4;

/**
 * Walk a produce request's `records` bytes (one or more batches) and check
 * framing, magic, CRC and header sanity. Never throws on bad data: problems
 * come back as `{ error, message }`. Compressed batches are checked at the
 * header/CRC level only (they are stored as received).
 */
export function validateBatches(buf: Uint8Array, options: ValidateOptions = {}): ValidateResult {
  const checkRecords = options.checkRecords !== false;
  const batches: BatchInfo[] = [];
  let recordCount = 0;
  let maxTimestamp = -1;
  let maxTimestampBatch = -1;
  let pos = 0;
  const len = buf.length;
  if (len === 0) return { error: 'INVALID_RECORD', message: 'produce data contains no record batch' };
  while (pos < len) {
    const index = batches.length;
    const remaining = len - pos;
    if (remaining < LOG_OVERHEAD) {
      return bad('CORRUPT_MESSAGE', `trailing ${remaining} bytes after batch ${index - 1} are too short for a batch header`, index);
    }
    if (remaining > OFF_MAGIC) {
      const magic = readMagic(buf, pos);
      if (magic === 0 || magic === 1) {
        return bad('UNSUPPORTED_FOR_MESSAGE_FORMAT', `record batch ${index} has magic ${magic}; only magic 2 is supported`, index);
      }
      if (magic !== MAGIC_V2) return bad('CORRUPT_MESSAGE', `record batch ${index} has unknown magic ${magic}`, index);
    }
    if (remaining < BATCH_HEADER_SIZE) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} is truncated: ${remaining} bytes left, header needs ${BATCH_HEADER_SIZE}`, index);
    }
    const batchLength = readInt32(buf, pos + OFF_BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} has batchLength ${batchLength} < ${MIN_BATCH_LENGTH}`, index);
    }
    const size = LOG_OVERHEAD + batchLength;
    if (size > remaining) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} is truncated: batch needs ${size} bytes, ${remaining} available`, index);
    }
    const header = readBatchHeader(buf, pos);
    const expectedCrc = computeBatchCrc(buf, pos, size);
    if (expectedCrc !== header.crc) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} failed CRC-32C check (stored ${hex(header.crc)}, computed ${hex(expectedCrc)})`, index);
    }
    if (header.lastOffsetDelta < 0) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} has negative lastOffsetDelta ${header.lastOffsetDelta}`, index);
    }
    if (header.recordsCount <= 0) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} has invalid record count ${header.recordsCount}`, index);
    }
    if (header.compression > MAX_COMPRESSION_CODEC) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} uses unknown compression codec id ${header.compression}`, index);
    }
    if (checkRecords && header.compression === 0) {
      const problem = checkUncompressedRecords(buf, pos + BATCH_HEADER_SIZE, pos + size, header.recordsCount, header.lastOffsetDelta);
      if (problem !== null) return bad('CORRUPT_MESSAGE', `record batch ${index}: ${problem}`, index);
    }
    if (options.fromClient && header.lastOffsetDelta + 1 !== header.recordsCount) {
      return bad('INVALID_RECORD', `Inconsistent batch offset range [${header.baseOffset}, ${header.baseOffset + header.lastOffsetDelta}] and count of records ${header.recordsCount} in record batch ${index}`, index);
    }
    const info = header as BatchInfo;
    info.position = pos;
    batches.push(info);
    recordCount += header.lastOffsetDelta + 1;
    if (header.maxTimestamp > maxTimestamp) {
      maxTimestamp = header.maxTimestamp;
      maxTimestampBatch = index;
    }
    pos += size;
  }
  return { error: null, batches, recordCount, maxTimestamp, maxTimestampBatch: Math.max(0, maxTimestampBatch), bytes: len };
}

function bad(error: BatchErrorName, message: string, batchIndex?: number): BatchError {
  return batchIndex === undefined ? { error, message } : { error, message, batchIndex };
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/**
 * Structural check of uncompressed records. Returns a description of the
 * first problem, or null. Uses a cursor object-free style for speed.
 */
function checkUncompressedRecords(buf: Uint8Array, start: number, end: number, count: number, lastOffsetDelta: number): string | null {
  // One cursor reused for every record: its `end` is narrowed to the record
  // being checked so no field can read past the record's declared length.
  const cur: Cursor = { buf, pos: start, end };
  let prevDelta = -1;
  for (let i = 0; i < count; i++) {
    cur.end = end;
    const length = readVarint(cur);
    if (length === null || length < 1 || cur.pos + length > end) return `record ${i} has invalid length`;
    const recordEnd = cur.pos + length;
    cur.end = recordEnd;
    cur.pos += 1; // attributes
    if (readVarlong(cur) === null) return `record ${i} has invalid timestamp delta`;
    const offsetDelta = readVarint(cur);
    if (offsetDelta === null || offsetDelta <= prevDelta || offsetDelta > lastOffsetDelta) {
      return `record ${i} has invalid offset delta ${offsetDelta}`;
    }
    prevDelta = offsetDelta;
    if (!skipBytesField(cur) || !skipBytesField(cur)) return `record ${i} has invalid key or value length`;
    const headerCount = readVarint(cur);
    if (headerCount === null || headerCount < 0) return `record ${i} has invalid header count`;
    for (let h = 0; h < headerCount; h++) {
      const keyLen = readVarint(cur);
      if (keyLen === null || keyLen < 0 || cur.pos + keyLen > recordEnd) return `record ${i} header ${h} has invalid key`;
      cur.pos += keyLen;
      if (!skipBytesField(cur)) return `record ${i} header ${h} has invalid value`;
    }
    if (cur.pos !== recordEnd) return `record ${i} length does not match its content`;
  }
  if (cur.pos !== end) return `${end - cur.pos} bytes follow the last of ${count} records`;
  return null;
}

function skipBytesField(cur: Cursor): boolean {
  const n = readVarint(cur);
  if (n === null || n < -1) return false;
  if (n > 0) {
    if (cur.pos + n > cur.end) return false;
    cur.pos += n;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Varints (zig-zag, protobuf style) used inside records
// ---------------------------------------------------------------------------

interface Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

/** Zig-zag varint of at most 5 bytes (int32); null when malformed or past end. */
function readVarint(cur: Cursor): number | null {
  const { buf, end } = cur;
  let pos = cur.pos;
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end || shift > 28) return null;
    const b = buf[pos++]!;
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  cur.pos = pos;
  return (result >>> 1) ^ -(result & 1);
}

/** Zig-zag varlong of at most 10 bytes, as a JS number (exact below 2^53). */
function readVarlong(cur: Cursor): number | null {
  const { buf, end } = cur;
  let pos = cur.pos;
  let result = 0;
  let mul = 1;
  for (let i = 0; ; i++) {
    if (pos >= end || i >= 10) return null;
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  cur.pos = pos;
  // zig-zag decode without 32-bit operators: even -> n/2, odd -> -(n+1)/2
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

/** Bytes needed for zig-zag varint/varlong encoding of `v`. */
function varlongSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

function varintSize(v: number): number {
  const z = ((v << 1) ^ (v >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return writeVarint(buf, pos, v);
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

// ---------------------------------------------------------------------------
// Encoding (client side / tests)
// ---------------------------------------------------------------------------

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
  if (count === 0 && opts.lastOffsetDelta === undefined) throw new RangeError('a record batch needs at least one record');
  const compression = opts.compression ?? 0;
  if (compression !== 0 && !opts.compress) throw new Error(`compression codec ${compression} needs a compress callback`);
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
    let body = 1 + varlongSize(ts - firstTs) + varintSize(r.offsetDelta ?? i) + varintSize(kl) + (kl > 0 ? kl : 0) + varintSize(vl) + (vl > 0 ? vl : 0);
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
  writeInt32(batch, OFF_LAST_OFFSET_DELTA, opts.lastOffsetDelta ?? (count === 0 ? 0 : (records[count - 1]!.offsetDelta ?? count - 1)));
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
// Decoding (client side / tests)
// ---------------------------------------------------------------------------

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  /** Views into the batch bytes (or the decompressed copy), not copies. */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

export interface DecodeOptions {
  /** Check each batch's CRC-32C and throw on mismatch. Default false. */
  verifyCrc?: boolean;
}

/**
 * Decode every complete batch in `buf` (a fetch response may end with a
 * partial batch, which is skipped). Throws on malformed data.
 */
export function decodeBatches(buf: Buffer, decompress?: DecompressFn, options: DecodeOptions = {}): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= BATCH_HEADER_SIZE) {
    const size = batchSize(buf, pos);
    if (size < BATCH_HEADER_SIZE) throw new Error(`malformed record batch at byte ${pos}: batchLength ${size - LOG_OVERHEAD}`);
    if (pos + size > buf.length) break; // partial trailing batch
    const header = readBatchHeader(buf, pos);
    if (header.magic !== MAGIC_V2) throw new Error(`unsupported record batch magic ${header.magic} at byte ${pos}`);
    if (options.verifyCrc && !batchCrcMatches(buf, pos, size)) {
      throw new Error(`record batch at offset ${header.baseOffset} failed CRC-32C check`);
    }
    let body = buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
    if (header.compression !== 0) {
      if (!decompress) throw new Error(`record batch at offset ${header.baseOffset} uses compression codec ${header.compression} but no decompressor was given`);
      body = decompress(header.compression, body);
    }
    out.push({ header, records: decodeRecordBodies(body, header) });
    pos += size;
  }
  return out;
}

/** Records of all non-control batches in `buf`, flattened in offset order. */
export function decodeRecords(buf: Buffer, decompress?: DecompressFn, options: DecodeOptions & { includeControl?: boolean } = {}): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const batch of decodeBatches(buf, decompress, options)) {
    if (batch.header.isControl && !options.includeControl) continue;
    for (const r of batch.records) out.push(r);
  }
  return out;
}

function decodeRecordBodies(body: Buffer, header: BatchHeader): DecodedRecord[] {
  const cur: Cursor = { buf: body, pos: 0, end: body.length };
  const records: DecodedRecord[] = new Array(header.recordsCount);
  const logAppend = header.timestampType === 1;
  const fail = (i: number, what: string): never => {
    throw new Error(`malformed record ${i} in batch at offset ${header.baseOffset}: ${what}`);
  };
  for (let i = 0; i < header.recordsCount; i++) {
    const length = readVarint(cur);
    if (length === null || length < 0 || cur.pos + length > body.length) fail(i, 'bad length');
    const recordEnd = cur.pos + length!;
    const rc: Cursor = { buf: body, pos: cur.pos + 1, end: recordEnd };
    const tsDelta = readVarlong(rc);
    const offsetDelta = readVarint(rc);
    if (tsDelta === null || offsetDelta === null) fail(i, 'bad timestamp or offset delta');
    const key = readBytesField(rc);
    if (key === undefined) fail(i, 'bad key');
    const value = readBytesField(rc);
    if (value === undefined) fail(i, 'bad value');
    const hc = readVarint(rc);
    if (hc === null || hc < 0) fail(i, 'bad header count');
    const headers: RecordHeader[] = new Array(hc!);
    for (let h = 0; h < hc!; h++) {
      const hk = readBytesField(rc);
      if (hk === undefined || hk === null) fail(i, `bad header ${h} key`);
      const hv = readBytesField(rc);
      if (hv === undefined) fail(i, `bad header ${h} value`);
      headers[h] = { key: hk!.toString('utf8'), value: hv! };
    }
    records[i] = {
      offset: header.baseOffset + offsetDelta!,
      timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + tsDelta!,
      key: key!,
      value: value!,
      headers,
    };
    cur.pos = recordEnd;
  }
  return records;
}

/** undefined = malformed; null = null field. */
function readBytesField(cur: Cursor): Buffer | null | undefined {
  const n = readVarint(cur);
  if (n === null || n < -1) return undefined;
  if (n === -1) return null;
  if (cur.pos + n > cur.end) return undefined;
  const b = cur.buf as Buffer;
  const v = b.subarray(cur.pos, cur.pos + n);
  cur.pos += n;
  return v;
}

/**
 * Timestamps and offsets of the records of one uncompressed batch (the batch
 * at `pos`), for timestamp lookups in the log without materialising keys and
 * values. Returns null if the records are malformed.
 */
export function recordTimestamps(buf: Uint8Array, pos: number): { offsets: number[]; timestamps: number[] } | null {
  const header = readBatchHeader(buf, pos);
  const cur: Cursor = { buf, pos: pos + BATCH_HEADER_SIZE, end: pos + header.size };
  const offsets: number[] = [];
  const timestamps: number[] = [];
  for (let i = 0; i < header.recordsCount; i++) {
    const length = readVarint(cur);
    if (length === null || length < 0 || cur.pos + length > cur.end) return null;
    const rc: Cursor = { buf, pos: cur.pos + 1, end: cur.pos + length };
    const tsDelta = readVarlong(rc);
    const offsetDelta = readVarint(rc);
    if (tsDelta === null || offsetDelta === null) return null;
    offsets.push(header.baseOffset + offsetDelta);
    timestamps.push(header.timestampType === 1 ? header.maxTimestamp : header.baseTimestamp + tsDelta);
    cur.pos += length;
  }
  return { offsets, timestamps };
}
