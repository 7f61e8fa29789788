// ktool profile list: the saved connection profiles, secrets masked.
import { BaseCommand } from '../../cli/base-command.js';
import { renderProfileList, type ProfileListResult } from '../../views/profiles.js';

export default class ProfileList extends BaseCommand<typeof ProfileList> {
  static override summary = 'List the saved profiles.';

  static override description =
    'Shows each profile with its bootstrap servers and properties; "*" marks the current profile. Passwords and sasl.jaas.config values are never shown.';

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  public async run(): Promise<ProfileListResult> {
    const { loadProfiles, maskProfile, profilesPath } = await import('../../connection/profiles.js');
    const store = await loadProfiles();
    const profiles = Object.keys(store.profiles)
      .sort()
      .map((name) => {
        const masked = maskProfile(store.profiles[name]!);
        return {
          name,
          current: store.current === name,
          bootstrapServers: masked.bootstrapServers ?? null,
          properties: masked.properties,
        };
      });
    const result = { current: store.current, path: profilesPath(), profiles };
    if (!this.jsonEnabled()) process.stdout.write(renderProfileList(result));
    return result;
  }
}
