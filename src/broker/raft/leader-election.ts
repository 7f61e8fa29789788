// Leader elections on the active controller: ElectLeaders (preferred or unclean, for named
// partitions or all of them) and the automatic preferred-leader rebalance. A preferred
// election gives leadership back to the first replica of the assignment when it is live and
// in sync; an unclean one gives a leaderless partition to a live replica that may be behind,
// which can lose acknowledged records and is only done on request.
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { MetadataImage, PartitionImage } from './metadata-image.js';
import { partitionChangeRecord } from './partition-changes.js';
import { metadataWriteError, type RaftNode } from './raft-node.js';

export const API_ELECT_LEADERS = 43;
export const PREFERRED = 0;
export const UNCLEAN = 1;

export interface ElectionOutcome {
  error: ErrorName;
  message: string | null;
  record?: Buffer;
}

/** The change one election makes to a partition, or why it makes none (Kafka's electLeader). */
export function electLeader(image: MetadataImage, topic: string, partitionId: number, type: number): ElectionOutcome {
  const t = image.topics.get(topic);
  if (!t) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `No such topic as ${topic}` };
  const p = t.partitions.get(partitionId);
  if (!p) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `No such partition as ${topic}-${partitionId}` };
  const live = (id: number) => image.brokers.get(id)?.fenced === false;
  if (type === PREFERRED) {
    const preferred = p.replicas[0];
    if (preferred === undefined || p.leader === preferred) return { error: 'ELECTION_NOT_NEEDED', message: null };
    if (!p.isr.includes(preferred) || !live(preferred))
      return { error: 'PREFERRED_LEADER_NOT_AVAILABLE', message: null };
    return {
      error: 'NONE',
      message: null,
      record: partitionChangeRecord(t.topicId, partitionId, { leader: preferred }),
    };
  }
  if (p.leader >= 0) return { error: 'ELECTION_NOT_NEEDED', message: null };
  const inSync = p.isr.find(live);
  if (inSync !== undefined)
    return { error: 'NONE', message: null, record: partitionChangeRecord(t.topicId, partitionId, { leader: inSync }) };
  const any = p.replicas.find(live);
  if (any === undefined) return { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE', message: null };
  // The new leader's log is all there is now: the ISR restarts from it alone.
  return {
    error: 'NONE',
    message: null,
    record: partitionChangeRecord(t.topicId, partitionId, { leader: any, isr: [any] }),
  };
}

/**
 * Partitions whose preferred leader should lead again: per broker, when more than
 * `percent` % of the partitions it is preferred for are led elsewhere (Kafka's
 * leader.imbalance.per.broker.percentage), those with the preferred replica live and in sync.
 */
export function imbalancedPartitions(
  image: MetadataImage,
  percent: number,
): Array<{ topic: string; partition: number }> {
  const byBroker = new Map<
    number,
    { total: number; misplaced: Array<{ topic: string; partition: number; p: PartitionImage }> }
  >();
  for (const t of image.topics.values()) {
    for (const [partition, p] of t.partitions) {
      const preferred = p.replicas[0];
      if (preferred === undefined) continue;
      let entry = byBroker.get(preferred);
      if (!entry) byBroker.set(preferred, (entry = { total: 0, misplaced: [] }));
      entry.total++;
      if (p.leader !== preferred) entry.misplaced.push({ topic: t.name, partition, p });
    }
  }
  const out: Array<{ topic: string; partition: number }> = [];
  for (const [broker, e] of byBroker) {
    if (e.total === 0 || (e.misplaced.length * 100) / e.total <= percent) continue;
    if (image.brokers.get(broker)?.fenced !== false) continue;
    for (const m of e.misplaced) if (m.p.isr.includes(broker)) out.push({ topic: m.topic, partition: m.partition });
  }
  return out;
}

export interface LeaderElectionOptions {
  raft: RaftNode;
  image: MetadataImage;
  write(records: Buffer[]): Promise<number>;
  log(line: string): void;
}

export class LeaderElection {
  constructor(private readonly opts: LeaderElectionOptions) {}

  async handleElectLeaders(req: MessageBody): Promise<object> {
    const type: number = req.electionType ?? PREFERRED;
    const wanted = req.topicPartitions as Array<{ topic: string; partitions: number[] }> | null;
    const top = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, replicaElectionResults: [] });
    if (this.opts.raft.role !== 'leader') return top(ErrorCode.NOT_CONTROLLER);
    if (type !== PREFERRED && type !== UNCLEAN) return top(ErrorCode.INVALID_REQUEST);
    const { image } = this.opts;
    const records: Buffer[] = [];
    const results: Array<{
      topic: string;
      partitionResult: Array<{ partitionId: number; errorCode: number; errorMessage: string | null }>;
    }> = [];
    const elect = (topic: string, partitionId: number, all: boolean, into: (typeof results)[number]) => {
      const o = electLeader(image, topic, partitionId, type);
      if (o.record) records.push(o.record);
      // Electing for every partition reports only those that needed an election.
      if (all && o.error === 'ELECTION_NOT_NEEDED') return;
      into.partitionResult.push({ partitionId, errorCode: ErrorCode[o.error], errorMessage: o.message });
    };
    if (wanted === null) {
      for (const t of image.topics.values()) {
        const entry = { topic: t.name, partitionResult: [] };
        results.push(entry);
        for (const partitionId of t.partitions.keys()) elect(t.name, partitionId, true, entry);
      }
    } else {
      for (const t of wanted) {
        const entry = { topic: t.topic, partitionResult: [] };
        results.push(entry);
        for (const partitionId of t.partitions) elect(t.topic, partitionId, false, entry);
      }
    }
    if (records.length > 0) {
      try {
        await this.opts.write(records);
      } catch (err) {
        const code = metadataWriteError(err);
        for (const r of results)
          for (const p of r.partitionResult) if (p.errorCode === ErrorCode.NONE) p.errorCode = code;
      }
      this.opts.log(
        `Controller: ${type === PREFERRED ? 'preferred' : 'unclean'} election moved ${records.length} leader(s)`,
      );
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  }

  /** One pass of auto.leader.rebalance.enable; returns how many leaders moved back. */
  async rebalance(percent: number): Promise<number> {
    if (this.opts.raft.role !== 'leader') return 0;
    const records: Buffer[] = [];
    for (const { topic, partition } of imbalancedPartitions(this.opts.image, percent)) {
      const o = electLeader(this.opts.image, topic, partition, PREFERRED);
      if (o.record) records.push(o.record);
    }
    if (records.length === 0) return 0;
    await this.opts.write(records);
    this.opts.log(`Controller: rebalanced ${records.length} leader(s) back to their preferred replica`);
    return records.length;
  }
}
