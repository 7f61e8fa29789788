/**
 * Flags every command that talks to a cluster accepts: where to connect
 * (--bootstrap-server), client properties (--command-config) and a saved
 * profile (--profile). Resolve them with `settingsFromFlags`.
 */
import { Flags } from '@oclif/core';
import { bootstrapServer, commandConfig } from './flags.js';

/** `--profile NAME`: use a saved connection profile (see `ktool profile`). */
export const profile = Flags.string({
  description:
    'Use the connection settings of a saved profile (see "ktool profile"). Without it, the current profile applies when no bootstrap server is given.',
  helpValue: '<name>',
});

export const connectionFlags = {
  'bootstrap-server': bootstrapServer,
  'command-config': commandConfig,
  profile,
};

export { settingsInput, type ConnectionFlagValues } from './connection-input.js';
