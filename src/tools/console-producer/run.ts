/**
 * `ktool console-producer` (kafka-console-producer.sh): checks the flags, connects and
 * sends standard input through ops/console-producer.ts. The command
 * (commands/console-producer.ts) declares the flags for oclif; the start-up fast path
 * calls this without oclif.
 */
import { settingsInput, type ConnectionFlagValues } from '../../cli/connection-input.js';
import { parseKeyValues } from '../../cli/key-values.js';
import { KtoolError } from '../../errors.js';

export const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const LINE_READERS = new Set([
  'org.apache.kafka.tools.LineMessageReader',
  'kafka.tools.ConsoleProducer$LineMessageReader',
  'kafka.tools.LineMessageReader',
]);

export interface ConsoleProducerJson {
  topic: string;
  linesRead: number;
  sent: number;
  failed: number;
  failures: Array<{ line: number; partition: number; error: string; message: string }>;
  parseError: { line: number; message: string } | null;
  transaction?: import('../../ops/console-producer.js').ConsoleTransactionResult;
}

/** The flags as parsed (oclif's, or the fast path's, with the same defaults). */
export interface ConsoleProducerFlagValues extends ConnectionFlagValues {
  'broker-list'?: string;
  topic: string;
  sync?: boolean;
  'compression-codec'?: string;
  'batch-size'?: number;
  timeout?: number;
  'request-required-acks'?: string;
  'request-timeout-ms'?: number;
  'message-send-max-retries'?: number;
  'retry-backoff-ms'?: number;
  'max-block-ms'?: number;
  'max-memory-bytes'?: number;
  'max-partition-memory-bytes'?: number;
  'metadata-expiry-ms'?: number;
  'socket-buffer-size'?: number;
  'producer-property'?: string[];
  'producer.config'?: string;
  property?: string[];
  'reader-config'?: string;
  'line-reader'?: string;
  /** lines (the default) or jsonl. */
  input: string;
  partition?: number;
  'transactional-id'?: string;
  'transaction-size'?: number;
  'value-format'?: string;
  'key-format'?: string;
  'value-schema'?: string;
  'key-schema'?: string;
  'schema-registry-url'?: string;
  'subject-strategy'?: string;
  'auto-register'?: boolean;
  'proto-message'?: string;
}

/** What the tool needs of the command running it. */
export interface ConsoleProducerHost {
  jsonEnabled(): boolean;
  logJson(value: unknown): void;
  exit(code?: number): never;
}

