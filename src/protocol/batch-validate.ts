// Validation of incoming (produce) data: what the broker checks before it stores batches as received.
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  LOG_OVERHEAD,
  MAGIC_V2,
  MIN_BATCH_LENGTH,
  OFF_BATCH_LENGTH,
  OFF_MAGIC,
  computeBatchCrc,
  readBatchHeader,
  readInt32,
  readMagic,
} from './batch-header.js';
import { type Cursor, readVarint, readVarlong } from './varint.js';

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
      return bad(
        'CORRUPT_MESSAGE',
        `trailing ${remaining} bytes after batch ${index - 1} are too short for a batch header`,
        index,
      );
    }
    if (remaining > OFF_MAGIC) {
      const magic = readMagic(buf, pos);
      if (magic === 0 || magic === 1) {
        return bad(
          'UNSUPPORTED_FOR_MESSAGE_FORMAT',
          `record batch ${index} has magic ${magic}; only magic 2 is supported`,
          index,
        );
      }
      if (magic !== MAGIC_V2) return bad('CORRUPT_MESSAGE', `record batch ${index} has unknown magic ${magic}`, index);
    }
    if (remaining < BATCH_HEADER_SIZE) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} is truncated: ${remaining} bytes left, header needs ${BATCH_HEADER_SIZE}`,
        index,
      );
    }
    const batchLength = readInt32(buf, pos + OFF_BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} has batchLength ${batchLength} < ${MIN_BATCH_LENGTH}`,
        index,
      );
    }
    const size = LOG_OVERHEAD + batchLength;
    if (size > remaining) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} is truncated: batch needs ${size} bytes, ${remaining} available`,
        index,
      );
    }
    const header = readBatchHeader(buf, pos);
    const expectedCrc = computeBatchCrc(buf, pos, size);
    if (expectedCrc !== header.crc) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} failed CRC-32C check (stored ${hex(header.crc)}, computed ${hex(expectedCrc)})`,
        index,
      );
    }
    if (header.lastOffsetDelta < 0) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} has negative lastOffsetDelta ${header.lastOffsetDelta}`,
        index,
      );
    }
    if (header.recordsCount <= 0) {
      return bad('CORRUPT_MESSAGE', `record batch ${index} has invalid record count ${header.recordsCount}`, index);
    }
    if (header.compression > MAX_COMPRESSION_CODEC) {
      return bad(
        'CORRUPT_MESSAGE',
        `record batch ${index} uses unknown compression codec id ${header.compression}`,
        index,
      );
    }
    if (checkRecords && header.compression === 0) {
      const problem = checkUncompressedRecords(
        buf,
        pos + BATCH_HEADER_SIZE,
        pos + size,
        header.recordsCount,
        header.lastOffsetDelta,
      );
      if (problem !== null) return bad('CORRUPT_MESSAGE', `record batch ${index}: ${problem}`, index);
    }
    if (options.fromClient && header.lastOffsetDelta + 1 !== header.recordsCount) {
      return bad(
        'INVALID_RECORD',
        `Inconsistent batch offset range [${header.baseOffset}, ${header.baseOffset + header.lastOffsetDelta}] and count of records ${header.recordsCount} in record batch ${index}`,
        index,
      );
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
  return {
    error: null,
    batches,
    recordCount,
    maxTimestamp,
    maxTimestampBatch: Math.max(0, maxTimestampBatch),
    bytes: len,
  };
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
function checkUncompressedRecords(
  buf: Uint8Array,
  start: number,
  end: number,
  count: number,
  lastOffsetDelta: number,
): string | null {
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
      if (keyLen === null || keyLen < 0 || cur.pos + keyLen > recordEnd)
        return `record ${i} header ${h} has invalid key`;
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
