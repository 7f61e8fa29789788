// The active controller's CreateTopics (Kafka's ReplicationControlManager): validates each topic, places
// its replicas across the unfenced brokers, and commits TopicRecord, PartitionRecord and ConfigRecord
// through the quorum as one batch, so a topic appears on every node whole or not at all.
//
// Placement follows Kafka's striping for brokers without racks: the brokers in id order, a random
// starting broker, and each next partition starting one broker further, so leaders and replicas
// spread evenly (the tutorial's 3,1,2 / 1,2,3 / 2,3,1).
import { ErrorCode } from '../../protocol/errors.js';
import { encodeMetadataRecord } from '../../protocol/log-records.js';
import type { MessageBody } from '../../protocol/types.js';
import { topicConfigError } from '../config/validate.js';
import { collisionKey, topicNameError } from '../topic-names.js';
import { randomKafkaUuid } from '../uuid.js';
import type { MetadataImage } from './metadata-image.js';
import { partitionChangeRecord } from './partition-changes.js';
import { completion } from './reassignment.js';
import { metadataWriteError, RaftError, systemClock, type RaftClock, type RaftNode } from './raft-node.js';

export const API_CREATE_TOPICS = 19;
export const API_ALTER_PARTITION = 56;
export const API_DELETE_TOPICS = 20;

/** ConfigResource.Type.TOPIC in a ConfigRecord. */
const TOPIC_RESOURCE = 2;

export interface TopicControlOptions {
  raft: RaftNode;
  image: MetadataImage;
  defaultPartitions?: number;
  defaultReplicationFactor?: number;
  writeTimeoutMs?: number;
  clock?: RaftClock;
  random?: () => number;
  newTopicId?: () => string;
  log?: (line: string) => void;
}

type TopicResult = {
  errorCode: number;
  errorMessage: string | null;
  records?: Buffer[];
  topicId?: string;
  numPartitions?: number;
  replicationFactor?: number;
};

export class TopicControl {
  private readonly pending = new Set<string>();
  private readonly clock: RaftClock;
  private readonly random: () => number;
  private readonly newTopicId: () => string;

