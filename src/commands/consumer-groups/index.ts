/**
 * ktool consumer-groups: the counterpart of kafka-consumer-groups.sh, in Kafka's form:
 *
 *   ktool consumer-groups --list [--state [states]]
 *   ktool consumer-groups --describe --group g [--members [--verbose] | --state]
 *   ktool consumer-groups --reset-offsets --group g --topic t --to-earliest [--execute]
 *   ktool consumer-groups --delete --group g | --delete-offsets --group g --topic t
 *
 * The same actions exist as subcommands (ktool consumer-groups describe ...).
 * All of them share src/tools/consumer-groups/ (flags, checks, run), src/ops/consumer-groups.ts,
 * src/ops/offset-reset.ts and src/views/consumer-groups.ts.
 */
import { BaseCommand } from '../../cli/base-command.js';
import { groupsModeFlags } from '../../tools/consumer-groups/flags.js';
import { modeAction, normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroups extends BaseCommand<typeof ConsumerGroups> {
  static override summary =
    'List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups.sh).';

  static override description = `Kafka's consumer group tool: exactly one of --list, --describe, --delete, --reset-offsets or --delete-offsets, with the same flags, output and exit codes as kafka-consumer-groups.sh 3.9. The same actions are available as subcommands (ktool consumer-groups describe ...).

Beyond Kafka: --json on every action; --describe --time-lag adds the age of the oldest unconsumed record; a TOTAL-LAG line follows each offsets table when stdout is a terminal (or with --summary); --describe --watch refreshes continuously (a live view on a terminal, plain snapshots otherwise); --reset-offsets --diff shows the current offset and the lag change.

Without --bootstrap-server the tool uses $KAFKA_BOOTSTRAP_SERVERS, bootstrap.servers from --command-config, the current profile, or localhost:9092 (starting the embedded dev broker if nothing answers there).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --list',
    '<%= config.bin %> <%= command.id %> --list --state stable,empty',
    '<%= config.bin %> <%= command.id %> --describe --group orders-app',
    '<%= config.bin %> <%= command.id %> --describe --all-groups --members --verbose',
    '<%= config.bin %> <%= command.id %> --describe --group orders-app --watch',
    '<%= config.bin %> <%= command.id %> --reset-offsets --group orders-app --topic orders --to-earliest --execute',
    '<%= config.bin %> <%= command.id %> --reset-offsets --group orders-app --all-topics --shift-by -10 --export > plan.csv',
    '<%= config.bin %> <%= command.id %> --delete --group old-app',
  ];

  static override flags = groupsModeFlags;

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, () => modeAction(this.flags, this.argv.length), this.flags);
  }
}
