// ktool consumer-groups reset-offsets: the subcommand form of kafka-consumer-groups.sh --reset-offsets (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { groupsFlags } from '../../tools/consumer-groups/flags.js';
import { normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroupsResetOffsets extends BaseCommand<typeof ConsumerGroupsResetOffsets> {
  static override summary =
    'Reset the committed offsets of consumer groups (kafka-consumer-groups.sh --reset-offsets).';

  static override description =
    'Plans new offsets for inactive groups from a scenario (--to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration, --from-file) over a scope (--topic t[:p,p] or --all-topics). Without --execute nothing is committed (a dry run). --export prints the plan as CSV for --from-file; --diff adds the current offset and the lag change.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --group orders-app --topic orders --to-earliest --execute',
    '<%= config.bin %> <%= command.id %> --group orders-app --all-topics --to-datetime 2024-05-01T00:00:00.000Z --diff',
  ];

  static override flags = groupsFlags['reset-offsets'];

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, 'reset-offsets', this.flags);
  }
}
