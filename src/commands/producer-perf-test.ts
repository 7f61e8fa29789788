// ktool producer-perf-test: kafka-producer-perf-test.sh on the fast produce path.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags, settingsInput } from '../cli/connection-flags.js';
import { KtoolError } from '../errors.js';
import { parseKeyValues } from '../cli/flags.js';

const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The --json document: Kafka's summary line as numbers, and each reporting window. */
export type ProducerPerfTestJson = import('../ops/producer-perf.js').PerfSummary & {
  windows: Array<import('../ops/producer-perf.js').PerfWindow>;
};

export default class ProducerPerfTest extends BaseCommand<typeof ProducerPerfTest> {
  static override summary = 'Measure produce throughput and latency (kafka-producer-perf-test.sh).';

  static override description = `To enable transactions, give a transactional id (--transactional-id, or transactional.id in --producer-props or --producer.config) or a --transaction-duration-ms: a transaction is committed each time it is that old (default 3000 ms), as in Kafka 3.9.

Sends --num-records records of --record-size bytes (or lines of --payload-file) and prints a line every 5 seconds and Kafka's summary line at the end: records/sec, MB/sec, average and maximum latency, and the 50th, 95th, 99th and 99.9th percentiles. Latency runs from handing a record to the producer to its acknowledgement.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic perf --num-records 1000000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1',
  ];

  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ description: 'The topic to produce to.', required: true, helpValue: '<topic>' }),
    'num-records': Flags.integer({ description: 'How many records to send.', required: true, min: 1 }),
    'record-size': Flags.integer({
      description: 'The size of each record in bytes.',
      min: 0,
      exclusive: ['payload-file'],
    }),
    'payload-file': Flags.string({
      description: 'Send records picked at random from this file, split by --payload-delimiter.',
      helpValue: '<file>',
    }),
    'payload-delimiter': Flags.string({
      description: 'What separates payloads in --payload-file. Default: a newline.',
      default: '\\n',
    }),
    throughput: Flags.integer({
      description: 'Records per second to aim for; -1 for as fast as possible.',
      required: true,
    }),
    'producer-props': Flags.string({
      description: 'Producer properties, key=value (several may follow the flag).',
      multiple: true,
      helpValue: '<key=value>',
    }),
    'producer.config': Flags.string({ description: 'A properties file of producer settings.', helpValue: '<file>' }),
    'print-metrics': Flags.boolean({ description: "Print the producer's counters at the end." }),
    'transactional-id': Flags.string({
      description:
        'The transactional id to use; wins over transactional.id in --producer-props or --producer.config. With only --transaction-duration-ms it is performance-producer- and a random uuid.',
      helpValue: '<id>',
    }),
    'transaction-duration-ms': Flags.string({
      description:
        'The max age of each transaction: commitTransaction is called after this time has elapsed. Greater than 0; default 3000 when transactions are on.',
      helpValue: '<ms>',
    }),
    'reporting-interval': Flags.integer({
      description: 'Milliseconds between progress lines. Default 5000.',
      min: 1,
      default: 5000,
    }),
  };

  public async run(): Promise<ProducerPerfTestJson> {
    const f = this.flags;
    const durationArg = f['transaction-duration-ms'];
    if (durationArg !== undefined && !/^-?\d+$/.test(durationArg.trim())) {
      throw new KtoolError(`argument --transaction-duration-ms: could not convert '${durationArg}' to Long`, {
        exitCode: 1,
      });
    }
    if (durationArg !== undefined && Number(durationArg) <= 0)
      throw new KtoolError('--transaction-duration-ms should be greater than zero', { exitCode: 1 });
    if (f['record-size'] === undefined && f['payload-file'] === undefined) {
      throw new KtoolError('Either --record-size or --payload-file must be specified but not both.', { exitCode: 1 });
    }
    const [{ resolveSettings, readPropertiesFile }, { connect }, ops, cp] = await Promise.all([
      import('../connection/settings.js'),
      import('../connection/client.js'),
      import('../ops/producer-perf.js'),
      import('../ops/console-producer.js'),
    ]);
    const fileProps = f['producer.config'] ? (await readPropertiesFile(f['producer.config'])).properties : {};
    const props = { ...fileProps, ...parseKeyValues(f['producer-props'], 'producer-props') };
    let payload: Buffer | Buffer[] | undefined;
    if (f['payload-file'] !== undefined) {
      const delimiter = f['payload-delimiter'].replace(/\\n/g, '\n').replace(/\\t/g, '\t');
      const text = await readFile(f['payload-file'], 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new KtoolError(`Cannot read payload file ${f['payload-file']}: ${err.code ?? err.message}`);
      });
      payload = text
        .split(delimiter)
        .filter((s) => s.length > 0)
        .map((s) => Buffer.from(s, 'utf8'));
      if (payload.length === 0) throw new KtoolError(`File ${f['payload-file']} has no payloads`);
      if (!this.jsonEnabled())
        process.stdout.write(
          `Reading payloads from: ${f['payload-file']}\nNumber of messages read: ${payload.length}\n`,
        );
    }
    let producer: Partial<import('../client/producer-config.js').ProducerOptions> = {
      acks: -1,
      lingerMs: 0,
      ...cp.producerOptionsFromProperties(props),
    };
    // Kafka 3.9: any of the three turns transactions on; the flag's id wins over the properties'.
    let transaction: { transactionalId: string; durationMs: number; timeoutMs: number } | undefined;
    if (durationArg !== undefined || f['transactional-id'] !== undefined || props['transactional.id'] !== undefined) {
      const txns = await import('../client/transactions.js');
      const transactionalId =
        f['transactional-id'] ?? props['transactional.id'] ?? `performance-producer-${randomUUID()}`;
      if (transactionalId === '')
        throw new KtoolError('Invalid transactional.id: it must not be empty', { code: 'INVALID_CONFIG' });
      producer = txns.transactionalProducerOptions(producer, props);
      transaction = {
        transactionalId,
        durationMs: durationArg !== undefined ? Number(durationArg) : 3000,
        timeoutMs: txns.transactionTimeoutFrom(props),
      };
    }
    if (f['record-size'] !== undefined) {
      // Refused before a byte is allocated, as Kafka's producer refuses it on send.
      const serialized = ops.serializedRecordSize(f['record-size']);
      const maxRequestSize = producer.maxRequestSize ?? 1048576;
      if (serialized > maxRequestSize) {
        throw new KtoolError(
          `The message is ${serialized} bytes when serialized which is larger than ${maxRequestSize}, which is the value of the max.request.size configuration.`,
          { code: 'RECORD_TOO_LARGE' },
        );
      }
    }
    if (payload === undefined) payload = ops.randomPayload(f['record-size']!);
    const codec = props['compression.type'] ?? 'none';
    if (!(codec in CODECS)) throw new KtoolError(`Invalid value ${codec} for configuration compression.type`);
    producer.compression = CODECS[codec];
    if (producer.compression !== 0) {
      const codecs = await import('../codecs/index.js');
      producer.compress = (c, data) => codecs.compress(c as 0 | 1 | 2 | 3 | 4, data);
    }
    cp.checkProducerOptions(producer);
    const settings = await resolveSettings({
      ...settingsInput(f),
      bootstrapServer: f['bootstrap-server'] ?? props['bootstrap.servers'],
      properties: props,
      knownKeys: cp.PRODUCER_KEYS,
    });
    const cluster = await connect(settings);
    const json = this.jsonEnabled();
    const windows: Array<import('../ops/producer-perf.js').PerfWindow> = [];
    try {
      const summary = await ops.runProducerPerf(cluster, {
        topic: f.topic,
        numRecords: f['num-records'],
        throughput: f.throughput,
        payload,
        producer,
        reportIntervalMs: f['reporting-interval'],
        transaction,
        onWindow: (w) => {
          windows.push(w);
          if (!json) process.stdout.write(`${ops.formatWindow(w)}\n`);
        },
      });
      if (!json) {
        process.stdout.write(`${ops.formatSummary(summary)}\n`);
        if (f['print-metrics']) {
          process.stdout.write(`\nMetric Name                                             Value\n`);
          process.stdout.write(`producer-metrics:record-send-total                      ${summary.count.toFixed(3)}\n`);
          process.stdout.write(
            `producer-metrics:record-error-total                     ${summary.failed.toFixed(3)}\n`,
          );
          process.stdout.write(
            `producer-metrics:record-send-rate                       ${summary.recordsPerSec.toFixed(3)}\n`,
          );
        }
      }
      if (summary.failed > 0) process.stderr.write(`${summary.failed} records failed\n`);
      return { ...summary, windows };
    } finally {
      cluster.close();
    }
  }
}
