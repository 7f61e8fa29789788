/**
 * The operations behind `ktool topics` (kafka-topics.sh): list, create,
 * describe, delete and alter, on ktool's own protocol client. Plain data in
 * and out; nothing here prints.
 *
 * Behaviour follows Kafka 3.9's TopicCommand: the --topic value is a regular
 * expression matched against the whole name (',' means '|'), topic lists are
 * sorted, "does not exist" checks and client-side validations use Kafka's
 * messages. Failures that Kafka's tool reports as
 * "Error while executing topic command : <message>" are thrown as
 * TopicCommandError; argument mistakes it reports with its usage text are
 * thrown as UsageError.
 */
import { CommandError, UsageError } from './tool-errors.js';
import type { ClusterClient } from '../client/cluster.js';
import { ZERO_UUID } from '../protocol/codec.js';
import { ErrorCode, KafkaError, errorMessage, errorName } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { javaSplit, parseJavaInt } from '../protocol/java-compat.js';

const API = {
  CREATE_TOPICS: 19,
  DELETE_TOPICS: 20,
  DESCRIBE_CONFIGS: 32,
  CREATE_PARTITIONS: 37,
  LIST_PARTITION_REASSIGNMENTS: 46,
  DESCRIBE_TOPIC_PARTITIONS: 75,
} as const;

const TOPIC_RESOURCE = 2;
const DEFAULT_CONFIG_SOURCE = 5;
const SHORT_MAX = 32767;
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/** A failure Kafka's tool prints as "Error while executing topic command : <message>" (stdout, exit 1). */
export class TopicCommandError extends CommandError {
  constructor(message: string, code = 'INVALID_ARGUMENTS') {
    super(message, code);
    this.name = 'TopicCommandError';
  }
}

export { UsageError };

/** A Kafka error from a response, as the Java client would raise it (the broker's message, else the error's). */
function kafkaFailure(code: number, message: string | null | undefined): TopicCommandError {
  const text = typeof message === 'string' && message.length > 0 ? message : errorMessage(code);
  return new TopicCommandError(text, errorName(code));
}

/** Rethrow Kafka errors raised by the client (version negotiation, ...) in the tool's format. */
function asTopicError(error: unknown): unknown {
  if (error instanceof KafkaError && error.errorName === 'UNSUPPORTED_VERSION') {
    return new TopicCommandError(error.message, error.errorName);
  }
  return error;
}

// ------------------------------------------------------------------ names

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** Kafka's Topic.hasCollisionChars: '.' or '_' in the name. */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/**
 * Kafka's topic include-list (TopicFilter.IncludeList): trimmed, ',' means
 * '|', spaces and surrounding quotes dropped, matched against the whole name.
 */
export function topicFilter(raw: string): RegExp {
  const regex = raw
    .trim()
    .replace(/,/g, '|')
    .replace(/ /g, '')
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    throw new TopicCommandError(`${regex} is an invalid regex.`);
  }
}

/** Kafka's doGetTopics: sorted names, filtered by the include-list and --exclude-internal. */
export function selectTopics(all: Iterable<string>, topic: string | undefined, excludeInternal: boolean): string[] {
  const sorted = [...all].sort(compareJava);
  const filter = topic === undefined ? undefined : topicFilter(topic);
  return sorted.filter(
    (name) => (filter === undefined || filter.test(name)) && !(excludeInternal && isInternalTopic(name)),
  );
}

/** Java's String.compareTo (UTF-16 code units), which is also JS's default sort. */
function compareJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kafka's ensureTopicExists. */
export function ensureTopicExists(found: readonly string[], requested: string | undefined, required: boolean): void {
  if (requested !== undefined && requested !== '' && required && found.length === 0) {
    throw new TopicCommandError(`Topic '${requested}' does not exist as expected`, 'UNKNOWN_TOPIC_OR_PARTITION');
  }
}

// ------------------------------------------------------------------ parsing (Kafka's option handling)

/** joptsimple's Integer conversion: a decimal int32. */
export function parseIntOption(value: string, option: string): number {
  const n = parseJavaInt(value);
  if (n === undefined) throw new TopicCommandError(`Cannot parse argument '${value}' of option ${option}`);
  return n;
}

/** Java's Integer.parseInt, failing with its NumberFormatException message. */
function parseBrokerId(text: string): number {
  const n = parseJavaInt(text);
  if (n === undefined) throw new TopicCommandError(`For input string: "${text}"`);
  return n;
}

/** Kafka's parseReplicaAssignment: "0:1,1:2" -> [[0,1],[1,2]]. */
export function parseReplicaAssignment(text: string): number[][] {
  const out: number[][] = [];
  const partitions = javaSplit(text, ',');
  for (let i = 0; i < partitions.length; i++) {
    const brokers = javaSplit(partitions[i]!, ':').map((s) => parseBrokerId(s.trim()));
    const seen = new Set<number>();
    const dups: number[] = [];
    for (const b of brokers) {
      if (seen.has(b) && !dups.includes(b)) dups.push(b);
      seen.add(b);
    }
    if (dups.length > 0) {
      throw new TopicCommandError(`Partition replica lists may not contain duplicate entries: ${dups.join(',')}`);
    }
    out.push(brokers);
    if (brokers.length !== out[0]!.length) {
      throw new TopicCommandError(`Partition ${i} has different replication factor: [${brokers.join(', ')}]`);
    }
  }
  return out;
}

