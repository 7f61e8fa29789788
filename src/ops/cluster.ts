/**
 * The operations behind `ktool cluster` (kafka-cluster.sh): the cluster id,
 * a description of the brokers and the controller, and unregistering a
 * broker (UnregisterBroker, KRaft clusters only).
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode } from '../protocol/errors.js';
import { responseError } from './admin-errors.js';

const DESCRIBE_CLUSTER = 60;
const UNREGISTER_BROKER = 64;

export interface ClusterBroker {
  id: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterDescription {
  /** null: the cluster reports none (very old Kafka). */
  clusterId: string | null;
  /** null: unknown. */
  controllerId: number | null;
  /** In the order the cluster reported them. */
  brokers: ClusterBroker[];
}

/** Like Kafka's admin client: DescribeCluster when the broker has it, else Metadata. */
export async function describeCluster(client: ClusterClient): Promise<ClusterDescription> {
  if (client.supports(DESCRIBE_CLUSTER)) {
    const body = await client.send(DESCRIBE_CLUSTER, (v: number) =>
      v >= 1
        ? { includeClusterAuthorizedOperations: false, endpointType: 1 }
        : { includeClusterAuthorizedOperations: false },
    );
    if (body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode, body.errorMessage);
    return {
      clusterId: body.clusterId ?? null,
      controllerId: typeof body.controllerId === 'number' && body.controllerId >= 0 ? body.controllerId : null,
      brokers: (body.brokers as Array<{ brokerId: number; host: string; port: number; rack: string | null }>).map(
        (b) => ({
          id: b.brokerId,
          host: b.host,
          port: b.port,
          rack: b.rack ?? null,
        }),
      ),
    };
  }
  const md = await client.refreshMetadata([]);
  return {
    clusterId: md.clusterId,
    controllerId: md.controllerId >= 0 ? md.controllerId : null,
    brokers: [...md.brokers.values()].map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
  };
}

export interface UnregisterResult {
  brokerId: number;
  /** False when the cluster does not offer the UnregisterBroker API. */
  supported: boolean;
}

export async function unregisterBroker(client: ClusterClient, brokerId: number): Promise<UnregisterResult> {
  if (!client.supports(UNREGISTER_BROKER)) return { brokerId, supported: false };
  const body = await client.send(UNREGISTER_BROKER, { brokerId });
  if (body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode, body.errorMessage);
  return { brokerId, supported: true };
}
