// ktool topics delete: the subcommand form of kafka-topics.sh --delete (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { topicsFlags } from '../../tools/topics/flags.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class TopicsDelete extends BaseCommand<typeof TopicsDelete> {
  static override summary = 'Delete topics (kafka-topics.sh --delete).';

  static override description =
    'Deletes the topics matching --topic (a regular expression). Prints nothing on success, like kafka-topics.sh --delete.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders',
    '<%= config.bin %> <%= command.id %> --topic "tmp-.*" --if-exists',
  ];

  static override flags = topicsFlags.delete;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, 'delete', this.flags);
  }
}
