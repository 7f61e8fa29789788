/**
 * The operation behind `ktool get-offsets` (kafka-get-offsets.sh, Kafka's
 * GetOffsetShell): select topic-partitions with --topic/--partitions or
 * --topic-partitions, then ask each partition leader for the offset that
 * matches --time (ListOffsets).
 *
 * Kafka 3.9 behaviour kept here:
 * - --topic is an include-list regex matched against the whole name;
 *   --partitions a comma-separated set of ids (empty: all);
 * - --topic-partitions is a comma-separated list of rules
 *   `topic-regex:partitions`, partitions being `N`, `N-M` (M exclusive),
 *   `N-`, `-M` or nothing (all); an empty topic part matches every topic;
 * - results are sorted by the TopicPartition's string `topic-partition`
 *   (Kafka's TreeMap comparator), so partition 10 comes before partition 2;
 * - a partition for which no offset exists (e.g. a timestamp after the last
 *   record) is left out, as Kafka leaves it out of its result map;
 * - a partition whose request failed is reported separately (Kafka prints
 *   "Skip getting offsets for topic-partition ..." on stderr).
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { javaSplit, parseJavaInt, parseJavaLong } from '../protocol/java-compat.js';
import { UsageError, javaExceptionClass, javaExceptionText } from './admin-errors.js';
import { topicFilter } from './topics.js';

const LIST_OFFSETS = 2;
const INT_MAX = 2147483647;

export interface OffsetSpec {
  /** The ListOffsets timestamp (-1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 latest tiered, else a time). */
  timestamp: number;
  /** The lowest ListOffsets version that can carry it. */
  minVersion: number;
}

const NAMED_SPECS: Record<string, number> = {
  latest: -1,
  earliest: -2,
  'max-timestamp': -3,
  'earliest-local': -4,
  'latest-tiered': -5,
};

function minVersionFor(timestamp: number): number {
  if (timestamp === -3) return 7;
  if (timestamp === -4) return 8;
  if (timestamp === -5) return 9;
  return 1;
}

/** Kafka's parseOffsetSpec: a name, a special negative value or a timestamp in ms. */
export function parseOffsetSpec(text: string): OffsetSpec {
  const named = NAMED_SPECS[text];
  if (named !== undefined) return { timestamp: named, minVersion: minVersionFor(named) };
  const value = parseJavaLong(text);
  if (value === undefined) {
    throw new UsageError(
      `Malformed time argument ${text}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`,
    );
  }
  const timestamp = Number(value);
  return { timestamp, minVersion: minVersionFor(timestamp) };
}

/** Which topics and partitions to query. */
export interface TopicPartitionFilter {
  topicAllowed(topic: string): boolean;
  partitionAllowed(topic: string, partition: number): boolean;
}

