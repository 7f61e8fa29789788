// Committed offsets on a cluster: each group's state lives in one partition of the
// replicated __consumer_offsets topic (Kafka's placement, by the group id's hash), and the
// broker leading that partition is the group's coordinator. A change is appended to the
// partition before it is applied; the request that made it is answered once the in-sync
// replicas hold it. When this broker becomes a partition's leader it loads the partition's
// groups from the log; when it stops leading, it forgets them.
import type { ErrorName } from '../../protocol/errors.js';
import { coordinatorPartition } from '../coordinator.js';
import { OffsetStoreError, type OffsetStore, type StoreOp } from './offset-store.js';
import { opOf, recordsOf } from './offsets-records.js';

/** What the broker gives the coordinator of its __consumer_offsets partitions. */
export interface OffsetsPartitions {
  /** offsets.topic.num.partitions. */
  readonly count: number;
  /** Appends records (key, value) to a partition this broker leads; the last offset, or Kafka's error. */
  append(
    partition: number,
    records: Array<{ key: Buffer; value: Buffer | null }>,
  ): { error: ErrorName | null; lastOffset: number };
  /** Every record of a partition, oldest first. */
  read(partition: number): Iterable<{ key: Buffer | null; value: Buffer | null }>;
  awaitReplicated(partition: number, lastOffset: number, timeoutMs: number): Promise<ErrorName | null>;
}

/** How long a commit waits for the in-sync replicas (Kafka's offset.commit.timeout.ms). */
const COMMIT_TIMEOUT_MS = 5000;

export class ReplicatedOffsets {
  private readonly owned = new Set<number>();
  private readonly lastAppended = new Map<number, number>();

  constructor(private readonly partitions: OffsetsPartitions) {}

  partitionOf(groupId: string): number {
    return coordinatorPartition(groupId, this.partitions.count);
  }

  owns(groupId: string): boolean {
    return this.owned.has(this.partitionOf(groupId));
  }

  /** The store's persistence: one append per partition the change touches. */
  persist(ops: StoreOp[], store: OffsetStore): void {
    const byPartition = new Map<number, Array<{ key: Buffer; value: Buffer | null }>>();
    for (const r of recordsOf(ops, store)) {
      const p = this.partitionOf(r.group);
      if (!this.owned.has(p)) throw new OffsetStoreError(`this broker does not coordinate group ${r.group}`);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push({ key: r.key, value: r.value });
    }
    for (const [p, records] of byPartition) {
      const res = this.partitions.append(p, records);
      if (res.error !== null) throw new OffsetStoreError(`appending to __consumer_offsets-${p} failed: ${res.error}`);
      this.lastAppended.set(p, res.lastOffset);
    }
  }

  /**
   * Resolves when everything appended for the group's partition so far is held by the
   * in-sync replicas; Kafka's error for an OffsetCommit otherwise.
   */
  async awaitDurable(groupId: string): Promise<ErrorName | null> {
    const p = this.partitionOf(groupId);
    const last = this.lastAppended.get(p);
    if (last === undefined) return null;
    const err = await this.partitions.awaitReplicated(p, last, COMMIT_TIMEOUT_MS);
    if (err === null) return null;
    // Kafka's mapping of a failed __consumer_offsets append for the committing client.
    return err === 'NOT_LEADER_OR_FOLLOWER' || err === 'KAFKA_STORAGE_ERROR'
      ? 'NOT_COORDINATOR'
      : 'COORDINATOR_NOT_AVAILABLE';
  }

  /** Takes over a partition: the changes its log holds, in order. */
  load(partition: number): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const r of this.partitions.read(partition)) {
      if (r.key === null) continue;
      const op = opOf(r.key, r.value);
      if (op) ops.push(op);
    }
    this.owned.add(partition);
    this.lastAppended.delete(partition);
    return ops;
  }

  /** Gives a partition up; true when this broker owned it. */
  unload(partition: number): boolean {
    this.lastAppended.delete(partition);
    return this.owned.delete(partition);
  }
}
