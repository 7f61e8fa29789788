// Config names, types and defaults as Kafka 3.9 defines them. A topic config resolves
// through its broker synonyms (first match wins) before falling back to its default.

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

/** DescribeConfigs ConfigType codes. */
export const CONFIG_TYPE_CODE: Record<ConfigType, number> = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
};

/** DescribeConfigs ConfigSource codes. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export const ResourceType = { UNKNOWN: 0, TOPIC: 2, GROUP: 32, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** A broker property that stands in for a topic config; `scale` converts its unit to the topic's. */
export interface Synonym {
  name: string;
  scale?: number;
}

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  default: string;
  synonyms: Synonym[];
}

const LONG_MAX = '9223372036854775807';

function t(name: string, type: ConfigType, def: string, ...synonyms: Array<string | Synonym>): TopicConfigDef {
  return { name, type, default: def, synonyms: synonyms.map((s) => (typeof s === 'string' ? { name: s } : s)) };
}

export const TOPIC_CONFIGS: TopicConfigDef[] = [
  t('cleanup.policy', 'LIST', 'delete', 'log.cleanup.policy'),
  t('compression.type', 'STRING', 'producer', 'compression.type'),
  t('delete.retention.ms', 'LONG', '86400000', 'log.cleaner.delete.retention.ms'),
  t('file.delete.delay.ms', 'LONG', '60000', 'log.segment.delete.delay.ms'),
  t('flush.messages', 'LONG', LONG_MAX, 'log.flush.interval.messages'),
  t('flush.ms', 'LONG', LONG_MAX, 'log.flush.interval.ms'),
  t('follower.replication.throttled.replicas', 'LIST', '', 'follower.replication.throttled.replicas'),
  t('index.interval.bytes', 'INT', '4096', 'log.index.interval.bytes'),
  t('leader.replication.throttled.replicas', 'LIST', '', 'leader.replication.throttled.replicas'),
  t('local.retention.bytes', 'LONG', '-2', 'log.local.retention.bytes'),
  t('local.retention.ms', 'LONG', '-2', 'log.local.retention.ms'),
  t('max.compaction.lag.ms', 'LONG', LONG_MAX, 'log.cleaner.max.compaction.lag.ms'),
  t('max.message.bytes', 'INT', '1048588', 'message.max.bytes'),
  t('message.downconversion.enable', 'BOOLEAN', 'true', 'log.message.downconversion.enable'),
  t('message.format.version', 'STRING', '3.0-IV1', 'log.message.format.version'),
  t('message.timestamp.after.max.ms', 'LONG', LONG_MAX, 'log.message.timestamp.after.max.ms'),
  t('message.timestamp.before.max.ms', 'LONG', LONG_MAX, 'log.message.timestamp.before.max.ms'),
  t('message.timestamp.difference.max.ms', 'LONG', LONG_MAX, 'log.message.timestamp.difference.max.ms'),
  t('message.timestamp.type', 'STRING', 'CreateTime', 'log.message.timestamp.type'),
  t('min.cleanable.dirty.ratio', 'DOUBLE', '0.5', 'log.cleaner.min.cleanable.ratio'),
  t('min.compaction.lag.ms', 'LONG', '0', 'log.cleaner.min.compaction.lag.ms'),
  t('min.insync.replicas', 'INT', '1', 'min.insync.replicas'),
  t('preallocate', 'BOOLEAN', 'false', 'log.preallocate'),
  t('remote.log.copy.disable', 'BOOLEAN', 'false'),
  t('remote.log.delete.on.disable', 'BOOLEAN', 'false'),
  t('remote.storage.enable', 'BOOLEAN', 'false'),
  t('retention.bytes', 'LONG', '-1', 'log.retention.bytes'),
  t(
    'retention.ms',
    'LONG',
    '604800000',
    'log.retention.ms',
    { name: 'log.retention.minutes', scale: 60_000 },
    { name: 'log.retention.hours', scale: 3_600_000 },
  ),
  t('segment.bytes', 'INT', '1073741824', 'log.segment.bytes'),
  t('segment.index.bytes', 'INT', '10485760', 'log.index.size.max.bytes'),
  t('segment.jitter.ms', 'LONG', '0', 'log.roll.jitter.ms', { name: 'log.roll.jitter.hours', scale: 3_600_000 }),
  t('segment.ms', 'LONG', '604800000', 'log.roll.ms', { name: 'log.roll.hours', scale: 3_600_000 }),
  t('unclean.leader.election.enable', 'BOOLEAN', 'false', 'unclean.leader.election.enable'),
];

export const TOPIC_CONFIG_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export interface BrokerConfigDef {
  name: string;
  type: ConfigType;
  /** null: Kafka reports no default value. */
  default: string | null;
  /** Can be changed at run time through AlterConfigs / IncrementalAlterConfigs. */
  dynamic?: boolean;
  sensitive?: boolean;
}

function b(name: string, type: ConfigType, def: string | null, dynamic = false): BrokerConfigDef {
  return { name, type, default: def, dynamic };
}

