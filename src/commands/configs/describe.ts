// ktool configs describe: the subcommand form of kafka-configs.sh --describe (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { configsFlags } from '../../tools/configs/flags.js';
import { runConfigs, type ConfigsResult } from '../../tools/configs/run.js';

export default class ConfigsDescribe extends BaseCommand<typeof ConfigsDescribe> {
  static override summary = 'Show the configs of an entity (kafka-configs.sh --describe).';

  static override description =
    'Prints "Dynamic configs for <type> <name> are:" and one line per config with its value, sensitivity and synonyms, like kafka-configs.sh --describe (--all: every config, "All configs for ..."). Without a name, every entity of the type is described; for users, the SCRAM mechanisms and iteration counts are listed.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders',
    '<%= config.bin %> <%= command.id %> --entity-type brokers --entity-default',
    '<%= config.bin %> <%= command.id %> --entity-type users',
  ];

  static override flags = configsFlags.describe;

  public async run(): Promise<ConfigsResult | undefined> {
    return runConfigs(this, 'describe', this.flags, this.argv);
  }
}
