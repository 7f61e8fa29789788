// ktool profile use NAME | --none: choose the current connection profile.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { KtoolError } from '../../errors.js';

export interface ProfileUseResult {
  current: string | null;
}

export default class ProfileUse extends BaseCommand<typeof ProfileUse> {
  static override summary = 'Make a profile the current one.';

  static override description =
    'The current profile supplies the bootstrap servers and client properties of every command that is given no bootstrap server (no --bootstrap-server, $KAFKA_BOOTSTRAP_SERVERS or bootstrap.servers in --command-config). --none clears it, so such commands use localhost:9092 again.';

  static override examples = ['<%= config.bin %> <%= command.id %> prod', '<%= config.bin %> <%= command.id %> --none'];

  static override args = {
    name: Args.string({ description: 'Profile name.', required: false }),
  };

  static override flags = {
    none: Flags.boolean({ description: 'Clear the current profile.' }),
  };

  public async run(): Promise<ProfileUseResult> {
    const { useProfile } = await import('../../connection/profiles.js');
    if (this.flags.none && this.args.name !== undefined) {
      throw new KtoolError('Give a profile name or --none, not both', { code: 'INVALID_ARGUMENTS', exitCode: 2 });
    }
    if (!this.flags.none && this.args.name === undefined) {
      throw new KtoolError('Missing profile name (or --none to clear the current profile)', {
        code: 'INVALID_ARGUMENTS',
        exitCode: 2,
      });
    }
    const name = this.flags.none ? null : this.args.name!;
    await useProfile(name);
    this.log(name === null ? 'No current profile.' : `Switched to profile "${name}".`);
    return { current: name };
  }
}
