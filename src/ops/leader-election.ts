/**
 * The operation behind `ktool leader-election` (kafka-leader-election.sh): one ElectLeaders
 * request (any broker passes it on to the active controller), its results sorted into
 * elected, already elected and failed, as the admin client's electLeaders reports them.
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { responseError, UsageError } from './admin-errors.js';

const ELECT_LEADERS = 43;

export type ElectionType = 'PREFERRED' | 'UNCLEAN';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ElectionFailure extends TopicPartition {
  /** Kafka's error name, e.g. PREFERRED_LEADER_NOT_AVAILABLE. */
  error: string;
  message: string;
}

export interface ElectionResults {
  electionType: ElectionType;
  elected: TopicPartition[];
  /** ELECTION_NOT_NEEDED: the wanted replica already leads. */
  alreadyElected: TopicPartition[];
  failed: ElectionFailure[];
}

// Kafka's own texts for errors a broker sends without a message.
const DEFAULT_MESSAGES: Record<string, string> = {
  PREFERRED_LEADER_NOT_AVAILABLE: 'The preferred leader was not available.',
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 'Eligible topic partition leaders are not available.',
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition.',
  REQUEST_TIMED_OUT: 'The request timed out.',
};

/** ElectLeaders for `partitions`, or for every partition when null. */
export async function electLeaders(
  client: ClusterClient,
  electionType: ElectionType,
  partitions: readonly TopicPartition[] | null,
  timeoutMs = 30_000,
): Promise<ElectionResults> {
  if (!client.supports(ELECT_LEADERS))
    throw new UsageError('The broker does not support the ElectLeaders API (key 43), needed to elect leaders.');
  if (electionType === 'UNCLEAN' && !client.supports(ELECT_LEADERS, 1))
    throw new UsageError('The broker does not support unclean leader elections (ElectLeaders v1).');
  let topicPartitions: Array<{ topic: string; partitions: number[] }> | null = null;
  if (partitions !== null) {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) {
      const list = byTopic.get(tp.topic) ?? [];
      list.push(tp.partition);
      byTopic.set(tp.topic, list);
    }
    topicPartitions = [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }));
  }
  const body = await client.send(
    ELECT_LEADERS,
    () => ({ electionType: electionType === 'PREFERRED' ? 0 : 1, topicPartitions, timeoutMs }),
    { timeoutMs: timeoutMs + 5000 },
  );
  if (body.errorCode !== undefined && body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode);
  const out: ElectionResults = { electionType, elected: [], alreadyElected: [], failed: [] };
  for (const t of body.replicaElectionResults as Array<{
    topic: string;
    partitionResult: Array<{ partitionId: number; errorCode: number; errorMessage: string | null }>;
  }>) {
    for (const p of t.partitionResult) {
      const tp = { topic: t.topic, partition: p.partitionId };
      if (p.errorCode === ErrorCode.NONE) out.elected.push(tp);
      else if (p.errorCode === ErrorCode.ELECTION_NOT_NEEDED) out.alreadyElected.push(tp);
      else {
        const error = errorName(p.errorCode);
        out.failed.push({ ...tp, error, message: p.errorMessage || DEFAULT_MESSAGES[error] || error });
      }
    }
  }
  return out;
}
