// ktool topics create: the subcommand form of kafka-topics.sh --create (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { topicsFlags } from '../../tools/topics/flags.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class TopicsCreate extends BaseCommand<typeof TopicsCreate> {
  static override summary = 'Create a new topic (kafka-topics.sh --create).';

  static override description = `Creates a topic and prints "Created topic <name>." like kafka-topics.sh --create. Names containing "." or "_" get Kafka's metric-name collision warning first. Without --partitions / --replication-factor the broker defaults apply; --replica-assignment 0:1,1:2 places replicas explicitly.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders --partitions 3 --replication-factor 1',
    '<%= config.bin %> <%= command.id %> --topic orders --config retention.ms=86400000 --config cleanup.policy=compact',
    '<%= config.bin %> <%= command.id %> --topic orders --if-not-exists',
  ];

  static override flags = topicsFlags.create;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, 'create', this.flags);
  }
}
