/**
 * The operations behind `ktool consumer-groups` (kafka-consumer-groups.sh) on
 * ktool's own protocol client. Plain data in and out; nothing here prints.
 *
 * Requests are batched so that describing many groups costs a handful of
 * round trips whatever the number of groups and partitions:
 *
 *   FindCoordinator (v4+: every group in one request)
 *   DescribeGroups   one request per coordinator, all its groups
 *   OffsetFetch      v8+: one request per coordinator, all its groups
 *                    (older brokers: one per group, in parallel)
 *   Metadata         one request for every topic involved
 *   ListOffsets      one request per partition leader, all its partitions
 *   Fetch            (--time-lag only) one per leader, a few KiB per partition
 *
 * Kafka error codes come back as GroupCommandError carrying the Java
 * exception text Kafka's tool would print (see javaException()).
 */
import { CommandError, UsageError } from './tool-errors.js';
import type { ClusterClient } from '../client/cluster.js';
import { ConnectionError } from '../client/errors.js';
import { ErrorCode, KafkaError, errorMessage, errorName, isRetriable } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';

export const API = {
  FETCH: 1,
  LIST_OFFSETS: 2,
  OFFSET_COMMIT: 8,
  OFFSET_FETCH: 9,
  FIND_COORDINATOR: 10,
  DESCRIBE_GROUPS: 15,
  LIST_GROUPS: 16,
  DELETE_GROUPS: 42,
  OFFSET_DELETE: 47,
} as const;

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

/** The consumer protocol type; groups with an empty protocol type (offsets only) count too, as in Kafka's admin client. */
const CONSUMER_PROTOCOL = 'consumer';

// ------------------------------------------------------------------ errors

/** Java exception classes and default messages for the Kafka errors this tool reports. */
const JAVA_EXCEPTIONS: Record<string, [string, string]> = {
  NON_EMPTY_GROUP: ['GroupNotEmptyException', 'The group is not empty.'],
  GROUP_ID_NOT_FOUND: ['GroupIdNotFoundException', 'The group id does not exist.'],
  INVALID_GROUP_ID: ['InvalidGroupIdException', 'The configured groupId is invalid.'],
  GROUP_AUTHORIZATION_FAILED: ['GroupAuthorizationException', 'Group authorization failed.'],
  TOPIC_AUTHORIZATION_FAILED: ['TopicAuthorizationException', 'Topic authorization failed.'],
  GROUP_SUBSCRIBED_TO_TOPIC: [
    'GroupSubscribedToTopicException',
    'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
  ],
  UNKNOWN_TOPIC_OR_PARTITION: ['UnknownTopicOrPartitionException', 'This server does not host this topic-partition.'],
  COORDINATOR_NOT_AVAILABLE: ['CoordinatorNotAvailableException', 'The coordinator is not available.'],
  NOT_COORDINATOR: ['NotCoordinatorException', 'This is not the correct coordinator.'],
  COORDINATOR_LOAD_IN_PROGRESS: [
    'CoordinatorLoadInProgressException',
    "The coordinator is loading and hence can't process requests.",
  ],
  UNKNOWN_MEMBER_ID: ['UnknownMemberIdException', 'The coordinator is not aware of this member.'],
  ILLEGAL_GENERATION: ['IllegalGenerationException', 'Specified group generation id is not valid.'],
  REBALANCE_IN_PROGRESS: ['RebalanceInProgressException', 'The group is rebalancing, so a rejoin is needed.'],
  KAFKA_STORAGE_ERROR: ['KafkaStorageException', 'Disk error when trying to access log file on the disk.'],
  LEADER_NOT_AVAILABLE: [
    'LeaderNotAvailableException',
    'There is no leader for this topic-partition as we are in the middle of a leadership election.',
  ],
  NOT_LEADER_OR_FOLLOWER: [
    'NotLeaderOrFollowerException',
    'For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.',
  ],
  OFFSET_METADATA_TOO_LARGE: [
    'OffsetMetadataTooLargeException',
    'The metadata field of the offset request was too large.',
  ],
  INVALID_COMMIT_OFFSET_SIZE: ['InvalidCommitOffsetSizeException', 'The committing offset data size is not valid.'],
  UNSTABLE_OFFSET_COMMIT: ['UnstableOffsetCommitException', 'There are unstable offsets that need to be cleared.'],
};

