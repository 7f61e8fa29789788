// ktool consumer-groups describe: the subcommand form of kafka-consumer-groups.sh --describe (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { groupsFlags } from '../../tools/consumer-groups/flags.js';
import { normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroupsDescribe extends BaseCommand<typeof ConsumerGroupsDescribe> {
  static override summary = 'Describe consumer groups (kafka-consumer-groups.sh --describe).';

  static override description =
    'Shows, for --group (repeatable) or --all-groups, each partition with its committed offset, log end offset, lag and owner (the default, or --offsets), the members (--members, --verbose adds their partitions) or the group state (--state), exactly as kafka-consumer-groups.sh --describe prints them. --time-lag, --summary and --watch are ktool additions.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --group orders-app',
    '<%= config.bin %> <%= command.id %> --all-groups --state',
    '<%= config.bin %> <%= command.id %> --group orders-app --watch --interval 2',
  ];

  static override flags = groupsFlags['describe'];

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, 'describe', this.flags);
  }
}