export async function runConsoleProducer(
  host: ConsoleProducerHost,
  f: ConsoleProducerFlagValues,
): Promise<ConsoleProducerJson> {
  const [{ resolveSettings, readPropertiesFile }, { connect }, { lineReaderOptions, LINE_READER_PROPERTIES }, ops] =
    await Promise.all([
      import('../../connection/settings.js'),
      import('../../connection/client.js'),
      import('../../formats/line-reader.js'),
      import('../../ops/console-producer.js'),
    ]);
  if (f['line-reader'] !== undefined && !LINE_READERS.has(f['line-reader'])) {
    throw new KtoolError(
      `Line reader ${f['line-reader']} is not available; ktool has Kafka's default LineMessageReader`,
      { exitCode: 1 },
    );
  }
  const fileProps = f['producer.config'] ? (await readPropertiesFile(f['producer.config'])).properties : {};
  const producerProps = { ...fileProps, ...parseKeyValues(f['producer-property'], 'producer-property') };
  const readerFile = f['reader-config'] ? (await readPropertiesFile(f['reader-config'])).properties : {};
  const readerProps = { ...readerFile, ...parseKeyValues(f.property, 'property') };
  for (const k of Object.keys(readerProps)) {
    if (!LINE_READER_PROPERTIES.has(k))
      process.stderr.write(`Warning: unknown line reader property '${k}' is ignored\n`);
  }
  let reader;
  try {
    reader = lineReaderOptions(readerProps);
  } catch (err) {
    throw new KtoolError((err as Error).message, { code: 'INVALID_CONFIG' });
  }

  // Kafka's console defaults, then properties, then the explicit flags.
  const producer = {
    acks: -1 as const,
    lingerMs: 1000,
    batchSize: 16384,
    requestTimeoutMs: 1500,
    retries: 3,
    retryBackoffMs: 100,
    maxBlockMs: 60000,
    bufferMemory: 33554432,
    ...ops.producerOptionsFromProperties(producerProps),
  } as import('../../client/producer-config.js').ProducerOptions;
  const codecName = f['compression-codec'] ?? producerProps['compression.type'] ?? 'none';
  if (!(codecName in CODECS))
    throw new KtoolError(
      `Invalid value ${codecName} for compression.type: String must be one of: none, gzip, snappy, lz4, zstd`,
    );
  producer.compression = CODECS[codecName];
  if (f.timeout !== undefined) producer.lingerMs = f.timeout;
  if (f['batch-size'] !== undefined) producer.batchSize = f['batch-size'];
  if (f['max-partition-memory-bytes'] !== undefined) producer.batchSize = f['max-partition-memory-bytes'];
  if (f['request-timeout-ms'] !== undefined) producer.requestTimeoutMs = f['request-timeout-ms'];
  if (f['message-send-max-retries'] !== undefined) producer.retries = f['message-send-max-retries'];
  if (f['retry-backoff-ms'] !== undefined) producer.retryBackoffMs = f['retry-backoff-ms'];
  if (f['max-block-ms'] !== undefined) producer.maxBlockMs = f['max-block-ms'];
  if (f['max-memory-bytes'] !== undefined) producer.bufferMemory = f['max-memory-bytes'];
  if (f['request-required-acks'] !== undefined) {
    const a = f['request-required-acks'] === 'all' ? -1 : Number(f['request-required-acks']);
    if (a !== -1 && a !== 0 && a !== 1)
      throw new KtoolError(
        `Invalid value ${f['request-required-acks']} for --request-required-acks: must be one of all, -1, 0, 1`,
        { exitCode: 2 },
      );
    producer.acks = a;
  }
  if (f.sync) producer.lingerMs = 0;
  if (producer.compression !== 0) {
    const codecs = await import('../../codecs/index.js');
    producer.compress = (codec, data) => codecs.compress(codec as 0 | 1 | 2 | 3 | 4, data);
  }

  const transactionalId = f['transactional-id'] ?? producerProps['transactional.id'];
  let transaction: { transactionalId: string; size?: number; timeoutMs: number } | undefined;
  if (transactionalId !== undefined) {
    if (transactionalId === '')
      throw new KtoolError('Invalid transactional.id: it must not be empty', { code: 'INVALID_CONFIG' });
    const txns = await import('../../client/transactions.js');
    Object.assign(producer, txns.transactionalProducerOptions(producer, producerProps));
    transaction = {
      transactionalId,
      size: f['transaction-size'],
      timeoutMs: txns.transactionTimeoutFrom(producerProps),
    };
  } else if (f['transaction-size'] !== undefined) {
    throw new KtoolError('--transaction-size needs --transactional-id (or transactional.id in --producer-property)', {
      exitCode: 1,
    });
  }
  ops.checkProducerOptions(producer);
  // SIGTERM as SIGINT: stop reading, deliver what was read, report, exit. Installed before
  // connecting, so a signal that arrives while connecting still ends the tool this way.
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const settings = await resolveSettings({
    ...settingsInput(f),
    bootstrapServer: f['bootstrap-server'] ?? f['broker-list'],
    properties: producerProps,
    propertiesOrigin: '--producer-property/--producer.config',
    knownKeys: ops.PRODUCER_KEYS,
  });
  const serializers = await schemaSerializers(f, settings.properties);
  const cluster = await connect(settings);
  const stdinTty = process.stdin.isTTY === true;
  const showProgress = !stdinTty && process.stderr.isTTY === true && !host.jsonEnabled();
  let lastDraw = 0;
  try {
    const result = await ops.produceFromStream(
      cluster,
      ops.standardInput(),
      {
        topic: f.topic,
        partition: f.partition,
        input: f.input as 'lines' | 'jsonl',
        reader,
        producer,
        sync: f.sync === true,
        serialize: serializers,
        transaction,
        prompt: stdinTty && process.stdout.isTTY === true && !host.jsonEnabled(),
        progress: showProgress
          ? (read, total) => {
              const now = Date.now();
              if (now - lastDraw < 200 && read < total) return;
              lastDraw = now;
              const pct = Math.floor((read / total) * 100);
              const width = 30;
              const done = Math.round((pct / 100) * width);
              process.stderr.write(
                `\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${pct}% ${(read / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MB`,
              );
              if (read >= total) process.stderr.write('\n');
            }
          : undefined,
      },
      abort.signal,
    );
    const json: ConsoleProducerJson = {
      topic: result.topic,
      linesRead: result.linesRead,
      sent: result.sent,
      failed: result.failed,
      failures: result.failures.map((x) => ({
        line: x.seq,
        partition: x.partition,
        error: x.error,
        message: x.message,
      })),
      parseError: result.parseError ?? null,
      ...(result.transaction ? { transaction: result.transaction } : {}),
    };
    // A transaction that did not commit is one error: what was read is not in the topic.
    if (result.transaction?.error)
      throw new KtoolError(result.transaction.error, { code: result.transaction.code ?? 'TRANSACTION_ABORTED' });
    if (!host.jsonEnabled()) {
      if (stdinTty && process.stdout.isTTY) process.stdout.write('\n');
      for (const x of result.failures.slice(0, 20)) {
        process.stderr.write(
          `ERROR line ${x.seq} was not delivered to ${x.topic}-${x.partition}: ${x.error}${x.message && x.message !== x.error ? `: ${x.message}` : ''}\n`,
        );
      }
      if (result.failures.length > 20) process.stderr.write(`ERROR ... and ${result.failed - 20} more\n`);
      if (result.parseError) process.stderr.write(`ERROR ${result.parseError.message}\n`);
      if (result.failed > 0)
        process.stderr.write(`${result.failed} of ${result.sent + result.failed} records failed\n`);
    }
    if (result.failed > 0 || result.parseError) {
      if (host.jsonEnabled()) host.logJson(json);
      host.exit(1);
    }
    return json;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    cluster.close();
  }
}

/** Loads the schema module only when a schema format is asked for. */
async function schemaSerializers(f: ConsoleProducerFlagValues, properties: Record<string, string>) {
  if (f['value-format'] === undefined && f['key-format'] === undefined) return undefined;
  const schemas = await import('../../schemas/tools.js');
  try {
    return await schemas.createSerializers({
      topic: f.topic,
      url: f['schema-registry-url'],
      properties,
      key: {
        format: f['key-format'],
        schema: f['key-schema'],
        message: f['proto-message'],
      },
      value: {
        format: f['value-format'],
        schema: f['value-schema'],
        message: f['proto-message'],
      },
      strategy: f['subject-strategy'],
      autoRegister: f['auto-register'],
    });
  } catch (err) {
    if (err instanceof schemas.SerdeError) throw new KtoolError(err.message, { exitCode: 1 });
    throw err;
  }
}
