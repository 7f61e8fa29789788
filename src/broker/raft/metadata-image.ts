// The cluster's metadata as the committed records of __cluster_metadata say it is: registered brokers
// (fenced or not) and topics. Every node that reads the log builds the same image from the same records.
import { decodeMetadataRecord, encodeMetadataRecord } from '../../protocol/log-records.js';
import type { CommittedBatch } from './raft-node.js';

export interface BrokerEndpoint {
  name: string;
  host: string;
  port: number;
  securityProtocol: number;
}

export interface BrokerRegistration {
  id: number;
  /** The offset of its RegisterBrokerRecord, as Kafka assigns broker epochs. */
  epoch: number;
  incarnationId: string;
  endpoints: BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
}

export interface PartitionImage {
  replicas: number[];
  isr: number[];
  /** -1: no leader. */
  leader: number;
  leaderEpoch: number;
  /** Bumped by every change, so a stale AlterPartition can be refused. */
  partitionEpoch: number;
  /** A reassignment in progress: replicas joining, and replicas leaving once they have. */
  adding?: number[];
  removing?: number[];
}

export interface TopicImage {
  name: string;
  topicId: string;
  partitions: Map<number, PartitionImage>;
  /** Topic config overrides (ConfigRecord). */
  configs: Map<string, string>;
}

export class MetadataImage {
  readonly brokers = new Map<number, BrokerRegistration>();
  readonly topics = new Map<string, TopicImage>();
  /** The offset of the last record applied; -1 before any. */
  lastOffset = -1;
  /** The first producer id no block has taken yet (ProducerIdsRecord). */
  nextProducerId = 0;
  /** Who took the last block, for the snapshot's ProducerIdsRecord. */
  private producerIdsOwner = { brokerId: -1, brokerEpoch: -1 };
  private readonly topicNames = new Map<string, string>();

  apply(batches: readonly CommittedBatch[]): void {
    for (const batch of batches) {
      if (!batch.isControl) {
        batch.values.forEach((value, i) => this.applyRecord(value, batch.baseOffset + i));
      }
      this.lastOffset = batch.lastOffset;
    }
  }

  private applyRecord(value: Buffer, offset: number): void {
    const { name, body } = decodeMetadataRecord(value);
    switch (name) {
      case 'RegisterBrokerRecord':
        this.brokers.set(body.brokerId, {
          id: body.brokerId,
          epoch: body.brokerEpoch ?? offset,
          incarnationId: body.incarnationId,
          endpoints: body.endPoints.map((e: BrokerEndpoint) => ({
            name: e.name,
            host: e.host,
            port: e.port,
            securityProtocol: e.securityProtocol,
          })),
          rack: body.rack ?? null,
          fenced: body.fenced,
        });
        break;
      case 'UnregisterBrokerRecord':
        if (this.brokers.get(body.brokerId)?.epoch === body.brokerEpoch) this.brokers.delete(body.brokerId);
        break;
      case 'FenceBrokerRecord':
      case 'UnfenceBrokerRecord': {
        const b = this.brokers.get(body.id);
        if (b && b.epoch === body.epoch) b.fenced = name === 'FenceBrokerRecord';
        break;
      }
      case 'BrokerRegistrationChangeRecord': {
        const b = this.brokers.get(body.brokerId);
        // Fenced is a tri-state int8: -1 unfenced, 1 fenced, 0 unchanged.
        if (b && b.epoch === body.brokerEpoch && body.fenced !== 0) b.fenced = body.fenced === 1;
        break;
      }
      case 'TopicRecord':
        this.topics.set(body.name, {
          name: body.name,
          topicId: body.topicId,
          partitions: new Map(),
          configs: new Map(),
        });
        this.topicNames.set(body.topicId, body.name);
        break;
      case 'PartitionRecord': {
        const t = this.topics.get(this.topicNames.get(body.topicId) ?? '');
        t?.partitions.set(body.partitionId, {
          replicas: body.replicas,
          isr: body.isr,
          leader: body.leader,
          leaderEpoch: body.leaderEpoch,
          partitionEpoch: body.partitionEpoch,
          adding: body.addingReplicas ?? [],
          removing: body.removingReplicas ?? [],
        });
        break;
      }
      case 'PartitionChangeRecord': {
        const p = this.topics.get(this.topicNames.get(body.topicId) ?? '')?.partitions.get(body.partitionId);
        if (!p) break;
        if (body.isr !== null && body.isr !== undefined) p.isr = body.isr;
        if (body.replicas !== null && body.replicas !== undefined) p.replicas = body.replicas;
        if (body.addingReplicas !== null && body.addingReplicas !== undefined) p.adding = body.addingReplicas;
        if (body.removingReplicas !== null && body.removingReplicas !== undefined) p.removing = body.removingReplicas;
        // Leader -2 means unchanged; a new leader (or none) starts a new leader epoch.
        if (body.leader !== -2) {
          p.leader = body.leader;
          p.leaderEpoch++;
        }
        p.partitionEpoch++;
        break;
      }
      case 'RemoveTopicRecord': {
        const topicName = this.topicNames.get(body.topicId);
        if (topicName !== undefined) this.topics.delete(topicName);
        this.topicNames.delete(body.topicId);
        break;
      }
      case 'ConfigRecord': {
        // ConfigResource.Type.TOPIC; broker configs are not modelled yet.
        const t = body.resourceType === 2 ? this.topics.get(body.resourceName) : undefined;
        if (t) {
          if (body.value === null) t.configs.delete(body.name);
          else t.configs.set(body.name, body.value);
        }
        break;
      }
      case 'ProducerIdsRecord': {
        const next = Number(body.nextProducerId);
        if (next > this.nextProducerId) {
          this.nextProducerId = next;
          this.producerIdsOwner = { brokerId: body.brokerId, brokerEpoch: Number(body.brokerEpoch) };
        }
        break;
      }
      default:
        // Records this image does not model yet (configs, quotas, ACLs, ...) still sit in the log.
        break;
    }
  }

