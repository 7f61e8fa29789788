/**
 * ktool log-dirs: the counterpart of kafka-log-dirs.sh, in Kafka's form
 * (`ktool log-dirs --describe`); `ktool log-dirs describe` is the same.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { logDirsFlags } from '../../tools/log-dirs/flags.js';
import { runLogDirs } from '../../tools/log-dirs/run.js';

export default class LogDirs extends BaseCommand<typeof LogDirs> {
  static override summary = 'Describe the log directories of brokers (kafka-log-dirs.sh).';

  static override description = `Asks brokers for their log directories and the size of every partition replica in them, and prints Kafka's JSON document after its two progress lines, like kafka-log-dirs.sh --describe. --broker-list limits the brokers asked (each must exist), --topic-list the partitions shown.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --describe',
    '<%= config.bin %> <%= command.id %> --describe --broker-list 0 --topic-list orders,audit',
  ];

  static override flags = {
    ...logDirsFlags,
    describe: Flags.boolean({ description: 'Describe the log directories of the brokers (required, as in Kafka).' }),
  };

  public async run(): Promise<import('../../views/log-dirs.js').LogDirsJson | undefined> {
    return runLogDirs(this, this.flags, true);
  }
}
