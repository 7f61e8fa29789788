// The broker's state and the operations handlers call. One owner mutates it, and every
// mutation runs inside one synchronous section, so requests never see a half-done change.
import { join } from 'node:path';
import { BrokerConfig } from './config/broker-config.js';
import { ResourceType, TOPIC_CONFIG_BY_NAME } from './config/config-defs.js';
import { brokerConfigError, ConfigOpError, topicConfigError } from './config/validate.js';
import { GroupCoordinator } from './groups/coordinator.js';
import type { RequestContext } from './handlers/handler.js';
import { ErrorCode, type ErrorName } from '../protocol/errors.js';
import { decodeBatches, setLogAppendTime, validateBatches } from '../protocol/record-batch.js';
import { ProducerStateTable } from './producer-state.js';
import type { SecurityManager } from './security/index.js';
import { PartitionLog, type LogConfig } from './storage/partition-log.js';
import type { ReplicaLog } from './storage/replica-log.js';
import { policyCompacts, policyDeletes } from './storage/log-config.js';
import { mapEntriesFor, type CleanerSettings, type Codecs } from './storage/log-cleaner.js';
import { compress, decompress, type CompressionCodec } from '../codecs/index.js';
import type { MetadataStore, TopicRecord } from './storage/metadata-store.js';
import { fsyncDir, type FsInterface } from './storage/fs-interface.js';
import { takeCleanShutdownMarker, writeCleanShutdownMarker } from './storage/clean-shutdown.js';
import {
  claimPartitionDir,
  DeletedDirRemover,
  markForDeletion,
  removeDeletedDirs,
  strayPartitionDirs,
} from './storage/log-dirs.js';
import { collisionKey, INTERNAL_TOPICS, topicNameError } from './topic-names.js';
import { randomKafkaUuid } from './uuid.js';
import { systemClock, type Clock } from './groups/clock.js';
import { TransactionCoordinator } from './transactions/coordinator.js';
import { PartitionTxns } from './transactions/partition-txns.js';
import { rebuildPartitionTxns, writeMarker, writeTxnCheckpoint } from './transactions/markers.js';
import type { ControllerChannel } from './cluster/seams.js';
import type { ReplicaManager } from './cluster/replica-manager.js';
import { offsetsPartitionsOf } from './cluster/offsets-partitions.js';
import type { ProducerIdBlocks } from './cluster/producer-id-blocks.js';

export interface Partition {
  topic: Topic;
  index: number;
  log: ReplicaLog;
  producers: ProducerStateTable;
  /** Open transactions, the last stable offset and the aborted-transaction index. */
  txns: PartitionTxns;
}

/** Topic configs the hot paths read, resolved once per config change. */
interface TopicSettings {
  maxMessageBytes: number;
  logAppendTime: boolean;
  log: LogConfig;
  /** Set when cleanup.policy includes compact. */
  compaction: CleanerSettings | null;
  minInsyncReplicas: number;
}

export interface Topic {
  name: string;
  topicId: string;
  internal: boolean;
  configs: Record<string, string>;
  partitions: Partition[];
  settings: TopicSettings;
}

export type OpResult<T = object> = ({ ok: true } & T) | { ok: false; error: ErrorName; message: string };

export interface CreateTopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partition: number; brokerIds: number[] }>;
  configs: Record<string, string>;
}

export interface AppendResult {
  errorCode: number;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  message: string | null;
}

export interface BrokerDeps {
  config: BrokerConfig;
  store: MetadataStore;
  fs: FsInterface;
  log: (line: string) => void;
  now?: () => number;
  /** The transaction coordinator's clock (timeouts); tests drive it by hand. */
  transactionClock?: Clock;
  /** A KRaft broker: groups live in the replicated __consumer_offsets topic. */
  clustered?: boolean;
}

const PRODUCER_ID_BLOCK = 1000;
/** Kafka's default producer.id.expiration.ms: how long a producer's sequence state is kept. */
const PRODUCER_ID_EXPIRATION_MS = 86_400_000;
const CLEANER_CODECS: Codecs = {
  compress: (codec, data) => compress(codec as CompressionCodec, data),
  decompress: (codec, data) => decompress(codec as CompressionCodec, data),
};
/** Kafka's controller creates at most this many partitions per request. */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