  /** Starts over from a snapshot's records; `endOffset` is the first offset after it. */
  loadSnapshot(values: readonly Buffer[], endOffset: number): void {
    this.brokers.clear();
    this.topics.clear();
    this.topicNames.clear();
    this.nextProducerId = 0;
    values.forEach((v) => this.applyRecord(v, -1));
    this.lastOffset = endOffset - 1;
  }

  /** The records that rebuild this image, for a snapshot. */
  toRecords(): Buffer[] {
    const out: Buffer[] = [];
    for (const b of [...this.brokers.values()].sort((x, y) => x.id - y.id)) {
      out.push(
        encodeMetadataRecord('RegisterBrokerRecord', 0, {
          brokerId: b.id,
          incarnationId: b.incarnationId,
          brokerEpoch: b.epoch,
          endPoints: b.endpoints,
          features: [],
          rack: b.rack,
          fenced: b.fenced,
        }),
      );
    }
    if (this.nextProducerId > 0)
      out.push(
        encodeMetadataRecord('ProducerIdsRecord', 0, { ...this.producerIdsOwner, nextProducerId: this.nextProducerId }),
      );
    for (const t of this.topics.values()) {
      out.push(encodeMetadataRecord('TopicRecord', 0, { name: t.name, topicId: t.topicId }));
      for (const [name, value] of t.configs)
        out.push(encodeMetadataRecord('ConfigRecord', 0, { resourceType: 2, resourceName: t.name, name, value }));
      for (const [partitionId, p] of t.partitions) {
        out.push(
          encodeMetadataRecord('PartitionRecord', 0, {
            partitionId,
            topicId: t.topicId,
            replicas: p.replicas,
            isr: p.isr,
            removingReplicas: p.removing ?? [],
            addingReplicas: p.adding ?? [],
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
          }),
        );
      }
    }
    return out;
  }

  /** One partition's assignment, leader and ISR. */
  partition(topic: string, index: number): PartitionImage | undefined {
    return this.topics.get(topic)?.partitions.get(index);
  }

  /** Whether a broker is registered and not fenced. */
  isLive(brokerId: number): boolean {
    return this.brokers.get(brokerId)?.fenced === false;
  }

  /** Unfenced brokers with an endpoint on `listenerName`, by id. */
  liveBrokers(listenerName: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    const out = [];
    for (const b of [...this.brokers.values()].sort((x, y) => x.id - y.id)) {
      if (b.fenced) continue;
      const e = b.endpoints.find((ep) => ep.name === listenerName) ?? b.endpoints[0];
      if (e) out.push({ nodeId: b.id, host: e.host, port: e.port, rack: b.rack });
    }
    return out;
  }
}
