// What console-producer and console-consumer need from schemas, behind two calls:
// serializers for a topic's keys and values (resolving the schema, its subject and id
// up front), and a decoding step for fetched records. Commands pass flag values in.
import { parseSchema, type ParsedSchema } from './parse.js';
import { RegistryClient, RegistryClientError, type RegistrySchema } from './registry-client.js';
import { encoderFor, RecordDecoder, RECORD_FORMATS, SerdeError, type Encode, type RecordFormat } from './serde.js';
import { DEFAULT_REGISTRY_URL, FORMAT_TYPE, inferType, sourceOf } from './spec.js';
import { schemaIdOf } from './wire.js';
import { SchemaParseError, type SchemaType } from './types.js';

export { SerdeError, RECORD_FORMATS, DEFAULT_REGISTRY_URL, type RecordFormat };
export { readSchemaSpec } from './spec.js';

export type SubjectStrategy = 'topic' | 'record' | 'topic-record';
const STRATEGY_CLASSES: Record<string, SubjectStrategy> = {
  topic: 'topic',
  record: 'record',
  'topic-record': 'topic-record',
  'io.confluent.kafka.serializers.subject.TopicNameStrategy': 'topic',
  'io.confluent.kafka.serializers.subject.RecordNameStrategy': 'record',
  'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy': 'topic-record',
};

export interface RegistryAccess {
  /** --schema-registry-url */
  url?: string;
  /** Client properties in effect (schema.registry.url, basic.auth.user.info, ...). */
  properties?: Record<string, string>;
}

export interface SideOptions {
  format?: string;
  /** Inline text, a file path (or @path), id:N, or subject:NAME[@version]. */
  schema?: string;
  /** Protobuf: the message to encode (default the file's first). */
  message?: string;
}

export interface SerializerOptions extends RegistryAccess {
  topic: string;
  key: SideOptions;
  value: SideOptions;
  strategy?: string;
  autoRegister?: boolean;
}

export interface Serializers {
  key?: Encode;
  value?: Encode;
  /** What was resolved, for a one-line note: subject and id per side. */
  resolved: Array<{ side: 'key' | 'value'; subject?: string; id: number }>;
}

function checkFormat(f: string | undefined, what: string): RecordFormat {
  const format = (f ?? 'string') as RecordFormat;
  if (!RECORD_FORMATS.includes(format))
    throw new SerdeError(`${what} must be one of ${RECORD_FORMATS.join(', ')}, got '${f}'`);
  return format;
}

export function registryClient(access: RegistryAccess): RegistryClient {
  const p = access.properties ?? {};
  const url = access.url ?? p['schema.registry.url'] ?? DEFAULT_REGISTRY_URL;
  const source = (p['basic.auth.credentials.source'] ?? 'USER_INFO').toUpperCase();
  const userInfo =
    source === 'URL' ? undefined : (p['basic.auth.user.info'] ?? p['schema.registry.basic.auth.user.info']);
  try {
    return new RegistryClient({ url, userInfo });
  } catch (err) {
    throw new SerdeError((err as Error).message);
  }
}

/** The record name a RecordNameStrategy subject is made from. */
function recordName(s: ParsedSchema, message?: string): string {
  if (s.type === 'AVRO') {
    const name = (s.avro as { name?: string }).name;
    if (!name) throw new SerdeError('The record name strategy needs a named Avro schema (a record, enum or fixed)');
    return name;
  }
  if (s.type === 'PROTOBUF') {
    const m = message
      ? s.root.lookup(message.includes('.') || !s.packageName ? message : `${s.packageName}.${message}`)
      : s.messages[0];
    if (!m) throw new SerdeError('The record name strategy needs a protobuf message');
    return m.fullName.replace(/^\./, '');
  }
  const title = typeof s.json === 'object' ? s.json.title : undefined;
  if (typeof title !== 'string') throw new SerdeError('The record name strategy needs a JSON schema with a title');
  return title;
}

function parse(
  type: SchemaType,
  schema: string,
  dependencies: Array<{ name: string; schema: string }> = [],
): ParsedSchema {
  try {
    return parseSchema({ schemaType: type, schema, dependencies });
  } catch (err) {
    if (err instanceof SchemaParseError) throw new SerdeError(`Invalid ${type} schema: ${err.message}`);
    throw err;
  }
}

