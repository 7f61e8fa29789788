// ktool console-producer: kafka-console-producer.sh, reading stdin as a stream.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags, settingsInput } from '../cli/connection-flags.js';
import { KtoolError } from '../errors.js';
import { parseKeyValues } from '../cli/flags.js';

const FORMATS = ['avro', 'protobuf', 'json-schema', 'string', 'bytes', 'auto'];
/** Schema registry serialization; the work is in src/schemas/tools.ts. */
const schemaProducerFlags = {
  'value-format': Flags.string({
    description:
      'How each value line is encoded: avro, protobuf or json-schema (JSON in, Confluent wire format out), string or bytes (as is).',
    options: FORMATS,
    helpValue: '<format>',
  }),
  'key-format': Flags.string({
    description: 'How each key is encoded (with --property parse.key=true); as --value-format.',
    options: FORMATS,
    helpValue: '<format>',
  }),
  'value-schema': Flags.string({
    description: 'The value schema: inline text, a file (.avsc, .proto, .json), id:N, or subject:NAME[@version].',
    helpValue: '<schema>',
  }),
  'key-schema': Flags.string({ description: 'The key schema, as --value-schema.', helpValue: '<schema>' }),
  'schema-registry-url': Flags.string({
    description:
      "The schema registry (also schema.registry.url in --command-config). Default http://127.0.0.1:8081, the dev broker's.",
    helpValue: '<url>',
  }),
  'subject-strategy': Flags.string({
    description:
      'How subjects are named: topic (<topic>-value, the default), record (the record name) or topic-record.',
    options: ['topic', 'record', 'topic-record'],
  }),
  'auto-register': Flags.boolean({
    description:
      'Register the schema under its subject if it is new (the default); --no-auto-register only looks it up.',
    allowNo: true,
  }),
  'proto-message': Flags.string({
    description: "The protobuf message to encode (default the schema's first).",
    helpValue: '<name>',
  }),
};

const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
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
  transaction?: import('../ops/console-producer.js').ConsoleTransactionResult;
}

export default class ConsoleProducer extends BaseCommand<typeof ConsoleProducer> {
  static override summary = 'Read records from standard input and send them to a topic (kafka-console-producer.sh).';

  static override description = `Each input line becomes one record. With --property parse.key=true the text before key.separator (a tab unless set) is the key; with parse.headers=true the line starts with headers. Input is streamed with backpressure, so a file of any size runs in bounded memory. On end of input or Ctrl-C everything in flight is flushed first; the exit status is 1 if any record was not delivered, and the lines that failed are named on stderr.

Beyond Kafka: --transactional-id ID sends the input in a transaction (all of it, or one per --transaction-size lines), so a file lands completely or not at all; an interrupt, a line that cannot be parsed or a record that cannot be sent aborts the open transaction and exits 1. --input jsonl reads the records console-consumer --output jsonl writes (lossless, binary-safe), and --partition sends every record to one partition.`;

  static override examples = [
    'cat orders.txt | <%= config.bin %> <%= command.id %> --topic orders --property parse.key=true --property key.separator=:',
    '<%= config.bin %> <%= command.id %> --topic orders --transactional-id orders-loader --transaction-size 1000 < orders.txt',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic events --compression-codec lz4',
    '<%= config.bin %> console-consumer --topic a --from-beginning --until-end --output jsonl | <%= config.bin %> <%= command.id %> --topic b --input jsonl',
  ];

