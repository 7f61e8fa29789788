// Builds a KRaft broker's replica manager from its configuration: the replica fetcher talks
// to leaders on the inter-broker listener they registered.
import type { Broker } from '../broker.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { KRaftConfig } from '../config/kraft-config.js';
import type { MetadataImage } from '../raft/metadata-image.js';
import { nodeFs } from '../storage/fs-interface.js';
import { HighWatermarkCheckpoint } from './hw-checkpoint.js';
import { PeerClient } from './peer-client.js';
import { ReplicaManager } from './replica-manager.js';
import type { ControllerChannel } from './seams.js';

export function startReplicaManager(
  broker: Broker,
  kraft: KRaftConfig,
  config: BrokerConfig,
  image: MetadataImage,
  channel: ControllerChannel,
  brokerEpoch: () => number,
  log: (line: string) => void,
): ReplicaManager {
  const peers = new PeerClient(`replica-fetcher-${kraft.nodeId}`);
  return new ReplicaManager({
    broker,
    nodeId: kraft.nodeId,
    image,
    channel,
    brokerEpoch,
    lagMaxMs: config.int('replica.lag.time.max.ms'),
    checkpoint: {
      file: new HighWatermarkCheckpoint(nodeFs, config.dataDir),
      intervalMs: config.int('replica.high.watermark.checkpoint.interval.ms'),
    },
    fetcher: {
      nodeId: kraft.nodeId,
      peers,
      endpointOf: (id) => {
        const b = image.brokers.get(id);
        const e = b?.endpoints.find((x) => x.name === kraft.interBrokerListenerName) ?? b?.endpoints[0];
        return e ? { id, host: e.host, port: e.port } : undefined;
      },
      maxWaitMs: config.int('replica.fetch.wait.max.ms'),
      requestTimeoutMs: kraft.requestTimeoutMs + 5000,
      backoffMs: 100,
      log,
    },
  });
}
