// ktool log-dirs: check the brokers, print Kafka's two progress lines, then kafka-log-dirs.sh's JSON document.
import { runTool, writeOut, type ToolHost } from '../../cli/runner.js';
import type { LogDirsJson } from '../../views/log-dirs.js';
import type { LogDirsFlagValues } from './flags.js';

export async function runLogDirs(
  host: ToolHost,
  flags: LogDirsFlagValues,
  requireDescribe: boolean,
): Promise<LogDirsJson | undefined> {
  return runTool(host, flags, async (session) => {
    const [ops, views, { UsageError }] = await Promise.all([
      import('../../ops/log-dirs.js'),
      import('../../views/log-dirs.js'),
      import('../../ops/admin-errors.js'),
    ]);
    if (requireDescribe && flags.describe !== true) throw new UsageError('Missing required argument "[describe]"');
    const topics = ops.parseTopicList(flags['topic-list']);
    const requested = ops.parseBrokerList(flags['broker-list']);
    const client = await session.connect();
    const { brokers } = await ops.selectBrokers(client, requested);
    const json = host.jsonEnabled();
    if (!json) writeOut(views.QUERYING_LINE);
    const results = await ops.describeLogDirs(client, brokers);
    if (!json) writeOut(`${views.receivedLine(brokers)}${views.kafkaLogDirsDocument(results, topics)}\n`);
    return views.logDirsJson(results, topics);
  });
}
