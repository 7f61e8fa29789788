/**
 * The operation behind `ktool metadata-quorum` (kafka-metadata-quorum.sh): DescribeQuorum
 * on `__cluster_metadata`, which a KRaft broker passes on to the active controller, and the
 * cluster id from DescribeCluster.
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode } from '../protocol/errors.js';
import { responseError } from './admin-errors.js';
import { describeCluster } from './cluster.js';

const DESCRIBE_QUORUM = 55;

export interface QuorumReplica {
  id: number;
  /** null: the replica reports no directory id. */
  directoryId: string | null;
  logEndOffset: number;
  /** -1: unknown. */
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
  /** name://host:port of the replica's controller listeners, when the quorum reports them. */
  endpoints: string[];
}

export interface QuorumDescription {
  clusterId: string | null;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: QuorumReplica[];
  observers: QuorumReplica[];
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export async function describeQuorum(client: ClusterClient): Promise<QuorumDescription> {
  if (!client.supports(DESCRIBE_QUORUM))
    throw responseError(ErrorCode.UNSUPPORTED_VERSION, 'The cluster does not run KRaft: it has no metadata quorum');
  const body = await client.send(DESCRIBE_QUORUM, () => ({
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  }));
  if (body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode, body.errorMessage);
  const p = body.topics?.[0]?.partitions?.[0];
  if (!p) throw responseError(ErrorCode.UNKNOWN_SERVER_ERROR, 'DescribeQuorum returned no partition');
  if (p.errorCode !== ErrorCode.NONE) throw responseError(p.errorCode, p.errorMessage);
  const endpoints = new Map<number, string[]>();
  for (const n of (body.nodes ?? []) as Array<{
    nodeId: number;
    listeners: Array<{ name: string; host: string; port: number }>;
  }>) {
    endpoints.set(
      n.nodeId,
      n.listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`),
    );
  }
  const replica = (r: {
    replicaId: number;
    replicaDirectoryId?: string;
    logEndOffset: number;
    lastFetchTimestamp?: number;
    lastCaughtUpTimestamp?: number;
  }): QuorumReplica => ({
    id: r.replicaId,
    directoryId: r.replicaDirectoryId && r.replicaDirectoryId !== ZERO_UUID ? r.replicaDirectoryId : null,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp ?? -1,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp ?? -1,
    endpoints: endpoints.get(r.replicaId) ?? [],
  });
  const { clusterId } = await describeCluster(client);
  return {
    clusterId,
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: p.highWatermark,
    voters: (p.currentVoters ?? []).map(replica),
    observers: (p.observers ?? []).map(replica),
  };
}
