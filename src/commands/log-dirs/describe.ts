// ktool log-dirs describe: the subcommand form of kafka-log-dirs.sh --describe (see ./index.ts).
import { BaseCommand } from '../../cli/base-command.js';
import { logDirsFlags } from '../../tools/log-dirs/flags.js';
import { runLogDirs } from '../../tools/log-dirs/run.js';

export default class LogDirsDescribe extends BaseCommand<typeof LogDirsDescribe> {
  static override summary = 'Describe the log directories of brokers (kafka-log-dirs.sh --describe).';

  static override description =
    'Same as "ktool log-dirs --describe": Kafka\'s two progress lines, then the JSON document of log directories and partition sizes.';

  static override examples = ['<%= config.bin %> <%= command.id %> --topic-list orders'];

  static override flags = logDirsFlags;

  public async run(): Promise<import('../../views/log-dirs.js').LogDirsJson | undefined> {
    return runLogDirs(this, this.flags, false);
  }
}
