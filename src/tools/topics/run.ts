/**
 * ktool topics, the counterpart of kafka-topics.sh: one action, run through
 * the base command's runner. Output streams follow Kafka 3.9:
 * - results and warnings on stdout;
 * - a failed operation prints "Error while executing topic command : <msg>"
 *   on stdout (Kafka's TopicCommand uses System.out for it) and exits 1;
 * - argument mistakes print Kafka's message on stderr and exit 1;
 * - ktool's own failures (cannot connect, bad properties file) are one
 *   "Error: ..." line on stderr, exit 1.
 *
 * Heavy modules (the protocol client, ops, views) load lazily.
 */
import { runTool, writeOut, type ToolHost, type Wording } from '../../cli/runner.js';
import type {
  TopicCreateJson,
  TopicsAlterJson,
  TopicsDeleteJson,
  TopicsDescribeJson,
  TopicsListJson,
} from '../../views/topics.js';
import { checkTopicArgs } from './checks.js';
import type { TopicsAction, TopicsFlagValues } from './flags.js';

/** The --json document of each action. */
export type TopicsResult = TopicsListJson | TopicCreateJson | TopicsDescribeJson | TopicsDeleteJson | TopicsAlterJson;

/** Run one topics action; returns the --json value. */
export async function runTopics(
  host: ToolHost,
  action: TopicsAction | (() => TopicsAction),
  flags: TopicsFlagValues,
): Promise<TopicsResult | undefined> {
  const json = host.jsonEnabled();
  // Load everything at once: the module loader overlaps the file reads.
  const [ops, views] = await Promise.all([import('../../ops/topics.js'), import('../../views/topics.js')]);
  const wording: Wording = ({ kind, message, error }) => {
    if (kind === 'usage') return { stream: 'stderr', text: `${message}\n`, exitCode: 1 };
    if (error instanceof ops.TopicCommandError)
      return { stream: 'stdout', text: views.topicCommandErrorLine(message), exitCode: 1 };
    return undefined;
  };
  return runTool(
    host,
    flags,
    async (session): Promise<TopicsResult> => {
      const chosen = typeof action === 'function' ? action() : action;
      checkTopicArgs(chosen, flags, (line) => {
        if (!json) writeOut(`${line}\n`);
      });
      switch (chosen) {
        case 'list': {
          const names = await ops.listTopics(await session.connect(), {
            topic: flags.topic,
            excludeInternal: flags['exclude-internal'],
          });
          if (!json) writeOut(views.renderTopicList(names));
          return views.topicListJson(names);
        }
        case 'create': {
          const spec = await ops.buildCreateSpec({
            topic: flags.topic!,
            partitions: flags.partitions,
            replicationFactor: flags['replication-factor'],
            replicaAssignment: flags['replica-assignment'],
            configs: flags.config,
            ifNotExists: flags['if-not-exists'],
          });
          const warnings = views.createWarnings(spec.name);
          if (!json) writeOut(views.renderCreateWarnings(warnings));
          ops.checkCreateSpec(spec);
          const result = await ops.createTopic(await session.connect(), spec);
          if (!json) writeOut(views.renderCreated(result));
          return views.topicCreateJson(result, warnings);
        }
        case 'describe': {
          const limit = flags['partition-size-limit-per-response'];
          const partitionSizeLimit =
            limit === undefined ? undefined : ops.parseIntOption(limit, 'partition-size-limit-per-response');
          const data = await ops.describeTopics(await session.connect(), {
            topic: flags.topic,
            topicId: flags['topic-id'],
            excludeInternal: flags['exclude-internal'],
            ifExists: flags['if-exists'],
            partitionSizeLimit,
          });
          const filter = {
            underReplicatedPartitions: flags['under-replicated-partitions'],
            unavailablePartitions: flags['unavailable-partitions'],
            underMinIsrPartitions: flags['under-min-isr-partitions'],
            atMinIsrPartitions: flags['at-min-isr-partitions'],
            topicsWithOverrides: flags['topics-with-overrides'],
          };
          if (!json) writeOut(views.renderDescribe(data, filter));
          return views.describeJson(data, filter);
        }
        case 'delete': {
          const result = await ops.deleteTopics(await session.connect(), {
            topic: flags.topic!,
            ifExists: flags['if-exists'],
          });
          return views.deleteJson(result);
        }
        case 'alter': {
          const result = await ops.alterTopics(await session.connect(), {
            topic: flags.topic!,
            partitions: flags.partitions,
            replicaAssignment: flags['replica-assignment'],
            ifExists: flags['if-exists'],
          });
          return views.alterJson(result);
        }
      }
    },
    wording,
  );
}
