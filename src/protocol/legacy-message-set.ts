/**
 * Kafka's legacy message formats (magic 0 and 1, the "message set" of Kafka
 * before 0.11), converted to and from record batch v2, which is the only
 * format the broker stores.
 *
 * A message set is a plain sequence of entries (no count prefix):
 *   offset int64, messageSize int32, then messageSize bytes of message:
 *   crc uint32       CRC-32 (IEEE) of everything after it (magic .. value)
 *   magic int8       0 or 1
 *   attributes int8  bits 0-2 compression codec; bit 3 timestamp type (magic 1)
 *   timestamp int64  magic 1 only
 *   key bytes        int32 length (-1 = null) + bytes
 *   value bytes      int32 length (-1 = null) + bytes
 *
 * Byte offsets inside an entry:
 *   0 offset   8 messageSize   12 crc   16 magic   17 attributes
 *  18 timestamp (magic 1) or key length (magic 0)
 *
 * Compression wraps a whole message set in the value of one "wrapper"
 * message whose attributes name the codec. The wrapper carries the offset of
 * its last inner message. Inner offsets are absolute for magic 0 and relative
 * (0, 1, 2 ...) for magic 1. A magic 1 wrapper with the LogAppendTime bit set
 * gives all its inner messages the wrapper's timestamp.
 *
 * Produce v0-2 carry message sets: `upConvertMessageSet` validates one and
 * turns it into a single v2 batch. Fetch v0-3 answer with message sets:
 * `downConvertBatches` turns stored v2 batches into uncompressed messages.
 * Nothing here throws on bad input: problems come back as a Kafka error name.
 */
import { crc32 } from './crc32.js';
import {
  batchSize,
  BATCH_HEADER_SIZE,
  decodeBatches,
  encodeRecordBatch,
  readInt64,
  writeInt64,
  type BytesLike,
  type CompressFn,
  type DecompressFn,
  type RecordInput,
} from './record-batch.js';

export type LegacyMagic = 0 | 1;

/** offset int64 + messageSize int32, before each message. */
export const LEGACY_LOG_OVERHEAD = 12;
/** crc 4 + magic 1 + attributes 1 + key length 4 + value length 4. */
export const MESSAGE_OVERHEAD_V0 = 14;
/** The v0 overhead plus the timestamp. */
export const MESSAGE_OVERHEAD_V1 = 22;

const OFF_SIZE = 8;
const OFF_CRC = 12;
const OFF_MAGIC = 16;
const OFF_ATTRIBUTES = 17;
const OFF_BODY = 18;

const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function messageOverhead(magic: LegacyMagic): number {
  return magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1;
}

export type LegacyErrorName =
  'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'INVALID_TIMESTAMP' | 'UNSUPPORTED_COMPRESSION_TYPE';

export interface LegacyError {
  error: LegacyErrorName;
  message: string;
}

export interface LegacyMessage {
  /** Absolute offset (relative inner offsets of magic 1 wrappers are resolved). */
  offset: number;
  magic: LegacyMagic;
  /** -1 for magic 0 (no timestamp). */
  timestamp: number;
  /** 0 CreateTime, 1 LogAppendTime (always 0 for magic 0). */
  timestampType: 0 | 1;
  /** Views into the input (or the decompressed copy). */
  key: Buffer | null;
  value: Buffer | null;
  /** Codec of the wrapper this message was unpacked from; 0 when it was not compressed. */
  wrapperCompression: number;
}

export interface ParsedMessageSet {
  error: null;
  /** Every message, wrappers unpacked, in the order they appear. */
  messages: LegacyMessage[];
  /** Codec of the last compressed wrapper (what Kafka calls the source codec); 0 if none. */
  compression: number;
  /** Highest magic among the outer messages (0 for an empty set). */
  magic: LegacyMagic;
  /** Outer messages (entries) read. */
  entries: number;
  /** Bytes of whole entries read; less than the input when a partial tail was allowed. */
  bytes: number;
}