/** The brokers of a KRaft cluster, as the committed metadata log lists them. */
export interface ClusterView {
  /** Unfenced brokers with their endpoint on `listenerName`. */
  liveBrokers(listenerName: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  /** A partition's replicas, ISR, leader (-1: none) and leader epoch. */
  partition(
    topic: string,
    index: number,
  ): { replicas: number[]; isr: number[]; leader: number; leaderEpoch: number } | undefined;
  isLive(brokerId: number): boolean;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly loggerLevels: Record<string, string> = { root: 'INFO' };
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  closing = false;

  private readonly topics = new Map<string, Topic>();
  private readonly topicsById = new Map<string, Topic>();
  private readonly waiters = new Map<Partition, Set<() => void>>();
  /** Every parked long poll, including those waiting on no partition at all. */
  private readonly parked = new Set<() => void>();
  private readonly store: MetadataStore;
  private readonly fs: FsInterface;
  private readonly now: () => number;
  private nextPid = 0;
  private pidLimit = 0;
  /** Whether the last stop left the clean-shutdown marker (logs load without recovery). */
  private cleanStart = false;
  /** Every log was opened: only then can a clean stop vouch for all of them. */
  private opened = false;
  private readonly deletedDirs: DeletedDirRemover;
  /** Set by the server: the address a listener actually bound, by listener name. */
  boundEndpoints = new Map<string, { host: string; port: number }>();
  /** Set by startBroker: listener security, SASL sessions and SCRAM credentials. */
  security: SecurityManager | undefined;
  /** Set by startBroker in KRaft mode: the other brokers registered with the controller quorum. */
  cluster: ClusterView | undefined;
  /** KRaft mode: the partition roles the metadata image assigns, replication and the ISR wait. */
  replicaManager: ReplicaManager | undefined;
  /** KRaft mode: where CreateTopics, DeleteTopics and AlterPartition go. */
  controllerChannel: ControllerChannel | undefined;
  /** KRaft mode: producer ids in blocks from the active controller (AllocateProducerIds). */
  producerIdBlocks: ProducerIdBlocks | undefined;

  readonly log: (line: string) => void;

  constructor(deps: BrokerDeps) {
    this.config = deps.config;
    this.store = deps.store;
    this.fs = deps.fs;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.nodeId = this.config.nodeId;
    this.clusterId = this.store.clusterId;
    this.deletedDirs = new DeletedDirRemover(this.fs, this.config.dataDir, this.log);
    this.groups = new GroupCoordinator({
      dataDir: this.config.dataDir,
      fs: this.fs,
      config: this.config,
      partitionExists: (topic, partition) => !!this.topics.get(topic)?.partitions[partition],
      log: this.log,
      replicated: deps.clustered ? offsetsPartitionsOf(this, this.now) : undefined,
    });
    this.transactions = new TransactionCoordinator({
      dataDir: this.config.dataDir,
      fs: this.fs,
      clock: deps.transactionClock ?? systemClock,
      config: this.config,
      log: this.log,
      nextProducerId: () => this.nextProducerId(),
      partitionExists: (topic, partition) => !!this.topics.get(topic)?.partitions[partition],
      writeMarker: (topic, partition, producerId, producerEpoch, commit) => {
        const p = this.topics.get(topic)?.partitions[partition];
        if (p && writeMarker(p, producerId, producerEpoch, commit, this.now())) this.wake(p);
      },
      applyOffsets: (groupId, offsets) => this.groups.applyTxnOffsets(groupId, offsets),
      validateGroupCommit: (groupId, generationId, memberId, instanceId) =>
        this.groups.validateTxnOffsetCommit(groupId, generationId, memberId, instanceId),
    });
  }

  /**
   * Finishes deletions a crash interrupted (directories renamed to -delete, and
   * directories of topics the metadata no longer has), then opens every stored
   * topic's partitions, recovering their logs.
   */
  open(): void {
    const dataDir = this.config.dataDir;
    const known = new Map(
      this.store.listTopics().map((t) => [t.name, { topicId: t.topicId, partitions: t.partitions }]),
    );
    for (const dir of strayPartitionDirs(this.fs, dataDir, known)) {
      this.log(`${dir} is not a partition of any current topic (a deletion a crash interrupted); deleting it`);
      markForDeletion(this.fs, dir);
    }
    removeDeletedDirs(this.fs, dataDir, this.log);
    this.cleanStart = takeCleanShutdownMarker(this.fs, dataDir);
    if (!this.cleanStart && known.size > 0)
      this.log('No clean-shutdown marker: recovering the last segment of every partition');
    for (const record of this.store.listTopics()) {
      const topic = this.materialize(record);
      for (const p of topic.partitions) {
        this.rebuildProducerState(p);
        this.rebuildTransactionState(p);
      }
    }
    this.transactions.open();
    this.opened = true;
  }

  endpointFor(ctx: RequestContext): { host: string; port: number } {
    const advertised = this.config.advertisedListeners;
    const listenerName = ctx.listenerName;
    const match = advertised?.find((l) => l.name === listenerName) ?? advertised?.[0];
    if (match && match.host !== '' && match.port !== 0) return { host: match.host, port: match.port };
    const bound = this.boundEndpoints.get(listenerName);
    const host =
      bound && bound.host !== '0.0.0.0' && bound.host !== '::' && bound.host !== '' ? bound.host : ctx.localAddress;
    return { host, port: bound?.port ?? ctx.localPort };
  }

  // ---- topics -----------------------------------------------------------------------

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  topicById(id: string): Topic | undefined {
    return this.topicsById.get(id);
  }

  listTopics(): Topic[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  autoCreateTopic(name: string): OpResult {
    const defaultRf = this.config.int('default.replication.factor');
    return this.createTopic(
      { name, numPartitions: -1, replicationFactor: Math.min(defaultRf, 1) || -1, assignments: [], configs: {} },
      false,
    );
  }

  createTopic(spec: CreateTopicSpec, validateOnly: boolean): OpResult<{ topic: Topic }> {
    const nameError = topicNameError(spec.name);
    if (nameError) return { ok: false, error: 'INVALID_TOPIC_EXCEPTION', message: nameError };
    if (this.topics.has(spec.name))
      return { ok: false, error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${spec.name}' already exists.` };
    const key = collisionKey(spec.name);
    for (const existing of this.topics.keys()) {
      if (collisionKey(existing) === key) {
        return {
          ok: false,
          error: 'INVALID_TOPIC_EXCEPTION',
          message: `Topic '${spec.name}' collides with existing topic: ${existing}`,
        };
      }
    }
    let partitions = spec.numPartitions;
    if (spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        return {
          ok: false,
          error: 'INVALID_REQUEST',
          message:
            'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        };
      }
      const sorted = [...spec.assignments].sort((a, b) => a.partition - b.partition);
      for (let i = 0; i < sorted.length; i++) {
        if (sorted[i].partition !== i) {
          return {
            ok: false,
            error: 'INVALID_REPLICA_ASSIGNMENT',
            message: 'Partitions should be a consecutive 0-based integer sequence',
          };
        }
        const ids = sorted[i].brokerIds;
        if (ids.length === 0 || ids.some((id) => id !== this.nodeId)) {
          const unknown = ids.find((id) => id !== this.nodeId);
          return {
            ok: false,
            error: 'INVALID_REPLICA_ASSIGNMENT',
            message:
              unknown === undefined
                ? 'Replica assignment is empty'
                : `Unknown broker id ${unknown} in the replica assignment`,
          };
        }
        if (new Set(ids).size !== ids.length) {
          return {
            ok: false,
            error: 'INVALID_REPLICA_ASSIGNMENT',
            message: `Duplicate brokers not allowed in replica assignment: ${ids.join(', ')} for partition id ${i}.`,
          };
        }
      }
      partitions = sorted.length;
    } else {
      if (partitions === -1) partitions = this.config.int('num.partitions');
      if (partitions <= 0)
        return {
          ok: false,
          error: 'INVALID_PARTITIONS',
          message: 'Number of partitions was set to an invalid non-positive value.',
        };
      let rf = spec.replicationFactor;
      if (rf === -1) rf = this.config.int('default.replication.factor');
      if (rf <= 0)
        return {
          ok: false,
          error: 'INVALID_REPLICATION_FACTOR',
          message: 'Replication factor must be larger than 0, or -1 to use the default value.',
        };
      if (rf > 1) {
        return {
          ok: false,
          error: 'INVALID_REPLICATION_FACTOR',
          message: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
        };
      }
    }
    if (partitions > MAX_PARTITIONS_PER_REQUEST) {
      return { ok: false, error: 'POLICY_VIOLATION', message: 'Excessively large number of partitions per request.' };
    }
    for (const [name, value] of Object.entries(spec.configs)) {
      const err = topicConfigError(name, value);
      if (err) return { ok: false, error: 'INVALID_CONFIG', message: err };
    }
    const record: TopicRecord = {
      name: spec.name,
      topicId: randomKafkaUuid(),
      partitions,
      configs: { ...spec.configs },
    };
    if (validateOnly) {
      return {
        ok: true,
        topic: {
          name: record.name,
          topicId: record.topicId,
          internal: false,
          configs: record.configs,
          partitions: new Array(partitions).fill(null),
          settings: this.settingsFor(record.configs),
        },
      };
    }
    const stored = this.persist(`Cannot create topic ${spec.name}`, () => this.store.putTopic(record));
    if (stored) return stored;
    let topic: Topic;
    try {
      topic = this.materialize(record, true);
    } catch (err) {
      // A topic whose partitions cannot all be opened (out of file descriptors, say) is not created.
      const message = `Cannot create topic ${spec.name}: ${(err as Error).message}`;
      this.log(message);
      try {
        this.store.deleteTopic(spec.name);
      } catch {
        /* reported above; the store keeps its own consistency */
      }
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message };
    }
    this.log(`Created topic ${spec.name} with ${partitions} partition(s) and topic id ${record.topicId}`);
    return { ok: true, topic };
  }

  /**
   * The metadata change is the commit point. The partition directories are then renamed
   * to -delete names at once (so nothing can adopt them) and removed after the response;
   * after a crash at any point, start-up finishes the job.
   */
  deleteTopic(name: string): OpResult {
    const topic = this.topics.get(name);
    if (!topic)
      return {
        ok: false,
        error: 'UNKNOWN_TOPIC_OR_PARTITION',
        message: 'This server does not host this topic-partition.',
      };
    try {
      this.store.deleteTopic(name);
    } catch (err) {
      const message = `Cannot delete topic ${name}: ${(err as Error).message}`;
      this.log(message);
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message };
    }
    this.groups.onTopicDeleted(name);
    this.topics.delete(name);
    this.topicsById.delete(topic.topicId);
    for (const p of topic.partitions) {
      this.wake(p);
      p.log.discard();
      try {
        markForDeletion(this.fs, p.log.dir, { sync: false });
      } catch (err) {
        this.log(`Cannot move ${p.log.dir} aside for deletion (the next start deletes it): ${(err as Error).message}`);
      }
    }
    fsyncDir(this.fs, this.config.dataDir);
    this.deletedDirs.schedule();
    this.log(`Deleted topic ${name}`);
    return { ok: true };
  }

  createPartitions(name: string, count: number, assignments: number[][] | null, validateOnly: boolean): OpResult {
    const topic = this.topics.get(name);
    if (!topic)
      return { ok: false, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `The topic '${name}' does not exist.` };
    const current = topic.partitions.length;
    if (count < current) {
      return {
        ok: false,
        error: 'INVALID_PARTITIONS',
        message: `Topic currently has ${current} partitions, which is higher than the requested ${count}.`,
      };
    }
    if (count === current) {
      return { ok: false, error: 'INVALID_PARTITIONS', message: `Topic already has ${current} partitions.` };
    }
    if (count - current > MAX_PARTITIONS_PER_REQUEST) {
      return { ok: false, error: 'POLICY_VIOLATION', message: 'Unable to perform excessively large batch operation.' };
    }
    if (assignments) {
      if (assignments.length !== count - current) {
        return {
          ok: false,
          error: 'INVALID_REPLICA_ASSIGNMENT',
          message: `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.`,
        };
      }
      const unknown = assignments.flat().find((id) => id !== this.nodeId);
      if (unknown !== undefined)
        return {
          ok: false,
          error: 'INVALID_REPLICA_ASSIGNMENT',
          message: `Unknown broker(s) in replica assignment: ${unknown}.`,
        };
    }
    if (validateOnly) return { ok: true };
    const stored = this.persist(`Cannot add partitions to ${name}`, () =>
      this.store.putTopic({ name, topicId: topic.topicId, partitions: count, configs: topic.configs }),
    );
    if (stored) return stored;
    try {
      for (let i = current; i < count; i++) topic.partitions.push(this.openPartition(topic, i, true));
    } catch (err) {
      // All or nothing: the partitions opened so far go, and the stored count is restored.
      const message = `Cannot add partitions to ${name}: ${(err as Error).message}`;
      this.log(message);
      for (const p of topic.partitions.splice(current)) {
        try {
          p.log.delete();
        } catch {
          /* an empty new partition; nothing to lose */
        }
      }
      try {
        this.store.putTopic({ name, topicId: topic.topicId, partitions: current, configs: topic.configs });
      } catch {
        /* logged above */
      }
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message };
    }
    this.log(`Increased partitions of ${name} from ${current} to ${count}`);
    return { ok: true };
  }

