// ktool console-consumer: kafka-console-consumer.sh, plus time ranges, filters and JSON lines.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags, settingsInput } from '../cli/connection-flags.js';
import { KtoolError } from '../errors.js';
import { parseKeyValues } from '../cli/flags.js';
import type { Assignor } from '../client/group-member.js';

export interface ConsoleConsumerJson {
  processed: number;
  reason: string;
}

function usage(message: string): never {
  throw new KtoolError(message, { code: 'INVALID_ARGUMENTS', exitCode: 1 });
}

export default class ConsoleConsumer extends BaseCommand<typeof ConsoleConsumer> {
  static override summary = 'Read records from topics and print them (kafka-console-consumer.sh).';

  static override description = `Prints each record with Kafka's DefaultMessageFormatter, configured with --property print.key=true, print.timestamp=true and so on. Without --group the partitions are read directly and no offsets are committed, as Kafka's tool does with its generated group; with --group the consumer joins that group and commits, but only records already written out (a crash never loses a committed record). Every other flag means the same with or without --group. On exit, "Processed a total of N messages" goes to stderr.

Beyond Kafka: --from-time / --until-time / --until-end bound what is read, --grep / --key / --header filter it, --output jsonl writes a lossless record per line that console-producer --input jsonl reads back, and --print-time iso shows readable timestamps.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders --from-beginning --property print.key=true',
    '<%= config.bin %> <%= command.id %> --topic orders --from-time -15m --until-end --output jsonl',
    '<%= config.bin %> <%= command.id %> --include "orders\\..*" --group audit --max-messages 100',
  ];

  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ description: 'The topic to read.', helpValue: '<topic>' }),
    include: Flags.string({
      description: 'A regular expression: read every topic whose whole name matches.',
      helpValue: '<regex>',
    }),
    whitelist: Flags.string({ description: 'Old name of --include.', hidden: true }),
    partition: Flags.integer({ description: 'Read only this partition (needs --topic).', min: 0 }),
    offset: Flags.string({
      description: 'Where to start in --partition: earliest, latest (the default) or an offset.',
      helpValue: '<offset>',
    }),
    'from-beginning': Flags.boolean({
      description: 'Start at the earliest record rather than the latest, when there is no committed offset.',
    }),
    group: Flags.string({ description: 'Join this consumer group and commit offsets.', helpValue: '<group id>' }),
    'max-messages': Flags.integer({ description: 'Exit after printing this many records.', min: 0 }),
    'timeout-ms': Flags.integer({ description: 'Exit when no record arrives for this long.', min: 0 }),
    'skip-message-on-error': Flags.boolean({
      description: 'Skip a record that cannot be formatted instead of stopping.',
    }),
    'isolation-level': Flags.string({
      description: 'read_uncommitted (the default) or read_committed.',
      options: ['read_uncommitted', 'read_committed'],
    }),
    'consumer-property': Flags.string({
      description: 'A consumer property, key=value (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<key=value>',
    }),
    'consumer.config': Flags.string({ description: 'A properties file of consumer settings.', helpValue: '<file>' }),
    formatter: Flags.string({
      description: "The formatter class. Only Kafka's DefaultMessageFormatter is available.",
      helpValue: '<class>',
    }),
    'formatter-config': Flags.string({
      description: 'A properties file of formatter settings; --property wins over it.',
      helpValue: '<file>',
    }),
    property: Flags.string({
      description:
        'A formatter property, key=value (repeatable): print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, null.literal.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<key=value>',
    }),
    'key-deserializer': Flags.string({
      description:
        "Deserializer class for keys (Kafka's String, Long, Integer, Short, Double, Float, UUID, ByteArray).",
      helpValue: '<class>',
    }),
    'value-deserializer': Flags.string({ description: 'Deserializer class for values.', helpValue: '<class>' }),
    'enable-systest-events': Flags.boolean({ description: 'Accepted for compatibility.', hidden: true }),
    'from-time': Flags.string({
      description:
        'Start at the first record at or after this time: ISO 8601, epoch ms, or -duration like -15m. With --group, where the group has no committed offset.',
      helpValue: '<time>',
    }),
    'until-time': Flags.string({
      description: 'Stop each partition at the first record after this time.',
      helpValue: '<time>',
    }),
    'until-end': Flags.boolean({
      description: 'Stop at the end offsets read at start (with --group, when each partition is first assigned).',
    }),
    output: Flags.string({
      description: "Output format: text (Kafka's formatter) or jsonl.",
      options: ['text', 'jsonl'],
      default: 'text',
    }),
    binary: Flags.string({
      description: 'How --output jsonl writes bytes: auto (UTF-8 text when valid, else base64), base64 or hex.',
      options: ['auto', 'base64', 'hex'],
      default: 'auto',
    }),
    grep: Flags.string({
      description: 'Only records whose value matches this regular expression.',
      helpValue: '<regex>',
    }),
    key: Flags.string({ description: 'Only records with exactly this key.', helpValue: '<key>' }),
    header: Flags.string({
      description: 'Only records with this header, key=value (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<key=value>',
    }),
    'print-time': Flags.string({
      description: "How print.timestamp shows times: ms (Kafka's) or iso.",
      options: ['ms', 'iso'],
      default: 'ms',
    }),
    'value-format': Flags.string({
      description:
        'Decode values: avro, protobuf or json-schema (Confluent wire format to JSON, by the schema id each record carries), auto (decode what is framed, the rest as is), string or bytes.',
      options: ['avro', 'protobuf', 'json-schema', 'string', 'bytes', 'auto'],
      helpValue: '<format>',
    }),
    'key-format': Flags.string({
      description: 'Decode keys, as --value-format.',
      options: ['avro', 'protobuf', 'json-schema', 'string', 'bytes', 'auto'],
      helpValue: '<format>',
    }),
    'schema-registry-url': Flags.string({
      description:
        "The schema registry (also schema.registry.url in --command-config). Default http://127.0.0.1:8081, the dev broker's.",
      helpValue: '<url>',
    }),
    'print-schema-ids': Flags.boolean({
      description: 'After each decoded key and value, print a tab and its schema id.',
    }),
  };

  public async run(): Promise<ConsoleConsumerJson> {
    const f = this.flags;
    const include = f.include ?? f.whitelist;
    if ((f.topic === undefined) === (include === undefined)) usage('Exactly one of include/topic is required.');
    if (f.partition !== undefined) {
      if (f.topic === undefined) usage('The topic is required when partition is specified.');
      if (f['from-beginning'] && f.offset !== undefined)
        usage('Options from-beginning and offset cannot be specified together.');
    } else if (f.offset !== undefined) usage('The partition is required when offset is specified.');
    if (f.formatter !== undefined && !/DefaultMessageFormatter$/.test(f.formatter))
      usage(`Formatter ${f.formatter} is not available; ktool has Kafka's DefaultMessageFormatter`);