export interface ParseOptions {
  /** Needed for compressed wrappers. Exceptions it throws become CORRUPT_MESSAGE. */
  decompress?: DecompressFn;
  /**
   * Stop quietly at a partial trailing entry, as fetch responses may end with
   * one. Default false: a produce request must hold whole messages only.
   */
  allowPartialTail?: boolean;
}

interface ParseState {
  compression: number;
  magic: LegacyMagic;
  entries: number;
}

/** Parse and validate a message set (sizes, CRC-32, magic, codecs), unpacking wrappers. */
export function parseLegacyMessageSet(buf: Buffer, options: ParseOptions = {}): ParsedMessageSet | LegacyError {
  const messages: LegacyMessage[] = [];
  const state: ParseState = { compression: 0, magic: 0, entries: 0 };
  const r = parseEntries(buf, options, null, messages, state);
  if (typeof r !== 'number') return r;
  return {
    error: null,
    messages,
    compression: state.compression,
    magic: state.magic,
    entries: state.entries,
    bytes: r,
  };
}

/** `wrapper` is set when parsing the decompressed value of a wrapper message. */
function parseEntries(
  buf: Buffer,
  options: ParseOptions,
  wrapper: { magic: LegacyMagic; index: number } | null,
  out: LegacyMessage[],
  state: ParseState,
): number | LegacyError {
  const len = buf.length;
  const partialOk = options.allowPartialTail === true && wrapper === null;
  const what = (i: number) => (wrapper ? `inner message ${i} of message ${wrapper.index}` : `message ${i}`);
  let pos = 0;
  let index = 0;
  for (; pos < len; index++) {
    const remaining = len - pos;
    if (remaining <= OFF_MAGIC) {
      if (partialOk) break;
      return fail(
        'CORRUPT_MESSAGE',
        `${what(index)} is truncated: ${remaining} bytes left, too few for a message header`,
      );
    }
    const magic = (buf[pos + OFF_MAGIC]! << 24) >> 24;
    if (magic === 2) {
      return fail(
        'INVALID_RECORD',
        `${what(index)} is a magic 2 record batch; it cannot be mixed into a magic 0/1 message set`,
      );
    }
    if (magic !== 0 && magic !== 1) return fail('CORRUPT_MESSAGE', `${what(index)} has unknown magic ${magic}`);
    if (wrapper && magic !== wrapper.magic) {
      return fail('INVALID_RECORD', `${what(index)} has magic ${magic} inside a magic ${wrapper.magic} wrapper`);
    }
    const size = buf.readInt32BE(pos + OFF_SIZE);
    const overhead = messageOverhead(magic);
    if (size < overhead)
      return fail(
        'CORRUPT_MESSAGE',
        `${what(index)} has size ${size}, less than the ${overhead} bytes a magic ${magic} message needs`,
      );
    const end = pos + LEGACY_LOG_OVERHEAD + size;
    if (end > len) {
      if (partialOk) break;
      return fail(
        'CORRUPT_MESSAGE',
        `${what(index)} is truncated: it needs ${LEGACY_LOG_OVERHEAD + size} bytes, ${remaining} are left`,
      );
    }
    const storedCrc = buf.readUInt32BE(pos + OFF_CRC);
    const crc = crc32(buf, pos + OFF_MAGIC, end);
    if (crc !== storedCrc)
      return fail(
        'CORRUPT_MESSAGE',
        `${what(index)} failed its CRC-32 check (stored ${hex(storedCrc)}, computed ${hex(crc)})`,
      );

    const offset = readInt64(buf, pos);
    const attributes = buf[pos + OFF_ATTRIBUTES]!;
    const codec = attributes & CODEC_MASK;
    const timestampType: 0 | 1 = magic === 1 && attributes & TIMESTAMP_TYPE_BIT ? 1 : 0;
    let p = pos + OFF_BODY;
    let timestamp = -1;
    if (magic === 1) {
      timestamp = readInt64(buf, p);
      p += 8;
      // -1 means "no timestamp"; other negative values cannot go into a record batch.
      if (timestamp < -1) return fail('INVALID_TIMESTAMP', `${what(index)} has invalid timestamp ${timestamp}`);
    }
    const key = readBytes(buf, p, end - 4);
    if (key === undefined) return fail('CORRUPT_MESSAGE', `${what(index)} has an invalid key length`);
    p += 4 + (key ? key.length : 0);
    const value = readBytes(buf, p, end);
    if (value === undefined) return fail('CORRUPT_MESSAGE', `${what(index)} has an invalid value length`);
    p += 4 + (value ? value.length : 0);
    if (p !== end) return fail('CORRUPT_MESSAGE', `${what(index)} has ${end - p} bytes after its value`);
    state.entries += wrapper ? 0 : 1;
    if (!wrapper && magic > state.magic) state.magic = magic as LegacyMagic;

    if (codec === 0) {
      out.push({ offset, magic, timestamp, timestampType, key, value, wrapperCompression: 0 });
    } else {
      if (wrapper) return fail('INVALID_RECORD', `${what(index)} is compressed inside a compressed message`);
      if (codec > 4) return fail('CORRUPT_MESSAGE', `${what(index)} uses unknown compression codec ${codec}`);
      if (codec === 4)
        return fail(
          'UNSUPPORTED_COMPRESSION_TYPE',
          `${what(index)} uses zstd, which needs magic 2 (record batches); it has magic ${magic}`,
        );
      if (value === null) return fail('INVALID_RECORD', `${what(index)} is a compressed wrapper with a null value`);
      if (!options.decompress)
        throw new Error(`message set uses ${CODEC_NAMES[codec]} compression but no decompressor was given`);
      let inner: Buffer;
      try {
        inner = options.decompress(codec, value);
      } catch (err) {
        return fail(
          'CORRUPT_MESSAGE',
          `${what(index)}: cannot decompress ${CODEC_NAMES[codec]} data: ${(err as Error).message}`,
        );
      }
      const innerMessages: LegacyMessage[] = [];
      const r = parseEntries(inner, options, { magic, index }, innerMessages, state);
      if (typeof r !== 'number') return r;
      if (innerMessages.length === 0)
        return fail('INVALID_RECORD', `${what(index)} is a compressed wrapper with no inner messages`);
      // Magic 1 inner offsets are relative; the wrapper holds the last one's absolute offset.
      const shift = magic === 1 ? offset - innerMessages[innerMessages.length - 1]!.offset : 0;
      for (const m of innerMessages) {
        m.offset += shift;
        m.wrapperCompression = codec;
        if (timestampType === 1) {
          m.timestamp = timestamp;
          m.timestampType = 1;
        }
        out.push(m);
      }
      state.compression = codec;
    }
    pos = end;
  }
  return pos;
}

