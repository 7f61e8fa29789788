// Kafka's TopicCommandOptions argument checks, before anything connects.
import { UsageError } from '../../ops/tool-errors.js';
import type { TopicsAction, TopicsFlagValues } from './flags.js';

const has = (flags: TopicsFlagValues, name: keyof TopicsFlagValues): boolean => {
  const v = flags[name];
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
};

/**
 * Kafka's TopicCommandOptions.checkArgs for one action. Throws UsageError
 * with Kafka's message; may print Kafka's note about --topic + --topic-id.
 */
export function checkTopicArgs(
  action: TopicsAction,
  flags: TopicsFlagValues,
  note: (line: string) => void = () => {},
): void {
  const fail = (message: string): never => {
    throw new UsageError(message);
  };
  const opt = (name: string) => `"[${name}]"`;
  // checkRequiredArgs
  if (action === 'describe' && has(flags, 'if-exists')) {
    if (!has(flags, 'topic') && !has(flags, 'topic-id')) fail('--topic or --topic-id is required to describe a topic');
    if (has(flags, 'topic') && has(flags, 'topic-id')) {
      note(
        'Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID',
      );
    }
  }
  if (action !== 'list' && action !== 'describe' && !has(flags, 'topic'))
    fail(`Missing required argument ${opt('topic')}`);
  if (action === 'alter') {
    if (has(flags, 'config')) {
      fail(
        `Option combination "[[bootstrap-server], [config]]" can't be used with option ${opt('alter')} (To alter topic configurations, the kafka-configs tool can be used.)`,
      );
    }
    if (!has(flags, 'partitions')) fail(`Missing required argument ${opt('partitions')}`);
  }
  // checkInvalidArgs: option -> actions it cannot be used with.
  const invalidWith = (
    option: keyof TopicsFlagValues,
    actions: TopicsAction[],
    others: Array<keyof TopicsFlagValues> = [],
  ) => {
    if (!has(flags, option)) return;
    if (actions.includes(action)) fail(`Option ${opt(option)} can't be used with option ${opt(action)}`);
    for (const other of others)
      if (has(flags, other)) fail(`Option ${opt(option)} can't be used with option ${opt(other)}`);
  };
  invalidWith('config', ['describe', 'list', 'delete']);
  invalidWith('partitions', ['describe', 'list', 'delete']);
  invalidWith('replication-factor', ['alter', 'describe', 'list', 'delete']);
  invalidWith('replica-assignment', ['describe', 'list', 'delete']);
  if (action === 'create') invalidWith('replica-assignment', [], ['partitions', 'replication-factor']);
  const reportOpts: Array<keyof TopicsFlagValues> = [
    'under-replicated-partitions',
    'under-min-isr-partitions',
    'at-min-isr-partitions',
    'unavailable-partitions',
  ];
  for (const report of reportOpts)
    invalidWith(report, ['alter', 'create', 'list', 'delete'], ['topics-with-overrides']);
  invalidWith('topics-with-overrides', ['alter', 'create', 'list', 'delete'], reportOpts);
  invalidWith('if-exists', ['create', 'list']);
  invalidWith('if-not-exists', ['alter', 'describe', 'list', 'delete']);
  invalidWith('exclude-internal', ['create', 'alter', 'delete']);
}

/** The action of the `ktool topics --<action>` form (exactly one is required). */
export function modeAction(flags: TopicsFlagValues, argvLength: number): TopicsAction {
  if (argvLength === 0) throw new UsageError('Create, delete, describe, or change a topic.');
  const chosen = (['create', 'list', 'alter', 'describe', 'delete'] as const).filter((a) => flags[a] === true);
  if (chosen.length !== 1)
    throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  return chosen[0]!;
}
