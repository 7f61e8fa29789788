// consumer-groups --delete and --delete-offsets: DeleteGroups and OffsetDelete on each group's coordinator.
import { UsageError } from './tool-errors.js';
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { javaSplit, parseJavaInt } from '../protocol/java-compat.js';
import { API, byNode, type RequestOptions, type TopicPartition, findCoordinators, tpKey } from './consumer-groups.js';

export interface DeleteGroupsResult {
  /** Group id -> error code (0: deleted). */
  results: Map<string, number>;
}

export async function deleteGroups(
  client: ClusterClient,
  groupIds: readonly string[],
  options: RequestOptions = {},
): Promise<DeleteGroupsResult> {
  const unique = [...new Set(groupIds)];
  const results = new Map<string, number>();
  if (unique.length === 0) return { results };
  const coordinators = await findCoordinators(client, unique, options);
  await Promise.all(
    [...byNode(unique, coordinators)].map(async ([node, groups]) => {
      const body = await client.send(
        API.DELETE_GROUPS,
        { groupsNames: groups },
        { node, timeoutMs: options.timeoutMs },
      );
      for (const r of body.results as MessageBody[]) results.set(r.groupId, r.errorCode);
    }),
  );
  return { results };
}

// ------------------------------------------------------------------ delete offsets

export interface DeleteOffsetsResult {
  /** The group-level error (NONE, or what Kafka's all() would fail with). */
  topLevel: number;
  /** key -> error code; partition -1 rows are topics that could not be described. */
  partitions: Array<TopicPartition & { errorCode: number }>;
}

/**
 * OffsetDelete for `--topic t` / `--topic t:0,1` arguments, as Kafka's tool
 * resolves them (topics without partitions mean all their partitions).
 */
export async function deleteOffsets(
  client: ClusterClient,
  groupId: string,
  topicArgs: readonly string[],
  options: RequestOptions = {},
): Promise<DeleteOffsetsResult> {
  const withParts = topicArgs.filter((t) => t.includes(':'));
  const without = [...new Set(topicArgs.filter((t) => !t.includes(':')))];
  const partitions = new Map<string, TopicPartition>();
  for (const arg of withParts)
    for (const tp of parseTopicPartitions(arg)) partitions.set(tpKey(tp.topic, tp.partition), tp);
  const rows: Array<TopicPartition & { errorCode: number }> = [];
  if (without.length > 0) {
    const md = await client.refreshMetadata(without);
    for (const topic of without) {
      const t = md.topics.get(topic);
      if (t === undefined || t.errorCode !== ErrorCode.NONE) {
        rows.push({ topic, partition: -1, errorCode: t?.errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      for (const p of t.partitions) partitions.set(tpKey(topic, p.partition), { topic, partition: p.partition });
    }
  }
  const coordinators = await findCoordinators(client, [groupId], options);
  const node = coordinators.get(groupId)!.nodeId;
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions.values()) {
    let list = byTopic.get(tp.topic);
    if (!list) byTopic.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  let topLevel: number = ErrorCode.NONE;
  if (partitions.size > 0) {
    const body = await client.send(
      API.OFFSET_DELETE,
      {
        groupId,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((partitionIndex) => ({ partitionIndex })),
        })),
      },
      { node, timeoutMs: options.timeoutMs },
    );
    if (body.errorCode !== ErrorCode.NONE) {
      topLevel = body.errorCode;
      for (const tp of partitions.values()) rows.push({ ...tp, errorCode: body.errorCode });
    } else {
      const answered = new Map<string, number>();
      for (const t of body.topics as MessageBody[])
        for (const p of t.partitions as MessageBody[]) answered.set(tpKey(t.name, p.partitionIndex), p.errorCode);
      for (const tp of partitions.values()) {
        const code = answered.get(tpKey(tp.topic, tp.partition)) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        rows.push({ ...tp, errorCode: code });
        if (code !== ErrorCode.NONE && topLevel === ErrorCode.NONE) topLevel = code;
      }
    }
  }
  return { topLevel, partitions: rows };
}

/** Kafka's parseTopicsWithPartitions: "t:0,1,2". */
export function parseTopicPartitions(arg: string): TopicPartition[] {
  const parts = javaSplit(arg, ':');
  if (parts.length !== 2) throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`);
  const [topic, list] = parts as [string, string];
  return javaSplit(list, ',').map((p) => {
    const partition = parseJavaInt(p);
    if (partition === undefined) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}''`);
    return { topic, partition };
  });
}
