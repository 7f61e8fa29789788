// topics --describe: partitions (Metadata or DescribeTopicPartitions), configs and reassignments of the matching topics.
import type { ClusterClient } from '../client/cluster.js';
import { ZERO_UUID } from '../protocol/codec.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import {
  API,
  DEFAULT_CONFIG_SOURCE,
  TOPIC_RESOURCE,
  TopicCommandError,
  asTopicError,
  compareJava,
  ensureTopicExists,
  kafkaFailure,
  listAllTopics,
  selectTopics,
} from './topics.js';

export interface DescribeTopicsOptions {
  topic?: string;
  /** --topic-id: describe this topic id (wins over --topic when not zero). */
  topicId?: string;
  excludeInternal?: boolean;
  ifExists?: boolean;
  /** --partition-size-limit-per-response (DescribeTopicPartitions page size). */
  partitionSizeLimit?: number;
}

export interface ConfigEntryData {
  name: string;
  value: string | null;
  /** ConfigSource code (DescribeConfigs). */
  source: number;
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
}

export interface PartitionReassignmentData {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface PartitionData {
  partition: number;
  /** null: no leader (or a leader missing from the cluster metadata). */
  leader: number | null;
  replicas: number[];
  isr: number[];
  /** null when the broker does not report ELRs (no DescribeTopicPartitions): Kafka prints N/A. */
  elr: number[] | null;
  lastKnownElr: number[] | null;
  offlineReplicas: number[];
  reassignment: PartitionReassignmentData | null;
}

export interface TopicDescriptionData {
  name: string;
  topicId: string;
  isInternal: boolean;
  /** Sorted by partition. */
  partitions: PartitionData[];
  /** Every config entry, in the broker's order. */
  configs: ConfigEntryData[];
}

export interface DescribeTopicsData {
  /** Sorted by name. */
  topics: TopicDescriptionData[];
  /** Broker ids in the cluster metadata. */
  liveBrokers: number[];
}

/** Kafka's Uuid.fromString checks. */
export function checkTopicId(text: string): void {
  if (text.length > 24)
    throw new TopicCommandError(
      `Input string with prefix \`${text.slice(0, 24)}\` is too long to be decoded as a base64 UUID`,
    );
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    const bad = [...text].find((c) => !/[A-Za-z0-9_=-]/.test(c)) ?? '=';
    throw new TopicCommandError(`Illegal base64 character ${bad.charCodeAt(0).toString(16)}`);
  }
  const bytes = Buffer.from(text, 'base64url').length;
  if (bytes !== 16) {
    throw new TopicCommandError(
      `Input string \`${text}\` decoded as ${bytes} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID`,
    );
  }
}

export async function describeTopics(
  client: ClusterClient,
  options: DescribeTopicsOptions = {},
): Promise<DescribeTopicsData> {
  const excludeInternal = options.excludeInternal === true;
  if (options.topicId !== undefined) checkTopicId(options.topicId);
  const useTopicId = options.topicId !== undefined && options.topicId !== ZERO_UUID;

  const all = await listAllTopics(client);
  const visible = all.filter((t) => !(excludeInternal && t.isInternal));
  let names: string[];
  if (useTopicId) {
    const match = visible.find((t) => t.topicId === options.topicId);
    names = match === undefined ? [] : [match.name];
    if (names.length === 0 && options.ifExists !== true) {
      throw new TopicCommandError(`TopicId '${options.topicId}' does not exist as expected`, 'UNKNOWN_TOPIC_ID');
    }
  } else {
    names = selectTopics(
      visible.map((t) => t.name),
      options.topic,
      excludeInternal,
    );
    ensureTopicExists(names, options.topic, options.ifExists !== true);
  }
  const md = client.metadata!;
  const liveBrokers = [...md.brokers.keys()];
  if (names.length === 0) return { topics: [], liveBrokers };

  try {
    const partitions = client.supports(API.DESCRIBE_TOPIC_PARTITIONS)
      ? await describePartitionsDtp(client, names, options.partitionSizeLimit ?? 2000)
      : partitionsFromMetadata(client, names);
    const configs = await describeTopicConfigs(client, names);
    const reassignments = await listReassignments(client, names, partitions);
    const topics: TopicDescriptionData[] = names.map((name) => {
      const meta = md.topics.get(name);
      const parts = partitions.get(name)!;
      for (const p of parts.partitions) p.reassignment = reassignments.get(`${name}\u0000${p.partition}`) ?? null;
      return {
        name,
        topicId: parts.topicId ?? meta?.topicId ?? ZERO_UUID,
        isInternal: parts.isInternal ?? meta?.isInternal ?? false,
        partitions: parts.partitions,
        configs: configs.get(name) ?? [],
      };
    });
    return { topics, liveBrokers };
  } catch (error) {
    throw asTopicError(error);
  }
}

interface TopicPartitions {
  topicId?: string;
  isInternal?: boolean;
  partitions: PartitionData[];
}

