// Decoding record batches (client side and tests).
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  LOG_OVERHEAD,
  MAGIC_V2,
  batchCrcMatches,
  batchSize,
  readBatchHeader,
} from './batch-header.js';
import { type Cursor, readVarint, readVarlong } from './varint.js';
import { type DecompressFn } from './batch-encode.js';

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

/** One batch's header and its records' bytes, decompressed. */
export interface BatchBody {
  header: BatchHeader;
  body: Buffer;
}

/**
 * Every complete batch in `buf` (a fetch response may end with a partial batch, which is
 * skipped), decompressed but not decoded. Throws on malformed data.
 */
export function batchBodies(buf: Buffer, decompress?: DecompressFn, options: DecodeOptions = {}): BatchBody[] {
  const out: BatchBody[] = [];
  let pos = 0;
  while (buf.length - pos >= BATCH_HEADER_SIZE) {
    const size = batchSize(buf, pos);
    if (size < BATCH_HEADER_SIZE)
      throw new Error(`malformed record batch at byte ${pos}: batchLength ${size - LOG_OVERHEAD}`);
    if (pos + size > buf.length) break; // partial trailing batch
    const header = readBatchHeader(buf, pos);
    if (header.magic !== MAGIC_V2) throw new Error(`unsupported record batch magic ${header.magic} at byte ${pos}`);
    if (options.verifyCrc && !batchCrcMatches(buf, pos, size)) {
      throw new Error(`record batch at offset ${header.baseOffset} failed CRC-32C check`);
    }
    let body = buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
    if (header.compression !== 0) {
      if (!decompress)
        throw new Error(
          `record batch at offset ${header.baseOffset} uses compression codec ${header.compression} but no decompressor was given`,
        );
      body = decompress(header.compression, body);
    }
    out.push({ header, body });
    pos += size;
  }
  return out;
}

/**
 * Decode every complete batch in `buf` (a fetch response may end with a
 * partial batch, which is skipped). Throws on malformed data.
 */
export function decodeBatches(buf: Buffer, decompress?: DecompressFn, options: DecodeOptions = {}): DecodedBatch[] {
  return batchBodies(buf, decompress, options).map(({ header, body }) => ({
    header,
    records: decodeRecordBodies(body, header),
  }));
}

/** Records of all non-control batches in `buf`, flattened in offset order. */
export function decodeRecords(
  buf: Buffer,
  decompress?: DecompressFn,
  options: DecodeOptions & { includeControl?: boolean } = {},
): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const batch of decodeBatches(buf, decompress, options)) {
    if (batch.header.isControl && !options.includeControl) continue;
    for (const r of batch.records) out.push(r);
  }
  return out;
}

/**
 * One shape for every decoded record, with the fields consumers add later (timestamp type,
 * topic, partition) present from the start: adding them afterwards would give each record a
 * new hidden class, which costs more than the record itself on the consumer's hot path.
 */
class Record implements DecodedRecord {
  timestampType = -1;
  topic = '';
  partition = -1;
  constructor(
    public offset: number,
    public timestamp: number,
    public key: Buffer | null,
    public value: Buffer | null,
    public headers: RecordHeader[],
  ) {}
}

/** Shared by every record without headers (most of them): one array fewer per record. */
const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

function decodeRecordBodies(body: Buffer, header: BatchHeader): DecodedRecord[] {
  const cur: Cursor = { buf: body, pos: 0, end: body.length };
  // One cursor for every record's fields, moved along rather than made anew per record.
  const rc: Cursor = { buf: body, pos: 0, end: 0 };
  const records: DecodedRecord[] = new Array(header.recordsCount);
  const logAppend = header.timestampType === 1;
  const fail = (i: number, what: string): never => {
    throw new Error(`malformed record ${i} in batch at offset ${header.baseOffset}: ${what}`);
  };
  for (let i = 0; i < header.recordsCount; i++) {
    const length = readVarint(cur);
    if (length === null || length < 0 || cur.pos + length > body.length) fail(i, 'bad length');
    const recordEnd = cur.pos + length!;
    rc.pos = cur.pos + 1;
    rc.end = recordEnd;
    const tsDelta = readVarlong(rc);
    const offsetDelta = readVarint(rc);
    if (tsDelta === null || offsetDelta === null) fail(i, 'bad timestamp or offset delta');
    const key = readBytesField(rc);
    if (key === undefined) fail(i, 'bad key');
    const value = readBytesField(rc);
    if (value === undefined) fail(i, 'bad value');
    const hc = readVarint(rc);
    if (hc === null || hc < 0) fail(i, 'bad header count');
    const headers: RecordHeader[] = hc === 0 ? NO_HEADERS : new Array(hc!);
    for (let h = 0; h < hc!; h++) {
      const hk = readBytesField(rc);
      if (hk === undefined || hk === null) fail(i, `bad header ${h} key`);
      const hv = readBytesField(rc);
      if (hv === undefined) fail(i, `bad header ${h} value`);
      headers[h] = { key: hk!.toString('utf8'), value: hv! };
    }
    const r = new Record(
      header.baseOffset + offsetDelta!,
      logAppend ? header.maxTimestamp : header.baseTimestamp + tsDelta!,
      key!,
      value!,
      headers,
    );
    r.timestampType = header.timestampType;
    records[i] = r;
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