/** int32 length + bytes, all before `limit`; null for length -1, undefined when malformed. */
function readBytes(buf: Buffer, p: number, limit: number): Buffer | null | undefined {
  if (p + 4 > limit) return undefined;
  const n = buf.readInt32BE(p);
  if (n === -1) return null;
  if (n < 0 || p + 4 + n > limit) return undefined;
  return buf.subarray(p + 4, p + 4 + n);
}

function fail(error: LegacyErrorName, message: string): LegacyError {
  return { error, message };
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------
// Produce: message set -> one record batch v2
// ---------------------------------------------------------------------------

export interface UpConvertOptions {
  compress: CompressFn;
  decompress: DecompressFn;
}

export interface UpConverted {
  error: null;
  /** One record batch v2 (base offset 0, producer id -1) holding every message. */
  batch: Buffer;
  recordCount: number;
  /** Highest magic of the input's messages. */
  magic: LegacyMagic;
  /** Codec of the new batch: the input's (last) wrapper codec, 0 if uncompressed. */
  compression: number;
}

/**
 * Validate a produce request's message set and convert it to one v2 batch,
 * keeping keys, values (null ones too) and timestamps. Magic 0 messages have
 * no timestamp: their records get -1, as Kafka does. The batch is compressed
 * with the codec the producer used. Headers do not exist before magic 2.
 */
export function upConvertMessageSet(buf: Buffer, options: UpConvertOptions): UpConverted | LegacyError {
  const parsed = parseLegacyMessageSet(buf, { decompress: options.decompress });
  if (parsed.error !== null) return parsed;
  if (parsed.messages.length === 0) return fail('INVALID_RECORD', 'the message set holds no messages');
  const records: RecordInput[] = parsed.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp }));
  const batch = encodeRecordBatch({
    records,
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    compression: parsed.compression,
    compress: options.compress,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
  });
  return { error: null, batch, recordCount: records.length, magic: parsed.magic, compression: parsed.compression };
}

