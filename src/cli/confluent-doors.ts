// Confluent Platform's console scripts (kafka-avro-console-producer and friends) as thin
// doors onto ktool's console tools: their --property spellings are rewritten into
// ktool's flags before parsing, and the format is the script's.

export type DoorFormat = 'avro' | 'protobuf' | 'json-schema';

const DESERIALIZERS: Record<string, DoorFormat> = {
  KafkaAvroDeserializer: 'avro',
  KafkaProtobufDeserializer: 'protobuf',
  KafkaJsonSchemaDeserializer: 'json-schema',
};

/** Splits `--property k=v` / `--property=k=v` out of argv. */
function properties(argv: string[]): { rest: string[]; props: Array<[string, string]> } {
  const rest: string[] = [];
  const props: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let kv: string | undefined;
    if (a === '--property' && i + 1 < argv.length) kv = argv[++i];
    else if (a.startsWith('--property=')) kv = a.slice('--property='.length);
    if (kv === undefined) {
      rest.push(a);
      continue;
    }
    const eq = kv.indexOf('=');
    if (eq <= 0) rest.push('--property', kv);
    else props.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  return { rest, props };
}

/**
 * ktool's argv for a Confluent script's argv. Properties ktool's tools take as they are
 * (parse.key, key.separator, print.key, ...) stay properties; schema ones become flags.
 */
export function doorArgv(
  argv: string[],
  format: DoorFormat,
  side: 'producer' | 'consumer',
  warn: (line: string) => void,
): string[] {
  const { rest, props } = properties(argv);
  const out = [...rest];
  let keyFormat: DoorFormat | undefined;
  let valueFormat: DoorFormat | undefined = format;
  for (const [k, v] of props) {
    switch (k) {
      case 'schema.registry.url':
        out.push('--schema-registry-url', v);
        break;
      case 'value.schema':
      case 'key.schema':
        out.push(`--${k.split('.')[0]}-schema`, v);
        if (k === 'key.schema') keyFormat = format;
        break;
      case 'value.schema.file':
      case 'key.schema.file':
        out.push(`--${k.split('.')[0]}-schema`, `@${v}`);
        if (k === 'key.schema.file') keyFormat = format;
        break;
      case 'value.schema.id':
      case 'key.schema.id':
        out.push(`--${k.split('.')[0]}-schema`, `id:${v}`);
        if (k === 'key.schema.id') keyFormat = format;
        break;
      case 'auto.register':
      case 'auto.register.schemas':
        if (side === 'producer' && v.trim().toLowerCase() === 'false') out.push('--no-auto-register');
        break;
      case 'value.subject.name.strategy':
      case 'key.subject.name.strategy': {
        const name = v.split('.').pop();
        const strategy =
          name === 'RecordNameStrategy' ? 'record' : name === 'TopicRecordNameStrategy' ? 'topic-record' : 'topic';
        if (side === 'producer') out.push('--subject-strategy', strategy);
        break;
      }
      case 'key.deserializer':
      case 'value.deserializer': {
        const fmt = DESERIALIZERS[v.split('.').pop() ?? ''];
        if (fmt === undefined) {
          out.push('--property', `${k}=${v}`);
          break;
        }
        if (k === 'key.deserializer') keyFormat = fmt;
        else valueFormat = fmt;
        break;
      }
      case 'key.serializer':
        if (/String/.test(v)) keyFormat = undefined;
        break;
      case 'basic.auth.credentials.source':
      case 'basic.auth.user.info':
      case 'schema.registry.basic.auth.user.info':
        warn(`Warning: put ${k} in --command-config; as a --property it is ignored`);
        break;
      case 'print.schema.ids':
        if (side === 'consumer' && v.trim().toLowerCase() === 'true') out.push('--print-schema-ids');
        break;
      case 'schema.id.separator':
        warn(`Warning: ${k} is not supported by ktool (the separator is a tab) and is ignored`);
        break;
      default:
        out.push('--property', `${k}=${v}`);
    }
  }
  if (valueFormat) out.push('--value-format', valueFormat);
  if (keyFormat) out.push('--key-format', keyFormat);
  return out;
}
