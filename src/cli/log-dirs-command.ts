/**
 * What `ktool log-dirs --describe` and `ktool log-dirs describe` share: the
 * flags of kafka-log-dirs.sh and the runner (check the brokers, print
 * Kafka's two progress lines, then the JSON document).
 */
import { Flags } from '@oclif/core'
import { connectionFlags, type ConnectionFlagValues } from './connection-flags.js'
import { runAdminTool, writeOut, type ToolHost } from './admin-runner.js'

export const logDirsFlags = {
  ...connectionFlags,
  'broker-list': Flags.string({
    description: 'Comma-separated ids of the brokers to ask, e.g. "0,1,2" (default: every broker of the cluster).',
    helpValue: '<ids>',
  }),
  'topic-list': Flags.string({
    description: 'Comma-separated topics whose partitions are shown, e.g. "t1,t2" (default: all topics).',
    helpValue: '<topics>',
  }),
}

export interface LogDirsFlagValues extends ConnectionFlagValues {
  'broker-list'?: string
  'topic-list'?: string
  describe?: boolean
}

export async function runLogDirs(host: ToolHost, flags: LogDirsFlagValues, requireDescribe: boolean): Promise<unknown> {
  return runAdminTool(host, flags, async (session) => {
    const [ops, views, { UsageError }] = await Promise.all([import('../ops/log-dirs.js'), import('../views/log-dirs.js'), import('../ops/admin-errors.js')])
    if (requireDescribe && flags.describe !== true) throw new UsageError('Missing required argument "[describe]"')
    const topics = ops.parseTopicList(flags['topic-list'])
    const requested = ops.parseBrokerList(flags['broker-list'])
    const client = await session.connect()
    const { brokers } = await ops.selectBrokers(client, requested)
    const json = host.jsonEnabled()
    if (!json) writeOut(views.QUERYING_LINE)
    const results = await ops.describeLogDirs(client, brokers)
    if (!json) writeOut(`${views.receivedLine(brokers)}${views.kafkaLogDirsDocument(results, topics)}\n`)
    return views.logDirsJson(results, topics)
  })
}
