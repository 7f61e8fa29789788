// How the controller moves partition leadership when broker membership changes (Kafka's
// ReplicationControlManager): a fenced broker leaves every ISR it is in and hands its leaderships to
// the next unfenced in-sync replica; the last member of an ISR stays (no unclean election), leaving the
// partition without a leader until that broker returns, when it leads again.
import { encodeMetadataRecord } from '../../protocol/log-records.js';
import type { MetadataImage } from './metadata-image.js';

/** PartitionChangeRecord's Leader when the leader does not change. */
export const NO_LEADER_CHANGE = -2;
export const NO_LEADER = -1;

export interface PartitionChange {
  isr?: number[];
  leader?: number;
  replicas?: number[];
  adding?: number[];
  removing?: number[];
}

function change(topicId: string, partitionId: number, fields: PartitionChange): Buffer {
  return encodeMetadataRecord('PartitionChangeRecord', 0, {
    partitionId,
    topicId,
    isr: fields.isr ?? null,
    leader: fields.leader ?? NO_LEADER_CHANGE,
    replicas: fields.replicas ?? null,
    removingReplicas: fields.removing ?? null,
    addingReplicas: fields.adding ?? null,
  });
}

/** PartitionChangeRecords that take `brokerId` out of every ISR and leadership, as of `image`. */
export function changesForFencing(image: MetadataImage, brokerId: number): Buffer[] {
  const usable = (id: number) => id !== brokerId && image.brokers.get(id)?.fenced === false;
  const out: Buffer[] = [];
  for (const t of image.topics.values()) {
    for (const [partitionId, p] of t.partitions) {
      if (!p.isr.includes(brokerId) && p.leader !== brokerId) continue;
      const shrunk = p.isr.filter((id) => id !== brokerId);
      const isr = shrunk.length > 0 ? shrunk : p.isr;
      const fields: { isr?: number[]; leader?: number } = {};
      if (isr.join() !== p.isr.join()) fields.isr = isr;
      if (p.leader === brokerId) fields.leader = isr.find(usable) ?? NO_LEADER;
      if (fields.isr || fields.leader !== undefined) out.push(change(t.topicId, partitionId, fields));
    }
  }
  return out;
}

/** PartitionChangeRecords that give leaderless partitions back to `brokerId` when it is in their ISR. */
export function changesForUnfencing(image: MetadataImage, brokerId: number): Buffer[] {
  const out: Buffer[] = [];
  for (const t of image.topics.values()) {
    for (const [partitionId, p] of t.partitions) {
      if (p.leader === NO_LEADER && p.isr.includes(brokerId))
        out.push(change(t.topicId, partitionId, { leader: brokerId }));
    }
  }
  return out;
}

export { change as partitionChangeRecord };
