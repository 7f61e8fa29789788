// The broker's topics and partitions: creating, hosting (on a cluster, as the metadata
// assigns them), opening and recovering, deleting, and their settings and producer state.
// The broker (broker.ts) adds produce and fetch, retention, producer ids and configs.
import { join } from 'node:path';
import { BrokerConfig } from './config/broker-config.js';
import { topicConfigError } from './config/validate.js';
import { GroupCoordinator } from './groups/coordinator.js';
import type { RequestContext } from './handlers/handler.js';
import { type ErrorName } from '../protocol/errors.js';
import { ProducerStateTable } from './producer-state.js';
import type { SecurityManager } from './security/index.js';
import { PartitionLog } from './storage/partition-log.js';
import { policyCompacts, policyDeletes } from './storage/log-config.js';
import { mapEntriesFor } from './storage/log-cleaner.js';
import type { MetadataStore, TopicRecord } from './storage/metadata-store.js';
import { fsyncDir, type FsInterface } from './storage/fs-interface.js';
import { takeCleanShutdownMarker } from './storage/clean-shutdown.js';
import {
  claimPartitionDir,
  DeletedDirRemover,
  markForDeletion,
  removeDeletedDirs,
  strayPartitionDirs,
} from './storage/log-dirs.js';
import { collisionKey, INTERNAL_TOPICS, topicNameError } from './topic-names.js';
import { randomKafkaUuid } from './uuid.js';
import { TransactionCoordinator } from './transactions/coordinator.js';
import { PartitionTxns } from './transactions/partition-txns.js';
import { rebuildPartitionTxns } from './transactions/markers.js';
import type { ControllerChannel } from './cluster/seams.js';
import type { ReplicaManager } from './cluster/replica-manager.js';
import type { ProducerIdBlocks } from './cluster/producer-id-blocks.js';
import {
  Partition,
  Topic,
  OpResult,
  CreateTopicSpec,
  BrokerDeps,
  MAX_PARTITIONS_PER_REQUEST,
  ClusterView,
  TopicSettings,
  PRODUCER_ID_EXPIRATION_MS,
} from './broker-types.js';

export abstract class TopicHost {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly loggerLevels: Record<string, string> = { root: 'INFO' };
  abstract readonly groups: GroupCoordinator;
  abstract readonly transactions: TransactionCoordinator;
  closing = false;

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
  }

  protected readonly topics = new Map<string, Topic>();
  protected readonly topicsById = new Map<string, Topic>();
  protected readonly waiters = new Map<Partition, Set<() => void>>();
  /** Every parked long poll, including those waiting on no partition at all. */
  protected readonly parked = new Set<() => void>();
  protected readonly store: MetadataStore;
  protected readonly fs: FsInterface;
  protected readonly now: () => number;
  protected nextPid = 0;
  protected pidLimit = 0;
  /** Whether the last stop left the clean-shutdown marker (logs load without recovery). */
  protected cleanStart = false;
  /** Every log was opened: only then can a clean stop vouch for all of them. */
  protected opened = false;
  protected readonly deletedDirs: DeletedDirRemover;
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
  protected persist(what: string, write: () => void): { ok: false; error: ErrorName; message: string } | null {
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
  protected materialize(record: TopicRecord, isNew = false): Topic {
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

  protected openPartition(topic: Topic, index: number, isNew: boolean): Partition {
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

  protected settingsFor(overrides: Record<string, string>): TopicSettings {
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

  protected refreshSettings(topic: Topic): void {
    topic.settings = this.settingsFor(topic.configs);
    for (const p of topic.partitions) p.log.updateConfig(topic.settings.log);
  }

  /** Best effort, as the producer state: a corrupt batch header ends the walk, never the start-up. */
  protected rebuildTransactionState(p: Partition): void {
    try {
      rebuildPartitionTxns(p);
    } catch (err) {
      this.log(`Transaction state of ${p.topic.name}-${p.index} rebuilt only partly: ${(err as Error).message}`);
    }
  }

  /** Best effort: a corrupt batch header ends the walk (and is reported to readers), never the start-up. */
  protected rebuildProducerState(p: Partition): void {
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
  protected replayProducerBatches(p: Partition): void {
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

  /** Wakes fetches parked on the partition (broker.ts). */
  protected abstract wake(p: Partition): void;
}