  /**
   * KRaft mode: opens the local replica of a topic the committed metadata assigns, with no
   * validation (the controller did it); the local record lets a restart reopen it at once.
   */
  hostTopic(record: TopicRecord): Topic {
    this.store.putTopic(record);
    return this.materialize(record, !this.fs.existsSync(join(this.config.dataDir, `${record.name}-0`)));
  }

  /** KRaft mode: the metadata added partitions to a hosted topic. */
  hostPartitions(topic: Topic, count: number): void {
    this.store.putTopic({ name: topic.name, topicId: topic.topicId, partitions: count, configs: topic.configs });
    for (let i = topic.partitions.length; i < count; i++) topic.partitions.push(this.openPartition(topic, i, true));
  }

  /** KRaft mode: the committed metadata changed a hosted topic's config overrides. */
  applyTopicConfigs(topic: Topic, configs: Record<string, string>): void {
    this.store.putTopic({ name: topic.name, topicId: topic.topicId, partitions: topic.partitions.length, configs });
    topic.configs = { ...configs };
    this.refreshSettings(topic);
  }

  /** A follower's log was truncated: producer and transaction state are rebuilt from what is left. */
  resetReplicaState(p: Partition): void {
    p.producers = new ProducerStateTable();
    p.txns = new PartitionTxns();
    this.rebuildProducerState(p);
    this.rebuildTransactionState(p);
  }

