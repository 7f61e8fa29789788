// The active controller's changes to existing topics: CreatePartitions (new PartitionRecords placed
// like a new topic's, with the topic's replication factor) and IncrementalAlterConfigs on topics
// (ConfigRecords, validated as a single broker validates them). Every broker applies them from the log.
import { ErrorCode } from '../../protocol/errors.js';
import { encodeMetadataRecord } from '../../protocol/log-records.js';
import type { MessageBody } from '../../protocol/types.js';
import { topicConfigError } from '../config/validate.js';
import type { MetadataImage } from './metadata-image.js';
import { metadataWriteError, type RaftNode } from './raft-node.js';
import type { TopicControl } from './topic-control.js';

const TOPIC_RESOURCE = 2;
const NOT_CONTROLLER_MESSAGE = 'This is not the correct controller for this cluster.';
/** IncrementalAlterConfigs operations. */
const SET = 0;
const DELETE = 1;

function writeFailure(err: unknown): { errorCode: number; errorMessage: string } {
  return {
    errorCode: metadataWriteError(err),
    errorMessage: (err as Error).message,
  };
}

export class TopicChanges {
  constructor(
    private readonly raft: RaftNode,
    private readonly image: MetadataImage,
    private readonly topics: TopicControl,
  ) {}

  async handleCreatePartitions(req: MessageBody): Promise<object> {
    const records: Buffer[] = [];
    const results = (req.topics as MessageBody[]).map((t) => {
      const fail = (error: keyof typeof ErrorCode, errorMessage: string) => ({
        name: t.name,
        errorCode: ErrorCode[error],
        errorMessage,
      });
      if (this.raft.role !== 'leader') return fail('NOT_CONTROLLER', NOT_CONTROLLER_MESSAGE);
      const topic = this.image.topics.get(t.name);
      if (!topic) return fail('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${t.name}' does not exist.`);
      const current = topic.partitions.size;
      const count: number = t.count;
      if (count < current)
        return fail(
          'INVALID_PARTITIONS',
          `Topic currently has ${current} partitions, which is higher than the requested ${count}.`,
        );
      if (count === current) return fail('INVALID_PARTITIONS', `Topic already has ${current} partitions.`);
      let assignments: number[][];
      const manual = (t.assignments ?? null) as Array<{ brokerIds: number[] }> | null;
      if (manual && manual.length > 0) {
        if (manual.length !== count - current)
          return fail(
            'INVALID_REPLICA_ASSIGNMENT',
            `Increasing the number of partitions by ${count - current} but ${manual.length} assignments provided.`,
          );
        const unknown = manual.flatMap((a) => a.brokerIds).find((id) => !this.image.brokers.has(id));
        if (unknown !== undefined)
          return fail('INVALID_REPLICA_ASSIGNMENT', `Unknown broker(s) in replica assignment: ${unknown}.`);
        assignments = manual.map((a) => [...a.brokerIds]);
      } else {
        const rf = topic.partitions.get(0)?.replicas.length ?? 1;
        const placed = this.topics.place(count - current, rf);
        if ('error' in placed) return fail('INVALID_REPLICATION_FACTOR', placed.error);
        assignments = placed.assignments;
      }
      if (!req.validateOnly) {
        assignments.forEach((replicas, i) =>
          records.push(
            encodeMetadataRecord('PartitionRecord', 0, {
              partitionId: current + i,
              topicId: topic.topicId,
              replicas,
              isr: replicas,
              removingReplicas: [],
              addingReplicas: [],
              leader: replicas[0],
              leaderEpoch: 0,
              partitionEpoch: 0,
            }),
          ),
        );
      }
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
    });
    if (records.length > 0) {
      try {
        await this.topics.write(records);
      } catch (err) {
        for (const r of results) if (r.errorCode === ErrorCode.NONE) Object.assign(r, writeFailure(err));
      }
    }
    return { throttleTimeMs: 0, results };
  }

  /** Topic configs only; broker configs stay each broker's own (answered INVALID_REQUEST here). */
  async handleIncrementalAlterConfigs(req: MessageBody): Promise<object> {
    const records: Buffer[] = [];
    const responses = (req.resources as MessageBody[]).map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const fail = (error: keyof typeof ErrorCode, errorMessage: string) => ({
        ...base,
        errorCode: ErrorCode[error],
        errorMessage,
      });
      if (this.raft.role !== 'leader') return fail('NOT_CONTROLLER', NOT_CONTROLLER_MESSAGE);
      if (r.resourceType !== TOPIC_RESOURCE)
        return fail('INVALID_REQUEST', 'Only topic configs are changed through the controller');
      const topic = this.image.topics.get(r.resourceName);
      if (!topic) return fail('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${r.resourceName} does not exist.`);
      const mine: Buffer[] = [];
      for (const c of r.configs as Array<{ name: string; configOperation: number; value: string | null }>) {
        if (c.configOperation === SET) {
          const err = c.value === null ? `Null value not supported for : ${c.name}` : topicConfigError(c.name, c.value);
          if (err) return fail('INVALID_CONFIG', err);
        } else if (c.configOperation !== DELETE) {
          return fail('INVALID_REQUEST', `Operation ${c.configOperation} is only for list configs`);
        }
        mine.push(
          encodeMetadataRecord('ConfigRecord', 0, {
            resourceType: TOPIC_RESOURCE,
            resourceName: topic.name,
            name: c.name,
            value: c.configOperation === SET ? c.value : null,
          }),
        );
      }
      if (!req.validateOnly) records.push(...mine);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
    });
    if (records.length > 0) {
      try {
        await this.topics.write(records);
      } catch (err) {
        for (const r of responses) if (r.errorCode === ErrorCode.NONE) Object.assign(r, writeFailure(err));
      }
    }
    return { throttleTimeMs: 0, responses };
  }
}
