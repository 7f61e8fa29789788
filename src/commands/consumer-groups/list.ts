// ktool consumer-groups list: the subcommand form of kafka-consumer-groups.sh --list (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { groupsFlags } from '../../tools/consumer-groups/flags.js';
import { normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroupsList extends BaseCommand<typeof ConsumerGroupsList> {
  static override summary = 'List consumer groups (kafka-consumer-groups.sh --list).';

  static override description =
    'Prints the consumer group ids one per line, like kafka-consumer-groups.sh --list. --state adds a STATE column (and keeps only the given states when a list follows); --type adds a TYPE column.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --state stable',
  ];

  static override flags = groupsFlags['list'];

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, 'list', this.flags);
  }
}
