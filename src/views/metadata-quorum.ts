/**
 * kafka-metadata-quorum.sh's output: `describe --status` (aligned "Key: value" lines) and
 * `describe --replication` (Kafka's tab-separated table padded to the widest cell).
 */
import type { QuorumDescription, QuorumReplica } from '../ops/metadata-quorum.js';

export interface QuorumStatusJson {
  clusterId: string | null;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  maxFollowerLag: number;
  maxFollowerLagTimeMs: number;
  currentVoters: QuorumReplica[];
  currentObservers: QuorumReplica[];
}

export interface QuorumReplicationRow {
  nodeId: number;
  directoryId: string | null;
  logEndOffset: number;
  lag: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
  status: 'Leader' | 'Follower' | 'Observer';
}

export interface QuorumReplicationJson {
  replicas: QuorumReplicationRow[];
}

function leaderOf(q: QuorumDescription): QuorumReplica {
  const leader = q.voters.find((v) => v.id === q.leaderId);
  if (!leader) throw new Error(`The quorum's leader ${q.leaderId} is not among its voters`);
  return leader;
}

export function quorumStatus(q: QuorumDescription): QuorumStatusJson {
  const leader = leaderOf(q);
  // The voter furthest behind; the first of equals, as Java's Stream.min keeps.
  let laggiest = q.voters[0]!;
  for (const v of q.voters) if (v.logEndOffset < laggiest.logEndOffset) laggiest = v;
  let lagTime: number;
  if (laggiest === leader) lagTime = 0;
  else if (leader.lastCaughtUpTimestamp >= 0 && laggiest.lastCaughtUpTimestamp >= 0)
    lagTime = leader.lastCaughtUpTimestamp - laggiest.lastCaughtUpTimestamp;
  else lagTime = -1;
  return {
    clusterId: q.clusterId,
    leaderId: q.leaderId,
    leaderEpoch: q.leaderEpoch,
    highWatermark: q.highWatermark,
    maxFollowerLag: leader.logEndOffset - laggiest.logEndOffset,
    maxFollowerLagTimeMs: lagTime,
    currentVoters: q.voters,
    currentObservers: q.observers,
  };
}

function replicaList(replicas: readonly QuorumReplica[]): string {
  const one = (r: QuorumReplica) =>
    `{"id": ${r.id}, "directoryId": ${r.directoryId === null ? 'null' : `"${r.directoryId}"`}${
      r.endpoints.length > 0 ? `, "endpoints": [${r.endpoints.map((e) => `"${e}"`).join(', ')}]` : ''
    }}`;
  return `[${replicas.map(one).join(', ')}]`;
}

export function renderQuorumStatus(s: QuorumStatusJson): string {
  return (
    `ClusterId:              ${s.clusterId}\n` +
    `LeaderId:               ${s.leaderId}\n` +
    `LeaderEpoch:            ${s.leaderEpoch}\n` +
    `HighWatermark:          ${s.highWatermark}\n` +
    `MaxFollowerLag:         ${s.maxFollowerLag}\n` +
    `MaxFollowerLagTimeMs:   ${s.maxFollowerLagTimeMs}\n` +
    `CurrentVoters:          ${replicaList(s.currentVoters)}\n` +
    `CurrentObservers:       ${replicaList(s.currentObservers)}\n`
  );
}

export function quorumReplication(q: QuorumDescription): QuorumReplicationJson {
  const leader = leaderOf(q);
  const row = (r: QuorumReplica, status: QuorumReplicationRow['status']): QuorumReplicationRow => ({
    nodeId: r.id,
    directoryId: r.directoryId,
    logEndOffset: r.logEndOffset,
    lag: leader.logEndOffset - r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
    status,
  });
  return {
    replicas: [
      row(leader, 'Leader'),
      ...q.voters.filter((v) => v.id !== q.leaderId).map((v) => row(v, 'Follower')),
      ...q.observers.map((o) => row(o, 'Observer')),
    ],
  };
}

/** "N ms ago" as --human-readable prints a timestamp; -1 stays -1. */
function ago(timestamp: number, now: number): string {
  return timestamp < 0 ? '-1' : `${Math.max(0, now - timestamp)} ms ago`;
}

export function renderQuorumReplication(r: QuorumReplicationJson, humanReadable: boolean, now = Date.now()): string {
  const headers = [
    'NodeId',
    'DirectoryId',
    'LogEndOffset',
    'Lag',
    'LastFetchTimestamp',
    'LastCaughtUpTimestamp',
    'Status',
  ];
  const rows = r.replicas.map((x) => [
    String(x.nodeId),
    // Kafka prints the directory id's Uuid, which is AAAAAAAAAAAAAAAAAAAAAA when unset.
    x.directoryId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
    String(x.logEndOffset),
    String(x.lag),
    humanReadable ? ago(x.lastFetchTimestamp, now) : String(x.lastFetchTimestamp),
    humanReadable ? ago(x.lastCaughtUpTimestamp, now) : String(x.lastCaughtUpTimestamp),
    x.status,
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!) + '\t').join('') + '\n';
  return line(headers) + rows.map(line).join('');
}
