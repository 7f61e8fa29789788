// ktool consumer-groups delete-offsets: the subcommand form of kafka-consumer-groups.sh --delete-offsets (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { groupsFlags } from '../../tools/consumer-groups/flags.js';
import { normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroupsDeleteOffsets extends BaseCommand<typeof ConsumerGroupsDeleteOffsets> {
  static override summary = 'Delete committed offsets of a consumer group (kafka-consumer-groups.sh --delete-offsets).';

  static override description =
    'Deletes the committed offsets of one group for the given topics (--topic t for all partitions, --topic t:0,1 for some). A group that is consuming a topic keeps its offsets for it.';

  static override examples = ['<%= config.bin %> <%= command.id %> --group old-app --topic orders'];

  static override flags = groupsFlags['delete-offsets'];

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, 'delete-offsets', this.flags);
  }
}
