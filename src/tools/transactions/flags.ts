// kafka-transactions.sh's flags, for `ktool transactions <command>`.
import { Flags } from '@oclif/core';
import { connectionFlags, type ConnectionFlagValues } from '../../cli/connection-flags.js';

export type TransactionsAction = 'list' | 'describe' | 'describe-producers' | 'abort' | 'find-hanging';

const topic = Flags.string({ description: 'Topic name.', helpValue: '<topic>' });
const partition = Flags.string({ description: 'Partition number.', helpValue: '<partition>' });
const brokerId = Flags.string({ description: 'A broker id.', helpValue: '<broker id>' });

export const transactionsFlags = {
  list: {
    ...connectionFlags,
    'duration-filter': Flags.string({
      description:
        'Duration (in millis) to filter by: if < 0, all transactions are returned; otherwise only transactions running longer than this.',
      helpValue: '<ms>',
    }),
  },
  describe: {
    ...connectionFlags,
    'transactional-id': Flags.string({ description: 'Transactional id (required).', helpValue: '<id>' }),
  },
  'describe-producers': {
    ...connectionFlags,
    topic,
    partition,
    'broker-id': Flags.string({
      description: 'Optional broker id to describe the producer state on a specific replica.',
      helpValue: '<broker id>',
    }),
  },
  abort: {
    ...connectionFlags,
    topic,
    partition,
    'start-offset': Flags.string({
      description: 'Start offset of the transaction to abort (brokers on 3.0 or above).',
      helpValue: '<offset>',
    }),
    'producer-id': Flags.string({ description: 'Producer id (brokers older than 3.0).', helpValue: '<id>' }),
    'producer-epoch': Flags.string({ description: 'Producer epoch (brokers older than 3.0).', helpValue: '<epoch>' }),
    'coordinator-epoch': Flags.string({
      description: 'Coordinator epoch (brokers older than 3.0).',
      helpValue: '<epoch>',
    }),
  },
  'find-hanging': {
    ...connectionFlags,
    'broker-id': brokerId,
    'max-transaction-timeout': Flags.string({
      description: 'Maximum transaction timeout in minutes to limit the scope of the search (15 minutes by default).',
      helpValue: '<minutes>',
    }),
    topic: Flags.string({
      description: 'Topic name to limit the search to (required if --partition is given).',
      helpValue: '<topic>',
    }),
    partition,
  },
};

export interface TransactionsFlagValues extends ConnectionFlagValues {
  'duration-filter'?: string;
  'transactional-id'?: string;
  topic?: string;
  partition?: string;
  'broker-id'?: string;
  'start-offset'?: string;
  'producer-id'?: string;
  'producer-epoch'?: string;
  'coordinator-epoch'?: string;
  'max-transaction-timeout'?: string;
}
