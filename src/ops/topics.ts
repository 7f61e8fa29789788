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
import { parseIntOption, parseReplicaAssignment, parseTopicConfigs } from './topic-options.js';

export const API = {
  CREATE_TOPICS: 19,
  DELETE_TOPICS: 20,
  DESCRIBE_CONFIGS: 32,
  CREATE_PARTITIONS: 37,
  LIST_PARTITION_REASSIGNMENTS: 46,
  DESCRIBE_TOPIC_PARTITIONS: 75,
} as const;

export const TOPIC_RESOURCE = 2;
export const DEFAULT_CONFIG_SOURCE = 5;
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
export function kafkaFailure(code: number, message: string | null | undefined): TopicCommandError {
  const text = typeof message === 'string' && message.length > 0 ? message : errorMessage(code);
  return new TopicCommandError(text, errorName(code));
}

/** Rethrow Kafka errors raised by the client (version negotiation, ...) in the tool's format. */
export function asTopicError(error: unknown): unknown {
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
export function compareJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kafka's ensureTopicExists. */
export function ensureTopicExists(found: readonly string[], requested: string | undefined, required: boolean): void {
  if (requested !== undefined && requested !== '' && required && found.length === 0) {
    throw new TopicCommandError(`Topic '${requested}' does not exist as expected`, 'UNKNOWN_TOPIC_OR_PARTITION');
  }
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

export * from './topic-options.js';
export * from './topics-describe.js';