/** Kafka's parseTopicConfigsToBeAdded: "k=v" items (spaces around '=' allowed). */
export function parseTopicConfigs(items: readonly string[]): Array<[string, string]> {
  const pairs = items.map((s) => javaSplit(s, /\s*=\s*/));
  if (!pairs.every((p) => p.length === 2)) {
    throw new TopicCommandError(
      'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
    );
  }
  const out = new Map<string, string>();
  for (const [k, v] of pairs) out.set(k!.trim(), v!.trim());
  return [...out];
}

// ------------------------------------------------------------------ list

export interface ListTopicsOptions {
  /** --topic: include-list regex. */
  topic?: string;
  excludeInternal?: boolean;
}

export interface TopicListing {
  name: string;
  topicId: string;
  isInternal: boolean;
}

/** All topics the cluster reports (internal ones included). */
export async function listAllTopics(client: ClusterClient): Promise<TopicListing[]> {
  const md = await client.refreshMetadata(null);
  // Like Kafka's listTopics, a topic with a transient error (no leader yet) is still listed.
  const missing = new Set<number>([
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.UNKNOWN_TOPIC_ID,
    ErrorCode.INVALID_TOPIC_EXCEPTION,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ]);
  return [...md.topics.values()]
    .filter((t) => typeof t.name === 'string' && !missing.has(t.errorCode))
    .map((t) => ({ name: t.name, topicId: t.topicId, isInternal: t.isInternal }));
}

/** Kafka's getTopics: the sorted topic names selected by --topic and --exclude-internal. */
export async function listTopics(client: ClusterClient, options: ListTopicsOptions = {}): Promise<string[]> {
  const excludeInternal = options.excludeInternal === true;
  const all = await listAllTopics(client);
  const names = all.filter((t) => !(excludeInternal && t.isInternal)).map((t) => t.name);
  return selectTopics(names, options.topic, excludeInternal);
}

// ------------------------------------------------------------------ create

export interface CreateTopicInput {
  topic: string;
  /** --partitions as given. */
  partitions?: string;
  /** --replication-factor as given. */
  replicationFactor?: string;
  /** --replica-assignment as given. */
  replicaAssignment?: string;
  /** --config items as given. */
  configs?: readonly string[];
  ifNotExists?: boolean;
}

export interface CreateTopicSpec {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  /** Broker ids per partition, partition 0 first. */
  replicaAssignment?: number[][];
  configs: Array<[string, string]>;
  ifNotExists: boolean;
}

/** Parse and check a create request the way Kafka's CommandTopicPartition does. */
export async function buildCreateSpec(input: CreateTopicInput): Promise<CreateTopicSpec> {
  const partitions = input.partitions === undefined ? undefined : parseIntOption(input.partitions, 'partitions');
  const replicationFactor =
    input.replicationFactor === undefined ? undefined : parseIntOption(input.replicationFactor, 'replication-factor');
  const replicaAssignment =
    input.replicaAssignment === undefined || input.replicaAssignment === ''
      ? undefined
      : parseReplicaAssignment(input.replicaAssignment);
  const configs = parseTopicConfigs(input.configs ?? []);
  // LogConfig.validate: names, then values.
  if (configs.length > 0) {
    const { topicConfigError } = await import('../broker/config/validate.js');
    for (const [name] of configs) {
      const problem = topicConfigError(name, '');
      if (problem?.startsWith('Unknown topic config name')) throw new TopicCommandError(problem, 'INVALID_CONFIG');
    }
    for (const [name, value] of configs) {
      const problem = topicConfigError(name, value);
      if (problem !== null) throw new TopicCommandError(problem, 'INVALID_CONFIG');
    }
  }
  return {
    name: input.topic,
    partitions,
    replicationFactor,
    replicaAssignment,
    configs,
    ifNotExists: input.ifNotExists === true,
  };
}

/** The client-side checks Kafka's createTopic makes after printing its warning. */
export function checkCreateSpec(spec: CreateTopicSpec): void {
  const rf = spec.replicationFactor;
  if (rf !== undefined && (rf > SHORT_MAX || rf < 1)) {
    throw new TopicCommandError(
      `The replication factor must be between 1 and ${SHORT_MAX} inclusive`,
      'INVALID_REPLICATION_FACTOR',
    );
  }
  if (spec.partitions !== undefined && spec.partitions < 1) {
    throw new TopicCommandError('The partitions must be greater than 0', 'INVALID_PARTITIONS');
  }
}

export interface CreateTopicResult {
  topic: string;
  /** False when it already existed and --if-not-exists was given. */
  created: boolean;
  topicId: string | null;
  partitions: number | null;
  replicationFactor: number | null;
}

