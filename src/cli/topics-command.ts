/**
 * What `ktool topics --<action>` and `ktool topics <action>` share: the
 * flags (Kafka's names and wording), Kafka's argument checks, and the
 * runner that resolves the connection, calls the op and prints the view.
 *
 * Output streams follow Kafka 3.9's kafka-topics.sh:
 * - results and warnings on stdout;
 * - a failed operation prints "Error while executing topic command : <msg>"
 *   on stdout (Kafka's TopicCommand uses System.out for it) and exits 1;
 * - argument mistakes print Kafka's message on stderr and exit 1;
 * - ktool's own failures (cannot connect, bad properties file) are one
 *   "Error: ..." line on stderr, exit 1.
 * With --json every failure is the base command's JSON error document.
 *
 * Heavy modules (the protocol client, ops, views) load lazily in run().
 */
import { Flags } from '@oclif/core'
import { connectionFlags, settingsInput } from './connection-flags.js'
import { KtoolError } from './errors.js'

export type TopicsAction = 'create' | 'list' | 'describe' | 'delete' | 'alter'

export const TOPICS_ACTIONS: readonly TopicsAction[] = ['list', 'describe', 'create', 'alter', 'delete']

const topic = Flags.string({
  description:
    'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the \'\\\' prefix to escape regular expression symbols; e.g. "test\\.topic".',
  helpValue: '<topic>',
})
const topicId = Flags.string({ description: 'The topic-id to describe.', helpValue: '<topic-id>' })
const partitions = Flags.string({
  description:
    'The number of partitions for the topic being created or altered. If not supplied with --create, the topic uses the cluster default. (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected).',
  helpValue: '<# of partitions>',
})
const replicationFactor = Flags.string({
  description: 'The replication factor for each partition in the topic being created. If not supplied, the topic uses the cluster default.',
  helpValue: '<replication factor>',
})
const replicaAssignment = Flags.string({
  description: 'A list of manual partition-to-broker assignments for the topic being created or altered.',
  helpValue: '<broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...>',
})
const config = Flags.string({
  description:
    'A topic configuration override for the topic being created (repeatable). See the Kafka documentation for the topic configs. It is supported only in combination with --create. (To alter topic configurations, the kafka-configs tool can be used.)',
  helpValue: '<name=value>',
  multiple: true,
  multipleNonGreedy: true,
})
const ifExists = Flags.boolean({
  description: 'If set when altering or deleting or describing topics, the action will only execute if the topic exists.',
})
const ifNotExists = Flags.boolean({
  description: 'If set when creating topics, the action will only execute if the topic does not already exist.',
})
const excludeInternal = Flags.boolean({
  description: 'Exclude internal topics when listing or describing topics. By default, the internal topics are included.',
})
const underReplicated = Flags.boolean({ description: 'If set when describing topics, only show under-replicated partitions.' })
const unavailable = Flags.boolean({ description: 'If set when describing topics, only show partitions whose leader is not available.' })
const underMinIsr = Flags.boolean({
  description: 'If set when describing topics, only show partitions whose isr count is less than the configured minimum.',
})
const atMinIsr = Flags.boolean({
  description: 'If set when describing topics, only show partitions whose isr count is equal to the configured minimum.',
})
const withOverrides = Flags.boolean({ description: 'If set when describing topics, only show topics that have overridden configs.' })
const partitionSizeLimit = Flags.string({
  description: 'The maximum partition size to be included in one DescribeTopicPartitions response.',
  helpValue: '<maximum number of partitions per response>',
})

export const topicsFlags = {
  create: {
    ...connectionFlags,
    topic,
    partitions,
    'replication-factor': replicationFactor,
    'replica-assignment': replicaAssignment,
    config,
    'if-not-exists': ifNotExists,
  },
  list: { ...connectionFlags, topic, 'exclude-internal': excludeInternal },
  describe: {
    ...connectionFlags,
    topic,
    'topic-id': topicId,
    'exclude-internal': excludeInternal,
    'if-exists': ifExists,
    'under-replicated-partitions': underReplicated,
    'unavailable-partitions': unavailable,
    'under-min-isr-partitions': underMinIsr,
    'at-min-isr-partitions': atMinIsr,
    'topics-with-overrides': withOverrides,
    'partition-size-limit-per-response': partitionSizeLimit,
  },
  delete: { ...connectionFlags, topic, 'if-exists': ifExists },
  alter: { ...connectionFlags, topic, partitions, 'replica-assignment': replicaAssignment, config, 'if-exists': ifExists },
}

