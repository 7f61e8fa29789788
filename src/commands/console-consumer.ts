// ktool console-consumer: kafka-console-consumer.sh, plus time ranges, filters and JSON lines.
// The flags; the tool itself is tools/console-consumer/run.ts.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { runConsoleConsumer, type ConsoleConsumerJson } from '../tools/console-consumer/run.js';

export type { ConsoleConsumerJson };

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
    return runConsoleConsumer({ jsonEnabled: () => this.jsonEnabled(), note: (line) => this.note(line) }, this.flags);
  }
}
