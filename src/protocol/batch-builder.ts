// A record batch v2 built as its records arrive: each record is encoded into the batch's
// buffer when it is appended, behind room left for the header. A producer then holds
// bytes rather than record objects, and a batch is ready to send once its header is
// written. The one writer of record bytes: encodeRecordBatch is built on it.
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
import { SourceView, copyRange, viewOf } from './byte-copy.js';
import { crc32c } from './crc32c.js';
import { readVarint, readVarlong, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

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

/** What a batch's header says beyond its records. */
export interface BatchHeaderOptions {
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
  /** Defaults to the last record's offset delta; compaction keeps a batch's original span. */
  lastOffsetDelta?: number;
  /** The batch's base timestamp when it has no records (compaction keeps an emptied producer batch). */
  firstTimestamp?: number;
}

const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');

function bytesLen(v: BytesLike | null | undefined): number {
  if (v === null || v === undefined) return -1;
  return typeof v === 'string' ? utf8Len(v) : v.length;
}

export class RecordBatchBuilder {
  private buf: Buffer;
  private view: DataView;
  /** The last source appended from, and a view of it (a producer appends many records from one input chunk). */
  private readonly srcView = new SourceView();
  private pos = BATCH_HEADER_SIZE;
  /** Records appended. */
  count = 0;
  firstTimestamp = 0;
  maxTimestamp = 0;
  lastOffsetDelta = -1;

  /**
   * `capacity`: the record bytes expected, so that most batches never grow. `reuse`: a
   * buffer from a finished batch to build in, when it is large enough.
   */
  constructor(capacity = 16 * 1024, reuse?: Buffer) {
    const size = BATCH_HEADER_SIZE + capacity;
    this.buf = reuse && reuse.length >= size ? reuse : Buffer.allocUnsafe(size);
    this.view = viewOf(this.buf);
  }

  /** The buffer the batch is built in (finish() returns a view of it unless compressed). */
  get backing(): Buffer {
    return this.buf;
  }

  /** Bytes of the encoded records so far. */
  get recordsBytes(): number {
    return this.pos - BATCH_HEADER_SIZE;
  }

  /** The encoded records, without a header (a view, valid until the next append). */
  get records(): Buffer {
    return this.buf.subarray(BATCH_HEADER_SIZE, this.pos);
  }

  /**
   * Appends a record whose key and value are byte ranges of `src`; a start of -1 means
   * null. No headers. The producer's per-line path: no object per record.
   */
  appendRange(
    timestamp: number,
    src: Uint8Array,
    keyStart: number,
    keyEnd: number,
    valueStart: number,
    valueEnd: number,
  ): void {
    const kl = keyStart < 0 ? -1 : keyEnd - keyStart;
    const vl = valueStart < 0 ? -1 : valueEnd - valueStart;
    const delta = this.stamp(timestamp);
    const offsetDelta = ++this.lastOffsetDelta;
    const body =
      varlongSize(delta) +
      varintSize(offsetDelta) +
      varintSize(kl) +
      (kl > 0 ? kl : 0) +
      varintSize(vl) +
      (vl > 0 ? vl : 0) +
      2; // attributes, header count
    this.ensure(5 + body);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, body);
    buf[p++] = 0;
    p = writeVarlong(buf, p, delta);
    p = writeVarint(buf, p, offsetDelta);
    p = writeVarint(buf, p, kl);
    if (kl > 0) p = this.copyFrom(src, keyStart, keyEnd, p);
    p = writeVarint(buf, p, vl);
    if (vl > 0) p = this.copyFrom(src, valueStart, valueEnd, p);
    buf[p++] = 0;
    this.pos = p;
    this.count++;
  }

  /** Appends a record; one without a timestamp gets `now`. */
  append(r: RecordInput, now: number): void {
    const delta = this.stamp(r.timestamp ?? now);
    const offsetDelta = r.offsetDelta ?? this.lastOffsetDelta + 1;
    this.lastOffsetDelta = offsetDelta;
    const kl = bytesLen(r.key);
    const vl = bytesLen(r.value);
    let body =
      1 +
      varlongSize(delta) +
      varintSize(offsetDelta) +
      varintSize(kl) +
      Math.max(kl, 0) +
      varintSize(vl) +
      Math.max(vl, 0);
    const headers = r.headers;
    const hc = headers ? headers.length : 0;
    body += varintSize(hc);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      const hk = utf8Len(hdr.key);
      const hv = bytesLen(hdr.value);
      body += varintSize(hk) + hk + varintSize(hv) + Math.max(hv, 0);
    }
    this.ensure(5 + body);
    const out = this.buf;
    let p = writeVarint(out, this.pos, body);
    out[p++] = 0; // record attributes: unused
    p = writeVarlong(out, p, delta);
    p = writeVarint(out, p, offsetDelta);
    p = writeBytesField(out, p, r.key);
    p = writeBytesField(out, p, r.value);
    p = writeVarint(out, p, hc);
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]!;
      p = writeBytesField(out, p, hdr.key);
      p = writeBytesField(out, p, hdr.value);
    }
    this.pos = p;
    this.count++;
  }

  /**
   * The whole batch: header written in front of the records (compressed when asked). The
   * uncompressed batch is a view of this builder's buffer, so append nothing after.
   */
  finish(opts: BatchHeaderOptions = {}): Buffer {
    this.srcView.clear();
    const compression = opts.compression ?? 0;
    if (compression !== 0 && !opts.compress)
      throw new Error(`compression codec ${compression} needs a compress callback`);
    let batch = this.buf.subarray(0, this.pos);
    if (compression !== 0) {
      const compressed = opts.compress!(compression, this.records);
      batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
      batch.set(compressed, BATCH_HEADER_SIZE);
    }
    const empty = this.count === 0;
    const first = empty ? (opts.firstTimestamp ?? Date.now()) : this.firstTimestamp;
    let attributes = compression & COMPRESSION_MASK;
    if (opts.timestampType === 1) attributes |= TIMESTAMP_TYPE_BIT;
    if (opts.isTransactional) attributes |= TRANSACTIONAL_BIT;
    if (opts.isControl) attributes |= CONTROL_BIT;
    writeInt64(batch, OFF_BASE_OFFSET, opts.baseOffset ?? 0);
    writeInt32(batch, OFF_BATCH_LENGTH, batch.length - LOG_OVERHEAD);
    writeInt32(batch, OFF_LEADER_EPOCH, opts.partitionLeaderEpoch ?? -1);
    batch[OFF_MAGIC] = MAGIC_V2;
    writeInt16(batch, OFF_ATTRIBUTES, attributes);
    writeInt32(batch, OFF_LAST_OFFSET_DELTA, opts.lastOffsetDelta ?? (empty ? 0 : this.lastOffsetDelta));
    writeInt64(batch, OFF_BASE_TIMESTAMP, first);
    writeInt64(batch, OFF_MAX_TIMESTAMP, empty ? first : this.maxTimestamp);
    writeInt64(batch, OFF_PRODUCER_ID, opts.producerId ?? -1);
    writeInt16(batch, OFF_PRODUCER_EPOCH, opts.producerEpoch ?? -1);
    writeInt32(batch, OFF_BASE_SEQUENCE, opts.baseSequence ?? -1);
    writeInt32(batch, OFF_RECORDS_COUNT, this.count);
    writeInt32(batch, OFF_CRC, crc32c(batch, OFF_ATTRIBUTES, batch.length));
    return batch;
  }

  /**
   * The records again, in builders of about `pieceBytes` each, numbered and timed afresh
   * from their own first record: for a batch the broker found too large.
   */
  split(pieceBytes: number): RecordBatchBuilder[] {
    const src = this.buf;
    const end = this.pos;
    const pieces: RecordBatchBuilder[] = [];
    let piece: RecordBatchBuilder | null = null;
    const cur = { buf: src as Uint8Array, pos: BATCH_HEADER_SIZE, end };
    while (cur.pos < end) {
      const bodyLen = readVarint(cur)!;
      const bodyEnd = cur.pos + bodyLen;
      cur.pos++; // attributes
      const timestamp = this.firstTimestamp + readVarlong(cur)!;
      readVarint(cur); // offset delta: renumbered
      const rest = cur.pos;
      if (!piece || (piece.count > 0 && piece.recordsBytes + bodyLen > pieceBytes)) {
        piece = new RecordBatchBuilder(pieceBytes);
        pieces.push(piece);
      }
      piece.appendEncoded(timestamp, src, rest, bodyEnd);
      cur.pos = bodyEnd;
    }
    return pieces;
  }

  /** A record whose key, value and headers are already encoded in src[start, end). */
  private appendEncoded(timestamp: number, src: Uint8Array, start: number, end: number): void {
    const delta = this.stamp(timestamp);
    const offsetDelta = ++this.lastOffsetDelta;
    const body = 1 + varlongSize(delta) + varintSize(offsetDelta) + (end - start);
    this.ensure(5 + body);
    let p = writeVarint(this.buf, this.pos, body);
    this.buf[p++] = 0;
    p = writeVarlong(this.buf, p, delta);
    p = writeVarint(this.buf, p, offsetDelta);
    this.pos = this.copyFrom(src, start, end, p);
    this.count++;
  }

  /** The record's timestamp as a delta from the batch's first. */
  private stamp(timestamp: number): number {
    if (this.count === 0) {
      this.firstTimestamp = timestamp;
      this.maxTimestamp = timestamp;
      return 0;
    }
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return timestamp - this.firstTimestamp;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    this.view = viewOf(grown);
  }

  /** Copies src[start, end) to position p of the buffer; returns the position after. */
  private copyFrom(src: Uint8Array, start: number, end: number, p: number): number {
    return copyRange(this.buf, this.view, p, src, this.srcView.of(src), start, end);
  }
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
