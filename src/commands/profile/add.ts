/**
 * ktool profile add NAME --bootstrap-server HOST:PORT [--command-config FILE] [--property k=v ...]
 *
 * Saves a named connection profile (bootstrap servers + client properties)
 * in the user's config directory, file mode 0600.
 */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { KtoolError } from '../../errors.js';
import { bootstrapServer, commandConfig, parseKeyValues } from '../../cli/flags.js';

export interface ProfileAddResult {
  name: string;
  current: boolean;
  path: string;
  bootstrapServers: string;
  /** Secret values masked. */
  properties: Record<string, string>;
}

const PATH_KEYS = [
  'ssl.ca.location',
  'ssl.truststore.location',
  'ssl.keystore.location',
  'ssl.certificate.location',
  'ssl.key.location',
];

export default class ProfileAdd extends BaseCommand<typeof ProfileAdd> {
  static override summary = 'Save a named connection profile.';

  static override description = `Stores a bootstrap server list and client properties (security, SASL, TLS, timeouts) under a name, in $XDG_CONFIG_HOME/ktool/profiles.json (default ~/.config/ktool/profiles.json, mode 0600). Properties come from --command-config (a Kafka client .properties file) and --property key=value (which wins). Relative certificate paths are stored as absolute paths.

Use a profile with --profile NAME on any command, or make it current with "ktool profile use NAME" (or --use here): the current profile applies when a command is given no bootstrap server.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> local --bootstrap-server localhost:9092',
    '<%= config.bin %> <%= command.id %> prod --bootstrap-server b1:9093,b2:9093 --command-config prod-client.properties --use',
    '<%= config.bin %> <%= command.id %> dev --bootstrap-server dev:9092 --property request.timeout.ms=5000',
  ];

  static override args = {
    name: Args.string({ description: 'Profile name (letters, digits, ".", "_", "-").', required: true }),
  };

  static override flags = {
    'bootstrap-server': bootstrapServer,
    'command-config': commandConfig,
    property: Flags.string({
      description: 'A client property key=value (repeatable); overrides --command-config.',
      helpValue: '<key=value>',
      multiple: true,
      multipleNonGreedy: true,
    }),
    use: Flags.boolean({ description: 'Make it the current profile.' }),
    force: Flags.boolean({ description: 'Replace an existing profile of that name.' }),
  };

  public async run(): Promise<ProfileAddResult> {
    const { readPropertiesFile, resolveSettings } = await import('../../connection/settings.js');
    const profiles = await import('../../connection/profiles.js');
    const { maskProperties } = await import('../../connection/redact.js');
    const { resolve } = await import('node:path');
    profiles.validateProfileName(this.args.name);

    const fromCli = parseKeyValues(this.flags.property, 'property');
    const file =
      this.flags['command-config'] === undefined ? undefined : await readPropertiesFile(this.flags['command-config']);
    const properties: Record<string, string> = { ...(file?.properties ?? {}), ...fromCli };
    const servers = (this.flags['bootstrap-server'] ?? properties['bootstrap.servers'] ?? '').trim();
    if (servers === '') {
      throw new KtoolError(
        'A profile needs a bootstrap server: give --bootstrap-server or bootstrap.servers in --command-config',
        {
          code: 'INVALID_ARGUMENTS',
          exitCode: 2,
        },
      );
    }
    delete properties['bootstrap.servers'];
    for (const key of PATH_KEYS) if (properties[key] !== undefined) properties[key] = resolve(properties[key]);

    // Validate everything a command would (and warn about unknown keys) without connecting.
    await resolveSettings({
      bootstrapServer: servers,
      commandConfig: this.flags['command-config'],
      properties: fromCli,
      propertiesOrigin: '--property',
      env: {},
      warn: (line) => this.note(line),
    });

    const store = await profiles.addProfile(
      this.args.name,
      { bootstrapServers: servers, properties },
      { force: this.flags.force, use: this.flags.use },
    );
    const current = store.current === this.args.name;
    this.log(`Added profile "${this.args.name}".`);
    if (current) this.log(`Switched to profile "${this.args.name}".`);
    return {
      name: this.args.name,
      current,
      path: profiles.profilesPath(),
      bootstrapServers: servers,
      properties: maskProperties(properties),
    };
  }
}