export async function createTopic(client: ClusterClient, spec: CreateTopicSpec): Promise<CreateTopicResult> {
  checkCreateSpec(spec);
  const assignments = spec.replicaAssignment?.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })) ?? [];
  const topic = {
    name: spec.name,
    numPartitions: spec.replicaAssignment !== undefined ? -1 : (spec.partitions ?? -1),
    replicationFactor: spec.replicaAssignment !== undefined ? -1 : (spec.replicationFactor ?? -1),
    assignments,
    configs: spec.configs.map(([name, value]) => ({ name, value })),
  };
  let response: MessageBody;
  try {
    response = await client.send(
      API.CREATE_TOPICS,
      { topics: [topic], timeoutMs: 60_000, validateOnly: false },
      { node: 'controller', maxVersion: 7 },
    );
  } catch (error) {
    throw asTopicError(error);
  }
  const result =
    (response.topics as MessageBody[]).find((t) => t.name === spec.name) ?? (response.topics as MessageBody[])[0];
  if (result === undefined)
    throw new TopicCommandError(`The broker did not answer for topic ${spec.name}`, 'UNKNOWN_SERVER_ERROR');
  if (result.errorCode !== ErrorCode.NONE) {
    if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && spec.ifNotExists) {
      return { topic: spec.name, created: false, topicId: null, partitions: null, replicationFactor: null };
    }
    throw kafkaFailure(result.errorCode, result.errorMessage);
  }
  const topicId = typeof result.topicId === 'string' && result.topicId !== ZERO_UUID ? result.topicId : null;
  return {
    topic: spec.name,
    created: true,
    topicId,
    partitions:
      typeof result.numPartitions === 'number' && result.numPartitions >= 0
        ? result.numPartitions
        : (spec.replicaAssignment?.length ?? spec.partitions ?? null),
    replicationFactor:
      typeof result.replicationFactor === 'number' && result.replicationFactor >= 0
        ? result.replicationFactor
        : (spec.replicaAssignment?.[0]?.length ?? spec.replicationFactor ?? null),
  };
}

// ------------------------------------------------------------------ describe

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

// ------------------------------------------------------------------ delete

export interface DeleteTopicsOptions {
  topic: string;
  ifExists?: boolean;
}

export interface DeleteTopicsResult {
  deleted: string[];
}

export async function deleteTopics(client: ClusterClient, options: DeleteTopicsOptions): Promise<DeleteTopicsResult> {
  const names = await listTopics(client, { topic: options.topic });
  ensureTopicExists(names, options.topic, options.ifExists !== true);
  if (names.length === 0) return { deleted: [] };
  let response: { version: number; body: MessageBody };
  try {
    response = await client.sendVersioned(
      API.DELETE_TOPICS,
      (v: number) =>
        v >= 6
          ? { topics: names.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs: 60_000 }
          : { topicNames: names, timeoutMs: 60_000 },
      { node: 'controller' },
    );
  } catch (error) {
    throw asTopicError(error);
  }
  const results = response.body.responses as MessageBody[];
  const failed = results
    .filter((r) => r.errorCode !== ErrorCode.NONE)
    .sort((a, b) => compareJava(a.name ?? '', b.name ?? ''));
  if (failed.length > 0) throw kafkaFailure(failed[0]!.errorCode, failed[0]!.errorMessage);
  return { deleted: names };
}

// ------------------------------------------------------------------ alter

export interface AlterTopicsInput {
  topic: string;
  partitions?: string;
  replicaAssignment?: string;
  ifExists?: boolean;
}

export interface AlterTopicsResult {
  altered: Array<{ topic: string; partitions: number }>;
}

export async function alterTopics(client: ClusterClient, input: AlterTopicsInput): Promise<AlterTopicsResult> {
  const count = input.partitions === undefined ? undefined : parseIntOption(input.partitions, 'partitions');
  const assignment =
    input.replicaAssignment === undefined || input.replicaAssignment === ''
      ? undefined
      : parseReplicaAssignment(input.replicaAssignment);
  const names = await listTopics(client, { topic: input.topic });
  ensureTopicExists(names, input.topic, input.ifExists !== true);
  if (names.length === 0) return { altered: [] };
  if (count === undefined) throw new UsageError('Missing required argument "[partitions]"');
  const md = client.metadata!;
  const topics = names.map((name) => {
    let assignments: Array<{ brokerIds: number[] }> | null = null;
    if (assignment !== undefined) {
      const start = md.topics.get(name)?.partitions.length ?? 0;
      assignments = assignment.slice(start).map((brokerIds) => ({ brokerIds }));
    }
    return { name, count, assignments };
  });
  let body: MessageBody;
  try {
    body = await client.send(
      API.CREATE_PARTITIONS,
      { topics, timeoutMs: 60_000, validateOnly: false },
      { node: 'controller' },
    );
  } catch (error) {
    throw asTopicError(error);
  }
  const failed = (body.results as MessageBody[])
    .filter((r) => r.errorCode !== ErrorCode.NONE)
    .sort((a, b) => compareJava(a.name, b.name));
  if (failed.length > 0) throw kafkaFailure(failed[0]!.errorCode, failed[0]!.errorMessage);
  return { altered: names.map((topic) => ({ topic, partitions: count })) };
}
