// ktool topics list: the subcommand form of kafka-topics.sh --list (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { topicsFlags } from '../../tools/topics/flags.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class TopicsList extends BaseCommand<typeof TopicsList> {
  static override summary = 'List topics (kafka-topics.sh --list).';

  static override description =
    'Prints the topic names, sorted, one per line, like kafka-topics.sh --list. --topic filters with a regular expression; internal topics are included unless --exclude-internal.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --topic "orders.*" --exclude-internal',
  ];

  static override flags = topicsFlags.list;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, 'list', this.flags);
  }
}
