/**
 * ktool configs: the counterpart of kafka-configs.sh, in Kafka's form:
 *
 *   ktool configs --describe --entity-type topics --entity-name orders
 *   ktool configs --alter --topic orders --add-config retention.ms=1000
 *
 * The same actions exist as subcommands (ktool configs describe ...). All of
 * them share src/tools/configs/ (flags, checks, run), src/ops/configs.ts and src/views/configs.ts.
 */
import { BaseCommand } from '../../cli/base-command.js';
import { configsModeAction } from '../../tools/configs/checks.js';
import { configsModeFlags } from '../../tools/configs/flags.js';
import { runConfigs, type ConfigsResult } from '../../tools/configs/run.js';

export default class Configs extends BaseCommand<typeof Configs> {
  static override summary =
    'Describe or change the configs of topics, brokers, loggers, users and groups (kafka-configs.sh).';

  static override description = `Kafka's config tool: exactly one of --describe or --alter, with the entity given by --entity-type/--entity-name (or --entity-default) or a shorthand such as --topic, --broker, --broker-logger, --user, --client or --group. Output and messages follow Kafka 3.9's kafka-configs.sh.

--describe lists the dynamic configs of the entity (--all: every config) with their sensitivity and synonyms; without a name it describes every entity of the type. --alter applies --add-config / --add-config-file and --delete-config as one incremental, atomic change. For users, "SCRAM-SHA-256=[iterations=8192,password=...]" creates or replaces a SCRAM credential (salted and hashed here, the password never leaves this machine) and --delete-config SCRAM-SHA-256 removes it. Client quotas are not supported.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --describe --entity-type topics --entity-name orders',
    '<%= config.bin %> <%= command.id %> --describe --broker 0 --all',
    "<%= config.bin %> <%= command.id %> --alter --topic orders --add-config 'retention.ms=86400000,cleanup.policy=[compact,delete]'",
    '<%= config.bin %> <%= command.id %> --alter --broker-defaults --delete-config log.retention.ms',
    "<%= config.bin %> <%= command.id %> --alter --user alice --add-config 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]'",
  ];

  static override flags = configsModeFlags;

  public async run(): Promise<ConfigsResult | undefined> {
    return runConfigs(this, () => configsModeAction(this.flags), this.flags, this.argv);
  }
}