async function serializerFor(
  client: RegistryClient,
  opts: SerializerOptions,
  side: 'key' | 'value',
): Promise<{ encode: Encode; subject?: string; id: number } | undefined> {
  const o = opts[side];
  const format = checkFormat(o.format, `--${side}-format`);
  if (format === 'string' || format === 'bytes' || (format === 'auto' && o.schema === undefined)) return undefined;
  if (o.schema === undefined)
    throw new SerdeError(
      `--${side}-format ${format} needs --${side}-schema (the schema inline, a file, id:N or subject:NAME)`,
    );
  const src = sourceOf(o.schema);
  let found: RegistrySchema;
  let subject: string | undefined;
  if (src.kind === 'id') {
    found = await client.schemaById(src.id);
  } else if (src.kind === 'subject') {
    found = await client.version(src.subject, src.version);
    subject = src.subject;
  } else {
    const type = inferType(format, src.text, src.file);
    const parsed = parse(type, src.text);
    const strategy = STRATEGY_CLASSES[opts.strategy ?? opts.properties?.[`${side}.subject.name.strategy`] ?? 'topic'];
    if (!strategy)
      throw new SerdeError(`Unknown subject name strategy '${opts.strategy}': use topic, record or topic-record`);
    subject =
      strategy === 'topic'
        ? `${opts.topic}-${side}`
        : strategy === 'record'
          ? recordName(parsed, o.message)
          : `${opts.topic}-${recordName(parsed, o.message)}`;
    const autoRegister =
      opts.autoRegister ?? (opts.properties?.['auto.register.schemas'] ?? 'true').toLowerCase() !== 'false';
    if (autoRegister) {
      const id = await client.register(subject, type, src.text);
      return { encode: encoderFor(parsed, id, o.message), subject, id };
    }
    found = await client.lookup(subject, type, src.text);
    return { encode: encoderFor(parsed, found.id, o.message), subject, id: found.id };
  }
  const want = FORMAT_TYPE[format];
  if (want !== undefined && found.schemaType !== want)
    throw new SerdeError(`Schema ${found.id} is ${found.schemaType}, but --${side}-format is ${format}`);
  const parsed = parse(found.schemaType, found.schema, await client.dependencies(found.references));
  return { encode: encoderFor(parsed, found.id, o.message), subject, id: found.id };
}

/** Serializers for a topic's keys and values; none at all when neither side has a schema format. */
export async function createSerializers(opts: SerializerOptions): Promise<Serializers | undefined> {
  const needed = (o: SideOptions) =>
    !['string', 'bytes', undefined].includes(o.format) && !(o.format === 'auto' && o.schema === undefined);
  checkFormat(opts.key.format, '--key-format');
  checkFormat(opts.value.format, '--value-format');
  if (!needed(opts.key) && !needed(opts.value)) return undefined;
  const client = registryClient(opts);
  try {
    const key = await serializerFor(client, opts, 'key');
    const value = await serializerFor(client, opts, 'value');
    const resolved: Serializers['resolved'] = [];
    if (key) resolved.push({ side: 'key', subject: key.subject, id: key.id });
    if (value) resolved.push({ side: 'value', subject: value.subject, id: value.id });
    return { key: key?.encode, value: value?.encode, resolved };
  } catch (err) {
    if (err instanceof RegistryClientError) throw new SerdeError(err.message);
    throw err;
  }
}

export interface DecodeOptions extends RegistryAccess {
  keyFormat?: string;
  valueFormat?: string;
  /** Drop a record that cannot be decoded (after saying so) instead of stopping. */
  skipOnError?: boolean;
  /** Append each decoded key's and value's schema id after `idSeparator` (Confluent's print.schema.ids). */
  printIds?: boolean;
  idSeparator?: string;
  warn?: (line: string) => void;
}

interface DecodableRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: number;
}
interface DecodableBatch {
  topic: string;
  partition: number;
  records: DecodableRecord[];
}

/**
 * Wraps a record source's poll so every fetched batch comes out with keys and values
 * decoded to JSON text. Returns the source unchanged when no side needs decoding.
 */
export function decodingSource<S extends { poll(signal: AbortSignal): Promise<DecodableBatch[]> }>(
  source: S,
  opts: DecodeOptions,
): S {
  const keyFormat = checkFormat(opts.keyFormat, '--key-format');
  const valueFormat = checkFormat(opts.valueFormat, '--value-format');
  const active = (f: RecordFormat) => f !== 'string' && f !== 'bytes';
  if (!active(keyFormat) && !active(valueFormat)) return source;
  const client = registryClient(opts);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keys = active(keyFormat) ? new RecordDecoder(client, keyFormat, warn) : null;
  const values = active(valueFormat) ? new RecordDecoder(client, valueFormat, warn) : null;
  const separator = Buffer.from(opts.idSeparator ?? '\t', 'utf8');
  const withId = (raw: Buffer | null, decoded: Buffer | null): Buffer | null => {
    if (!opts.printIds || decoded === null || decoded === raw) return decoded;
    const id = schemaIdOf(raw);
    return id === null ? decoded : Buffer.concat([decoded, separator, Buffer.from(String(id))]);
  };
  const poll = source.poll.bind(source);
  source.poll = async (signal: AbortSignal) => {
    // A fetched batch may decode its records afresh on every read: keep one decoded copy per
    // batch, so the decoded keys and values below are what the consumer prints.
    const batches = (await poll(signal)).map((b) => ({ ...b, records: b.records }));
    const all = batches.flatMap((b) => b.records);
    await Promise.all([keys?.prepare(all.map((r) => r.key)), values?.prepare(all.map((r) => r.value))]);
    for (const b of batches) {
      let drop: Set<DecodableRecord> | undefined;
      for (const r of b.records) {
        try {
          if (keys) r.key = withId(r.key, keys.decode(r.key));
          if (values) r.value = withId(r.value, values.decode(r.value));
        } catch (err) {
          if (!(err instanceof SerdeError) || !opts.skipOnError) {
            throw new SerdeError(
              `Cannot decode the record at ${b.topic}-${b.partition} offset ${r.offset}: ${(err as Error).message}`,
            );
          }
          warn(
            `ERROR Error processing message, skipping this message: ${b.topic}-${b.partition} offset ${r.offset}: ${(err as Error).message}`,
          );
          (drop ??= new Set()).add(r);
        }
      }
      if (drop) b.records = b.records.filter((r) => !drop.has(r));
    }
    return batches;
  };
  return source;
}
