// ktool consumer-groups delete: the subcommand form of kafka-consumer-groups.sh --delete (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { groupsFlags } from '../../tools/consumer-groups/flags.js';
import { normalizeArgv } from '../../tools/consumer-groups/checks.js';
import { runConsumerGroups, type ConsumerGroupsResult } from '../../tools/consumer-groups/run.js';

export default class ConsumerGroupsDelete extends BaseCommand<typeof ConsumerGroupsDelete> {
  static override summary = 'Delete consumer groups (kafka-consumer-groups.sh --delete).';

  static override description =
    'Deletes the given groups (or --all-groups) with their committed offsets. Only groups without active members can be deleted; failures are listed per group as Kafka lists them.';

  static override examples = ['<%= config.bin %> <%= command.id %> --group old-app'];

  static override flags = groupsFlags['delete'];

  public override async init(): Promise<void> {
    this.argv = normalizeArgv(this.argv);
    await super.init();
  }

  public async run(): Promise<ConsumerGroupsResult | undefined> {
    return runConsumerGroups(this, 'delete', this.flags);
  }
}
