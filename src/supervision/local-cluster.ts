// A local KRaft cluster for `ktool server-start --cluster N`: N combined nodes (broker and
// controller) as daemons, with configs generated the same way every time, so running the
// command again starts the same cluster on the same ports and data.
import { dirname, join } from 'node:path';
import { defaultDataDir } from '../broker/config/broker-config.js';

/** Kafka's usual client port for node 1; node N takes the next ports up. */
export const CLUSTER_BROKER_BASE_PORT = 9092;
/** Controller listeners sit 100 ports above the brokers'. */
export const CLUSTER_CONTROLLER_OFFSET = 100;
export const MAX_CLUSTER_NODES = 9;

export interface ClusterNodePlan {
  nodeId: number;
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  properties: Record<string, string>;
}

/** Where a local cluster keeps its nodes' data: beside the single dev broker's data directory. */
export function clusterDir(): string {
  return join(dirname(defaultDataDir()), 'cluster');
}

export function planCluster(
  nodes: number,
  overrides: Record<string, string> = {},
  basePort = CLUSTER_BROKER_BASE_PORT,
): ClusterNodePlan[] {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_CLUSTER_NODES)
    throw new Error(`--cluster takes a number of nodes from 1 to ${MAX_CLUSTER_NODES}, not ${nodes}`);
  const ids = Array.from({ length: nodes }, (_, i) => i + 1);
  const voters = ids.map((id) => `${id}@127.0.0.1:${basePort + CLUSTER_CONTROLLER_OFFSET + id - 1}`).join(',');
  return ids.map((id) => {
    const brokerPort = basePort + id - 1;
    const controllerPort = basePort + CLUSTER_CONTROLLER_OFFSET + id - 1;
    const dataDir = join(clusterDir(), `node-${id}`);
    return {
      nodeId: id,
      brokerPort,
      controllerPort,
      dataDir,
      properties: {
        'process.roles': 'broker,controller',
        'node.id': String(id),
        'controller.quorum.voters': voters,
        'controller.listener.names': 'CONTROLLER',
        listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        'inter.broker.listener.name': 'PLAINTEXT',
        'log.dirs': dataDir,
        'default.replication.factor': String(Math.min(3, nodes)),
        'offsets.topic.replication.factor': String(Math.min(3, nodes)),
        'min.insync.replicas': String(nodes >= 3 ? 2 : 1),
        // One embedded schema registry is enough; node 1 runs it.
        ...(id === 1 ? {} : { 'schema.registry.enable': 'false' }),
        ...overrides,
      },
    };
  });
}
