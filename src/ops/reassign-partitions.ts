/**
 * The operations behind `ktool reassign-partitions` (kafka-reassign-partitions.sh): Kafka's
 * JSON files read and written, the current assignment from Metadata, a proposed assignment
 * (Kafka's rack-unaware placement, from the first broker), and the reassignment APIs
 * (AlterPartitionReassignments, ListPartitionReassignments) that any broker passes on to the
 * active controller.
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { CommandError, UsageError } from './tool-errors.js';

const ALTER_PARTITION_REASSIGNMENTS = 45;
const LIST_PARTITION_REASSIGNMENTS = 46;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface PartitionReplicas extends TopicPartition {
  replicas: number[];
}

export interface OngoingReassignment extends PartitionReplicas {
  adding: number[];
  removing: number[];
}

/**
 * A failure kafka-reassign-partitions.sh prints on stdout: `terse` ones as their bare message
 * (TerseException), the others after "Error: ".
 */
export class ReassignError extends CommandError {
  constructor(
    message: string,
    readonly terse: boolean,
    code = 'REASSIGNMENT_FAILED',
  ) {
    super(message, code);
    this.name = 'ReassignError';
  }
}

export const tpName = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ReassignError('The input string is not a valid JSON', false, 'INVALID_JSON');
  }
}

function checkVersion(data: Record<string, unknown>): void {
  const version = data.version ?? 1;
  if (version !== 1) throw new ReassignError(`Not supported version field value ${String(version)}`, false);
}

/** --topics-to-move-json-file: {"topics": [{"topic": "foo"}], "version": 1}. */
export function parseTopicsToMove(text: string): string[] {
  const data = parseJson(text) as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.topics))
    throw new ReassignError('Missing "topics" field in the topics-to-move JSON file', false);
  checkVersion(data);
  const topics = (data.topics as Array<{ topic?: unknown }>).map((t) => {
    if (typeof t?.topic !== 'string') throw new ReassignError('Expected "topic" to be a string', false);
    return t.topic;
  });
  const dup = [...new Set(topics.filter((t, i) => topics.indexOf(t) !== i))];
  if (dup.length > 0)
    throw new ReassignError(`List of topics to reassign contains duplicate entries: ${dup.join(',')}`, false);
  return topics;
}

/** --broker-list: "1,2,3". */
export function parseBrokerList(text: string): number[] {
  const ids = text.split(',').map((s) => {
    const n = Number(s.trim());
    if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n))
      throw new UsageError(`For input string: "${s.trim()}"`, 'INVALID_BROKER_LIST');
    return n;
  });
  const dup = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (dup.length > 0) throw new ReassignError(`Broker list contains duplicate entries: ${dup.join(',')}`, false);
  return ids;
}

/** --reassignment-json-file: {"version": 1, "partitions": [{"topic", "partition", "replicas", "log_dirs"?}]}. */
export function parseReassignment(text: string): PartitionReplicas[] {
  const data = parseJson(text) as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.partitions))
    throw new ReassignError('Partition reassignment list cannot be empty', false);
  checkVersion(data);
  const out: PartitionReplicas[] = [];
  for (const entry of data.partitions as Array<Record<string, unknown>>) {
    if (typeof entry?.topic !== 'string' || !Number.isInteger(entry.partition) || !Array.isArray(entry.replicas))
      throw new ReassignError('Each partition needs "topic", "partition" and "replicas"', false);
    const replicas = entry.replicas as unknown[];
    if (!replicas.every((r) => Number.isInteger(r))) throw new ReassignError('Replicas must be broker ids', false);
    const dirs = entry.log_dirs as unknown[] | undefined;
    if (dirs !== undefined && (!Array.isArray(dirs) || dirs.some((d) => d !== 'any')))
      throw new ReassignError('ktool does not move replicas between log directories: log_dirs must be "any"', false);
    out.push({ topic: entry.topic, partition: entry.partition as number, replicas: replicas as number[] });
  }
  if (out.length === 0) throw new ReassignError('Partition reassignment list cannot be empty', false);
  for (const p of out) {
    if (p.replicas.length === 0) throw new ReassignError('Partition replica list cannot be empty', false);
  }
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(tpName(p)))
      throw new ReassignError(`Partition reassignment contains duplicate topic partitions: ${tpName(p)}`, false);
    seen.add(tpName(p));
  }
  const dupReplicas = out.filter((p) => new Set(p.replicas).size !== p.replicas.length);
  if (dupReplicas.length > 0)
    throw new ReassignError(
      `Partition replica lists may not contain duplicate entries: ${dupReplicas
        .map(
          (p) =>
            `${tpName(p)} contains multiple entries for ${p.replicas.filter((r, i) => p.replicas.indexOf(r) !== i).join(',')}`,
        )
        .join('. ')}`,
      false,
    );
  return out;
}

