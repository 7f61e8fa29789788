// ktool consumer-perf-test: kafka-consumer-perf-test.sh on the fast fetch path.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags, settingsInput } from '../cli/connection-flags.js';
import { KtoolError } from '../errors.js';

/** The --json document: Kafka's summary row as numbers. */
export interface ConsumerPerfTestJson {
  start: number;
  end: number;
  messages: number;
  bytes: number;
  rebalanceMs: number;
  fetchMs: number;
  mb: number;
  mbPerSec: number;
  messagesPerSec: number;
}

export default class ConsumerPerfTest extends BaseCommand<typeof ConsumerPerfTest> {
  static override summary = 'Measure consume throughput (kafka-consumer-perf-test.sh).';

  static override description = `Reads --messages records from every partition of --topic and prints Kafka's CSV-style report: start and end time, MB and records consumed, their rates, and the fetch-only rates. --show-detailed-stats prints a row every --reporting-interval instead. Partitions are read directly, so rebalance.time.ms is 0.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic perf --messages 1000000',
  ];

  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ description: 'The topic to read.', required: true, helpValue: '<topic>' }),
    messages: Flags.integer({ description: 'How many records to read.', required: true, min: 1 }),
    group: Flags.string({
      description: 'Accepted for compatibility; offsets are not committed.',
      helpValue: '<group id>',
    }),
    'fetch-size': Flags.integer({
      description: 'Bytes to fetch per partition per request. Default 1048576.',
      min: 1,
      default: 1048576,
    }),
    'from-latest': Flags.boolean({ description: 'Start at the end of each partition instead of the beginning.' }),
    timeout: Flags.integer({
      description: 'Give up after this many ms without a record. Default 10000.',
      min: 1,
      default: 10000,
    }),
    'reporting-interval': Flags.integer({
      description: 'Milliseconds between rows with --show-detailed-stats. Default 5000.',
      min: 1,
      default: 5000,
    }),
    'show-detailed-stats': Flags.boolean({ description: 'Print a row per reporting interval.' }),
    'hide-header': Flags.boolean({ description: 'Leave out the header row.' }),
    'date-format': Flags.string({
      description: 'Java-style date format for the times. Default yyyy-MM-dd HH:mm:ss:SSS.',
      default: 'yyyy-MM-dd HH:mm:ss:SSS',
    }),
    'consumer.config': Flags.string({ description: 'A properties file of consumer settings.', helpValue: '<file>' }),
    'print-metrics': Flags.boolean({ description: "Print the consumer's counters at the end." }),
    threads: Flags.integer({ description: 'Accepted for compatibility; ignored.', hidden: true }),
    'num-fetch-threads': Flags.integer({ description: 'Accepted for compatibility; ignored.', hidden: true }),
    'socket-buffer-size': Flags.integer({ description: 'Accepted for compatibility; ignored.', hidden: true }),
  };

  public async run(): Promise<ConsumerPerfTestJson> {
    const f = this.flags;
    const [{ resolveSettings, readPropertiesFile }, { connect }, { Fetcher }, { decompress }, view] = await Promise.all(
      [
        import('../connection/settings.js'),
        import('../connection/client.js'),
        import('../client/fetcher.js'),
        import('../codecs/index.js'),
        import('../views/perf.js'),
      ],
    );
    const props = f['consumer.config'] ? (await readPropertiesFile(f['consumer.config'])).properties : {};
    const settings = await resolveSettings({ ...settingsInput(f), properties: props });
    const cluster = await connect(settings);
    const json = this.jsonEnabled();
    const out = (line: string) => {
      if (!json) process.stdout.write(line + '\n');
    };
    try {
      const md = await cluster.refreshMetadata([f.topic], { allowAutoTopicCreation: false });
      const t = md.topics.get(f.topic);
      if (!t || t.errorCode !== 0)
        throw new KtoolError(`Topic ${f.topic} does not exist`, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
      const fetcher = new Fetcher(cluster, {
        partitionMaxBytes: f['fetch-size'],
        maxWaitMs: 500,
        resetPolicy: f['from-latest'] ? 'latest' : 'earliest',
        decompress: (c, d) => decompress(c as 0 | 1 | 2 | 3 | 4, d),
      });
      await fetcher.assign(
        t.partitions.map((p) => ({
          topic: f.topic,
          partition: p.partition,
          offset: f['from-latest'] ? ('latest' as const) : ('earliest' as const),
        })),
      );
      if (!f['hide-header']) out(view.consumerPerfHeader(f['show-detailed-stats']));
      const start = Date.now();
      let messages = 0;
      let bytes = 0;
      let lastRecordAt = Date.now();
      let lastReport = start;
      let lastMessages = 0;
      let lastBytes = 0;
      while (messages < f.messages && Date.now() - lastRecordAt < f.timeout) {
        for (const b of await fetcher.poll()) {
          // Each read of a fetched batch's records decodes it again: read once.
          const records = b.records;
          for (const r of records) {
            messages++;
            bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
            if (messages >= f.messages) break;
          }
          if (records.length > 0) lastRecordAt = Date.now();
          if (messages >= f.messages) break;
        }
        const now = Date.now();
        if (f['show-detailed-stats'] && now - lastReport >= f['reporting-interval']) {
          out(
            view.consumerPerfDetailRow({
              time: now,
              fmt: f['date-format'],
              bytes: bytes - lastBytes,
              messages: messages - lastMessages,
              elapsedMs: now - lastReport,
              totalBytes: bytes,
              totalMessages: messages,
            }),
          );
          lastReport = now;
          lastMessages = messages;
          lastBytes = bytes;
        }
      }
      fetcher.stop();
      const end = Date.now();
      if (messages < f.messages) {
        process.stderr.write(
          `WARNING: Exiting before consuming the expected number of messages: timeout (${f.timeout} ms) exceeded. You can use the --timeout option to increase the timeout.\n`,
        );
      }
      const result = { start, end, messages, bytes, rebalanceMs: 0, fetchMs: end - start };
      if (!f['show-detailed-stats']) out(view.consumerPerfRow(result, f['date-format']));
      if (f['print-metrics'])
        out(
          `\nMetric Name                                             Value\nconsumer-fetch-manager-metrics:records-consumed-total   ${messages.toFixed(3)}\nconsumer-fetch-manager-metrics:bytes-consumed-total     ${bytes.toFixed(3)}`,
        );
      return {
        ...result,
        mb: bytes / 1048576,
        mbPerSec: bytes / 1048576 / ((end - start) / 1000),
        messagesPerSec: messages / ((end - start) / 1000),
      };
    } finally {
      cluster.close();
    }
  }
}
