/**
 * kafka-leader-election.sh's flags: --election-type, and one of --topic (with --partition),
 * --all-topic-partitions or --path-to-json-file. --admin.config is its name for the admin
 * client's properties file (ktool's --command-config).
 */
import { Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';

export const leaderElectionFlags = {
  ...connectionFlags,
  'admin.config': Flags.string({
    description: 'Configuration properties files to pass to the admin client',
    helpValue: '<config file>',
  }),
  'path-to-json-file': Flags.string({
    description:
      'The JSON file with the list of partitions for which leader elections should be performed, e.g. {"partitions": [{"topic": "foo", "partition": 1}]}. Not allowed if --all-topic-partitions or --topic flags are specified.',
    helpValue: '<Path to JSON file>',
  }),
  topic: Flags.string({
    description:
      'Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.',
    helpValue: '<topic name>',
  }),
  partition: Flags.string({
    description: 'Partition id for which to perform an election. REQUIRED if --topic is specified.',
    helpValue: '<partition id>',
  }),
  'all-topic-partitions': Flags.boolean({
    description:
      'Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified.',
  }),
  'election-type': Flags.string({
    description:
      'Type of election to attempt: "preferred" (only where the current leader is not the preferred replica) or "unclean" (only where a partition has no leader). REQUIRED.',
    helpValue: '<election type>',
  }),
};