function camel(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((w) => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
}

/** `org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.` (Throwable.toString of the Java exception). */
export function javaException(code: number): string {
  const name = errorName(code);
  const known = JAVA_EXCEPTIONS[name];
  const cls = known?.[0] ?? `${camel(name)}Exception`;
  const message = known?.[1] ?? errorMessage(code);
  return `org.apache.kafka.common.errors.${cls}: ${message}`;
}

/** What KafkaFuture.get() throws, as Java prints it (ExecutionException.toString). */
export function executionException(code: number): string {
  return `java.util.concurrent.ExecutionException: ${javaException(code)}`;
}

/** A failure Kafka's tool reports as "Error: Executing consumer group command failed due to <message>" (stdout). */
export class GroupCommandError extends CommandError {
  constructor(message: string, code = 'ERROR') {
    super(message, code);
    this.name = 'GroupCommandError';
  }
}

export { UsageError };

function failure(code: number): GroupCommandError {
  return new GroupCommandError(executionException(code), errorName(code));
}

// ------------------------------------------------------------------ basics

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface Coordinator {
  nodeId: number;
  host: string;
  port: number;
}

export interface RequestOptions {
  /** --timeout: per-request timeout in ms. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The coordinator of each group: one FindCoordinator (v4+ batches every
 * key) or one per group on older brokers. Retriable errors are retried a few
 * times, as the admin client does.
 */
export async function findCoordinators(
  client: ClusterClient,
  groupIds: readonly string[],
  options: RequestOptions = {},
): Promise<Map<string, Coordinator>> {
  const out = new Map<string, Coordinator>();
  let pending = [...new Set(groupIds)];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const failed: Array<{ groupId: string; code: number }> = [];
    if (client.supports(API.FIND_COORDINATOR, 4)) {
      const body = await client.send(
        API.FIND_COORDINATOR,
        { keyType: 0, coordinatorKeys: pending },
        { minVersion: 4, timeoutMs: options.timeoutMs },
      );
      for (const c of body.coordinators as MessageBody[]) {
        if (c.errorCode === ErrorCode.NONE) out.set(c.key, { nodeId: c.nodeId, host: c.host, port: c.port });
        else failed.push({ groupId: c.key, code: c.errorCode });
      }
    } else {
      await Promise.all(
        pending.map(async (groupId) => {
          const body = await client.send(
            API.FIND_COORDINATOR,
            { key: groupId, keyType: 0 },
            { maxVersion: 3, timeoutMs: options.timeoutMs },
          );
          if (body.errorCode === ErrorCode.NONE)
            out.set(groupId, { nodeId: body.nodeId, host: body.host, port: body.port });
          else failed.push({ groupId, code: body.errorCode });
        }),
      );
    }
    if (failed.length === 0) break;
    const fatal = failed.find((f) => !isRetriable(f.code));
    if (fatal !== undefined || attempt >= 5) throw failure((fatal ?? failed[0]!).code);
    pending = failed.map((f) => f.groupId);
    await sleep(100 * (attempt + 1));
  }
  return out;
}

/** Errors that mean a group's coordinator or a partition's leader moved (a broker went away). */
const MOVED = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
]);
const GONE = new Set(['CONNECT_FAILED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED']);

/**
 * Runs `fn` again, with fresh metadata, while the broker it needed is down or its role
 * moved to another broker: a failover takes a few seconds, and the admin client waits it
 * out (up to default.api.timeout.ms) instead of failing.
 */
export async function retryWhileBrokersMove<T>(
  client: ClusterClient,
  fn: () => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const moved =
        (err instanceof ConnectionError && GONE.has(err.code)) ||
        (err instanceof GroupCommandError && MOVED.has(err.code)) ||
        (err instanceof KafkaError && MOVED.has(err.errorName));
      if (!moved || Date.now() >= deadline) throw err;
      await sleep(Math.min(1000, 100 * 2 ** attempt));
      await client.refreshMetadata([]).catch(() => undefined);
    }
  }
}

/** Group ids by coordinator node. */
export function byNode(groupIds: readonly string[], coordinators: Map<string, Coordinator>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const g of groupIds) {
    const node = coordinators.get(g)!.nodeId;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(g);
  }
  return out;
}

// ------------------------------------------------------------------ list

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** null when the broker does not report states (ListGroups < v4). */
  state: string | null;
  /** null when the broker does not report types (ListGroups < v5). */
  type: string | null;
}

