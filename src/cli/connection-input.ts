/**
 * Parsed connection flag values and their SettingsInput. Kept apart from the
 * flag definitions (connection-flags.ts) so the runner, and the start-up fast
 * path through it, do not load @oclif/core.
 */

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