  static override flags = {
    ...connectionFlags,
    'broker-list': Flags.string({
      description: 'Deprecated spelling of --bootstrap-server, kept for old scripts.',
      helpValue: '<host:port>',
    }),
    topic: Flags.string({ description: 'The topic to send records to.', required: true, helpValue: '<topic>' }),
    sync: Flags.boolean({ description: 'Wait for each record to be acknowledged before reading the next line.' }),
    'compression-codec': Flags.string({
      description: 'Compress batches with this codec.',
      options: Object.keys(CODECS),
      helpValue: '<codec>',
    }),
    'batch-size': Flags.integer({
      description: 'Bytes of records per partition batch (batch.size). Default 16384.',
      min: 1,
    }),
    timeout: Flags.integer({
      description: 'How long, in ms, a batch may wait for more records before it is sent (linger.ms). Default 1000.',
      min: 0,
    }),
    'request-required-acks': Flags.string({
      description: 'Acknowledgements the leader must get: -1/all, 0 or 1. Default -1.',
      helpValue: '<acks>',
    }),
    'request-timeout-ms': Flags.integer({
      description: 'How long, in ms, to wait for a produce acknowledgement. Default 1500.',
      min: 1,
    }),
    'message-send-max-retries': Flags.integer({
      description: 'How many times to retry a batch after a retriable error. Default 3.',
      min: 0,
    }),
    'retry-backoff-ms': Flags.integer({ description: 'Wait, in ms, before retrying. Default 100.', min: 0 }),
    'max-block-ms': Flags.integer({
      description: 'How long, in ms, to wait for the topic to appear in metadata. Default 60000.',
      min: 0,
    }),
    'max-memory-bytes': Flags.integer({
      description: 'Bytes of records buffered before input reading pauses (buffer.memory). Default 33554432.',
      min: 1,
    }),
    'max-partition-memory-bytes': Flags.integer({ description: 'Same as --batch-size (batch.size).', min: 1 }),
    'metadata-expiry-ms': Flags.integer({
      description: 'Accepted for compatibility; metadata is refreshed on errors.',
      min: 0,
    }),
    'socket-buffer-size': Flags.integer({ description: 'Accepted for compatibility.', min: 0 }),
    'producer-property': Flags.string({
      description: 'A producer property, key=value (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<key=value>',
    }),
    'producer.config': Flags.string({
      description: 'A properties file of producer settings. --producer-property wins over it.',
      helpValue: '<file>',
    }),
    property: Flags.string({
      description:
        'A line reader property, key=value (repeatable): parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, ignore.error, null.marker.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: '<key=value>',
    }),
    'reader-config': Flags.string({
      description: 'A properties file of line reader settings. --property wins over it.',
      helpValue: '<file>',
    }),
    'line-reader': Flags.string({
      description: "The line reader class. Only Kafka's default LineMessageReader is available.",
      helpValue: '<class>',
    }),
    input: Flags.string({
      description: "Input format: lines (Kafka's) or jsonl (ktool's lossless record format).",
      options: ['lines', 'jsonl'],
      default: 'lines',
    }),
    partition: Flags.integer({ description: 'Send every record to this partition.', min: 0 }),
    'transactional-id': Flags.string({
      description:
        'Send the input in a transaction with this transactional.id (also a --producer-property): committed at end of input, aborted on interrupt or error.',
      helpValue: '<id>',
    }),
    'transaction-size': Flags.integer({
      description:
        'Commit a transaction every this many lines (with --transactional-id). Default: all of the input in one.',
      min: 1,
    }),
    ...schemaProducerFlags,
  };

  public async run(): Promise<ConsoleProducerJson> {
    const f = this.flags;
    const [{ resolveSettings, readPropertiesFile }, { connect }, { lineReaderOptions, LINE_READER_PROPERTIES }, ops] =
      await Promise.all([
        import('../connection/settings.js'),
        import('../connection/client.js'),
        import('../formats/line-reader.js'),
        import('../ops/console-producer.js'),
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
    } as import('../client/producer-config.js').ProducerOptions;
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
      const codecs = await import('../codecs/index.js');
      producer.compress = (codec, data) => codecs.compress(codec as 0 | 1 | 2 | 3 | 4, data);
    }

    const transactionalId = f['transactional-id'] ?? producerProps['transactional.id'];
    let transaction: { transactionalId: string; size?: number; timeoutMs: number } | undefined;
    if (transactionalId !== undefined) {
      if (transactionalId === '')
        throw new KtoolError('Invalid transactional.id: it must not be empty', { code: 'INVALID_CONFIG' });
      const txns = await import('../client/transactions.js');
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
    const showProgress = !stdinTty && process.stderr.isTTY === true && !this.jsonEnabled();
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
          sync: f.sync,
          serialize: serializers,
          transaction,
          prompt: stdinTty && process.stdout.isTTY === true && !this.jsonEnabled(),
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
      if (!this.jsonEnabled()) {
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
        if (this.jsonEnabled()) this.logJson(json);
        this.exit(1);
      }
      return json;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      cluster.close();
    }
  }
}

/** Loads the schema module only when a schema format is asked for. */
async function schemaSerializers(f: Record<string, unknown>, properties: Record<string, string>) {
  if (f['value-format'] === undefined && f['key-format'] === undefined) return undefined;
  const schemas = await import('../schemas/tools.js');
  try {
    return await schemas.createSerializers({
      topic: f.topic as string,
      url: f['schema-registry-url'] as string | undefined,
      properties,
      key: {
        format: f['key-format'] as string | undefined,
        schema: f['key-schema'] as string | undefined,
        message: f['proto-message'] as string | undefined,
      },
      value: {
        format: f['value-format'] as string | undefined,
        schema: f['value-schema'] as string | undefined,
        message: f['proto-message'] as string | undefined,
      },
      strategy: f['subject-strategy'] as string | undefined,
      autoRegister: f['auto-register'] as boolean | undefined,
    });
  } catch (err) {
    if (err instanceof schemas.SerdeError) throw new KtoolError(err.message, { exitCode: 1 });
    throw err;
  }
}
