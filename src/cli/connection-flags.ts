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

export interface ConnectionFlagValues {
  'bootstrap-server'?: string;
  'command-config'?: string;
  profile?: string;
}

/** The SettingsInput for parsed connection flags. */
export function settingsInput(flags: ConnectionFlagValues): {
  bootstrapServer?: string;
  commandConfig?: string;
  profile?: string;
} {
  return {
    bootstrapServer: flags['bootstrap-server'],
    commandConfig: flags['command-config'],
    profile: flags.profile,
  };
}