  /**
   * Runs a metadata write; a failure (a full disk, say) becomes KAFKA_STORAGE_ERROR for the
   * request instead of an exception that would close the client's connection.
   */
  private persist(what: string, write: () => void): { ok: false; error: ErrorName; message: string } | null {
    try {
      write();
      return null;
    } catch (err) {
      const message = `${what}: ${(err as Error).message}`;
      this.log(message);
      return { ok: false, error: 'KAFKA_STORAGE_ERROR', message };
    }
  }

  /** Opens a topic's partitions; if one fails, closes (or, for a new topic, deletes) those opened. */
  private materialize(record: TopicRecord, isNew = false): Topic {
    const topic: Topic = {
      name: record.name,
      topicId: record.topicId,
      internal: INTERNAL_TOPICS.has(record.name),
      configs: { ...record.configs },
      partitions: [],
      settings: this.settingsFor(record.configs),
    };
    try {
      for (let i = 0; i < record.partitions; i++) topic.partitions.push(this.openPartition(topic, i, isNew));
    } catch (err) {
      for (const p of topic.partitions) {
        try {
          if (isNew) p.log.delete();
          else p.log.close();
        } catch {
          /* already failing */
        }
      }
      throw err;
    }
    this.topics.set(topic.name, topic);
    this.topicsById.set(topic.topicId, topic);
    return topic;
  }

