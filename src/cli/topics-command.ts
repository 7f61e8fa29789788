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
import { KtoolError } from '../errors.js'

export type TopicsAction = 'create' | 'list' | 'describe' | 'delete' | 'alter'

export const TOPICS_ACTIONS: readonly TopicsAction[] = ['list', 'describe', 'create', 'alter', 'delete']

const topic = Flags.string({
  description:
    'The topic to act on. Except with --create it is a regular expression matched against whole names, so quote it and escape dots to mean them literally ("orders\\.v1").',
  helpValue: '<topic>',
})
const topicId = Flags.string({ description: 'The topic-id to describe.', helpValue: '<topic-id>' })
const partitions = Flags.string({
  description:
    'Partition count for --create (default: the broker\'s num.partitions) or the new, larger count for --alter. Adding partitions moves where keyed records land.',
  helpValue: '<# of partitions>',
})
const replicationFactor = Flags.string({
  description: 'Replicas per partition for --create (default: the broker\'s default.replication.factor).',
  helpValue: '<replication factor>',
})
const replicaAssignment = Flags.string({
  description: 'Broker ids per partition, chosen by hand: partitions separated by commas, replicas within one by colons.',
  helpValue: '<broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...>',
})
const config = Flags.string({
  description:
    'A topic config for --create, name=value (repeatable). To change configs later, use ktool configs.',
  helpValue: '<name=value>',
  multiple: true,
  multipleNonGreedy: true,
})
const ifExists = Flags.boolean({
  description: 'With --alter, --delete or --describe: do nothing, without an error, when the topic is missing.',
})
const ifNotExists = Flags.boolean({
  description: 'With --create: do nothing, without an error, when the topic already exists.',
})
const excludeInternal = Flags.boolean({
  description: 'Leave out internal topics (such as __consumer_offsets) from --list and --describe.',
})
const underReplicated = Flags.boolean({ description: 'With --describe: only partitions with fewer in-sync replicas than replicas.' })
const unavailable = Flags.boolean({ description: 'With --describe: only partitions that have no available leader.' })
const underMinIsr = Flags.boolean({
  description: 'With --describe: only partitions below their min.insync.replicas.',
})
const atMinIsr = Flags.boolean({
  description: 'With --describe: only partitions exactly at their min.insync.replicas.',
})
const withOverrides = Flags.boolean({ description: 'With --describe: only topics that have config overrides, one line each.' })
const partitionSizeLimit = Flags.string({
  description: 'How many partitions to ask for per DescribeTopicPartitions request.',
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
  list: Flags.boolean({ description: 'Print the topic names.' }),
  create: Flags.boolean({ description: 'Create the topic.' }),
  delete: Flags.boolean({ description: 'Delete the matching topics.' }),
  alter: Flags.boolean({
    description: 'Add partitions to the matching topics (configs are changed with ktool configs).',
  }),
  describe: Flags.boolean({ description: 'Show partitions, leaders, replicas and config overrides of the matching topics.' }),
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
    if (error instanceof UsageError || error instanceof ops.UsageError) {
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
