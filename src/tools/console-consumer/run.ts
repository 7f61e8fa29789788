/**
 * `ktool console-consumer` (kafka-console-consumer.sh): checks the flags, connects, reads
 * through ops/console-consumer.ts and prints. The command (commands/console-consumer.ts)
 * declares the flags for oclif; the start-up fast path calls this without oclif.
 */
import { settingsInput, type ConnectionFlagValues } from '../../cli/connection-input.js';
import { parseKeyValues } from '../../cli/key-values.js';
import type { Assignor } from '../../client/group-member.js';
import { KtoolError } from '../../errors.js';

export interface ConsoleConsumerJson {
  processed: number;
  reason: string;
}

/** The flags as parsed (oclif's, or the fast path's, with the same defaults). */
export interface ConsoleConsumerFlagValues extends ConnectionFlagValues {
  topic?: string;
  include?: string;
  whitelist?: string;
  partition?: number;
  offset?: string;
  'from-beginning'?: boolean;
  group?: string;
  'max-messages'?: number;
  'timeout-ms'?: number;
  'skip-message-on-error'?: boolean;
  'isolation-level'?: string;
  'consumer-property'?: string[];
  'consumer.config'?: string;
  formatter?: string;
  'formatter-config'?: string;
  property?: string[];
  'key-deserializer'?: string;
  'value-deserializer'?: string;
  'enable-systest-events'?: boolean;
  'from-time'?: string;
  'until-time'?: string;
  'until-end'?: boolean;
  /** text (the default) or jsonl. */
  output: string;
  /** auto (the default), base64 or hex. */
  binary: string;
  grep?: string;
  key?: string;
  header?: string[];
  /** ms (the default) or iso. */
  'print-time': string;
  'value-format'?: string;
  'key-format'?: string;
  'schema-registry-url'?: string;
  'print-schema-ids'?: boolean;
}

/** What the tool needs of the command running it. */
export interface ConsoleConsumerHost {
  jsonEnabled(): boolean;
  /** One line on stderr, unless --json. */
  note(line: string): void;
}

function usage(message: string): never {
  throw new KtoolError(message, { code: 'INVALID_ARGUMENTS', exitCode: 1 });
}

export async function runConsoleConsumer(
  host: ConsoleConsumerHost,
  f: ConsoleConsumerFlagValues,
): Promise<ConsoleConsumerJson> {
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
    import('../../connection/settings.js'),
    import('../../connection/client.js'),
    import('../../formats/record-formatter.js'),
    import('../../formats/record-lines.js'),
    import('../../formats/output-sink.js'),
    import('../../ops/console-consumer.js'),
    import('../../client/fetcher.js'),
    import('../../formats/raw-lines.js'),
    import('../../protocol/reused-buffers.js'),
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
  let formatter: import('../../formats/record-formatter.js').FormatterOptions;
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
  const json = host.jsonEnabled();
  const out = new OutputSink(json ? null : process.stdout);
  const write = lineWriter(
    f.output === 'jsonl'
      ? { output: 'jsonl', binary: f.binary as import('../../formats/jsonl.js').BytesEncoding }
      : { output: 'text', formatter, isoTime: f['print-time'] === 'iso' },
  );
  const render = (r: import('../../ops/console-consumer.js').SinkRecord): Buffer | null => {
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
      host.note(`WARN ${err.message}; retrying`);
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
        let source: import('../../ops/console-consumer.js').RecordSource;
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
            import('../../client/group-member.js'),
            import('../../ops/group-source.js'),
            import('../../client/broker-connection.js'),
            import('../../connection/client.js'),
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
          const schemas = await import('../../schemas/tools.js');
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
  const codecs = await import('../../codecs/index.js');
  return (codec, data) => codecs.decompress(codec as 0 | 1 | 2 | 3 | 4, data);
}
