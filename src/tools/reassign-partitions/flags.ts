/**
 * kafka-reassign-partitions.sh's flags: one action (--generate, --execute, --verify, --cancel,
 * --list) and the files and options each takes.
 */
import { Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';

export const reassignPartitionsFlags = {
  ...connectionFlags,
  'bootstrap-controller': Flags.string({
    description: 'The controllers to use for reassignment (not supported by ktool: use --bootstrap-server).',
    helpValue: '<host:port>',
  }),
  generate: Flags.boolean({
    description:
      'Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it.',
  }),
  execute: Flags.boolean({
    description: 'Kick off the reassignment as specified by the --reassignment-json-file option.',
  }),
  verify: Flags.boolean({
    description:
      'Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed',
  }),
  cancel: Flags.boolean({
    description: 'Cancel an active reassignment. Only partitions named in the --reassignment-json-file are cancelled.',
  }),
  list: Flags.boolean({ description: 'List all active partition reassignments.' }),
  'reassignment-json-file': Flags.string({
    description:
      'The JSON file with the partition reassignment configuration, e.g. {"partitions": [{"topic": "foo", "partition": 1, "replicas": [1,2,3], "log_dirs": ["any","any","any"]}], "version": 1}',
    helpValue: '<manual assignment json file path>',
  }),
  'topics-to-move-json-file': Flags.string({
    description:
      'Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option, e.g. {"topics": [{"topic": "foo"}, {"topic": "foo1"}], "version": 1}',
    helpValue: '<topics to reassign json file path>',
  }),
  'broker-list': Flags.string({
    description: 'The list of brokers to which the partitions need to be reassigned in the form "0,1,2".',
    helpValue: '<brokerlist>',
  }),
  'disable-rack-aware': Flags.boolean({ description: 'Disable rack aware replica assignment' }),
  throttle: Flags.string({
    description:
      'The movement of partitions between brokers will be throttled to this value (bytes/sec). ktool accepts it and does not throttle.',
    helpValue: '<throttle>',
  }),
  'replica-alter-log-dirs-throttle': Flags.string({
    description:
      'The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). Accepted, not applied.',
    helpValue: '<replicaAlterLogDirsThrottle>',
  }),
  timeout: Flags.string({
    description: 'The maximum time in ms to wait for log directory replica assignment to begin.',
    helpValue: '<timeout>',
  }),
  additional: Flags.boolean({ description: 'Execute this reassignment in addition to any other ongoing ones.' }),
  'preserve-throttles': Flags.boolean({
    description: 'Do not modify broker or topic throttles.',
  }),
};