  private openPartition(topic: Topic, index: number, isNew: boolean): Partition {
    const dir = join(this.config.dataDir, `${topic.name}-${index}`);
    claimPartitionDir(this.fs, dir, topic.topicId, isNew, this.log);
    const log = PartitionLog.open(dir, topic.settings.log, {
      fs: this.fs,
      now: this.now,
      log: this.log,
      cleanShutdown: this.cleanStart && !isNew,
    });
    return { topic, index, log, producers: new ProducerStateTable(), txns: new PartitionTxns() };
  }

  private settingsFor(overrides: Record<string, string>): TopicSettings {
    const v = (name: string) => this.config.topicValue(name, overrides);
    return {
      maxMessageBytes: Number(v('max.message.bytes')),
      logAppendTime: v('message.timestamp.type') === 'LogAppendTime',
      log: {
        segmentBytes: Number(v('segment.bytes')),
        segmentMs: Number(v('segment.ms')),
        indexIntervalBytes: Number(v('index.interval.bytes')),
        retentionMs: Number(v('retention.ms')),
        retentionBytes: Number(v('retention.bytes')),
        deleteRetention: policyDeletes(v('cleanup.policy')),
      },
      minInsyncReplicas: Number(v('min.insync.replicas')),
      compaction: policyCompacts(v('cleanup.policy'))
        ? {
            minCleanableRatio: Number(v('min.cleanable.dirty.ratio')),
            minCompactionLagMs: Number(v('min.compaction.lag.ms')),
            maxCompactionLagMs: Number(v('max.compaction.lag.ms')),
            deleteRetentionMs: Number(v('delete.retention.ms')),
            segmentBytes: Number(v('segment.bytes')),
            maxMapEntries: mapEntriesFor(this.config.int('log.cleaner.dedupe.buffer.size')),
          }
        : null,
    };
  }

  private refreshSettings(topic: Topic): void {
    topic.settings = this.settingsFor(topic.configs);
    for (const p of topic.partitions) p.log.updateConfig(topic.settings.log);
  }

  /** Best effort, as the producer state: a corrupt batch header ends the walk, never the start-up. */
  private rebuildTransactionState(p: Partition): void {
    try {
      rebuildPartitionTxns(p);
    } catch (err) {
      this.log(`Transaction state of ${p.topic.name}-${p.index} rebuilt only partly: ${(err as Error).message}`);
    }
  }

  /** Best effort: a corrupt batch header ends the walk (and is reported to readers), never the start-up. */
  private rebuildProducerState(p: Partition): void {
    try {
      this.replayProducerBatches(p);
    } catch (err) {
      this.log(`Producer state of ${p.topic.name}-${p.index} rebuilt only partly: ${(err as Error).message}`);
    }
  }

  /**
   * Reads the batches of every segment written to within producer.id.expiration.ms (at
   * least the last two): a producer that retries after a restart must find its sequence
   * state even when others have filled segments since its last write.
   */
  private replayProducerBatches(p: Partition): void {
    const closed = p.log.closedSegments();
    const since = this.now() - PRODUCER_ID_EXPIRATION_MS;
    let recent = 1;
    for (let i = closed.length - 1; i >= 0 && closed[i]!.lastModified >= since; i--) recent++;
    for (const b of p.log.recentBatches(Math.max(2, recent))) {
      if (b.producerId < 0 || b.baseSequence < 0) continue;
      p.producers.record(b.producerId, b.producerEpoch, {
        firstSeq: b.baseSequence,
        lastSeq: (b.baseSequence + b.lastOffsetDelta) | 0,
        firstOffset: b.baseOffset,
        lastOffset: b.baseOffset + b.lastOffsetDelta,
        maxTimestamp: b.maxTimestamp,
      });
    }
  }

  // ---- produce and fetch ----------------------------------------------------------------

  /**
   * NOT_ENOUGH_REPLICAS for an acks=all produce when the in-sync replicas are fewer
   * than min.insync.replicas. A single broker's ISR is itself alone.
   */
  insyncShortfall(topicName: string, index: number): string | null {
    const topic = this.topics.get(topicName);
    if (!topic || !topic.partitions[index]) return null;
    const isr = this.replicaManager ? this.replicaManager.isrSize(topic.partitions[index]) : 1;
    const min = topic.settings.minInsyncReplicas;
    return isr < min
      ? `The size of the current ISR ${isr} is insufficient to satisfy the min.isr requirement of ${min} for partition ${topicName}-${index}`
      : null;
  }