/** Every topics flag, plus the action flags: the `ktool topics --<action>` form. */
export const topicsModeFlags = {
  ...topicsFlags.create,
  ...topicsFlags.list,
  ...topicsFlags.describe,
  ...topicsFlags.delete,
  ...topicsFlags.alter,
  list: Flags.boolean({ description: 'List all available topics.' }),
  create: Flags.boolean({ description: 'Create a new topic.' }),
  delete: Flags.boolean({ description: 'Delete a topic.' }),
  alter: Flags.boolean({
    description: 'Alter the number of partitions and replica assignment. (To alter topic configurations, the kafka-configs tool can be used.)',
  }),
  describe: Flags.boolean({ description: 'List details for the given topics.' }),
}

/** Parsed values of any topics command (absent flags are undefined/false). */
export interface TopicsFlagValues {
  'bootstrap-server'?: string
  'command-config'?: string
  profile?: string
  topic?: string
  'topic-id'?: string
  partitions?: string
  'replication-factor'?: string
  'replica-assignment'?: string
  config?: string[]
  'if-exists'?: boolean
  'if-not-exists'?: boolean
  'exclude-internal'?: boolean
  'under-replicated-partitions'?: boolean
  'unavailable-partitions'?: boolean
  'under-min-isr-partitions'?: boolean
  'at-min-isr-partitions'?: boolean
  'topics-with-overrides'?: boolean
  'partition-size-limit-per-response'?: string
  list?: boolean
  create?: boolean
  describe?: boolean
  delete?: boolean
  alter?: boolean
}

/** The command the runner prints through (a BaseCommand). */
export interface TopicsHost {
  jsonEnabled(): boolean
  exit(code?: number): never
}

class UsageError extends Error {}

const has = (flags: TopicsFlagValues, name: keyof TopicsFlagValues): boolean => {
  const v = flags[name]
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)
}

/**
 * Kafka's TopicCommandOptions.checkArgs for one action. Throws UsageError
 * with Kafka's message; may print Kafka's note about --topic + --topic-id.
 */
export function checkTopicArgs(action: TopicsAction, flags: TopicsFlagValues, note: (line: string) => void = () => {}): void {
  const fail = (message: string): never => {
    throw new UsageError(message)
  }
  const opt = (name: string) => `"[${name}]"`
  // checkRequiredArgs
  if (action === 'describe' && has(flags, 'if-exists')) {
    if (!has(flags, 'topic') && !has(flags, 'topic-id')) fail('--topic or --topic-id is required to describe a topic')
    if (has(flags, 'topic') && has(flags, 'topic-id')) {
      note('Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID')
    }
  }
  if (action !== 'list' && action !== 'describe' && !has(flags, 'topic')) fail(`Missing required argument ${opt('topic')}`)
  if (action === 'alter') {
    if (has(flags, 'config')) {
      fail(
        `Option combination "[[bootstrap-server], [config]]" can't be used with option ${opt('alter')} (To alter topic configurations, the kafka-configs tool can be used.)`,
      )
    }
    if (!has(flags, 'partitions')) fail(`Missing required argument ${opt('partitions')}`)
  }
  // checkInvalidArgs: option -> actions it cannot be used with.
  const invalidWith = (option: keyof TopicsFlagValues, actions: TopicsAction[], others: Array<keyof TopicsFlagValues> = []) => {
    if (!has(flags, option)) return
    if (actions.includes(action)) fail(`Option ${opt(option)} can't be used with option ${opt(action)}`)
    for (const other of others) if (has(flags, other)) fail(`Option ${opt(option)} can't be used with option ${opt(other)}`)
  }
  invalidWith('config', ['describe', 'list', 'delete'])
  invalidWith('partitions', ['describe', 'list', 'delete'])
  invalidWith('replication-factor', ['alter', 'describe', 'list', 'delete'])
  invalidWith('replica-assignment', ['describe', 'list', 'delete'])
  if (action === 'create') invalidWith('replica-assignment', [], ['partitions', 'replication-factor'])
  const reportOpts: Array<keyof TopicsFlagValues> = [
    'under-replicated-partitions',
    'under-min-isr-partitions',
    'at-min-isr-partitions',
    'unavailable-partitions',
  ]
  for (const report of reportOpts) invalidWith(report, ['alter', 'create', 'list', 'delete'], ['topics-with-overrides'])
  invalidWith('topics-with-overrides', ['alter', 'create', 'list', 'delete'], reportOpts)
  invalidWith('if-exists', ['create', 'list'])
  invalidWith('if-not-exists', ['alter', 'describe', 'list', 'delete'])
  invalidWith('exclude-internal', ['create', 'alter', 'delete'])
}