// ---------------------------------------------------------------------------
// Fetch: stored record batches v2 -> message set
// ---------------------------------------------------------------------------

export interface DownConvertOptions {
  magic: LegacyMagic;
  /** For compressed batches. */
  decompress: DecompressFn;
  /** Records below this offset are left out (a stored batch may start before the fetch offset). */
  fromOffset?: number;
  /** Whole messages only, up to this many bytes of output. Default: no limit. */
  maxBytes?: number;
  /** Return the first message even if it alone is larger than maxBytes. */
  minOneMessage?: boolean;
}

export interface DownConverted {
  /** Uncompressed magic 0/1 messages with their absolute offsets. */
  records: Buffer;
  messages: number;
  /** Offset after the last record converted or skipped: where the next fetch starts. */
  nextOffset: number;
  /** True when a message was left out because it did not fit in maxBytes. */
  full: boolean;
}

interface PendingMessage {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  logAppendTime: boolean;
}

/**
 * Convert stored v2 batches (whole batches, as the log returns them) into a
 * message set of the given magic. Control batches are dropped, and so are
 * record headers, which magic 0/1 cannot carry (Kafka does the same). The
 * output is uncompressed. Throws when the stored bytes are malformed.
 */
export function downConvertBatches(data: Buffer | readonly Buffer[], options: DownConvertOptions): DownConverted {
  const chunks = Buffer.isBuffer(data) ? [data] : data;
  const magic = options.magic;
  const overhead = LEGACY_LOG_OVERHEAD + messageOverhead(magic);
  const fromOffset = options.fromOffset ?? -Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  const pending: PendingMessage[] = [];
  let bytes = 0;
  let nextOffset = Number.isFinite(fromOffset) ? fromOffset : -1;
  let full = false;

  outer: for (const chunk of chunks) {
    let pos = 0;
    while (chunk.length - pos >= BATCH_HEADER_SIZE) {
      const size = batchSize(chunk, pos);
      if (size < BATCH_HEADER_SIZE || pos + size > chunk.length)
        throw new Error(`malformed stored record batch at byte ${pos}`);
      const [batch] = decodeBatches(chunk.subarray(pos, pos + size), options.decompress);
      pos += size;
      if (!batch) continue;
      const { header } = batch;
      if (!header.isControl) {
        const logAppendTime = header.timestampType === 1;
        for (const r of batch.records) {
          if (r.offset < fromOffset) continue;
          const msgSize = overhead + (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0);
          if (bytes + msgSize > maxBytes && !(pending.length === 0 && options.minOneMessage)) {
            full = true;
            nextOffset = r.offset;
            break outer;
          }
          pending.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, logAppendTime });
          bytes += msgSize;
        }
      }
      nextOffset = Math.max(nextOffset, header.lastOffset + 1);
    }
  }

  const out = Buffer.allocUnsafe(bytes);
  let p = 0;
  for (const m of pending) {
    const attributes = magic === 1 && m.logAppendTime ? TIMESTAMP_TYPE_BIT : 0;
    p = writeMessage(out, p, m.offset, magic, attributes, m.timestamp, m.key, m.value);
  }
  return { records: out, messages: pending.length, nextOffset, full };
}

