/**
 * What the `ktool cluster` subcommands share: kafka-cluster.sh's connection
 * flags, -b/--bootstrap-server and -c/--config (ktool's --command-config,
 * which is also accepted).
 */
import { Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';
import { bootstrapServer, commandConfig } from '../../cli/flags.js';

export const clusterFlags = {
  ...connectionFlags,
  'bootstrap-server': Flags.string({
    description: bootstrapServer.description,
    helpValue: bootstrapServer.helpValue,
    char: 'b',
  }),
  'command-config': Flags.string({
    description: commandConfig.description,
    helpValue: commandConfig.helpValue,
    char: 'c',
    aliases: ['config'],
  }),
};