function includeList(raw: string): RegExp {
  try {
    return topicFilter(raw);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** --topic and --partitions. */
export function topicAndPartitionsFilter(
  topic: string | undefined,
  partitions: string | undefined,
): TopicPartitionFilter {
  const regex = includeList(topic ?? '.*');
  const ids = new Set<number>();
  if (partitions !== undefined && partitions !== '') {
    for (const part of javaSplit(partitions, ',')) {
      const id = parseJavaInt(part);
      if (id === undefined) {
        throw new UsageError(
          `--partitions expects a comma separated list of numeric partition ids, but received: ${partitions}`,
        );
      }
      ids.add(id);
    }
  }
  return {
    topicAllowed: (name) => regex.test(name),
    partitionAllowed: (name, partition) => regex.test(name) && (ids.size === 0 || ids.has(partition)),
  };
}

const RULE = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/;

/** --topic-partitions: a list of `topic-regex[:partitions]` rules; a partition matches if any rule does. */
export function topicPartitionsFilter(text: string): TopicPartitionFilter {
  const rules = javaSplit(text, ',').map((spec) => {
    const m = RULE.exec(spec);
    if (m === null) throw new UsageError(`Invalid rule specification: ${spec}`);
    const group = (i: number): string | undefined => (m[i] !== undefined && m[i] !== '' ? m[i] : undefined);
    const int = (s: string): number => {
      const n = parseJavaInt(s);
      if (n === undefined) throw new UsageError(`For input string: "${s}"`);
      return n;
    };
    const regex = includeList(group(1) ?? '.*');
    let accepts: (p: number) => boolean;
    const single = group(2);
    if (single !== undefined) {
      const id = int(single);
      accepts = (p) => p === id;
    } else {
      const low = group(3) === undefined ? 0 : int(group(3)!);
      const high = group(4) === undefined ? INT_MAX : int(group(4)!);
      accepts = (p) => p >= low && p < high;
    }
    return { regex, accepts };
  });
  return {
    topicAllowed: (name) => rules.some((r) => r.regex.test(name)),
    partitionAllowed: (name, partition) => rules.some((r) => r.regex.test(name) && r.accepts(partition)),
  };
}

export interface GetOffsetsInput {
  topic?: string;
  partitions?: string;
  topicPartitions?: string;
  /** --time as given (default latest). */
  time?: string;
  excludeInternalTopics?: boolean;
}

export interface GetOffsetsRequest {
  filter: TopicPartitionFilter;
  spec: OffsetSpec;
  excludeInternalTopics: boolean;
}

/** Kafka's option checks, in its order; no network. */
export function buildGetOffsetsRequest(input: GetOffsetsInput): GetOffsetsRequest {
  if (input.topicPartitions !== undefined && (input.topic !== undefined || input.partitions !== undefined)) {
    throw new UsageError('--topic-partitions cannot be used with --topic or --partitions');
  }
  const spec = parseOffsetSpec(input.time ?? 'latest');
  const filter =
    input.topicPartitions !== undefined
      ? topicPartitionsFilter(input.topicPartitions)
      : topicAndPartitionsFilter(input.topic, input.partitions);
  return { filter, spec, excludeInternalTopics: input.excludeInternalTopics === true };
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** null: the broker found no offset for the time (Kafka prints nothing for it). */
  offset: number | null;
  /** The record timestamp the offset belongs to, when the broker reports one. */
  timestamp: number | null;
}

export interface PartitionFailure {
  topic: string;
  partition: number;
  /** A Kafka error name. */
  code: string;
  /** Java's text of the exception: `org.apache.kafka.common.errors.X: message`. */
  error: string;
}

export interface GetOffsetsResult {
  /** In Kafka's order (by `topic-partition` string). */
  offsets: PartitionOffset[];
  failures: PartitionFailure[];
}

/** Kafka's TreeMap order: TopicPartition.toString() compared as strings. */
export function compareTopicPartitions(
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
): number {
  const x = `${a.topic}-${a.partition}`;
  const y = `${b.topic}-${b.partition}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

export async function getOffsets(client: ClusterClient, request: GetOffsetsRequest): Promise<GetOffsetsResult> {
  const md = await client.refreshMetadata(null);
  const selected: Array<{ topic: string; partition: number; leader: number }> = [];
  for (const t of md.topics.values()) {
    if (t.errorCode !== ErrorCode.NONE) continue;
    if (request.excludeInternalTopics && t.isInternal) continue;
    if (!request.filter.topicAllowed(t.name)) continue;
    for (const p of t.partitions) {
      if (request.filter.partitionAllowed(t.name, p.partition))
        selected.push({ topic: t.name, partition: p.partition, leader: p.leader });
    }
  }
  if (selected.length === 0) throw new UsageError('Could not match any topic-partitions with the specified filters');

  const offsets: PartitionOffset[] = [];
  const failures: PartitionFailure[] = [];
  const fail = (tp: { topic: string; partition: number }, code: number | string, message?: string | null) => {
    if (typeof code === 'string')
      failures.push({ ...tp, code, error: `${javaExceptionClass(code)}: ${message ?? code}` });
    else failures.push({ ...tp, code: errorName(code), error: javaExceptionText(code, message) });
  };
  const byLeader = new Map<number, typeof selected>();
  for (const tp of selected) {
    if (tp.leader < 0 || !md.brokers.has(tp.leader)) {
      fail(tp, ErrorCode.LEADER_NOT_AVAILABLE);
      continue;
    }
    const list = byLeader.get(tp.leader) ?? [];
    list.push(tp);
    byLeader.set(tp.leader, list);
  }
  await Promise.all(
    [...byLeader].map(async ([leader, tps]) => {
      const topics = new Map<string, number[]>();
      for (const tp of tps) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
      const body = {
        replicaId: -1,
        isolationLevel: 0,
        topics: [...topics].map(([name, parts]) => ({
          name,
          partitions: parts.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: request.spec.timestamp,
            maxNumOffsets: 1,
          })),
        })),
      };
      let response: MessageBody;
      try {
        response = await client.send(LIST_OFFSETS, body, { node: leader, minVersion: request.spec.minVersion });
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error;
        for (const tp of tps) fail(tp, error.errorName, error.message);
        return;
      }
      const answered = new Set<string>();
      for (const t of response.topics as MessageBody[]) {
        for (const p of t.partitions as MessageBody[]) {
          const tp = { topic: t.name as string, partition: p.partitionIndex as number };
          answered.add(`${tp.topic}\u0000${tp.partition}`);
          if (p.errorCode !== ErrorCode.NONE) {
            fail(tp, p.errorCode);
            continue;
          }
          const offset = typeof p.offset === 'number' ? p.offset : -1;
          const timestamp = typeof p.timestamp === 'number' && p.timestamp >= 0 ? p.timestamp : null;
          offsets.push({ ...tp, offset: offset === -1 ? null : offset, timestamp: offset === -1 ? null : timestamp });
        }
      }
      for (const tp of tps)
        if (!answered.has(`${tp.topic}\u0000${tp.partition}`))
          fail(tp, ErrorCode.UNKNOWN_SERVER_ERROR, 'The broker did not answer for this partition');
    }),
  );
  offsets.sort(compareTopicPartitions);
  failures.sort(compareTopicPartitions);
  return { offsets, failures };
}
