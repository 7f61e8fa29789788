// ktool console-consumer: kafka-console-consumer.sh, plus time ranges, filters and JSON lines.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags, settingsInput } from '../cli/connection-flags.js';
import { KtoolError } from '../errors.js';
import { parseKeyValues } from '../cli/flags.js';

export interface ConsoleConsumerJson {
  processed: number;
  reason: string;
}

function usage(message: string): never {
  throw new KtoolError(message, { code: 'INVALID_ARGUMENTS', exitCode: 1 });
}

export default class ConsoleConsumer extends BaseCommand<typeof ConsoleConsumer> {
  static override summary = 'Read records from topics and print them (kafka-console-consumer.sh).';

  static override description = `Prints each record with Kafka's DefaultMessageFormatter, configured with --property print.key=true, print.timestamp=true and so on. Without --group the partitions are read directly and no offsets are committed, as Kafka's tool does with its generated group; with --group the consumer joins that group and commits. On exit, "Processed a total of N messages" goes to stderr.

Beyond Kafka: --from-time / --until-time / --until-end bound what is read, --grep / --key / --header filter it, --output jsonl writes a lossless record per line that console-producer --input jsonl reads back, and --print-time iso shows readable timestamps.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders --from-beginning --property print.key=true',
    '<%= config.bin %> <%= command.id %> --topic orders --from-time -15m --until-end --output jsonl',
    '<%= config.bin %> <%= command.id %> --include "orders\\..*" --group audit --max-messages 100',
  ];

  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ description: 'The topic to read.', helpValue: '<topic>' }),
    include: Flags.string({ description: 'A regular expression: read every topic whose whole name matches.', helpValue: '<regex>' }),
    whitelist: Flags.string({ description: 'Old name of --include.', hidden: true }),
    partition: Flags.integer({ description: 'Read only this partition (needs --topic).', min: 0 }),
    offset: Flags.string({ description: 'Where to start in --partition: earliest, latest (the default) or an offset.', helpValue: '<offset>' }),
    'from-beginning': Flags.boolean({ description: 'Start at the earliest record rather than the latest, when there is no committed offset.' }),
    group: Flags.string({ description: 'Join this consumer group and commit offsets.', helpValue: '<group id>' }),
    'max-messages': Flags.integer({ description: 'Exit after printing this many records.', min: 0 }),
    'timeout-ms': Flags.integer({ description: 'Exit when no record arrives for this long.', min: 0 }),
    'skip-message-on-error': Flags.boolean({ description: 'Skip a record that cannot be formatted instead of stopping.' }),
    'isolation-level': Flags.string({ description: 'read_uncommitted (the default) or read_committed.', options: ['read_uncommitted', 'read_committed'] }),
    'consumer-property': Flags.string({ description: 'A consumer property, key=value (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: '<key=value>' }),
    'consumer.config': Flags.string({ description: 'A properties file of consumer settings.', helpValue: '<file>' }),
    formatter: Flags.string({ description: 'The formatter class. Only Kafka\'s DefaultMessageFormatter is available.', helpValue: '<class>' }),
    'formatter-config': Flags.string({ description: 'A properties file of formatter settings; --property wins over it.', helpValue: '<file>' }),
    property: Flags.string({ description: 'A formatter property, key=value (repeatable): print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, null.literal.', multiple: true, multipleNonGreedy: true, helpValue: '<key=value>' }),
    'key-deserializer': Flags.string({ description: 'Deserializer class for keys (Kafka\'s String, Long, Integer, Short, Double, Float, UUID, ByteArray).', helpValue: '<class>' }),
    'value-deserializer': Flags.string({ description: 'Deserializer class for values.', helpValue: '<class>' }),
    'enable-systest-events': Flags.boolean({ description: 'Accepted for compatibility.', hidden: true }),
    'from-time': Flags.string({ description: 'Start at the first record at or after this time: ISO 8601, epoch ms, or -duration like -15m.', helpValue: '<time>' }),
    'until-time': Flags.string({ description: 'Stop each partition at the first record after this time.', helpValue: '<time>' }),
    'until-end': Flags.boolean({ description: 'Stop at the end offsets read at start.' }),
    output: Flags.string({ description: 'Output format: text (Kafka\'s formatter) or jsonl.', options: ['text', 'jsonl'], default: 'text' }),
    binary: Flags.string({ description: 'How --output jsonl writes bytes: auto (UTF-8 text when valid, else base64), base64 or hex.', options: ['auto', 'base64', 'hex'], default: 'auto' }),
    grep: Flags.string({ description: 'Only records whose value matches this regular expression.', helpValue: '<regex>' }),
    key: Flags.string({ description: 'Only records with exactly this key.', helpValue: '<key>' }),
    header: Flags.string({ description: 'Only records with this header, key=value (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: '<key=value>' }),
    'print-time': Flags.string({ description: 'How print.timestamp shows times: ms (Kafka\'s) or iso.', options: ['ms', 'iso'], default: 'ms' }),
  };

  public async run(): Promise<ConsoleConsumerJson> {
    const f = this.flags;
    const include = f.include ?? f.whitelist;
    if ((f.topic === undefined) === (include === undefined)) usage('Exactly one of include/topic is required.');
    if (f.partition !== undefined) {
      if (f.topic === undefined) usage('The topic is required when partition is specified.');
      if (f['from-beginning'] && f.offset !== undefined) usage('Options from-beginning and offset cannot be specified together.');
    } else if (f.offset !== undefined) usage('The partition is required when offset is specified.');
    if (f.formatter !== undefined && !/DefaultMessageFormatter$/.test(f.formatter)) usage(`Formatter ${f.formatter} is not available; ktool has Kafka's DefaultMessageFormatter`);

