// The seams between the parts of a KRaft broker that are built separately: the partition
// roles the metadata image assigns (hosting and replication own them), the wait for the
// in-sync replicas (acks=all, and coordinators that write to replicated partitions), and
// the channel to the active controller (requests a broker forwards).
import type { ErrorName } from '../../protocol/errors.js';

/** What this broker is for one partition, as the committed metadata image says. */
export type PartitionRole =
  | { kind: 'leader'; leaderEpoch: number; isr: readonly number[]; replicas: readonly number[] }
  | { kind: 'follower'; leaderEpoch: number; leaderId: number; replicas: readonly number[] }
  /** Not a replica any more (reassigned away, topic deleted), or leaderless. */
  | { kind: 'none' };

/** Told of every role change of a partition this broker hosts or hosted. */
export interface RoleListener {
  onRoleChange(topic: string, partition: number, role: PartitionRole): void;
}

/** Waits until the in-sync replicas hold a partition's records up to `lastOffset`. */
export interface ReplicationWaiter {
  /**
   * Resolves null once the high watermark passes `lastOffset`; an error name when this
   * broker stops leading the partition (NOT_LEADER_OR_FOLLOWER), the ISR falls below
   * min.insync.replicas (NOT_ENOUGH_REPLICAS_AFTER_APPEND) or the timeout passes
   * (REQUEST_TIMED_OUT).
   */
  awaitReplicated(topic: string, partition: number, lastOffset: number, timeoutMs: number): Promise<ErrorName | null>;
}

/** A request body sent to the active controller, answered with its response body. */
export interface ControllerChannel {
  send(apiKey: number, body: object): Promise<Record<string, unknown>>;
}