    const [
      { resolveSettings, readPropertiesFile },
      { connect },
      fmt,
      { lineWriter },
      { OutputSink },
      ops,
      { Fetcher },
      { rawLineFormat },
      { ReusedBuffers },
    ] = await Promise.all([
      import('../connection/settings.js'),
      import('../connection/client.js'),
      import('../formats/record-formatter.js'),
      import('../formats/record-lines.js'),
      import('../formats/output-sink.js'),
      import('../ops/console-consumer.js'),
      import('../client/fetcher.js'),
      import('../formats/raw-lines.js'),
      import('../protocol/reused-buffers.js'),
    ]);
    const fileProps = f['consumer.config'] ? (await readPropertiesFile(f['consumer.config'])).properties : {};
    const consumerProps = { ...fileProps, ...parseKeyValues(f['consumer-property'], 'consumer-property') };
    const groups = new Set(
      [f.group, fileProps['group.id'], consumerProps['group.id']].filter((g): g is string => g !== undefined),
    );
    if (groups.size > 1)
      usage(
        `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`,
      );
    const group = [...groups][0];
    if (group !== undefined && f.partition !== undefined)
      usage('Options group and partition cannot be specified together.');
    const reset = consumerProps['auto.offset.reset'];
    if (reset !== undefined && f['from-beginning'] && reset !== 'earliest') {
      usage(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
    }
    let offset: 'earliest' | 'latest' | number = f['from-beginning'] || reset === 'earliest' ? 'earliest' : 'latest';
    if (f.offset !== undefined) {
      const o = f.offset.toLowerCase();
      if (o === 'earliest' || o === 'latest') offset = o;
      else if (/^\d+$/.test(f.offset)) offset = Number(f.offset);
      else
        usage(
          `The provided offset value '${f.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`,
        );
    }
    let fromTime: number | undefined;
    let untilTime: number | undefined;
    try {
      if (f['from-time'] !== undefined) fromTime = ops.parseTimeSpec(f['from-time']);
      if (f['until-time'] !== undefined) untilTime = ops.parseTimeSpec(f['until-time']);
    } catch (err) {
      usage((err as Error).message);
    }
    let includeRe: RegExp | undefined;
    let grep: RegExp | undefined;
    try {
      if (include !== undefined) includeRe = new RegExp(include);
      if (f.grep !== undefined) grep = new RegExp(f.grep);
    } catch (err) {
      usage(`Invalid regular expression: ${(err as Error).message}`);
    }

    const formatterFile = f['formatter-config'] ? (await readPropertiesFile(f['formatter-config'])).properties : {};
    const formatterProps: Record<string, string> = { ...formatterFile };
    if (f['key-deserializer']) formatterProps['key.deserializer'] = f['key-deserializer'];
    if (f['value-deserializer']) formatterProps['value.deserializer'] = f['value-deserializer'];
    Object.assign(formatterProps, parseKeyValues(f.property, 'property'));
    let formatter: import('../formats/record-formatter.js').FormatterOptions;
    try {
      formatter = fmt.formatterOptions(formatterProps);
    } catch (err) {
      usage((err as Error).message);
    }
    const headerFilters = Object.entries(parseKeyValues(f.header, 'header')).map(([key, value]) => ({
      key,
      value: Buffer.from(value),
    }));
    const filter = {
      grep,
      key: f.key === undefined ? undefined : Buffer.from(f.key),
      headers: headerFilters.length > 0 ? headerFilters : undefined,
    };

    const settings = await resolveSettings({
      ...settingsInput(f),
      properties: consumerProps,
      propertiesOrigin: '--consumer-property/--consumer.config',
      knownKeys: CONSUMER_KEYS,
    });
    const json = this.jsonEnabled();
    const out = new OutputSink(json ? null : process.stdout);
    const write = lineWriter(
      f.output === 'jsonl'
        ? { output: 'jsonl', binary: f.binary as import('../formats/jsonl.js').BytesEncoding }
        : { output: 'text', formatter, isoTime: f['print-time'] === 'iso' },
    );
    const render = (r: import('../ops/console-consumer.js').SinkRecord): Buffer | null => {
      if (json) return null;
      try {
        write(r, out);
        return null;
      } catch (err) {
        if (!f['skip-message-on-error']) throw err;
        process.stderr.write(`ERROR Error processing message, skipping this message: ${(err as Error).message}\n`);
        return null;
      }
    };
    // Lines that are just key and value bytes are written without decoding records.
    const plain =
      !json &&
      f.output !== 'jsonl' &&
      !filter.grep &&
      !filter.key &&
      !filter.headers &&
      f['value-format'] === undefined &&
      f['key-format'] === undefined;
    const rawFormat = plain ? rawLineFormat(formatter) : null;
    // Written lines are copies, so a fetch's frame can be read into again once its records
    // are out; left to the collector, frames piled up to some 40 MB between collections.
    const frameBuffers = plain ? new ReusedBuffers(4) : undefined;
    const props = consumerSettings(consumerProps, f['isolation-level'], f['timeout-ms']);
    const warned = new Set<string>();
    const onRetry = (err: Error) => {
      // Kafka's consumer warns and keeps trying; once per distinct failure is enough.
      if (!abort.signal.aborted && !warned.has(err.message)) {
        warned.add(err.message);
        this.note(`WARN ${err.message}; retrying`);
      }
    };

    // The first SIGINT or SIGTERM stops reading, writes what was read, commits it if the
    // broker answers quickly, and exits within a second whatever happens; a second one exits now.
    const progress = { processed: 0 };
    let reported = false;
    const report = () => {
      if (!reported && !json) process.stderr.write(`Processed a total of ${progress.processed} messages\n`);
      reported = true;
    };
    const abort = new AbortController();
    let closeBy = Number.POSITIVE_INFINITY;
    const forceExit = () => {
      report();
      process.exit(0);
    };
    const onSignal = () => {
      if (abort.signal.aborted && closeBy !== Number.POSITIVE_INFINITY) return forceExit();
      closeBy = Date.now() + SIGNAL_CLOSE_MS;
      abort.abort();
      setTimeout(forceExit, SIGNAL_EXIT_MS).unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    out.onClosed(() => abort.abort());
    let reason: ConsoleConsumerJson['reason'] = 'aborted';
    try {
      if (f['max-messages'] === 0) {
        // Kafka's loop runs while fewer than max-messages were read: zero reads nothing.
        reason = 'max-messages';
      } else {
        const cluster = await connect(settings, { frameBuffers });
        try {
          const fetcher = new Fetcher(cluster, {
            ...props.fetch,
            resetPolicy: offset === 'earliest' ? 'earliest' : 'latest',
            decompress: await decompressor(),
            onRetry,
            frameBuffers,
          });
          let source: import('../ops/console-consumer.js').RecordSource;
          if (group === undefined) {
            const partitions = await ops.selectPartitions(cluster, {
              topic: f.topic,
              include: includeRe,
              partition: f.partition,
            });
            if (f.topic !== undefined && partitions.length === 0) {
              if (f.partition !== undefined && cluster.metadata?.topics.get(f.topic)?.errorCode === 0) {
                throw new KtoolError(`Partition ${f.partition} of topic ${f.topic} does not exist`);
              }
              throw new KtoolError(`Topic ${f.topic} does not exist`, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
            }
            source = new ops.AssignedSource(
              fetcher,
              partitions,
              fromTime !== undefined ? { timestamp: fromTime } : offset,
            );
          } else {
            const [{ GroupMember }, { GroupSource }, { BrokerConnection }, { clusterOptions }] = await Promise.all([
              import('../client/group-member.js'),
              import('../ops/group-source.js'),
              import('../client/broker-connection.js'),
              import('../connection/client.js'),
            ]);
            const connOptions = clusterOptions(settings);
            const member = new GroupMember(cluster, {
              ...props.group,
              groupId: group,
              subscription: f.topic !== undefined ? [f.topic] : includeRe!,
              onRetry,
              openConnection: (host, port) => BrokerConnection.open({ ...connOptions, host, port }),
            });
            const reset = f['from-beginning'] ? 'earliest' : props.reset;
            source = new GroupSource(member, fetcher, { reset, fromTime }, out, props.autoCommit);
          }
          if (f['value-format'] !== undefined || f['key-format'] !== undefined) {
            const schemas = await import('../schemas/tools.js');
            source = schemas.decodingSource(source, {
              url: f['schema-registry-url'],
              properties: settings.properties,
              keyFormat: f['key-format'],
              valueFormat: f['value-format'],
              skipOnError: f['skip-message-on-error'],
              printIds: f['print-schema-ids'],
            });
          }
          try {
            reason = (
              await ops.consume(
                source,
                { maxMessages: f['max-messages'], timeoutMs: f['timeout-ms'], untilEnd: f['until-end'], untilTime },
                filter,
                render,
                out,
                progress,
                abort.signal,
                rawFormat,
              )
            ).reason;
          } finally {
            await ops.finish(source, out, Math.min(closeBy, Date.now() + Math.min(30_000, settings.requestTimeoutMs)));
          }
        } finally {
          cluster.close();
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      report();
      // A connection still opening to a vanished broker must not hold the exit up.
      setTimeout(() => process.exit(), 200).unref();
    }
    return { processed: progress.processed, reason };
  }
}

/** After the first signal: this long to write, commit and leave, and exit for sure soon after. */
const SIGNAL_CLOSE_MS = 600;
const SIGNAL_EXIT_MS = 900;

const CONSUMER_KEYS = new Set([
  'group.id',
  'auto.offset.reset',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'fetch.min.bytes',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'max.poll.records',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'isolation.level',
  'key.deserializer',
  'value.deserializer',
  'client.rack',
  'group.instance.id',
  'partition.assignment.strategy',
  'retry.backoff.ms',
  'reconnect.backoff.max.ms',
]);

const ASSIGNORS: Record<string, Assignor | null> = {
  range: 'range',
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  roundrobin: 'roundrobin',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
  // Kafka's default list adds cooperative-sticky after range; ktool rebalances eagerly only.
  'cooperative-sticky': null,
  'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': null,
  sticky: null,
  'org.apache.kafka.clients.consumer.StickyAssignor': null,
};

/** The consumer properties ktool honours, with Kafka's defaults and Kafka's messages for bad values. */
function consumerSettings(p: Record<string, string>, isolationFlag: string | undefined, timeoutMs: number | undefined) {
  const int = (key: string, dflt: number, min = 0): number => {
    const v = p[key];
    if (v === undefined) return dflt;
    if (!/^\s*-?\d+\s*$/.test(v)) usage(`Invalid value ${v} for configuration ${key}: Not a number of type INT`);
    if (Number(v) < min) usage(`Invalid value ${v} for configuration ${key}: Value must be at least ${min}`);
    return Number(v);
  };
  const reset = (p['auto.offset.reset'] ?? 'latest').trim();
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') {
    usage(`Invalid value ${reset} for configuration auto.offset.reset: String must be one of: latest, earliest, none`);
  }
  const isolation = isolationFlag ?? p['isolation.level'] ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') {
    usage(
      `Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`,
    );
  }
  const strategies = (p['partition.assignment.strategy'] ?? 'range')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of strategies)
    if (!(s in ASSIGNORS))
      usage(`Unknown partition.assignment.strategy ${s}; ktool's group member offers range and roundrobin`);
  const assignors = [...new Set(strategies.map((s) => ASSIGNORS[s]).filter((a): a is Assignor => a !== null))];
  if (assignors.length === 0)
    usage(
      `partition.assignment.strategy ${strategies.join(',')}: ktool's group member offers range and roundrobin (eager rebalancing only)`,
    );
  const retryBackoffMs = int('retry.backoff.ms', 100);
  const retryBackoffMaxMs = Math.max(retryBackoffMs, int('reconnect.backoff.max.ms', 1000));
  const instance = p['group.instance.id']?.trim();
  return {
    reset: reset as 'earliest' | 'latest' | 'none',
    fetch: {
      maxWaitMs: Math.min(int('fetch.max.wait.ms', 500), timeoutMs ?? Number.POSITIVE_INFINITY),
      minBytes: int('fetch.min.bytes', 1),
      maxBytes: int('fetch.max.bytes', 52428800, 1),
      partitionMaxBytes: int('max.partition.fetch.bytes', 1048576, 1),
      isolationLevel: isolation === 'read_committed' ? 1 : 0,
      retryBackoffMs,
      retryBackoffMaxMs,
    },
    group: {
      sessionTimeoutMs: int('session.timeout.ms', 45_000, 1),
      rebalanceTimeoutMs: int('max.poll.interval.ms', 300_000, 1),
      heartbeatIntervalMs: int('heartbeat.interval.ms', 3000, 1),
      groupInstanceId: instance ? instance : null,
      assignors,
      retryBackoffMs,
      retryBackoffMaxMs,
    },
    autoCommit: {
      enabled: (p['enable.auto.commit'] ?? 'true').trim().toLowerCase() !== 'false',
      intervalMs: int('auto.commit.interval.ms', 5000),
    },
  };
}

async function decompressor(): Promise<(codec: number, data: Buffer) => Buffer> {
  const codecs = await import('../codecs/index.js');
  return (codec, data) => codecs.decompress(codec as 0 | 1 | 2 | 3 | 4, data);
}