    const [{ resolveSettings, readPropertiesFile }, { connect, kafkajs }, fmt, ops, { Fetcher }] = await Promise.all([
      import('../connection/settings.js'),
      import('../connection/client.js'),
      import('../formats/record-formatter.js'),
      import('../ops/console-consumer.js'),
      import('../client/fetcher.js'),
    ]);
    const fileProps = f['consumer.config'] ? (await readPropertiesFile(f['consumer.config'])).properties : {};
    const consumerProps = { ...fileProps, ...parseKeyValues(f['consumer-property'], 'consumer-property') };
    const groups = new Set([f.group, fileProps['group.id'], consumerProps['group.id']].filter((g): g is string => g !== undefined));
    if (groups.size > 1) usage(`The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`);
    const group = [...groups][0];
    if (group !== undefined && f.partition !== undefined) usage('Options group and partition cannot be specified together.');
    const reset = consumerProps['auto.offset.reset'];
    if (reset !== undefined && f['from-beginning'] && reset !== 'earliest') {
      usage(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
    }
    let offset: 'earliest' | 'latest' | number = f['from-beginning'] || reset === 'earliest' ? 'earliest' : 'latest';
    if (f.offset !== undefined) {
      const o = f.offset.toLowerCase();
      if (o === 'earliest' || o === 'latest') offset = o;
      else if (/^\d+$/.test(f.offset)) offset = Number(f.offset);
      else usage(`The provided offset value '${f.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
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
    const headerFilters = Object.entries(parseKeyValues(f.header, 'header')).map(([key, value]) => ({ key, value: Buffer.from(value) }));
    const filter = { grep, key: f.key === undefined ? undefined : Buffer.from(f.key), headers: headerFilters.length > 0 ? headerFilters : undefined };

    const settings = await resolveSettings({ ...settingsInput(f), properties: consumerProps, propertiesOrigin: '--consumer-property/--consumer.config', knownKeys: CONSUMER_KEYS });
    const out = new OutputSink(this.jsonEnabled());
    const jsonl = f.output === 'jsonl';
    const binary = f.binary as 'auto' | 'base64' | 'hex';
    const isoTime = f['print-time'] === 'iso';
    const jsonlMod = jsonl ? await import('../formats/jsonl.js') : undefined;
    const sink = (r: import('../ops/console-consumer.js').SinkRecord): boolean | Promise<void> => {
      try {
        if (jsonlMod) {
          const line = {
            topic: r.topic, partition: r.partition, offset: r.offset,
            timestamp: new Date(r.timestamp).toISOString(), timestampType: r.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
            key: jsonlMod.encodeBytes(r.key, binary), value: jsonlMod.encodeBytes(r.value, binary),
            headers: r.headers.map((h) => ({ key: h.key, value: jsonlMod.encodeBytes(h.value, binary) })),
          };
          return out.write(Buffer.from(JSON.stringify(line) + '\n'));
        }
        const chunks: Buffer[] = [];
        fmt.formatRecord({ ...r, timestampType: r.timestampType }, formatter, chunks);
        if (isoTime && formatter.printTimestamp) {
          chunks[0] = Buffer.from(chunks[0].toString().replace(/:(\d+)$/, (_m, ms) => `:${new Date(Number(ms)).toISOString()}`));
        }
        return out.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch (err) {
        if (f['skip-message-on-error']) {
          process.stderr.write(`ERROR Error processing message, skipping this message: ${(err as Error).message}\n`);
          return true;
        }
        throw err;
      }
    };

    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    out.onClosed(() => abort.abort());
    let processed = 0;
    let reason = 'aborted';
    try {
      if (f['max-messages'] === 0) {
        // Kafka's loop runs while fewer than max-messages were read: zero reads nothing.
        reason = 'max-messages';
      } else if (group === undefined) {
        const cluster = await connect(settings);
        try {
          const decompress = await decompressor();
          const fetcher = new Fetcher(cluster, {
            isolationLevel: f['isolation-level'] === 'read_committed' ? 1 : 0,
            resetPolicy: offset === 'earliest' ? 'earliest' : 'latest',
            decompress,
            maxWaitMs: Math.min(500, f['timeout-ms'] ?? 500),
          });
          const partitions = await ops.selectPartitions(cluster, { topic: f.topic, include: includeRe, partition: f.partition, start: offset });
          if (f.topic !== undefined && partitions.length === 0) {
            if (f.partition !== undefined && cluster.metadata?.topics.get(f.topic)?.errorCode === 0) {
              throw new KtoolError(`Partition ${f.partition} of topic ${f.topic} does not exist`);
            }
            throw new KtoolError(`Topic ${f.topic} does not exist`, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
          }
          const res = await ops.consumeAssigned(fetcher, partitions, { start: fromTime !== undefined ? { timestamp: fromTime } : offset },
            { maxMessages: f['max-messages'], timeoutMs: f['timeout-ms'], untilEnd: f['until-end'], untilTime }, filter, sink, abort.signal);
          processed = res.processed;
          reason = res.reason;
          fetcher.stop();
        } finally {
          cluster.close();
        }
      } else {
        const res = await consumeWithGroup(await kafkajs(settings, { verbose: this.verbose }), group, {
          topic: f.topic, include: includeRe, fromBeginning: offset === 'earliest',
          maxMessages: f['max-messages'], timeoutMs: f['timeout-ms'], autoCommit: consumerProps['enable.auto.commit'] !== 'false',
        }, (r) => (ops.matches(r, filter) ? sink(r) : true), abort.signal);
        processed = res.processed;
        reason = res.reason;
      }
      await out.flush();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (!this.jsonEnabled()) process.stderr.write(`Processed a total of ${processed} messages\n`);
    }
    return { processed, reason };
  }
}

const CONSUMER_KEYS = new Set([
  'group.id', 'auto.offset.reset', 'enable.auto.commit', 'auto.commit.interval.ms', 'fetch.min.bytes', 'fetch.max.bytes',
  'fetch.max.wait.ms', 'max.partition.fetch.bytes', 'max.poll.records', 'session.timeout.ms', 'heartbeat.interval.ms',
  'isolation.level', 'key.deserializer', 'value.deserializer', 'client.rack', 'group.instance.id', 'partition.assignment.strategy',
]);

async function decompressor(): Promise<(codec: number, data: Buffer) => Buffer> {
  const codecs = await import('../codecs/index.js');
  return (codec, data) => codecs.decompress(codec as 0 | 1 | 2 | 3 | 4, data);
}

/** stdout with backpressure; stops quietly when the reader goes away (EPIPE). */
class OutputSink {
  private closedHandlers: Array<() => void> = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private broken = false;

  constructor(private readonly quiet: boolean) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') { this.broken = true; for (const h of this.closedHandlers) h(); }
    });
  }

  onClosed(fn: () => void): void {
    this.closedHandlers.push(fn);
  }

  write(b: Buffer): boolean | Promise<void> {
    if (this.quiet || this.broken) return true;
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes < 65536) return true;
    return this.flush();
  }

  flush(): Promise<void> {
    if (this.pending.length === 0 || this.broken) return Promise.resolve();
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (process.stdout.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { process.stdout.off('drain', done); process.stdout.off('error', done); resolve(); };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    });
  }
}

async function consumeWithGroup(
  kafka: import('kafkajs').Kafka,
  groupId: string,
  o: { topic?: string; include?: RegExp; fromBeginning: boolean; maxMessages?: number; timeoutMs?: number; autoCommit: boolean },
  sink: (r: import('../ops/console-consumer.js').SinkRecord) => boolean | Promise<void>,
  signal: AbortSignal,
): Promise<{ processed: number; reason: string }> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  let processed = 0;
  let reason = 'aborted';
  let lastRecordAt = Date.now();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  signal.addEventListener('abort', () => stop(), { once: true });
  try {
    await consumer.subscribe({ topics: [o.topic ?? o.include!], fromBeginning: o.fromBeginning });
    await consumer.run({
      autoCommit: o.autoCommit,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale }) => {
        for (const m of batch.messages) {
          if (!isRunning() || isStale() || signal.aborted) break;
          const r = {
            topic: batch.topic, partition: batch.partition, offset: Number(m.offset), timestamp: Number(m.timestamp),
            timestampType: 0, key: m.key, value: m.value,
            headers: Object.entries(m.headers ?? {}).flatMap(([key, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ key, value: value === undefined || value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(String(value)) }))),
          };
          const more = sink(r);
          if (more instanceof Promise) await more;
          resolveOffset(m.offset);
          processed++;
          lastRecordAt = Date.now();
          if (o.maxMessages !== undefined && processed >= o.maxMessages) { reason = 'max-messages'; stop(); break; }
        }
        await commitOffsetsIfNecessary();
      },
    });
    if (o.timeoutMs !== undefined) {
      const timer = setInterval(() => { if (Date.now() - lastRecordAt >= o.timeoutMs!) { reason = 'timeout'; stop(); } }, Math.min(200, o.timeoutMs));
      await stopped;
      clearInterval(timer);
    } else {
      await stopped;
    }
  } finally {
    await consumer.disconnect();
  }
  return { processed, reason };
}
