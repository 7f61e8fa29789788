// FindCoordinator on a cluster: a group's coordinator is the leader of its partition of
// __consumer_offsets. The first lookup creates the topic through the controller, as Kafka
// does, with offsets.topic.num.partitions partitions and offsets.topic.replication.factor
// replicas; until it exists and the partition has a leader the answer is
// COORDINATOR_NOT_AVAILABLE, and the client asks again.
import { ErrorCode } from '../../protocol/errors.js';
import type { Broker } from '../broker.js';
import { coordinatorPartition } from '../coordinator.js';
import { OFFSETS_TOPIC } from './offsets-partitions.js';

const API_CREATE_TOPICS = 19;

export interface CoordinatorAnswer {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

const creating = new WeakMap<Broker, Promise<void>>();

function unavailable(message: string): CoordinatorAnswer {
  return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: message, nodeId: -1, host: '', port: -1 };
}

function createOffsetsTopic(broker: Broker): void {
  const channel = broker.controllerChannel;
  if (!channel || creating.has(broker)) return;
  const job = channel
    .send(API_CREATE_TOPICS, {
      topics: [
        {
          name: OFFSETS_TOPIC,
          numPartitions: broker.config.int('offsets.topic.num.partitions'),
          replicationFactor: broker.config.int('offsets.topic.replication.factor'),
          assignments: [],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'compression.type', value: 'producer' },
            { name: 'segment.bytes', value: String(broker.config.int('offsets.topic.segment.bytes')) },
          ],
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    })
    .then((res) => {
      const t = (res.topics as Array<{ errorCode: number; errorMessage: string | null }> | undefined)?.[0];
      if (t && t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS)
        broker.log(`Creating ${OFFSETS_TOPIC} failed: ${t.errorMessage ?? t.errorCode}`);
    })
    .catch((err: Error) => broker.log(`Creating ${OFFSETS_TOPIC} failed: ${err.message}`))
    .finally(() => creating.delete(broker));
  creating.set(broker, job);
}

/** The broker that coordinates `groupId`, with its address on the client's listener. */
export function locateGroupCoordinator(broker: Broker, groupId: string, listenerName: string): CoordinatorAnswer {
  const cluster = broker.cluster;
  if (!cluster) return unavailable('The cluster metadata is not loaded yet');
  const partition = coordinatorPartition(groupId, broker.config.int('offsets.topic.num.partitions'));
  const info = cluster.partition(OFFSETS_TOPIC, partition);
  if (!info) {
    createOffsetsTopic(broker);
    return unavailable(`The coordinator is not available: ${OFFSETS_TOPIC} is being created`);
  }
  if (info.leader < 0) return unavailable(`${OFFSETS_TOPIC}-${partition} has no leader`);
  const node = cluster.liveBrokers(listenerName).find((b) => b.nodeId === info.leader);
  if (!node) return unavailable(`The leader of ${OFFSETS_TOPIC}-${partition} is not reachable on ${listenerName}`);
  // Kafka puts the error's name in the message when there is no error.
  return { errorCode: ErrorCode.NONE, errorMessage: 'NONE', nodeId: node.nodeId, host: node.host, port: node.port };
}
