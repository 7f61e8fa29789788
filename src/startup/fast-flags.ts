/**
 * The flags of the commands on the start-up fast path (`topics --list`, the console tools)
 * as it reads them: the everyday forms only
 * (`--name value`, `--name=value`, booleans, repeatable key=value flags), giving the same
 * values and defaults as oclif's parser. Anything oclif would treat specially or reject
 * (an unknown or repeated flag, a value that looks like a flag, a number out of range, a
 * value not among a flag's options, --json, --help, Kafka's single-dash spelling) is
 * left to oclif, so its messages and exit statuses stay the only ones.
 * test/cli/console-fast-path.test.ts and fast-path.test.ts check these tables against the
 * commands' own flags.
 */

export interface FlagSpec {
  kind: 'string' | 'boolean' | 'integer' | 'multiple';
  options?: readonly string[];
  min?: number;
}

const text: FlagSpec = { kind: 'string' };
const flag: FlagSpec = { kind: 'boolean' };
const repeated: FlagSpec = { kind: 'multiple' };
const count = (min: number): FlagSpec => ({ kind: 'integer', min });
const oneOf = (...options: string[]): FlagSpec => ({ kind: 'string', options });

const CONNECTION: Record<string, FlagSpec> = { 'bootstrap-server': text, 'command-config': text, profile: text };

/** `topics --list` and what may go with it; anything else (--describe, --partitions) is oclif's. */
export const TOPICS_LIST_FLAGS: Record<string, FlagSpec> = {
  ...CONNECTION,
  list: flag,
  'exclude-internal': flag,
  topic: text,
};
export const TOPICS_LIST_REQUIRED = ['list'];
const SCHEMA_FORMATS = ['avro', 'protobuf', 'json-schema', 'string', 'bytes', 'auto'];

export const CONSUMER_FLAGS: Record<string, FlagSpec> = {
  ...CONNECTION,
  topic: text,
  include: text,
  partition: count(0),
  offset: text,
  'from-beginning': flag,
  group: text,
  'max-messages': count(0),
  'timeout-ms': count(0),
  'skip-message-on-error': flag,
  'isolation-level': oneOf('read_uncommitted', 'read_committed'),
  'consumer-property': repeated,
  'consumer.config': text,
  formatter: text,
  'formatter-config': text,
  property: repeated,
  'key-deserializer': text,
  'value-deserializer': text,
  'from-time': text,
  'until-time': text,
  'until-end': flag,
  output: oneOf('text', 'jsonl'),
  binary: oneOf('auto', 'base64', 'hex'),
  grep: text,
  key: text,
  header: repeated,
  'print-time': oneOf('ms', 'iso'),
  'value-format': oneOf(...SCHEMA_FORMATS),
  'key-format': oneOf(...SCHEMA_FORMATS),
  'schema-registry-url': text,
  'print-schema-ids': flag,
};
export const CONSUMER_DEFAULTS = { output: 'text', binary: 'auto', 'print-time': 'ms' };

export const PRODUCER_FLAGS: Record<string, FlagSpec> = {
  ...CONNECTION,
  'broker-list': text,
  topic: text,
  sync: flag,
  'compression-codec': oneOf('none', 'gzip', 'snappy', 'lz4', 'zstd'),
  'batch-size': count(1),
  timeout: count(0),
  'request-required-acks': text,
  'request-timeout-ms': count(1),
  'message-send-max-retries': count(0),
  'retry-backoff-ms': count(0),
  'max-block-ms': count(0),
  'max-memory-bytes': count(1),
  'max-partition-memory-bytes': count(1),
  'producer-property': repeated,
  'producer.config': text,
  property: repeated,
  'reader-config': text,
  'line-reader': text,
  input: oneOf('lines', 'jsonl'),
  partition: count(0),
  'transactional-id': text,
  'transaction-size': count(1),
};
export const PRODUCER_DEFAULTS = { input: 'lines' };
/** Flags oclif insists on: without them oclif prints its own error. */
export const PRODUCER_REQUIRED = ['topic'];

/** The flag values for args, or undefined when oclif must parse them. */
export function parseFlags(
  args: readonly string[],
  table: Record<string, FlagSpec>,
  defaults: Record<string, string>,
  required: readonly string[] = [],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z][a-z.-]*)(?:=(.*))?$/s.exec(args[i]!);
    if (m === null) return undefined;
    const name = m[1]!;
    const spec = Object.hasOwn(table, name) ? table[name]! : undefined;
    if (spec === undefined) return undefined;
    if (spec.kind === 'boolean') {
      if (m[2] !== undefined || name in out) return undefined;
      out[name] = true;
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (spec.kind === 'multiple') {
      ((out[name] ??= []) as string[]).push(value);
      continue;
    }
    if (name in out) return undefined;
    if (spec.options !== undefined && !spec.options.includes(value)) return undefined;
    if (spec.kind === 'integer') {
      if (!/^\d+$/.test(value)) return undefined;
      const n = Number.parseInt(value, 10);
      if (!Number.isSafeInteger(n) || n < (spec.min ?? 0)) return undefined;
      out[name] = n;
    } else out[name] = value;
  }
  for (const name of required) if (!(name in out)) return undefined;
  return { ...defaults, ...out };
}
