// Kafka's DefaultMessageFormatter: the text kafka-console-consumer.sh prints for a
// record, with the same properties, field order and literals.

export interface FormattableRecord {
  partition: number;
  offset: number;
  timestamp: number;
  /** 0 CreateTime, 1 LogAppendTime, -1 none. */
  timestampType: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

export type Deserializer = (bytes: Buffer) => string;

export interface FormatterOptions {
  printTimestamp: boolean;
  printKey: boolean;
  printValue: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
  keyDeserializer: Deserializer | null;
  valueDeserializer: Deserializer | null;
  headersDeserializer: Deserializer | null;
}

export const FORMATTER_PROPERTIES = new Set([
  'print.timestamp',
  'print.key',
  'print.value',
  'print.partition',
  'print.offset',
  'print.headers',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
  'key.deserializer',
  'value.deserializer',
  'headers.deserializer',
]);

const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v.trim().toLowerCase() === 'true');

/** Kafka's deserializers by class name, rendered as their toString() would be. */
const DESERIALIZERS: Record<string, Deserializer | null> = {
  'org.apache.kafka.common.serialization.StringDeserializer': (b) => b.toString('utf8'),
  'org.apache.kafka.common.serialization.ByteArrayDeserializer': null,
  'org.apache.kafka.common.serialization.BytesDeserializer': null,
  'org.apache.kafka.common.serialization.ByteBufferDeserializer': null,
  'org.apache.kafka.common.serialization.VoidDeserializer': () => 'null',
  'org.apache.kafka.common.serialization.LongDeserializer': (b) =>
    fixed(b, 8, 'Long', () => b.readBigInt64BE(0).toString()),
  'org.apache.kafka.common.serialization.IntegerDeserializer': (b) =>
    fixed(b, 4, 'Integer', () => String(b.readInt32BE(0))),
  'org.apache.kafka.common.serialization.ShortDeserializer': (b) =>
    fixed(b, 2, 'Short', () => String(b.readInt16BE(0))),
  'org.apache.kafka.common.serialization.DoubleDeserializer': (b) =>
    fixed(b, 8, 'Double', () => javaDouble(b.readDoubleBE(0))),
  'org.apache.kafka.common.serialization.FloatDeserializer': (b) =>
    fixed(b, 4, 'Float', () => javaDouble(b.readFloatBE(0))),
  'org.apache.kafka.common.serialization.UUIDDeserializer': (b) => b.toString('utf8'),
};

function fixed(b: Buffer, size: number, name: string, read: () => string): string {
  if (b.length !== size) throw new Error(`Size of data received by ${name}Deserializer is not ${size}`);
  return read();
}

function javaDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return n.toFixed(1);
  return String(n);
}

export function deserializerByName(name: string): Deserializer | null {
  if (!(name in DESERIALIZERS))
    throw new Error(
      `Unknown deserializer ${name}; ktool knows ${Object.keys(DESERIALIZERS)
        .map((k) => k.split('.').pop())
        .join(', ')}`,
    );
  return DESERIALIZERS[name];
}

export function formatterOptions(props: Record<string, string>): FormatterOptions {
  const bytes = (k: string, dflt: string) => Buffer.from(props[k] ?? dflt, 'utf8');
  const deser = (k: string) => (props[k] === undefined ? null : deserializerByName(props[k]));
  return {
    printTimestamp: bool(props['print.timestamp'], false),
    printKey: bool(props['print.key'], false),
    printValue: bool(props['print.value'], true),
    printPartition: bool(props['print.partition'], false),
    printOffset: bool(props['print.offset'], false),
    printHeaders: bool(props['print.headers'], false),
    keySeparator: bytes('key.separator', '\t'),
    lineSeparator: bytes('line.separator', '\n'),
    headersSeparator: bytes('headers.separator', ','),
    nullLiteral: bytes('null.literal', 'null'),
    keyDeserializer: deser('key.deserializer'),
    valueDeserializer: deser('value.deserializer'),
    headersDeserializer: deser('headers.deserializer'),
  };
}

const TIMESTAMP_TYPES: Record<number, string> = { 0: 'CreateTime', 1: 'LogAppendTime' };

/** Appends the record's text to `out` (a list of chunks, joined by the caller). */
export function formatRecord(r: FormattableRecord, o: FormatterOptions, out: Buffer[]): void {
  // Like Kafka, a null is replaced by the null literal before any deserializer sees it.
  const render = (bytes: Buffer | null, d: Deserializer | null): Buffer => {
    const nonNull = bytes ?? o.nullLiteral;
    return d ? Buffer.from(d(nonNull), 'utf8') : nonNull;
  };
  const sep = (more: boolean) => out.push(more ? o.keySeparator : o.lineSeparator);
  if (o.printTimestamp) {
    const type = TIMESTAMP_TYPES[r.timestampType];
    out.push(Buffer.from(type ? `${type}:${r.timestamp}` : 'NO_TIMESTAMP'));
    sep(o.printPartition || o.printOffset || o.printHeaders || o.printKey || o.printValue);
  }
  if (o.printPartition) {
    out.push(Buffer.from(`Partition:${r.partition}`));
    sep(o.printOffset || o.printHeaders || o.printKey || o.printValue);
  }
  if (o.printOffset) {
    out.push(Buffer.from(`Offset:${r.offset}`));
    sep(o.printHeaders || o.printKey || o.printValue);
  }
  if (o.printHeaders) {
    if (r.headers.length === 0) out.push(Buffer.from('NO_HEADERS'));
    r.headers.forEach((h, i) => {
      out.push(Buffer.from(`${h.key}:`, 'utf8'), render(h.value, o.headersDeserializer));
      if (i < r.headers.length - 1) out.push(o.headersSeparator);
    });
    sep(o.printKey || o.printValue);
  }
  if (o.printKey) {
    out.push(render(r.key, o.keyDeserializer));
    sep(o.printValue);
  }
  if (o.printValue) {
    out.push(render(r.value, o.valueDeserializer), o.lineSeparator);
  }
}