  appendRecords(
    topicName: string,
    index: number,
    records: Buffer | null,
    transactionalId: string | null,
  ): AppendResult {
    const fail = (error: ErrorName, message: string | null = null): AppendResult => ({
      errorCode: ErrorCode[error],
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: -1,
      message,
    });
    const topic = this.topics.get(topicName);
    const partition = topic?.partitions[index];
    if (!topic || !partition) return fail('UNKNOWN_TOPIC_OR_PARTITION');
    const notLeader = this.replicaManager?.leaderError(partition) ?? null;
    if (notLeader) return fail(notLeader, `This broker does not lead ${topicName}-${index}`);
    if (!records || records.length === 0) return fail('CORRUPT_MESSAGE', 'Produce request has no records');
    const checked = validateBatches(records, { fromClient: true });
    if (checked.error !== null) return fail(checked.error, checked.message);
    const { log } = partition;
    for (const b of checked.batches) {
      if (b.size > topic.settings.maxMessageBytes) {
        return fail(
          'MESSAGE_TOO_LARGE',
          `The record batch is ${b.size} bytes, larger than max.message.bytes (${topic.settings.maxMessageBytes}).`,
        );
      }
      if (b.isControl) return fail('INVALID_RECORD', 'Clients cannot write control batches');
      if (b.isTransactional !== (transactionalId !== null)) {
        return fail(
          'INVALID_RECORD',
          b.isTransactional
            ? 'Transactional batch without a transactional id'
            : 'Non-transactional batch in a transactional produce request',
        );
      }
      if (transactionalId !== null) {
        const refused = this.transactions.verifyProduce(
          transactionalId,
          b.producerId,
          b.producerEpoch,
          topicName,
          index,
        );
        if (refused !== null)
          return fail(refused, `Transactional produce to ${topicName}-${index} refused: ${refused}`);
      }
    }

    if (topic.settings.compaction !== null && hasKeylessRecord(records)) {
      return fail(
        'INVALID_RECORD',
        `Compacted topic cannot accept message without key in topic partition ${topicName}-${index}.`,
      );
    }

    // Idempotent producers: a retried batch is answered from memory instead of stored twice.
    const idempotent = checked.batches.filter((b) => b.producerId >= 0 && b.baseSequence >= 0);
    for (const b of idempotent) {
      const verdict = partition.producers.check(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        (b.baseSequence + b.lastOffsetDelta) | 0,
      );
      if (verdict.kind === 'error') return fail(verdict.error, verdict.message);
      if (verdict.kind === 'duplicate') {
        if (checked.batches.length === 1) {
          return {
            errorCode: ErrorCode.NONE,
            baseOffset: verdict.batch.firstOffset,
            logAppendTime: -1,
            logStartOffset: log.logStartOffset,
            message: null,
          };
        }
        return fail('DUPLICATE_SEQUENCE_NUMBER', 'A batch in the request was already written');
      }
    }

    let appendTime = -1;
    if (topic.settings.logAppendTime) {
      appendTime = this.now();
      for (const b of checked.batches) setLogAppendTime(records, b.position, appendTime);
    }
    let appended: { baseOffset: number; lastOffset: number };
    try {
      appended = log.append(records, {
        leaderEpoch: this.replicaManager?.leaderEpochOf(partition) ?? 0,
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'KAFKA_STORAGE_ERROR') {
        this.log(`Write to ${topicName}-${index} failed: ${e.message}`);
        return fail('KAFKA_STORAGE_ERROR', e.message ?? null);
      }
      throw err;
    }
    let offset = appended.baseOffset;
    for (const b of checked.batches) {
      if (b.producerId >= 0 && b.baseSequence >= 0) {
        partition.producers.record(b.producerId, b.producerEpoch, {
          firstSeq: b.baseSequence,
          lastSeq: (b.baseSequence + b.lastOffsetDelta) | 0,
          firstOffset: offset,
          lastOffset: offset + b.lastOffsetDelta,
          maxTimestamp: b.maxTimestamp,
        });
      }
      partition.txns.onBatch(b, offset);
      offset += b.lastOffsetDelta + 1;
    }
    this.replicaManager?.onLeaderAppend(partition, appended.baseOffset);
    this.wake(partition);
    return {
      errorCode: ErrorCode.NONE,
      baseOffset: appended.baseOffset,
      logAppendTime: appendTime,
      logStartOffset: log.logStartOffset,
      message: null,
    };
  }

  readLog(
    partition: Partition,
    offset: number,
    maxBytes: number,
    minOneBatch: boolean,
  ): { error: number; chunks: Buffer[]; bytes: number } {
    try {
      const r = partition.log.read(offset, maxBytes, { minOneBatch });
      return { error: ErrorCode.NONE, chunks: r.chunks, bytes: r.bytes };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'OFFSET_OUT_OF_RANGE') return { error: ErrorCode.OFFSET_OUT_OF_RANGE, chunks: [], bytes: 0 };
      if (e.code === 'CORRUPT_MESSAGE') {
        this.log(`Read from ${partition.topic.name}-${partition.index} at offset ${offset} failed: ${e.message}`);
        return { error: ErrorCode.CORRUPT_MESSAGE, chunks: [], bytes: 0 };
      }
      this.log(`Read from ${partition.topic.name}-${partition.index} failed: ${e.message}`);
      return { error: ErrorCode.KAFKA_STORAGE_ERROR, chunks: [], bytes: 0 };
    }
  }