/**
 * Every consumer group of the cluster (ListGroups to each broker), with
 * optional state / type filters as Kafka's --list --state / --type send
 * them. Groups of other protocols (connect, ...) are left out.
 */
export async function listGroups(
  client: ClusterClient,
  filters: { states?: readonly string[]; types?: readonly string[] } = {},
  options: RequestOptions = {},
): Promise<GroupListing[]> {
  const md = await client.refreshMetadata([]);
  const nodes = md.brokers.size > 0 ? [...md.brokers.keys()] : ['any' as const];
  const states = filters.states ?? [];
  const types = filters.types ?? [];
  const results = await Promise.all(
    nodes.map((node) =>
      client.sendVersioned(
        API.LIST_GROUPS,
        { statesFilter: states, typesFilter: types },
        { node, minVersion: states.length > 0 ? 4 : types.length > 0 ? 5 : 0, timeoutMs: options.timeoutMs },
      ),
    ),
  );
  const out: GroupListing[] = [];
  const seen = new Set<string>();
  for (const { version, body } of results) {
    if (body.errorCode !== ErrorCode.NONE) throw failure(body.errorCode);
    for (const g of body.groups as MessageBody[]) {
      const protocolType: string = g.protocolType ?? '';
      if (protocolType !== CONSUMER_PROTOCOL && protocolType !== '') continue;
      if (seen.has(g.groupId)) continue;
      seen.add(g.groupId);
      out.push({
        groupId: g.groupId,
        protocolType,
        state: version >= 4 ? (g.groupState ?? null) : null,
        type: version >= 5 ? (g.groupType ?? null) : null,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ describe

export interface MemberInfo {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  /** Assigned partitions in the order of the assignment bytes. */
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's state name: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, ... */
  state: string;
  protocolType: string;
  /** The assignor (protocol name) of a stable group, else ''. */
  assignmentStrategy: string;
  coordinator: Coordinator;
  members: MemberInfo[];
}

/** Decode a ConsumerProtocolAssignment (int16 version first; newer versions read with the newest schema we know). */
export async function decodeAssignment(buf: Buffer | null | undefined): Promise<TopicPartition[]> {
  if (buf === null || buf === undefined || buf.length < 2) return [];
  const { decodeData } = await import('../protocol/codec.js');
  const version = Math.min(Math.max(buf.readInt16BE(0), 0), 3);
  const body = decodeData('ConsumerProtocolAssignment', version, buf, 2);
  const out: TopicPartition[] = [];
  for (const t of (body.assignedPartitions ?? []) as Array<{ topic: string; partitions: number[] }>) {
    for (const p of t.partitions) out.push({ topic: t.topic, partition: p });
  }
  return out;
}

/**
 * DescribeGroups for many groups: one request per coordinator. Groups that
 * are not consumer groups fail as Kafka's admin client fails them.
 */
export async function describeGroups(
  client: ClusterClient,
  groupIds: readonly string[],
  options: RequestOptions & { coordinators?: Map<string, Coordinator> } = {},
): Promise<Map<string, GroupDescription>> {
  const unique = [...new Set(groupIds)];
  const out = new Map<string, GroupDescription>();
  if (unique.length === 0) return out;
  const coordinators = options.coordinators ?? (await findCoordinators(client, unique, options));
  let pending = unique;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry: string[] = [];
    let lastCode = ErrorCode.NONE;
    await Promise.all(
      [...byNode(pending, coordinators)].map(async ([node, groups]) => {
        const body = await client.send(
          API.DESCRIBE_GROUPS,
          { groups, includeAuthorizedOperations: false },
          { node, timeoutMs: options.timeoutMs },
        );
        for (const g of body.groups as MessageBody[]) {
          if (g.errorCode !== ErrorCode.NONE) {
            if (isRetriable(g.errorCode) && attempt < 5) {
              retry.push(g.groupId);
              lastCode = g.errorCode;
              continue;
            }
            if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
              out.set(g.groupId, {
                groupId: g.groupId,
                state: 'Dead',
                protocolType: '',
                assignmentStrategy: '',
                coordinator: coordinators.get(g.groupId)!,
                members: [],
              });
              continue;
            }
            throw failure(g.errorCode);
          }
          const protocolType: string = g.protocolType ?? '';
          if (protocolType !== CONSUMER_PROTOCOL && protocolType !== '') {
            throw new GroupCommandError(
              `java.util.concurrent.ExecutionException: java.lang.IllegalArgumentException: GroupId ${g.groupId} is not a consumer group (${protocolType}).`,
              'NOT_CONSUMER_GROUP',
            );
          }
          const members: MemberInfo[] = [];
          for (const m of g.members as MessageBody[]) {
            members.push({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId ?? null,
              clientId: m.clientId,
              host: m.clientHost,
              assignment: protocolType === CONSUMER_PROTOCOL ? await decodeAssignment(m.memberAssignment) : [],
            });
          }
          out.set(g.groupId, {
            groupId: g.groupId,
            state: g.groupState,
            protocolType,
            assignmentStrategy: g.protocolData ?? '',
            coordinator: coordinators.get(g.groupId)!,
            members,
          });
        }
      }),
    );
    if (retry.length > 0 && attempt >= 5) throw failure(lastCode);
    pending = retry;
    if (pending.length > 0) await sleep(100 * (attempt + 1));
  }
  return out;
}

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/**
 * Committed offsets of many groups: OffsetFetch v8+ asks for every group of a
 * coordinator at once; older brokers get one request per group (in parallel).
 * Partitions without a commit are left out.
 */
export async function fetchCommittedOffsets(
  client: ClusterClient,
  groupIds: readonly string[],
  options: RequestOptions & { coordinators?: Map<string, Coordinator> } = {},
): Promise<Map<string, Map<string, CommittedOffset & TopicPartition>>> {
  const unique = [...new Set(groupIds)];
  const out = new Map<string, Map<string, CommittedOffset & TopicPartition>>();
  if (unique.length === 0) return out;
  const coordinators = options.coordinators ?? (await findCoordinators(client, unique, options));
  const collect = (groupId: string, errorCode: number, topics: MessageBody[]) => {
    if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) throw failure(errorCode);
    const offsets = new Map<string, CommittedOffset & TopicPartition>();
    for (const t of topics ?? []) {
      for (const p of t.partitions as MessageBody[]) {
        if (p.errorCode !== ErrorCode.NONE) {
          if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
          throw failure(p.errorCode);
        }
        if (p.committedOffset < 0) continue;
        offsets.set(tpKey(t.name, p.partitionIndex), {
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.metadata ?? '',
        });
      }
    }
    out.set(groupId, offsets);
  };
  await Promise.all(
    [...byNode(unique, coordinators)].map(async ([node, groups]) => {
      const conn = await client.connection(node);
      if (conn.supports(API.OFFSET_FETCH, 8)) {
        const body = await client.send(
          API.OFFSET_FETCH,
          {
            groups: groups.map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
            requireStable: false,
          },
          { node, minVersion: 8, timeoutMs: options.timeoutMs },
        );
        for (const g of body.groups as MessageBody[]) collect(g.groupId, g.errorCode, g.topics);
      } else {
        await Promise.all(
          groups.map(async (groupId) => {
            const body = await client.send(
              API.OFFSET_FETCH,
              { groupId, topics: null, requireStable: false },
              { node, minVersion: 2, maxVersion: 7, timeoutMs: options.timeoutMs },
            );
            collect(groupId, body.errorCode ?? ErrorCode.NONE, body.topics);
          }),
        );
      }
    }),
  );
  return out;
}

// ------------------------------------------------------------------ commit (reset --execute)

/** OffsetCommit from outside the group (generation -1, no member), as the admin client's alterConsumerGroupOffsets. */
export async function commitOffsets(
  client: ClusterClient,
  groupId: string,
  offsets: ReadonlyArray<TopicPartition & { offset: number }>,
  options: RequestOptions = {},
): Promise<void> {
  if (offsets.length === 0) return;
  const coordinators = await findCoordinators(client, [groupId], options);
  const node = coordinators.get(groupId)!.nodeId;
  const byTopic = new Map<
    string,
    Array<{
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      commitTimestamp: number;
      committedMetadata: string;
    }>
  >();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: -1,
      commitTimestamp: -1,
      committedMetadata: '',
    });
  }
  const body = await client.send(
    API.OFFSET_COMMIT,
    {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    },
    { node, timeoutMs: options.timeoutMs },
  );
  for (const t of body.topics as MessageBody[]) {
    for (const p of t.partitions as MessageBody[]) {
      if (p.errorCode !== ErrorCode.NONE) throw failure(p.errorCode);
    }
  }
}

/** Re-export for callers that only need the class check. */
export { KafkaError };

export * from './log-offsets.js';
export * from './group-snapshots.js';

export * from './group-deletes.js';
