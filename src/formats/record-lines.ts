// One output line per consumed record: Kafka's DefaultMessageFormatter text (optionally with
// ISO times), or ktool's lossless JSON line that console-producer --input jsonl reads back.
import { encodeBytes, type BytesEncoding, type JsonlRecord } from './jsonl.js';
import { formatRecord, type FormattableRecord, type FormatterOptions } from './record-formatter.js';

export interface ConsumedRecord extends FormattableRecord {
  topic: string;
}

export type LineOptions =
  { output: 'text'; formatter: FormatterOptions; isoTime: boolean } | { output: 'jsonl'; binary: BytesEncoding };

export type LineBuilder = (r: ConsumedRecord) => Buffer;

/** Writes a record's line straight into `out` in parts (no joined copy per record). */
export type LineWriter = (r: ConsumedRecord, out: { add(bytes: Uint8Array): void }) => void;

const TIMESTAMP_TYPES: Record<number, string> = { 0: 'CreateTime', 1: 'LogAppendTime' };

export function lineBuilder(o: LineOptions): LineBuilder {
  if (o.output === 'jsonl') return (r) => Buffer.from(JSON.stringify(jsonlLine(r, o.binary)) + '\n');
  const { formatter, isoTime } = o;
  const chunks: Buffer[] = [];
  return (r) => {
    chunks.length = 0;
    formatRecord(r, formatter, chunks);
    // The timestamp is the first chunk when printed; --print-time iso swaps only its number.
    const type = TIMESTAMP_TYPES[r.timestampType];
    if (isoTime && formatter.printTimestamp && type)
      chunks[0] = Buffer.from(`${type}:${new Date(r.timestamp).toISOString()}`);
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  };
}

/**
 * Like lineBuilder, but the parts go to `out` one by one. A deserializer that throws does so
 * before anything of its record is written, so a skipped record leaves no partial line.
 */
export function lineWriter(o: LineOptions): LineWriter {
  if (o.output === 'jsonl' || (o.isoTime && o.formatter.printTimestamp)) {
    const build = lineBuilder(o);
    return (r, out) => out.add(build(r));
  }
  const { formatter } = o;
  const chunks: Buffer[] = [];
  return (r, out) => {
    chunks.length = 0;
    formatRecord(r, formatter, chunks);
    for (let i = 0; i < chunks.length; i++) out.add(chunks[i]);
  };
}

export function jsonlLine(r: ConsumedRecord, binary: BytesEncoding): JsonlRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: new Date(r.timestamp).toISOString(),
    timestampType: r.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
    key: encodeBytes(r.key, binary),
    value: encodeBytes(r.value, binary),
    headers: r.headers.map((h) => ({ key: h.key, value: encodeBytes(h.value, binary) })),
  };
}
