// ktool console-producer: kafka-console-producer.sh, reading stdin as a stream.
// The flags; the tool itself is tools/console-producer/run.ts.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { CODECS, runConsoleProducer, type ConsoleProducerJson } from '../tools/console-producer/run.js';

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

export type { ConsoleProducerJson };

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
    return runConsoleProducer(
      { jsonEnabled: () => this.jsonEnabled(), logJson: (v) => this.logJson(v), exit: (code) => this.exit(code) },
      this.flags,
    );
  }
}
