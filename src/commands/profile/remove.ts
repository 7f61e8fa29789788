// ktool profile remove NAME: delete a saved connection profile.
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';

export interface ProfileRemoveResult {
  removed: string;
  current: string | null;
}

export default class ProfileRemove extends BaseCommand<typeof ProfileRemove> {
  static override summary = 'Delete a saved profile.';

  static override description =
    'Removes the profile from profiles.json. Removing the current profile leaves no current profile.';

  static override examples = ['<%= config.bin %> <%= command.id %> old-cluster'];

  static override args = {
    name: Args.string({ description: 'Profile name.', required: true }),
  };

  public async run(): Promise<ProfileRemoveResult> {
    const { removeProfile } = await import('../../connection/profiles.js');
    const store = await removeProfile(this.args.name);
    this.log(`Removed profile "${this.args.name}".`);
    return { removed: this.args.name, current: store.current };
  }
}
