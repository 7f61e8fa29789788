/**
 * ktool transactions, the counterpart of kafka-transactions.sh, run through the base
 * command's runner. Tables go to stdout; a failure is Kafka's one line on stderr
 * ("Failed to ...: <cause>. Enable debug logging for additional detail.") with exit 1.
 */
import { runTool, writeOut, type ToolHost } from '../../cli/runner.js';
import type {
  AbortSpec,
  HangingTransaction,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from '../../ops/transactions.js';
import type { TransactionsAction, TransactionsFlagValues } from './flags.js';

/** The --json document of each command: list, describe, describe-producers, abort, find-hanging. */
export type TransactionsResult =
  | TransactionListing[]
  | TransactionDescription
  | { topic: string; partition: number; producers: ProducerState[] }
  | { aborted: AbortSpec }
  | HangingTransaction[];

export async function runTransactions(
  host: ToolHost,
  action: TransactionsAction,
  flags: TransactionsFlagValues,
): Promise<TransactionsResult | undefined> {
  return runTool(host, flags, async (session): Promise<TransactionsResult> => {
    const [ops, views, { UsageError }] = await Promise.all([
      import('../../ops/transactions.js'),
      import('../../views/transactions.js'),
      import('../../ops/admin-errors.js'),
    ]);
    const json = host.jsonEnabled();
    const required = (name: keyof TransactionsFlagValues): string => {
      const v = flags[name];
      if (v === undefined) throw new UsageError(`argument --${name} is required`);
      return v as string;
    };
    switch (action) {
      case 'list': {
        const duration = ops.parseInteger('--duration-filter', flags['duration-filter'], 64);
        const client = await session.connect();
        let listings;
        try {
          listings = await ops.listTransactions(client, duration);
        } catch (error) {
          throw ops.stepFailed('Failed to list transactions', error);
        }
        if (!json) writeOut(views.listTable(listings));
        return listings;
      }
      case 'describe': {
        const id = required('transactional-id');
        const client = await session.connect();
        let d;
        try {
          d = await ops.describeTransaction(client, id);
        } catch (error) {
          throw ops.stepFailed(`Failed to describe transaction state of transactional-id \`${id}\``, error);
        }
        if (!json) writeOut(views.describeTable(d, Date.now()));
        return d;
      }
      case 'describe-producers': {
        const topic = required('topic');
        const partition = ops.parseInteger('--partition', required('partition'), 32)!;
        const broker = ops.parseInteger('--broker-id', flags['broker-id'], 32);
        const client = await session.connect();
        let producers;
        try {
          producers =
            (await ops.describeProducers(client, [{ topic, partition }], broker)).get(`${topic}-${partition}`) ?? [];
        } catch (error) {
          throw ops.stepFailed(
            `Failed to describe producers for partition ${topic}-${partition} on ${broker === undefined ? 'leader' : `broker ${broker}`}`,
            error,
          );
        }
        if (!json) writeOut(views.producersTable(producers));
        return { topic, partition, producers };
      }
      case 'abort': {
        const topic = required('topic');
        const partition = ops.parseInteger('--partition', required('partition'), 32)!;
        const startOffset = ops.parseInteger('--start-offset', flags['start-offset'], 64);
        const producerId = ops.parseInteger('--producer-id', flags['producer-id'], 64);
        if (startOffset === undefined && producerId === undefined) {
          throw new UsageError(
            'The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)',
          );
        }
        let spec;
        const client = await session.connect();
        if (startOffset === undefined) {
          const producerEpoch = ops.parseInteger('--producer-epoch', flags['producer-epoch'], 16);
          if (producerEpoch === undefined) throw new UsageError('Missing required argument --producer-epoch');
          const coordinatorEpoch = ops.parseInteger('--coordinator-epoch', flags['coordinator-epoch'], 32);
          if (coordinatorEpoch === undefined) throw new UsageError('Missing required argument --coordinator-epoch');
          // Kafka's tool: -1 (no marker yet) becomes 0, which no coordinator epoch is below.
          spec = {
            topic,
            partition,
            producerId: producerId!,
            producerEpoch,
            coordinatorEpoch: Math.max(0, coordinatorEpoch),
          };
        } else {
          spec = await ops.abortSpecAt(client, topic, partition, startOffset);
        }
        await ops.abortTransaction(client, spec);
        return { aborted: spec };
      }
      case 'find-hanging': {
        const broker = ops.parseInteger('--broker-id', flags['broker-id'], 32);
        const partition = ops.parseInteger('--partition', flags.partition, 32);
        if (flags.topic === undefined && broker === undefined) {
          throw new UsageError(
            'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search',
          );
        }
        if (partition !== undefined && flags.topic === undefined)
          throw new UsageError('The --partition argument requires --topic to be provided');
        const minutes = ops.parseInteger('--max-transaction-timeout', flags['max-transaction-timeout'], 32) ?? 15;
        const client = await session.connect();
        const now = Date.now();
        const hanging = await ops.findHanging(
          client,
          { topic: flags.topic, partition, brokerId: broker },
          minutes * 60_000,
          now,
        );
        if (!json) writeOut(views.hangingTable(hanging, now));
        return hanging;
      }
    }
  });
}