/** The action of the `ktool topics --<action>` form (exactly one is required). */
export function modeAction(flags: TopicsFlagValues, argvLength: number): TopicsAction {
  if (argvLength === 0) throw new UsageError('Create, delete, describe, or change a topic.')
  const chosen = (['create', 'list', 'alter', 'describe', 'delete'] as const).filter((a) => flags[a] === true)
  if (chosen.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete')
  return chosen[0]!
}

function writeOut(text: string): void {
  if (text.length > 0) process.stdout.write(text)
}

/** Run one topics action; returns the --json value. */
export async function runTopics(host: TopicsHost, action: TopicsAction | (() => TopicsAction), flags: TopicsFlagValues): Promise<unknown> {
  const json = host.jsonEnabled()
  // Load everything at once: the module loader overlaps the file reads.
  const [ops, views, { resolveSettings }, { connect }] = await Promise.all([
    import('../ops/topics.js'),
    import('../views/topics.js'),
    import('../connection/settings.js'),
    import('../connection/client.js'),
  ])
  let client: import('../client/cluster.js').ClusterClient | undefined
  try {
    const chosen = typeof action === 'function' ? action() : action
    checkTopicArgs(chosen, flags, (line) => {
      if (!json) writeOut(`${line}\n`)
    })
    const settings = await resolveSettings(settingsInput(flags))

    switch (chosen) {
      case 'list': {
        client = await connect(settings)
        const names = await ops.listTopics(client, { topic: flags.topic, excludeInternal: flags['exclude-internal'] })
        if (!json) writeOut(views.renderTopicList(names))
        return views.topicListJson(names)
      }
      case 'create': {
        const spec = await ops.buildCreateSpec({
          topic: flags.topic!,
          partitions: flags.partitions,
          replicationFactor: flags['replication-factor'],
          replicaAssignment: flags['replica-assignment'],
          configs: flags.config,
          ifNotExists: flags['if-not-exists'],
        })
        const warnings = views.createWarnings(spec.name)
        if (!json) writeOut(views.renderCreateWarnings(warnings))
        ops.checkCreateSpec(spec)
        client = await connect(settings)
        const result = await ops.createTopic(client, spec)
        if (!json) writeOut(views.renderCreated(result))
        return views.topicCreateJson(result, warnings)
      }
      case 'describe': {
        const limit = flags['partition-size-limit-per-response']
        const partitionSizeLimit = limit === undefined ? undefined : ops.parseIntOption(limit, 'partition-size-limit-per-response')
        client = await connect(settings)
        const data = await ops.describeTopics(client, {
          topic: flags.topic,
          topicId: flags['topic-id'],
          excludeInternal: flags['exclude-internal'],
          ifExists: flags['if-exists'],
          partitionSizeLimit,
        })
        const filter = {
          underReplicatedPartitions: flags['under-replicated-partitions'],
          unavailablePartitions: flags['unavailable-partitions'],
          underMinIsrPartitions: flags['under-min-isr-partitions'],
          atMinIsrPartitions: flags['at-min-isr-partitions'],
          topicsWithOverrides: flags['topics-with-overrides'],
        }
        if (!json) writeOut(views.renderDescribe(data, filter))
        return views.describeJson(data, filter)
      }
      case 'delete': {
        client = await connect(settings)
        const result = await ops.deleteTopics(client, { topic: flags.topic!, ifExists: flags['if-exists'] })
        return views.deleteJson(result)
      }
      case 'alter': {
        client = await connect(settings)
        const result = await ops.alterTopics(client, {
          topic: flags.topic!,
          partitions: flags.partitions,
          replicaAssignment: flags['replica-assignment'],
          ifExists: flags['if-exists'],
        })
        return views.alterJson(result)
      }
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ops.TopicUsageError) {
      if (json) throw new KtoolError(error.message, { code: 'INVALID_ARGUMENTS' })
      process.stderr.write(`${error.message}\n`)
      host.exit(1)
    }
    if (error instanceof ops.TopicCommandError) {
      const { redact } = await import('../connection/redact.js')
      const message = redact(error.message)
      if (json) throw new KtoolError(message, { code: error.code })
      writeOut(views.topicCommandErrorLine(message))
      host.exit(1)
    }
    const { toKtoolError } = await import('../connection/errors.js')
    throw toKtoolError(error)
  } finally {
    client?.close()
  }
}
