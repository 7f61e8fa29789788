// What `consumer-groups --describe` shows: one snapshot per group of its state, members and
// each partition's committed offset, log end and lag.
import type { ClusterClient } from '../client/cluster.js';
import {
  type CommittedOffset,
  type GroupDescription,
  LATEST_TIMESTAMP,
  type RequestOptions,
  type TopicPartition,
  describeGroups,
  fetchCommittedOffsets,
  findCoordinators,
  tpKey,
} from './consumer-groups.js';
import { listOffsets, recordTimestamps } from './log-offsets.js';

export interface PartitionLag extends TopicPartition {
  /** null: nothing committed. */
  committed: number | null;
  /** null: unknown (no leader). */
  logEndOffset: number | null;
  /** null when either side is unknown. */
  lag: number | null;
  /** ms since the oldest unconsumed record was written; 0 when caught up; null when unknown or not asked. */
  timeLagMs: number | null;
  /** The member the partition is assigned to (null: unassigned). */
  memberId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface GroupSnapshot {
  description: GroupDescription;
  /** Committed offsets (only what was committed). */
  committed: Map<string, CommittedOffset & TopicPartition>;
  /** Per-member partition rows in Kafka's row order (see views). */
  partitions: PartitionLag[];
  takenAt: number;
}

export interface SnapshotOptions extends RequestOptions {
  /** Fetch commits and log-end offsets (--offsets); members/state views skip them. */
  offsets: boolean;
  /** Read record timestamps for the time lag. */
  timeLag?: boolean;
}

/**
 * Everything `--describe` needs for many groups, in a constant number of
 * round trips (see the module comment).
 */
export async function describeSnapshots(
  client: ClusterClient,
  groupIds: readonly string[],
  options: SnapshotOptions,
): Promise<GroupSnapshot[]> {
  const unique = [...new Set(groupIds)];
  if (unique.length === 0) return [];
  const coordinators = await findCoordinators(client, unique, options);
  const [descriptions, committed] = await Promise.all([
    describeGroups(client, unique, { ...options, coordinators }),
    options.offsets
      ? fetchCommittedOffsets(client, unique, { ...options, coordinators })
      : Promise.resolve(new Map<string, Map<string, CommittedOffset & TopicPartition>>()),
  ]);
  const takenAt = Date.now();
  const snapshots: GroupSnapshot[] = unique.map((groupId) => ({
    description: descriptions.get(groupId) ?? {
      groupId,
      state: 'Dead',
      protocolType: '',
      assignmentStrategy: '',
      coordinator: coordinators.get(groupId)!,
      members: [],
    },
    committed: committed.get(groupId) ?? new Map(),
    partitions: [],
    takenAt,
  }));
  if (!options.offsets) return snapshots;

  // Rows: assigned partitions of each member, then committed partitions no member owns.
  const all = new Map<string, TopicPartition>();
  for (const s of snapshots) {
    const assigned = new Set<string>();
    for (const m of s.description.members) {
      for (const tp of m.assignment) {
        const key = tpKey(tp.topic, tp.partition);
        assigned.add(key);
        all.set(key, tp);
        s.partitions.push({
          ...tp,
          committed: null,
          logEndOffset: null,
          lag: null,
          timeLagMs: null,
          memberId: m.memberId,
          host: m.host,
          clientId: m.clientId,
        });
      }
    }
    for (const [key, c] of s.committed) {
      if (assigned.has(key)) continue;
      all.set(key, c);
      s.partitions.push({
        topic: c.topic,
        partition: c.partition,
        committed: null,
        logEndOffset: null,
        lag: null,
        timeLagMs: null,
        memberId: null,
        host: null,
        clientId: null,
      });
    }
  }
  const ends = await listOffsets(client, [...all.values()], LATEST_TIMESTAMP, options);
  const behind: Array<TopicPartition & { offset: number }> = [];
  const seenBehind = new Set<string>();
  for (const s of snapshots) {
    for (const row of s.partitions) {
      const key = tpKey(row.topic, row.partition);
      const c = s.committed.get(key);
      row.committed = c === undefined ? null : c.offset;
      const end = ends.offsets.get(key);
      row.logEndOffset = end === undefined ? null : end;
      row.lag = row.committed !== null && row.logEndOffset !== null ? row.logEndOffset - row.committed : null;
      if (options.timeLag && row.lag !== null) {
        if (row.lag <= 0) row.timeLagMs = 0;
        else {
          const posKey = `${key}\u0000${row.committed}`;
          if (!seenBehind.has(posKey)) {
            seenBehind.add(posKey);
            behind.push({ topic: row.topic, partition: row.partition, offset: row.committed! });
          }
        }
      }
    }
  }
  if (options.timeLag && behind.length > 0) {
    // Several groups may sit at different offsets of one partition: one fetch per distinct position round.
    const rounds: Array<Array<TopicPartition & { offset: number }>> = [];
    const used = new Map<string, number>();
    for (const b of behind) {
      const k = tpKey(b.topic, b.partition);
      const round = used.get(k) ?? 0;
      used.set(k, round + 1);
      (rounds[round] ??= []).push(b);
    }
    const stamps = new Map<string, number>();
    for (const round of rounds) {
      const found = await recordTimestamps(client, round, options);
      for (const b of round) {
        const ts = found.get(tpKey(b.topic, b.partition));
        if (ts !== undefined) stamps.set(`${tpKey(b.topic, b.partition)}\u0000${b.offset}`, ts);
      }
    }
    const now = Date.now();
    for (const s of snapshots) {
      for (const row of s.partitions) {
        if (row.lag === null || row.lag <= 0 || row.committed === null) continue;
        const ts = stamps.get(`${tpKey(row.topic, row.partition)}\u0000${row.committed}`);
        row.timeLagMs = ts === undefined || ts < 0 ? null : Math.max(0, now - ts);
      }
    }
  }
  return snapshots;
}
