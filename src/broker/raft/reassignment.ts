// Partition reassignment on the active controller, as Kafka's KRaft controller runs it:
// AlterPartitionReassignments widens a partition's replicas to target ∪ current (adding the
// new ones, marking the old ones removing); the new replicas fetch from the leader until the
// ISR holds them, and the AlterPartition that puts the last one in also completes the move
// (replicas = target, the removed ones leave the ISR, and leadership moves if its holder
// left). A cancel (null replicas) reverts to the replicas before the move.
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { MetadataImage, PartitionImage } from './metadata-image.js';
import { partitionChangeRecord, type PartitionChange } from './partition-changes.js';
import { metadataWriteError, type RaftNode } from './raft-node.js';

export const API_ALTER_PARTITION_REASSIGNMENTS = 45;
export const API_LIST_PARTITION_REASSIGNMENTS = 46;

export type ReassignmentPlan =
  { error: ErrorName; message: string | null } | { error: 'NONE'; change: PartitionChange };

const without = (list: readonly number[], drop: readonly number[]) => list.filter((id) => !drop.includes(id));

/**
 * The change that completes a reassignment once every adding replica is in `isr`, or null
 * while it must go on (or there is none).
 */
export function completion(p: PartitionImage, isr: readonly number[]): PartitionChange | null {
  const adding = p.adding ?? [];
  const removing = p.removing ?? [];
  if (adding.length === 0 && removing.length === 0) return null;
  if (!adding.every((id) => isr.includes(id))) return null;
  const replicas = without(p.replicas, removing);
  const newIsr = without(isr, removing);
  if (newIsr.length === 0) return null;
  const change: PartitionChange = { replicas, isr: newIsr, adding: [], removing: [] };
  if (!replicas.includes(p.leader)) change.leader = replicas.find((id) => newIsr.includes(id)) ?? -1;
  return change;
}

/** What AlterPartitionReassignments does to one partition (Kafka's checks and messages). */
export function planReassignment(
  image: MetadataImage,
  p: PartitionImage,
  target: readonly number[] | null,
): ReassignmentPlan {
  const adding = p.adding ?? [];
  const removing = p.removing ?? [];
  if (target === null) {
    if (adding.length === 0 && removing.length === 0) return { error: 'NO_REASSIGNMENT_IN_PROGRESS', message: null };
    const replicas = without(p.replicas, adding);
    let isr = without(p.isr, adding);
    const change: PartitionChange = { replicas, adding: [], removing: [] };
    if (isr.length === 0) isr = replicas.filter((id) => image.isLive(id)).slice(0, 1);
    change.isr = isr;
    if (!isr.includes(p.leader)) change.leader = isr[0] ?? -1;
    return { error: 'NONE', change };
  }
  if (target.length === 0)
    return {
      error: 'INVALID_REPLICA_ASSIGNMENT',
      message: 'The manual partition assignment includes an empty replica list.',
    };
  if (new Set(target).size !== target.length)
    return {
      error: 'INVALID_REPLICA_ASSIGNMENT',
      message: 'The manual partition assignment includes duplicate replicas.',
    };
  const unknown = target.find((id) => !image.brokers.has(id));
  if (unknown !== undefined)
    return {
      error: 'INVALID_REPLICA_ASSIGNMENT',
      message: `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
    };
  // A new target replaces a move in progress: start from the replicas before it.
  const current = without(p.replicas, adding);
  const replicas = [...target, ...current.filter((id) => !target.includes(id))];
  const planned: PartitionImage = {
    ...p,
    replicas,
    adding: target.filter((id) => !current.includes(id)),
    removing: current.filter((id) => !target.includes(id)),
  };
  const isr = without(
    p.isr,
    adding.filter((id) => !target.includes(id)),
  );
  const done = completion(planned, isr);
  if (done) return { error: 'NONE', change: done };
  return { error: 'NONE', change: { replicas, isr, adding: planned.adding, removing: planned.removing } };
}

export interface ReassignmentOptions {
  raft: RaftNode;
  image: MetadataImage;
  write(records: Buffer[]): Promise<number>;
  log(line: string): void;
}

export class Reassignment {
  constructor(private readonly opts: ReassignmentOptions) {}

  async handleAlterPartitionReassignments(req: MessageBody): Promise<object> {
    const top = (errorCode: number, errorMessage: string | null = null) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      responses: [],
    });
    if (this.opts.raft.role !== 'leader') return top(ErrorCode.NOT_CONTROLLER);
    const { image } = this.opts;
    const records: Buffer[] = [];
    const responses = (
      req.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>
    ).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const topic = image.topics.get(t.name);
        const current = topic?.partitions.get(p.partitionIndex);
        if (!topic || !current)
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: null,
          };
        const plan = planReassignment(image, current, p.replicas);
        if (plan.error !== 'NONE' || !('change' in plan))
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode[plan.error],
            errorMessage: 'message' in plan ? plan.message : null,
          };
        records.push(partitionChangeRecord(topic.topicId, p.partitionIndex, plan.change));
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    }));
    if (records.length > 0) {
      try {
        await this.opts.write(records);
      } catch (err) {
        return top(metadataWriteError(err));
      }
      this.opts.log(`Controller: reassignment of ${records.length} partition(s) changed`);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  }

  handleListPartitionReassignments(req: MessageBody): object {
    if (this.opts.raft.role !== 'leader')
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null, topics: [] };
    const { image } = this.opts;
    const wanted = req.topics as Array<{ name: string; partitionIndexes: number[] }> | null;
    const topics: Array<{ name: string; partitions: object[] }> = [];
    const add = (name: string, indexes: Iterable<number>) => {
      const t = image.topics.get(name);
      if (!t) return;
      const partitions: object[] = [];
      for (const i of indexes) {
        const p = t.partitions.get(i);
        if (!p || ((p.adding ?? []).length === 0 && (p.removing ?? []).length === 0)) continue;
        partitions.push({
          partitionIndex: i,
          replicas: p.replicas,
          addingReplicas: p.adding,
          removingReplicas: p.removing,
        });
      }
      if (partitions.length > 0) topics.push({ name, partitions });
    };
    if (wanted === null) for (const t of image.topics.values()) add(t.name, t.partitions.keys());
    else for (const t of wanted) add(t.name, t.partitionIndexes);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
  }
}