  constructor(private readonly opts: TopicControlOptions) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.newTopicId = opts.newTopicId ?? randomKafkaUuid;
  }

  get image(): MetadataImage {
    return this.opts.image;
  }

  /** Replica lists for `partitions` partitions of `rf` replicas over the unfenced brokers. */
  place(partitions: number, rf: number): { error: string } | { assignments: number[][] } {
    const brokers = [...this.opts.image.brokers.values()]
      .filter((b) => !b.fenced)
      .map((b) => b.id)
      .sort((a, b) => a - b);
    if (brokers.length === 0) return { error: 'All brokers are currently fenced.' };
    if (rf > brokers.length) {
      return {
        error: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`,
      };
    }
    const start = Math.floor(this.random() * brokers.length);
    const assignments: number[][] = [];
    for (let p = 0; p < partitions; p++) {
      const replicas: number[] = [];
      for (let i = 0; i < rf; i++) replicas.push(brokers[(start + p + i) % brokers.length]!);
      assignments.push(replicas);
    }
    return { assignments };
  }

  private prepare(t: MessageBody): TopicResult {
    const fail = (error: keyof typeof ErrorCode, message: string): TopicResult => ({
      errorCode: ErrorCode[error],
      errorMessage: message,
    });
    const name: string = t.name;
    const nameError = topicNameError(name);
    if (nameError) return fail('INVALID_TOPIC_EXCEPTION', nameError);
    if (this.opts.image.topics.has(name) || this.pending.has(name))
      return fail('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    const clash = [...this.opts.image.topics.keys(), ...this.pending].find(
      (other) => collisionKey(other) === collisionKey(name),
    );
    if (clash) return fail('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${clash}`);
    for (const c of t.configs ?? []) {
      const err = c.value === null ? null : topicConfigError(c.name, c.value);
      if (err) return fail('INVALID_CONFIG', err);
    }
    let assignments: number[][];
    const manual: Array<{ partitionIndex: number; brokerIds: number[] }> = t.assignments ?? [];
    if (manual.length > 0) {
      if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
        return fail(
          'INVALID_REQUEST',
          'A manual partition assignment was specified, but numPartitions or replicationFactor was not set to -1.',
        );
      }
      const known = new Set(this.opts.image.brokers.keys());
      assignments = [];
      for (const a of [...manual].sort((x, y) => x.partitionIndex - y.partitionIndex)) {
        if (a.partitionIndex !== assignments.length)
          return fail('INVALID_REPLICA_ASSIGNMENT', 'Partitions should be a consecutive 0-based integer sequence');
        const missing = a.brokerIds.find((id) => !known.has(id));
        if (missing !== undefined)
          return fail(
            'INVALID_REPLICA_ASSIGNMENT',
            `The manual partition assignment includes broker ${missing}, but no such broker is registered.`,
          );
        if (new Set(a.brokerIds).size !== a.brokerIds.length)
          return fail(
            'INVALID_REPLICA_ASSIGNMENT',
            `The manual partition assignment includes the broker ${a.brokerIds.find((id, i) => a.brokerIds.indexOf(id) !== i)} more than once.`,
          );
        assignments.push([...a.brokerIds]);
      }
    } else {
      const partitions = t.numPartitions === -1 ? (this.opts.defaultPartitions ?? 1) : t.numPartitions;
      const rf = t.replicationFactor === -1 ? (this.opts.defaultReplicationFactor ?? 1) : t.replicationFactor;
      if (partitions <= 0)
        return fail('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.');
      if (rf <= 0)
        return fail(
          'INVALID_REPLICATION_FACTOR',
          'Replication factor must be larger than 0, or -1 to use the default value.',
        );
      const placed = this.place(partitions, rf);
      if ('error' in placed) return fail('INVALID_REPLICATION_FACTOR', placed.error);
      assignments = placed.assignments;
    }
    const topicId = this.newTopicId();
    const records = [encodeMetadataRecord('TopicRecord', 0, { name, topicId })];
    for (const c of t.configs ?? []) {
      if (c.value !== null)
        records.push(
          encodeMetadataRecord('ConfigRecord', 0, {
            resourceType: TOPIC_RESOURCE,
            resourceName: name,
            name: c.name,
            value: c.value,
          }),
        );
    }
    assignments.forEach((replicas, partitionId) => {
      records.push(
        encodeMetadataRecord('PartitionRecord', 0, {
          partitionId,
          topicId,
          replicas,
          isr: replicas,
          removingReplicas: [],
          addingReplicas: [],
          leader: replicas[0],
          leaderEpoch: 0,
          partitionEpoch: 0,
        }),
      );
    });
    return {
      errorCode: 0,
      errorMessage: null,
      records,
      topicId,
      numPartitions: assignments.length,
      replicationFactor: assignments[0]!.length,
    };
  }

  async handleCreateTopics(req: MessageBody): Promise<object> {
    const topics: MessageBody[] = req.topics ?? [];
    const out = (t: MessageBody, r: TopicResult) => ({
      name: t.name,
      topicId: r.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      numPartitions: r.numPartitions ?? -1,
      replicationFactor: r.replicationFactor ?? -1,
      configs: null,
    });
    if (this.opts.raft.role !== 'leader') {
      return {
        throttleTimeMs: 0,
        topics: topics.map((t) =>
          out(t, {
            errorCode: ErrorCode.NOT_CONTROLLER,
            errorMessage: 'This is not the correct controller for this cluster.',
          }),
        ),
      };
    }
    const seen = new Set<string>();
    const results = topics.map((t) => {
      if (seen.has(t.name))
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Duplicate topic name ${t.name}.` } as TopicResult;
      seen.add(t.name);
      return this.prepare(t);
    });
    const ok = results.filter((r) => r.records);
    if (req.validateOnly || ok.length === 0)
      return {
        throttleTimeMs: 0,
        topics: topics.map((t, i) =>
          out(t, { ...results[i]!, topicId: req.validateOnly ? undefined : results[i]!.topicId }),
        ),
      };
    const names = topics.filter((_, i) => results[i]!.records).map((t) => t.name as string);
    for (const n of names) this.pending.add(n);
    try {
      await this.write(ok.flatMap((r) => r.records!));
      this.opts.log?.(`Controller: created ${names.map((n) => `'${n}'`).join(', ')}`);
    } catch (err) {
      const errorCode = metadataWriteError(err);
      for (const r of ok)
        Object.assign(r, {
          errorCode,
          errorMessage: (err as Error).message,
          topicId: undefined,
          numPartitions: undefined,
          replicationFactor: undefined,
        });
    } finally {
      for (const n of names) this.pending.delete(n);
    }
    return { throttleTimeMs: 0, topics: topics.map((t, i) => out(t, results[i]!)) };
  }

  /** DeleteTopics: one RemoveTopicRecord per topic, committed together. */
  async handleDeleteTopics(req: MessageBody): Promise<object> {
    const image = this.opts.image;
    const wanted: Array<{ name: string | null; topicId: string | null }> = req.topics?.length
      ? req.topics.map((t: MessageBody) => ({ name: t.name ?? null, topicId: t.name ? null : t.topicId }))
      : (req.topicNames ?? []).map((name: string) => ({ name, topicId: null }));
    const notController = this.opts.raft.role !== 'leader';
    const records: Buffer[] = [];
    const removing = new Set<string>();
    const responses = wanted.map((w) => {
      const t =
        w.name !== null ? image.topics.get(w.name) : [...image.topics.values()].find((x) => x.topicId === w.topicId);
      const base = { name: t?.name ?? w.name, topicId: t?.topicId ?? w.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA' };
      if (notController)
        return {
          ...base,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: 'This is not the correct controller for this cluster.',
        };
      if (!t) {
        return w.name !== null
          ? {
              ...base,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: 'This server does not host this topic-partition.',
            }
          : {
              ...base,
              errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
              errorMessage: 'This server does not host this topic ID.',
            };
      }
      if (!removing.has(t.topicId)) records.push(encodeMetadataRecord('RemoveTopicRecord', 0, { topicId: t.topicId }));
      removing.add(t.topicId);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    if (records.length > 0) {
      try {
        await this.write(records);
        this.opts.log?.(
          `Controller: deleted ${responses
            .filter((x) => x.errorCode === 0)
            .map((x) => `'${x.name}'`)
            .join(', ')}`,
        );
      } catch (err) {
        const errorCode = metadataWriteError(err);
        for (const x of responses)
          if (x.errorCode === 0) Object.assign(x, { errorCode, errorMessage: (err as Error).message });
      }
    }
    return { throttleTimeMs: 0, responses };
  }

  /**
   * AlterPartition from a partition leader: a new ISR, checked against the partition as the
   * controller knows it (leader, leader epoch, partition epoch, eligible replicas), then committed as
   * a PartitionChangeRecord.
   */
  async handleAlterPartition(req: MessageBody): Promise<object> {
    const image = this.opts.image;
    const top = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, topics: [] });
    if (this.opts.raft.role !== 'leader') return top(ErrorCode.NOT_CONTROLLER);
    const broker = image.brokers.get(req.brokerId);
    if (!broker || (req.brokerEpoch !== -1 && broker.epoch !== req.brokerEpoch))
      return top(ErrorCode.STALE_BROKER_EPOCH);
    const records: Buffer[] = [];
    const answers: Array<{ topic: MessageBody; partitions: object[] }> = [];
    for (const t of req.topics ?? []) {
      const topic = t.topicName
        ? image.topics.get(t.topicName)
        : [...image.topics.values()].find((x) => x.topicId === t.topicId);
      const partitions: object[] = [];
      for (const p of t.partitions ?? []) {
        const answer = (errorCode: number, extra: object = {}) =>
          partitions.push({
            partitionIndex: p.partitionIndex,
            errorCode,
            leaderId: -1,
            leaderEpoch: -1,
            isr: [],
            leaderRecoveryState: 0,
            partitionEpoch: -1,
            ...extra,
          });
        const current = topic?.partitions.get(p.partitionIndex);
        if (!topic || !current) {
          answer(t.topicName ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID);
          continue;
        }
        const newIsr: number[] = p.newIsrWithEpochs?.length
          ? p.newIsrWithEpochs.map((e: { brokerId: number }) => e.brokerId)
          : (p.newIsr ?? []);
        if (current.leader !== req.brokerId) answer(ErrorCode.INVALID_REQUEST);
        else if (p.leaderEpoch !== current.leaderEpoch) answer(ErrorCode.FENCED_LEADER_EPOCH);
        else if (p.partitionEpoch !== current.partitionEpoch) answer(ErrorCode.INVALID_UPDATE_VERSION);
        else if (!newIsr.includes(current.leader)) answer(ErrorCode.INVALID_REQUEST);
        else if (newIsr.some((id) => !current.replicas.includes(id) || image.brokers.get(id)?.fenced !== false))
          answer(ErrorCode.INELIGIBLE_REPLICA);
        else {
          records.push(partitionChangeRecord(topic.topicId, p.partitionIndex, { isr: newIsr }));
          // The ISR now holds every replica a reassignment is adding: the move completes.
          const done = completion(current, newIsr);
          if (done) records.push(partitionChangeRecord(topic.topicId, p.partitionIndex, done));
          answer(ErrorCode.NONE, {
            leaderId: current.leader,
            leaderEpoch: current.leaderEpoch,
            isr: newIsr,
            partitionEpoch: current.partitionEpoch + 1,
          });
        }
      }
      answers.push({ topic: t, partitions });
    }
    if (records.length > 0) {
      try {
        await this.write(records);
      } catch (err) {
        return top(metadataWriteError(err));
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: answers.map((a) => ({
        topicName: a.topic.topicName,
        topicId: a.topic.topicId,
        partitions: a.partitions,
      })),
    };
  }

  /** Appends records to the metadata log, failing with REQUEST_TIMED_OUT when no majority takes them in time. */
  write(records: Buffer[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new RaftError('REQUEST_TIMED_OUT', 'the metadata write did not reach a majority in time')),
        this.opts.writeTimeoutMs ?? 5000,
      );
      this.opts.raft.append(records).then(
        (o) => {
          this.clock.clearTimeout(timer);
          resolve(o);
        },
        (e) => {
          this.clock.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}
