/**
 * kafka-topics.sh's flags, with Kafka's names and wording, for both forms:
 * `ktool topics --<action>` (topicsModeFlags) and `ktool topics <action>`
 * (topicsFlags[action]).
 */
import { Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';

export type TopicsAction = 'create' | 'list' | 'describe' | 'delete' | 'alter';

const topic = Flags.string({
  description:
    'The topic to act on. Except with --create it is a regular expression matched against whole names, so quote it and escape dots to mean them literally ("orders\\.v1").',
  helpValue: '<topic>',
});
const topicId = Flags.string({ description: 'The topic-id to describe.', helpValue: '<topic-id>' });
const partitions = Flags.string({
  description:
    "Partition count for --create (default: the broker's num.partitions) or the new, larger count for --alter. Adding partitions moves where keyed records land.",
  helpValue: '<# of partitions>',
});
const replicationFactor = Flags.string({
  description: "Replicas per partition for --create (default: the broker's default.replication.factor).",
  helpValue: '<replication factor>',
});
const replicaAssignment = Flags.string({
  description:
    'Broker ids per partition, chosen by hand: partitions separated by commas, replicas within one by colons.',
  helpValue:
    '<broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...>',
});
const config = Flags.string({
  description: 'A topic config for --create, name=value (repeatable). To change configs later, use ktool configs.',
  helpValue: '<name=value>',
  multiple: true,
  multipleNonGreedy: true,
});
const ifExists = Flags.boolean({
  description: 'With --alter, --delete or --describe: do nothing, without an error, when the topic is missing.',
});
const ifNotExists = Flags.boolean({
  description: 'With --create: do nothing, without an error, when the topic already exists.',
});
const excludeInternal = Flags.boolean({
  description: 'Leave out internal topics (such as __consumer_offsets) from --list and --describe.',
});
const underReplicated = Flags.boolean({
  description: 'With --describe: only partitions with fewer in-sync replicas than replicas.',
});
const unavailable = Flags.boolean({ description: 'With --describe: only partitions that have no available leader.' });
const underMinIsr = Flags.boolean({
  description: 'With --describe: only partitions below their min.insync.replicas.',
});
const atMinIsr = Flags.boolean({
  description: 'With --describe: only partitions exactly at their min.insync.replicas.',
});
const withOverrides = Flags.boolean({
  description: 'With --describe: only topics that have config overrides, one line each.',
});
const partitionSizeLimit = Flags.string({
  description: 'How many partitions to ask for per DescribeTopicPartitions request.',
  helpValue: '<maximum number of partitions per response>',
});

export const topicsFlags = {
  create: {
    ...connectionFlags,
    topic,
    partitions,
    'replication-factor': replicationFactor,
    'replica-assignment': replicaAssignment,
    config,
    'if-not-exists': ifNotExists,
  },
  list: { ...connectionFlags, topic, 'exclude-internal': excludeInternal },
  describe: {
    ...connectionFlags,
    topic,
    'topic-id': topicId,
    'exclude-internal': excludeInternal,
    'if-exists': ifExists,
    'under-replicated-partitions': underReplicated,
    'unavailable-partitions': unavailable,
    'under-min-isr-partitions': underMinIsr,
    'at-min-isr-partitions': atMinIsr,
    'topics-with-overrides': withOverrides,
    'partition-size-limit-per-response': partitionSizeLimit,
  },
  delete: { ...connectionFlags, topic, 'if-exists': ifExists },
  alter: {
    ...connectionFlags,
    topic,
    partitions,
    'replica-assignment': replicaAssignment,
    config,
    'if-exists': ifExists,
  },
};

/** Every topics flag, plus the action flags: the `ktool topics --<action>` form. */
export const topicsModeFlags = {
  ...topicsFlags.create,
  ...topicsFlags.list,
  ...topicsFlags.describe,
  ...topicsFlags.delete,
  ...topicsFlags.alter,
  list: Flags.boolean({ description: 'Print the topic names.' }),
  create: Flags.boolean({ description: 'Create the topic.' }),
  delete: Flags.boolean({ description: 'Delete the matching topics.' }),
  alter: Flags.boolean({
    description: 'Add partitions to the matching topics (configs are changed with ktool configs).',
  }),
  describe: Flags.boolean({
    description: 'Show partitions, leaders, replicas and config overrides of the matching topics.',
  }),
};

/** Parsed values of any topics command (absent flags are undefined/false). */
export interface TopicsFlagValues {
  'bootstrap-server'?: string;
  'command-config'?: string;
  profile?: string;
  topic?: string;
  'topic-id'?: string;
  partitions?: string;
  'replication-factor'?: string;
  'replica-assignment'?: string;
  config?: string[];
  'if-exists'?: boolean;
  'if-not-exists'?: boolean;
  'exclude-internal'?: boolean;
  'under-replicated-partitions'?: boolean;
  'unavailable-partitions'?: boolean;
  'under-min-isr-partitions'?: boolean;
  'at-min-isr-partitions'?: boolean;
  'topics-with-overrides'?: boolean;
  'partition-size-limit-per-response'?: string;
  list?: boolean;
  create?: boolean;
  describe?: boolean;
  delete?: boolean;
  alter?: boolean;
}