/** Kafka's reassignment JSON, partitions sorted by topic then partition. */
export function reassignmentJson(parts: readonly PartitionReplicas[]): string {
  const partitions = [...parts].sort(compareTopicPartitions).map((p) => ({
    topic: p.topic,
    partition: p.partition,
    replicas: p.replicas,
    log_dirs: p.replicas.map(() => 'any'),
  }));
  return JSON.stringify({ version: 1, partitions });
}

/**
 * Kafka's rack-unaware placement (AdminUtils.assignReplicasToBrokers) with its random start
 * fixed at the first broker, so a proposal is the same every time.
 */
export function proposeAssignment(
  current: readonly PartitionReplicas[],
  brokers: readonly number[],
): PartitionReplicas[] {
  const sorted = [...brokers].sort((a, b) => a - b);
  const n = sorted.length;
  const byTopic = new Map<string, PartitionReplicas[]>();
  for (const p of current) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  const out: PartitionReplicas[] = [];
  for (const [topic, parts] of byTopic) {
    const rf = parts[0]!.replicas.length;
    if (rf > n) throw new ReassignError(`Replication factor: ${rf} larger than available brokers: ${n}.`, false);
    let shift = 0;
    for (const p of [...parts].sort((a, b) => a.partition - b.partition)) {
      if (p.partition > 0 && p.partition % n === 0) shift++;
      const first = p.partition % n;
      const replicas = [sorted[first]!];
      for (let j = 0; j < rf - 1; j++) replicas.push(sorted[(first + 1 + ((shift + j) % (n - 1))) % n]!);
      out.push({ topic, partition: p.partition, replicas });
    }
  }
  return out;
}

/** Every partition's replicas of these topics; an unknown topic fails as Kafka's tool does. */
export async function currentAssignment(
  client: ClusterClient,
  topics: readonly string[],
): Promise<PartitionReplicas[]> {
  const md = await client.refreshMetadata([...topics]);
  const out: PartitionReplicas[] = [];
  for (const name of topics) {
    const t = md.topics.get(name);
    if (!t || t.errorCode !== ErrorCode.NONE)
      throw new ReassignError(
        `org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.`,
        false,
        'UNKNOWN_TOPIC_OR_PARTITION',
      );
    for (const p of t.partitions) out.push({ topic: name, partition: p.partition, replicas: [...p.replicas] });
  }
  return out;
}

/** The ids of the brokers Metadata lists. */
export async function brokerIds(client: ClusterClient): Promise<number[]> {
  const md = await client.refreshMetadata([]);
  return [...md.brokers.keys()].sort((a, b) => a - b);
}

/** Reassignments in progress (all of them, or of these partitions). */
export async function listReassignments(
  client: ClusterClient,
  partitions: readonly TopicPartition[] | null = null,
): Promise<OngoingReassignment[]> {
  let topics: Array<{ name: string; partitionIndexes: number[] }> | null = null;
  if (partitions !== null) {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  }
  const body = await client.send(LIST_PARTITION_REASSIGNMENTS, { timeoutMs: 30_000, topics });
  if (body.errorCode !== ErrorCode.NONE)
    throw new ReassignError(body.errorMessage ?? errorName(body.errorCode), false, errorName(body.errorCode));
  const out: OngoingReassignment[] = [];
  for (const t of body.topics as Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      replicas: number[];
      addingReplicas: number[];
      removingReplicas: number[];
    }>;
  }>) {
    for (const p of t.partitions)
      out.push({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        adding: p.addingReplicas,
        removing: p.removingReplicas,
      });
  }
  return out.sort(compareTopicPartitions);
}

/** AlterPartitionReassignments; null replicas cancel. The failures, by partition. */
export async function alterReassignments(
  client: ClusterClient,
  moves: ReadonlyArray<TopicPartition & { replicas: number[] | null }>,
): Promise<Array<TopicPartition & { error: string; message: string }>> {
  const byTopic = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
  for (const m of moves)
    byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { partitionIndex: m.partition, replicas: m.replicas }]);
  const body = await client.send(ALTER_PARTITION_REASSIGNMENTS, {
    timeoutMs: 30_000,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  if (body.errorCode !== ErrorCode.NONE)
    throw new ReassignError(body.errorMessage ?? errorName(body.errorCode), false, errorName(body.errorCode));
  const failures: Array<TopicPartition & { error: string; message: string }> = [];
  for (const t of body.responses as Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; errorCode: number; errorMessage: string | null }>;
  }>) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE) continue;
      failures.push({
        topic: t.name,
        partition: p.partitionIndex,
        error: errorName(p.errorCode),
        message: p.errorMessage ?? errorName(p.errorCode),
      });
    }
  }
  return failures.sort(compareTopicPartitions);
}
