/**
 * kafka-metadata-quorum.sh's flags: one of --bootstrap-server / --bootstrap-controller, the
 * `describe` subcommand with --status or --replication (and --human-readable).
 */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';
import { bootstrapServer, commandConfig } from '../../cli/flags.js';

export const metadataQuorumArgs = {
  command: Args.string({ description: 'The subcommand: describe.', required: false }),
};

export const metadataQuorumFlags = {
  ...connectionFlags,
  'bootstrap-server': Flags.string({
    description: bootstrapServer.description,
    helpValue: bootstrapServer.helpValue,
  }),
  'bootstrap-controller': Flags.string({
    description:
      'A comma-separated list of host:port pairs of the controllers (their CONTROLLER listeners) to ask instead of a broker.',
    helpValue: '<host:port>',
  }),
  'command-config': Flags.string({ description: commandConfig.description, helpValue: commandConfig.helpValue }),
  status: Flags.boolean({
    description:
      'A short summary of the quorum status and the other provides detailed information about the status of replication.',
  }),
  replication: Flags.boolean({ description: 'Detailed information about the status of replication' }),
  'human-readable': Flags.boolean({ description: 'Human-readable output' }),
};
