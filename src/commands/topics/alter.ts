// ktool topics alter: the subcommand form of kafka-topics.sh --alter (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { topicsFlags } from '../../tools/topics/flags.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class TopicsAlter extends BaseCommand<typeof TopicsAlter> {
  static override summary = 'Add partitions to topics (kafka-topics.sh --alter).';

  static override description =
    'Increases the partition count of the topics matching --topic, optionally with --replica-assignment for the new partitions. Prints nothing on success, like kafka-topics.sh --alter. Topic configs are changed with the configs tool.';

  static override examples = ['<%= config.bin %> <%= command.id %> --topic orders --partitions 6'];

  static override flags = topicsFlags.alter;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, 'alter', this.flags);
  }
}
