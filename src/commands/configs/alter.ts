// ktool configs alter: the subcommand form of kafka-configs.sh --alter (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { configsFlags } from '../../tools/configs/flags.js';
import { runConfigs, type ConfigsResult } from '../../tools/configs/run.js';

export default class ConfigsAlter extends BaseCommand<typeof ConfigsAlter> {
  static override summary = 'Change the configs of an entity (kafka-configs.sh --alter).';

  static override description =
    'Sets (--add-config, --add-config-file) and removes (--delete-config) configs in one incremental change, then prints "Completed updating config for <type> <name>." like kafka-configs.sh --alter. Removing a config that is not set is refused with "Invalid config(s): ...".';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders --add-config retention.ms=86400000 --delete-config segment.ms',
    '<%= config.bin %> <%= command.id %> --broker 0 --add-config-file broker-overrides.properties',
    "<%= config.bin %> <%= command.id %> --user alice --add-config 'SCRAM-SHA-256=[password=alice-secret]'",
  ];

  static override flags = configsFlags.alter;

  public async run(): Promise<ConfigsResult | undefined> {
    return runConfigs(this, 'alter', this.flags, this.argv);
  }
}
