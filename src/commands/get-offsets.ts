/**
 * ktool get-offsets: the counterpart of kafka-get-offsets.sh (Kafka's
 * GetOffsetShell). Prints `topic:partition:offset` for the selected
 * partitions; failures are "Error occurred: <message>" on stderr, exit 1.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { bootstrapServer } from '../cli/flags.js';
import { runTool, stderrLine, writeErr, writeOut } from '../cli/runner.js';
import { getOffsetsErrorLine } from '../views/offsets.js';

export default class GetOffsets extends BaseCommand<typeof GetOffsets> {
  static override summary = 'Print the offsets of topic partitions (kafka-get-offsets.sh).';

  static override description = `Looks up, for every selected partition, the offset that matches --time and prints "topic:partition:offset" lines sorted the way Kafka sorts them (by the "topic-partition" text). Partitions without a matching offset, such as a timestamp later than every record, print no line.

Select partitions with --topic (a regular expression) and --partitions, or with --topic-partitions rules like "orders:0-3,audit.*:5-" (a range's upper bound is exclusive; an empty topic part matches every topic).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --topic orders',
    '<%= config.bin %> <%= command.id %> --topic orders --partitions 0,1 --time earliest',
    '<%= config.bin %> <%= command.id %> --topic-partitions "orders:1-,audit:0" --time -3',
    '<%= config.bin %> <%= command.id %> --time 1700000000000 --exclude-internal-topics',
  ];

  static override flags = {
    ...connectionFlags,
    'bootstrap-server': Flags.string({
      description: bootstrapServer.description,
      helpValue: bootstrapServer.helpValue,
      aliases: ['broker-list'],
    }),
    topic: Flags.string({
      description:
        'Regular expression for the topics to query (all topics when absent). Not allowed with --topic-partitions.',
      helpValue: '<topic>',
    }),
    partitions: Flags.string({
      description:
        'Comma-separated partition ids to query (all partitions when absent). Not allowed with --topic-partitions.',
      helpValue: '<ids>',
    }),
    'topic-partitions': Flags.string({
      description:
        'Comma-separated rules "topic-regex:partitions" where partitions is N, N-M (M excluded), N-, -M or empty for all; an empty topic part matches any topic.',
      helpValue: '<t1:1,t2:0-3,t3:5->',
    }),
    time: Flags.string({
      description:
        'Which offset to print: latest (-1, the default), earliest (-2), max-timestamp (-3), earliest-local (-4), latest-tiered (-5), or a timestamp in ms for the first offset at or after it.',
      helpValue: '<time>',
    }),
    'exclude-internal-topics': Flags.boolean({ description: 'Leave internal topics such as __consumer_offsets out.' }),
  };

  public async run(): Promise<import('../views/offsets.js').GetOffsetsJson | undefined> {
    const flags = this.flags;
    return runTool(
      this,
      flags,
      async (session) => {
        const [ops, views] = await Promise.all([import('../ops/offsets.js'), import('../views/offsets.js')]);
        const request = ops.buildGetOffsetsRequest({
          topic: flags.topic,
          partitions: flags.partitions,
          topicPartitions: flags['topic-partitions'],
          time: flags.time,
          excludeInternalTopics: flags['exclude-internal-topics'],
        });
        const result = await ops.getOffsets(await session.connect(), request);
        if (!this.jsonEnabled()) {
          writeErr(views.renderOffsetFailures(result));
          writeOut(views.renderOffsets(result));
        }
        return views.offsetsJson(result);
      },
      stderrLine(getOffsetsErrorLine),
    );
  }
}