function partitionsFromMetadata(client: ClusterClient, names: readonly string[]): Map<string, TopicPartitions> {
  const md = client.metadata!;
  const out = new Map<string, TopicPartitions>();
  for (const name of names) {
    const t = md.topics.get(name);
    if (t === undefined) throw new TopicCommandError(`Topic ${name} not found.`, 'UNKNOWN_TOPIC_OR_PARTITION');
    if (t.errorCode !== ErrorCode.NONE) throw kafkaFailure(t.errorCode, null);
    out.set(name, {
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader >= 0 && md.brokers.has(p.leader) ? p.leader : null,
        replicas: [...p.replicas],
        isr: [...p.isr],
        elr: null,
        lastKnownElr: null,
        offlineReplicas: [...p.offlineReplicas],
        reassignment: null,
      })),
    });
  }
  return out;
}

async function describePartitionsDtp(
  client: ClusterClient,
  names: readonly string[],
  limit: number,
): Promise<Map<string, TopicPartitions>> {
  const md = client.metadata!;
  const out = new Map<string, TopicPartitions>();
  let cursor: { topicName: string; partitionIndex: number } | null = null;
  const wanted = [...names].sort(compareJava);
  for (let page = 0; page < 100_000; page++) {
    const response: MessageBody = await client.send(API.DESCRIBE_TOPIC_PARTITIONS, {
      topics: wanted.map((name) => ({ name })),
      responsePartitionLimit: limit,
      cursor,
    });
    for (const t of response.topics as MessageBody[]) {
      if (t.errorCode !== ErrorCode.NONE) throw kafkaFailure(t.errorCode, null);
      const entry: TopicPartitions = out.get(t.name) ?? {
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: [],
      };
      for (const p of t.partitions as MessageBody[]) {
        entry.partitions.push({
          partition: p.partitionIndex,
          leader: p.leaderId >= 0 && md.brokers.has(p.leaderId) ? p.leaderId : null,
          replicas: p.replicaNodes ?? [],
          isr: p.isrNodes ?? [],
          elr: p.eligibleLeaderReplicas ?? null,
          lastKnownElr: p.lastKnownElr ?? null,
          offlineReplicas: p.offlineReplicas ?? [],
          reassignment: null,
        });
      }
      out.set(t.name, entry);
    }
    cursor = response.nextCursor ?? null;
    if (cursor === null) break;
  }
  for (const entry of out.values()) entry.partitions.sort((a, b) => a.partition - b.partition);
  for (const name of names)
    if (!out.has(name)) throw new TopicCommandError(`Topic ${name} not found.`, 'UNKNOWN_TOPIC_OR_PARTITION');
  return out;
}

/** DescribeConfigs for topics, one request. */
export async function describeTopicConfigs(
  client: ClusterClient,
  names: readonly string[],
): Promise<Map<string, ConfigEntryData[]>> {
  const { version, body } = await client.sendVersioned(API.DESCRIBE_CONFIGS, {
    resources: names.map((name) => ({ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null })),
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const out = new Map<string, ConfigEntryData[]>();
  for (const r of body.results as MessageBody[]) {
    if (r.errorCode !== ErrorCode.NONE) throw kafkaFailure(r.errorCode, r.errorMessage);
    out.set(
      r.resourceName,
      (r.configs as MessageBody[]).map((c) => {
        const source = version === 0 ? (c.isDefault ? DEFAULT_CONFIG_SOURCE : 0) : c.configSource;
        return {
          name: c.name,
          value: c.value ?? null,
          source,
          isDefault: source === DEFAULT_CONFIG_SOURCE,
          isSensitive: c.isSensitive === true,
          readOnly: c.readOnly === true,
        };
      }),
    );
  }
  return out;
}

async function listReassignments(
  client: ClusterClient,
  names: readonly string[],
  partitions: Map<string, TopicPartitions>,
): Promise<Map<string, PartitionReassignmentData>> {
  const out = new Map<string, PartitionReassignmentData>();
  if (!client.supports(API.LIST_PARTITION_REASSIGNMENTS)) return out;
  let body: MessageBody;
  try {
    body = await client.send(
      API.LIST_PARTITION_REASSIGNMENTS,
      {
        timeoutMs: 60_000,
        topics: names.map((name) => ({
          name,
          partitionIndexes: partitions.get(name)!.partitions.map((p) => p.partition),
        })),
      },
      { node: 'controller' },
    );
  } catch (error) {
    if (error instanceof KafkaError) return out;
    throw error;
  }
  // Kafka ignores UNSUPPORTED_VERSION and CLUSTER_AUTHORIZATION_FAILED here.
  if (body.errorCode === ErrorCode.UNSUPPORTED_VERSION || body.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    return out;
  if (body.errorCode !== ErrorCode.NONE) throw kafkaFailure(body.errorCode, body.errorMessage);
  for (const t of body.topics as MessageBody[]) {
    for (const p of t.partitions as MessageBody[]) {
      out.set(`${t.name}\u0000${p.partitionIndex}`, {
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      });
    }
  }
  return out;
}

/** Kafka's isReassignmentInProgress. */
export function isReassignmentInProgress(p: PartitionData): boolean {
  const ra = p.reassignment;
  if (ra === null) return false;
  const changing = new Set([...ra.removingReplicas, ...ra.addingReplicas]);
  return p.replicas.some((id) => changing.has(id));
}

/** Kafka's getReplicationFactor. */
export function replicationFactorOf(p: PartitionData): number {
  return isReassignmentInProgress(p)
    ? p.reassignment!.replicas.length - p.reassignment!.addingReplicas.length
    : p.replicas.length;
}