  /** Resolves when any of the partitions gets new data, or after the timeout. */
  waitForAppend(partitions: Partition[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      // eslint-disable-next-line prefer-const -- assigned after done() is defined, which reads it
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        for (const p of partitions) this.waiters.get(p)?.delete(done);
        this.parked.delete(done);
        resolve();
      };
      this.parked.add(done);
      for (const p of partitions) {
        let set = this.waiters.get(p);
        if (!set) {
          set = new Set();
          this.waiters.set(p, set);
        }
        set.add(done);
      }
      timer = setTimeout(done, timeoutMs);
    });
  }

  /** Answers the long polls waiting on `p` (after a transaction marker, say). */
  wakePartition(p: Partition): void {
    this.wake(p);
  }

  private wake(p: Partition): void {
    const set = this.waiters.get(p);
    if (!set || set.size === 0) return;
    this.waiters.delete(p);
    for (const fn of set) fn();
  }

  wakeAll(): void {
    for (const p of [...this.waiters.keys()]) this.wake(p);
    // A fetch naming no partition waits on none: only its timer would end it.
    for (const fn of [...this.parked]) fn();
  }

  /** Answers every parked request (long polls, rebalances) so connections can drain. */
  beginShutdown(): void {
    this.closing = true;
    this.groups.close();
    this.wakeAll();
  }

  deleteRecords(partition: Partition, offset: number): { errorCode: number; lowWatermark: number } {
    const { log } = partition;
    const target = offset === -1 ? log.highWatermark : offset;
    if (target < 0 || target > log.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    try {
      if (target > log.logStartOffset) log.deleteRecordsBefore(target);
    } catch (err) {
      this.log(`DeleteRecords on ${partition.topic.name}-${partition.index} failed: ${(err as Error).message}`);
      return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: -1 };
    }
    return { errorCode: ErrorCode.NONE, lowWatermark: log.logStartOffset };
  }

  applyRetention(): void {
    const now = this.now();
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        try {
          p.log.applyRetention(now);
        } catch (err) {
          this.log(`Retention on ${topic.name}-${p.index} failed: ${(err as Error).message}`);
        }
      }
    }
  }

  private cleaning = false;

  /**
   * One pass of the log cleaner over every compacted partition that is due. The work
   * is cut into steps with a turn of the event loop between them, so requests are
   * served while a large partition is compacted.
   */
  async cleanCompactedLogs(): Promise<void> {
    if (this.cleaning || this.closing) return;
    this.cleaning = true;
    try {
      for (const topic of [...this.topics.values()]) {
        const settings = topic.settings.compaction;
        if (settings === null) continue;
        for (const p of topic.partitions) {
          if (this.closing || this.topics.get(topic.name) !== topic) return;
          try {
            const txns = {
              firstUnstableOffset: p.txns.lastStableOffset(p.log.highWatermark),
              isAborted: (pid: number, offset: number) => p.txns.isAborted(pid, offset),
            };
            const steps = p.log.cleaningSteps(settings, CLEANER_CODECS, this.now(), txns);
            let step = steps.next();
            while (!step.done) {
              await new Promise((resolve) => setImmediate(resolve));
              if (this.closing || p.log.isOffline || this.topics.get(topic.name) !== topic) return;
              step = steps.next();
            }
            const r = step.value;
            if (r.cleaned && r.recordsRemoved > 0) {
              this.log(
                `Cleaner compacted ${topic.name}-${p.index}: ${r.recordsRemoved} record(s) removed, ${r.bytesBefore} -> ${r.bytesAfter} bytes, cleaned up to offset ${r.cleanedUpTo}`,
              );
            }
          } catch (err) {
            this.log(`Cleaning ${topic.name}-${p.index} failed: ${(err as Error).message}`);
          }
        }
      }
    } finally {
      this.cleaning = false;
    }
  }

  // ---- producer ids -------------------------------------------------------------------

  /** Ids come from blocks reserved on disk first, so a restart never hands one out twice. */
  nextProducerId(): number {
    if (this.nextPid >= this.pidLimit) {
      const start = this.store.reserveProducerIds(PRODUCER_ID_BLOCK);
      this.nextPid = start;
      this.pidLimit = start + PRODUCER_ID_BLOCK;
    }
    return this.nextPid++;
  }

  /** A fresh producer id for an idempotent producer: on a cluster, from the controller's blocks. */
  allocateProducerId(): Promise<number> | number {
    return this.producerIdBlocks ? this.producerIdBlocks.next() : this.nextProducerId();
  }

  // ---- configs ------------------------------------------------------------------------

  /**
   * Computes a resource's new overrides with `update` and applies them only when every
   * one is valid, so an alter is all or nothing.
   */
  alterConfigs(
    resourceType: number,
    resourceName: string,
    update: (current: Record<string, string>, effective: (name: string) => string | null) => Record<string, string>,
    validateOnly: boolean,
  ): { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string } {
    const reply = (error: ErrorName, errorMessage: string | null = null) => ({
      errorCode: ErrorCode[error],
      errorMessage,
      resourceType,
      resourceName,
    });
    try {
      switch (resourceType) {
        case ResourceType.TOPIC: {
          const topic = this.topics.get(resourceName);
          if (!topic) return reply('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${resourceName}' does not exist.`);
          const next = update({ ...topic.configs }, (name) =>
            TOPIC_CONFIG_BY_NAME.has(name) ? this.config.topicValue(name, topic.configs) : null,
          );
          for (const [name, value] of Object.entries(next)) {
            const err = topicConfigError(name, value);
            if (err) return reply('INVALID_CONFIG', err);
          }
          if (validateOnly) return reply('NONE');
          const stored = this.persist(`Cannot alter the configs of ${topic.name}`, () =>
            this.store.putTopic({
              name: topic.name,
              topicId: topic.topicId,
              partitions: topic.partitions.length,
              configs: next,
            }),
          );
          if (stored) return reply(stored.error, stored.message);
          topic.configs = next;
          this.refreshSettings(topic);
          return reply('NONE');
        }
        case ResourceType.BROKER: {
          if (resourceName !== '' && resourceName !== String(this.nodeId)) {
            return reply(
              'INVALID_REQUEST',
              `Unexpected broker id, expected ${this.nodeId} or empty string, but received ${resourceName}`,
            );
          }
          const clusterDefault = resourceName === '';
          const next = update(
            clusterDefault ? this.config.dynamicDefaultOverrides : this.config.dynamicOverrides,
            (name) => this.config.get(name),
          );
          for (const [name, value] of Object.entries(next)) {
            const err = brokerConfigError(name, value);
            if (err) return reply(err.error, err.message);
          }
          // Listener lists must parse: every Metadata answer reads them, and so does the
          // next start, from the stored overrides.
          try {
            const candidate = clusterDefault
              ? new BrokerConfig(this.config.staticProps, this.config.dynamicOverrides, next)
              : new BrokerConfig(this.config.staticProps, next, this.config.dynamicDefaultOverrides);
            void candidate.listeners;
            void candidate.advertisedListeners;
          } catch (err) {
            return reply('INVALID_CONFIG', (err as Error).message);
          }
          if (validateOnly) return reply('NONE');
          const stored = this.persist('Cannot alter the broker configs', () =>
            clusterDefault ? this.store.setBrokerDefaultOverrides(next) : this.store.setBrokerOverrides(next),
          );
          if (stored) return reply(stored.error, stored.message);
          if (clusterDefault) this.config.setDynamicDefaults(next);
          else this.config.setDynamic(next);
          for (const topic of this.topics.values()) this.refreshSettings(topic);
          return reply('NONE');
        }
        case ResourceType.BROKER_LOGGER: {
          const next = update({ ...this.loggerLevels }, (name) => this.loggerLevels[name] ?? null);
          const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'];
          for (const [name, value] of Object.entries(next)) {
            if (!levels.includes(value.toUpperCase()))
              return reply(
                'INVALID_CONFIG',
                `Cannot set the log level of ${name} to ${value} as it is not a supported log level. Valid log levels are ${levels.join(', ')}`,
              );
          }
          if (!validateOnly) {
            for (const k of Object.keys(this.loggerLevels)) if (!(k in next)) delete this.loggerLevels[k];
            Object.assign(this.loggerLevels, next);
            this.loggerLevels.root ??= 'INFO';
          }
          return reply('NONE');
        }
        default:
          return reply('INVALID_REQUEST', `Unsupported resource type ${resourceType}`);
      }
    } catch (err) {
      if (err instanceof ConfigOpError) return reply(err.error, err.message);
      throw err;
    }
  }

  /** Flushes and closes every log; when all of them made it, leaves the clean-shutdown marker. */
  close(): void {
    this.closing = true;
    this.transactions.close();
    this.wakeAll();
    this.deletedDirs.stop();
    let clean = this.opened;
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        try {
          if (p.log.isOffline) clean = false;
          else p.log.flush();
        } catch (err) {
          clean = false;
          this.log(`Flushing ${topic.name}-${p.index} at shutdown failed: ${(err as Error).message}`);
        }
        try {
          if (!p.log.isOffline) writeTxnCheckpoint(p);
        } catch (err) {
          this.log(`Checkpointing transactions of ${topic.name}-${p.index} failed: ${(err as Error).message}`);
        }
        p.log.close();
      }
    }
    this.opened = false;
    if (!clean) return;
    try {
      writeCleanShutdownMarker(this.fs, this.config.dataDir);
    } catch (err) {
      this.log(`Cannot write the clean-shutdown marker (the next start recovers): ${(err as Error).message}`);
    }
  }
}

function hasKeylessRecord(records: Buffer): boolean {
  for (const batch of decodeBatches(records, CLEANER_CODECS.decompress)) {
    if (batch.header.isControl) continue;
    for (const r of batch.records) if (r.key === null) return true;
  }
  return false;
}
