// ktool topics describe: the subcommand form of kafka-topics.sh --describe (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { topicsFlags } from '../../tools/topics/flags.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class TopicsDescribe extends BaseCommand<typeof TopicsDescribe> {
  static override summary = 'Describe topics (kafka-topics.sh --describe).';

  static override description =
    'Prints each topic and its partitions like kafka-topics.sh --describe: a "Topic:" line with the id, partition count, replication factor and non-default configs, then one line per partition with leader, replicas, ISR and ELR. The report flags select partitions (under-replicated, unavailable, under/at min ISR) or topics with overridden configs.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders',
    '<%= config.bin %> <%= command.id %> --under-replicated-partitions',
    '<%= config.bin %> <%= command.id %> --topics-with-overrides',
  ];

  static override flags = topicsFlags.describe;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, 'describe', this.flags);
  }
}
