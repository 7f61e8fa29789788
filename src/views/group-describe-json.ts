// consumer-groups --describe --json: one document per group with its coordinator, members and partition lags.
import type { GroupSnapshot, TopicPartition } from '../ops/consumer-groups.js';
import { byTp, describeOrder, totalLag } from './consumer-groups.js';

export interface CoordinatorJson {
  id: number;
  host: string;
  port: number;
}

export interface PartitionLagJson {
  topic: string;
  partition: number;
  /** null: nothing committed. */
  currentOffset: number | null;
  /** null: unknown (no leader). */
  logEndOffset: number | null;
  /** null when either offset is unknown. */
  lag: number | null;
  /** Age in ms of the oldest unconsumed record (0 when caught up); only with --time-lag, else null. */
  timeLagMs: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface MemberJson {
  consumerId: string;
  groupInstanceId: string | null;
  host: string;
  clientId: string;
  partitionCount: number;
  assignment: TopicPartition[];
}

export interface GroupDescribeJson {
  groupId: string;
  /** Stable, Empty, PreparingRebalance, CompletingRebalance, Dead (does not exist), ... */
  state: string;
  /** false when the group does not exist (state Dead). */
  exists: boolean;
  coordinator: CoordinatorJson;
  /** The assignor of a stable group, else null. */
  assignmentStrategy: string | null;
  memberCount: number;
  members: MemberJson[];
  /** With --offsets (the default view); [] for --members / --state. */
  partitions: PartitionLagJson[];
  /** Sum of positive lags over partitions with a committed offset. */
  totalLag: number;
  /** Partitions whose lag is unknown (nothing committed or no log end). */
  partitionsWithoutLag: number;
  /** Largest time lag (ms) with --time-lag, else null. */
  maxTimeLagMs: number | null;
}

export interface ConsumerGroupsDescribeJson {
  /** Sorted by group id. */
  groups: GroupDescribeJson[];
  /** Epoch ms when the offsets were read. */
  takenAt: number;
}

export function describeJson(snapshots: readonly GroupSnapshot[]): ConsumerGroupsDescribeJson {
  const groups = describeOrder(snapshots).map((s): GroupDescribeJson => {
    const d = s.description;
    const rows = [...s.partitions].sort(byTp);
    const max = rows.reduce<number | null>((m, r) => (r.timeLagMs === null ? m : Math.max(m ?? 0, r.timeLagMs)), null);
    return {
      groupId: d.groupId,
      state: d.state,
      exists: d.state !== 'Dead',
      coordinator: { id: d.coordinator.nodeId, host: d.coordinator.host, port: d.coordinator.port },
      assignmentStrategy: d.assignmentStrategy === '' ? null : d.assignmentStrategy,
      memberCount: d.members.length,
      members: d.members.map((m) => ({
        consumerId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        host: m.host,
        clientId: m.clientId,
        partitionCount: m.assignment.length,
        assignment: [...m.assignment].sort(byTp).map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      })),
      partitions: rows.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        currentOffset: r.committed,
        logEndOffset: r.logEndOffset,
        lag: r.lag,
        timeLagMs: r.timeLagMs,
        consumerId: r.memberId,
        host: r.host,
        clientId: r.clientId,
      })),
      totalLag: totalLag(rows),
      partitionsWithoutLag: rows.filter((r) => r.lag === null).length,
      maxTimeLagMs: max,
    };
  });
  return { groups, takenAt: snapshots[0]?.takenAt ?? Date.now() };
}