/** Write one entry (offset, size, message) at `p`; returns the position after it. */
function writeMessage(
  out: Buffer,
  p: number,
  offset: number,
  magic: LegacyMagic,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
): number {
  const start = p;
  const size = messageOverhead(magic) + (key ? key.length : 0) + (value ? value.length : 0);
  writeInt64(out, p, offset);
  out.writeInt32BE(size, p + OFF_SIZE);
  out[p + OFF_MAGIC] = magic;
  out[p + OFF_ATTRIBUTES] = attributes;
  p += OFF_BODY;
  if (magic === 1) {
    writeInt64(out, p, timestamp);
    p += 8;
  }
  for (const field of [key, value]) {
    if (field === null) {
      out.writeInt32BE(-1, p);
      p += 4;
    } else {
      out.writeInt32BE(field.length, p);
      out.set(field, p + 4);
      p += 4 + field.length;
    }
  }
  out.writeUInt32BE(crc32(out, start + OFF_MAGIC, p), start + OFF_CRC);
  return p;
}

// ---------------------------------------------------------------------------
// Encoding (old clients' side / tests)
// ---------------------------------------------------------------------------

export interface LegacyMessageInput {
  key?: BytesLike | null;
  value?: BytesLike | null;
  /** Magic 1 only; defaults to `now`. */
  timestamp?: number;
}

export interface EncodeLegacyOptions {
  magic: LegacyMagic;
  messages: readonly LegacyMessageInput[];
  /** Offset of the first message (producers send 0). */
  baseOffset?: number;
  /** Non-zero: wrap all messages in one compressed message (needs `compress`). */
  compression?: number;
  compress?: CompressFn;
  /** Magic 1: set the LogAppendTime bit on the outer message(s). */
  timestampType?: 0 | 1;
  now?: number;
}

const toBytes = (v: BytesLike | null | undefined): Uint8Array | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

/**
 * Build a message set as an old producer (or broker) would: one message per
 * input, or with `compression` one wrapper whose value holds them, carrying the
 * last inner offset (inner offsets relative for magic 1, absolute for magic 0).
 */
export function encodeLegacyMessageSet(opts: EncodeLegacyOptions): Buffer {
  const { magic, messages } = opts;
  const base = opts.baseOffset ?? 0;
  const now = opts.now ?? Date.now();
  const compression = opts.compression ?? 0;
  const tsBit = magic === 1 && opts.timestampType === 1 ? TIMESTAMP_TYPE_BIT : 0;
  const items = messages.map((m) => ({
    key: toBytes(m.key),
    value: toBytes(m.value),
    timestamp: magic === 1 ? (m.timestamp ?? now) : -1,
  }));
  const encode = (offsetOf: (i: number) => number, attributes: number) => {
    let total = 0;
    for (const m of items)
      total +=
        LEGACY_LOG_OVERHEAD + messageOverhead(magic) + (m.key ? m.key.length : 0) + (m.value ? m.value.length : 0);
    const out = Buffer.allocUnsafe(total);
    let p = 0;
    items.forEach((m, i) => {
      p = writeMessage(out, p, offsetOf(i), magic, attributes, m.timestamp, m.key, m.value);
    });
    return out;
  };
  if (compression === 0) return encode((i) => base + i, tsBit);
  if (!opts.compress) throw new Error(`compression codec ${compression} needs a compress callback`);
  if (items.length === 0) throw new RangeError('a compressed message set needs at least one message');
  const inner = encode((i) => (magic === 1 ? i : base + i), 0);
  const wrapped = opts.compress(compression, inner);
  const maxTs = items.reduce((acc, m) => Math.max(acc, m.timestamp), -1);
  const out = Buffer.allocUnsafe(LEGACY_LOG_OVERHEAD + messageOverhead(magic) + wrapped.length);
  writeMessage(out, 0, base + items.length - 1, magic, (compression & CODEC_MASK) | tsBit, maxTs, null, wrapped);
  return out;
}
