/**
 * ktool topics: the counterpart of kafka-topics.sh, in Kafka's form:
 *
 *   ktool topics --create --topic t --partitions 3
 *   ktool topics --list | --describe | --delete | --alter ...
 *
 * The same actions exist as subcommands (ktool topics create ...). All of
 * them share src/tools/topics/ (flags, checks, run), src/ops/topics.ts and src/views/topics.ts.
 */
import { BaseCommand } from '../../cli/base-command.js';
import { topicsModeFlags } from '../../tools/topics/flags.js';
import { modeAction } from '../../tools/topics/checks.js';
import { runTopics, type TopicsResult } from '../../tools/topics/run.js';

export default class Topics extends BaseCommand<typeof Topics> {
  static override summary = 'Create, delete, describe, or change a topic (kafka-topics.sh).';

  static override description = `Kafka's topic tool: exactly one of --list, --describe, --create, --alter or --delete, with the same flags and output as kafka-topics.sh. The same actions are available as subcommands (ktool topics list, ...).

--topic is a regular expression for --list, --describe, --alter and --delete (a comma means "or"). Output and error messages follow Kafka 3.9, including "Error while executing topic command : ..." on stdout with exit status 1 when the operation fails. With --json the result is a JSON document.

Without --bootstrap-server the tool uses $KAFKA_BOOTSTRAP_SERVERS, bootstrap.servers from --command-config, the current profile, or localhost:9092 (starting the embedded dev broker if nothing answers there).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --create --topic orders --partitions 3',
    '<%= config.bin %> <%= command.id %> --list',
    '<%= config.bin %> <%= command.id %> --describe --topic orders',
    '<%= config.bin %> <%= command.id %> --alter --topic orders --partitions 6',
    '<%= config.bin %> <%= command.id %> --delete --topic orders',
    '<%= config.bin %> <%= command.id %> --bootstrap-server broker1:9092 --command-config client.properties --list',
  ];

  static override flags = topicsModeFlags;

  public async run(): Promise<TopicsResult | undefined> {
    return runTopics(this, () => modeAction(this.flags, this.argv.length), this.flags);
  }
}