export const BROKER_CONFIGS: BrokerConfigDef[] = [
  b('advertised.listeners', 'STRING', null, true),
  b('auto.create.topics.enable', 'BOOLEAN', 'true'),
  b('auto.leader.rebalance.enable', 'BOOLEAN', 'true'),
  b('broker.heartbeat.interval.ms', 'INT', '2000'),
  b('broker.id', 'INT', '-1'),
  b('broker.session.timeout.ms', 'INT', '9000'),
  b('compression.type', 'STRING', 'producer', true),
  b('connections.max.idle.ms', 'LONG', '600000'),
  b('controller.listener.names', 'STRING', null),
  b('controller.quorum.election.backoff.max.ms', 'INT', '1000'),
  b('controller.quorum.election.timeout.ms', 'INT', '1000'),
  b('controller.quorum.fetch.timeout.ms', 'INT', '2000'),
  b('controller.quorum.request.timeout.ms', 'INT', '2000'),
  b('controller.quorum.retry.backoff.ms', 'INT', '20'),
  b('controller.quorum.voters', 'LIST', ''),
  b('default.replication.factor', 'INT', '1'),
  b('replica.lag.time.max.ms', 'LONG', '30000'),
  b('replica.fetch.wait.max.ms', 'INT', '500'),
  b('replica.high.watermark.checkpoint.interval.ms', 'LONG', '5000'),
  b('delete.topic.enable', 'BOOLEAN', 'true'),
  b('group.initial.rebalance.delay.ms', 'INT', '3000'),
  b('group.max.session.timeout.ms', 'INT', '1800000'),
  b('group.min.session.timeout.ms', 'INT', '6000'),
  b('inter.broker.listener.name', 'STRING', null),
  b('listeners', 'STRING', 'PLAINTEXT://127.0.0.1:9092', true),
  b('log.cleaner.backoff.ms', 'LONG', '15000', true),
  b('log.cleaner.dedupe.buffer.size', 'LONG', '134217728', true),
  b('log.cleaner.delete.retention.ms', 'LONG', '86400000', true),
  b('log.cleaner.enable', 'BOOLEAN', 'true'),
  b('log.cleaner.io.buffer.load.factor', 'DOUBLE', '0.9', true),
  b('log.cleaner.io.buffer.size', 'INT', '524288', true),
  b('log.cleaner.io.max.bytes.per.second', 'DOUBLE', '1.7976931348623157E308', true),
  b('log.cleaner.max.compaction.lag.ms', 'LONG', LONG_MAX, true),
  b('log.cleaner.min.cleanable.ratio', 'DOUBLE', '0.5', true),
  b('log.cleaner.min.compaction.lag.ms', 'LONG', '0', true),
  b('log.cleaner.threads', 'INT', '1', true),
  b('log.cleanup.policy', 'LIST', 'delete', true),
  b('log.dir', 'STRING', '/tmp/kafka-logs'),
  b('log.dirs', 'STRING', null),
  b('log.flush.interval.messages', 'LONG', LONG_MAX, true),
  b('leader.imbalance.check.interval.seconds', 'LONG', '300'),
  b('leader.imbalance.per.broker.percentage', 'INT', '10'),
  b('log.flush.interval.ms', 'LONG', null, true),
  b('log.index.interval.bytes', 'INT', '4096', true),
  b('log.index.size.max.bytes', 'INT', '10485760', true),
  b('log.message.timestamp.type', 'STRING', 'CreateTime', true),
  b('log.preallocate', 'BOOLEAN', 'false', true),
  b('log.retention.bytes', 'LONG', '-1', true),
  b('log.retention.check.interval.ms', 'LONG', '300000'),
  b('log.retention.hours', 'INT', '168'),
  b('log.retention.minutes', 'INT', null),
  b('log.retention.ms', 'LONG', null, true),
  b('log.roll.hours', 'INT', '168'),
  b('log.roll.jitter.hours', 'INT', '0'),
  b('log.roll.jitter.ms', 'LONG', null, true),
  b('log.roll.ms', 'LONG', null, true),
  b('log.segment.bytes', 'INT', '1073741824', true),
  b('log.segment.delete.delay.ms', 'LONG', '60000', true),
  b('max.connections', 'INT', '2147483647', true),
  b('max.connections.per.ip', 'INT', '2147483647', true),
  b('message.max.bytes', 'INT', '1048588', true),
  b('metadata.log.max.record.bytes.between.snapshots', 'LONG', '20971520'),
  b('min.insync.replicas', 'INT', '1', true),
  b('node.id', 'INT', '-1'),
  b('num.partitions', 'INT', '1', true),
  b('offsets.retention.minutes', 'INT', '10080'),
  b('offsets.topic.num.partitions', 'INT', '50'),
  b('offsets.topic.replication.factor', 'SHORT', '3'),
  b('offsets.topic.segment.bytes', 'INT', '104857600'),
  b('process.roles', 'LIST', ''),
  b('socket.request.max.bytes', 'INT', '104857600'),
  b('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'INT', '10000'),
  b('transaction.max.timeout.ms', 'INT', '900000'),
  b('transaction.state.log.num.partitions', 'INT', '50'),
  b('transactional.id.expiration.ms', 'INT', '604800000'),
  b('unclean.leader.election.enable', 'BOOLEAN', 'false', true),
];

export const BROKER_CONFIG_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

/** Keys whose values are never shown or logged. */
export function isSensitiveKey(name: string): boolean {
  return /password|secret|jaas|sasl\.jaas|\.key$|credentials|token|(^|\.)sasl\.(scram\.)?users$/i.test(name);
}
