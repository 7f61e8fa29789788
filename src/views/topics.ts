/**
 * Rendering `ktool topics` results: text exactly as Kafka 3.9's
 * kafka-topics.sh prints it, and the --json shapes (the types below are the
 * contract for scripts).
 *
 * Kafka prints configs and multi-topic descriptions straight out of Java
 * HashMaps, so the text follows Java's HashMap iteration order (see
 * protocol/java-compat.ts); the JSON is sorted by name.
 */
import type {
  AlterTopicsResult,
  ConfigEntryData,
  CreateTopicResult,
  DeleteTopicsResult,
  DescribeTopicsData,
  PartitionData,
  TopicDescriptionData,
} from '../ops/topics.js';
import { replicationFactorOf } from '../ops/topics.js';
import { javaHashMapOrder, javaResultMapOrder } from '../protocol/java-compat.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Kafka's warning for names with '.' or '_' (printed on stdout before creating). */
export const COLLISION_WARNING =
  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.";

/** How Kafka's tool reports a failed operation (stdout). */
export function topicCommandErrorLine(message: string): string {
  return `Error while executing topic command : ${message}\n`;
}

// ------------------------------------------------------------------ list

export interface TopicsListJson {
  topics: string[];
}

/** Kafka prints the names joined by newlines and then a newline, so no topics is one empty line. */
export function renderTopicList(names: readonly string[]): string {
  return `${names.join('\n')}\n`;
}

export function topicListJson(names: readonly string[]): TopicsListJson {
  return { topics: [...names] };
}

// ------------------------------------------------------------------ create

export interface TopicCreateJson {
  topic: string;
  /** False when the topic already existed and --if-not-exists was given. */
  created: boolean;
  topicId: string | null;
  partitions: number | null;
  replicationFactor: number | null;
  /** Warnings Kafka prints before creating (the '.'/'_' collision warning). */
  warnings: string[];
}

export function createWarnings(topic: string): string[] {
  return topic.includes('.') || topic.includes('_') ? [COLLISION_WARNING] : [];
}

export function renderCreateWarnings(warnings: readonly string[]): string {
  return warnings.map((w) => `${w}\n`).join('');
}

export function renderCreated(result: CreateTopicResult): string {
  return result.created ? `Created topic ${result.topic}.\n` : '';
}

export function topicCreateJson(result: CreateTopicResult, warnings: readonly string[]): TopicCreateJson {
  return { ...result, warnings: [...warnings] };
}

// ------------------------------------------------------------------ describe

/** The report filters of --describe. */
export interface DescribeFilter {
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
  topicsWithOverrides?: boolean;
}

export interface TopicPartitionJson {
  partition: number;
  /** null: no leader. */
  leader: number | null;
  replicas: number[];
  isr: number[];
  /** null when the broker does not report eligible leader replicas. */
  elr: number[] | null;
  lastKnownElr: number[] | null;
  /** Present only while a reassignment is in progress. */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicDescribeJson {
  name: string;
  topicId: string | null;
  isInternal: boolean;
  partitionCount: number;
  replicationFactor: number;
  /** Non-default configs (what Kafka's "Configs:" shows), by name. */
  configs: Record<string, string | null>;
  /** The partitions selected by the report flags (all without them; none with --topics-with-overrides). */
  partitions: TopicPartitionJson[];
}

export interface TopicsDescribeJson {
  topics: TopicDescribeJson[];
}

function minIsr(topic: TopicDescriptionData): number {
  const entry = topic.configs.find((c) => c.name === 'min.insync.replicas');
  const n = Number.parseInt(entry?.value ?? '1', 10);
  return Number.isNaN(n) ? 1 : n;
}

interface Selection {
  /** Print the topic line. */
  showTopic: boolean;
  /** Partitions to print. */
  partitions: PartitionData[];
}

/** Kafka's DescribeOptions: which topic lines and partition lines to print. */
export function selectDescribed(
  topic: TopicDescriptionData,
  filter: DescribeFilter,
  liveBrokers: readonly number[],
): Selection {
  const describeConfigs =
    !filter.unavailablePartitions &&
    !filter.underReplicatedPartitions &&
    !filter.underMinIsrPartitions &&
    !filter.atMinIsrPartitions;
  const describePartitions = !filter.topicsWithOverrides;
  const hasNonDefault = topic.configs.some((c) => !c.isDefault);
  const showTopic = describeConfigs && topic.partitions.length > 0 && (!filter.topicsWithOverrides || hasNonDefault);
  const live = new Set(liveBrokers);
  const min = minIsr(topic);
  const partitions = !describePartitions
    ? []
    : topic.partitions.filter((p) => {
        if (describeConfigs) return true;
        const hasLeader = p.leader !== null;
        if (filter.underReplicatedPartitions && replicationFactorOf(p) - p.isr.length > 0) return true;
        if (filter.unavailablePartitions && (!hasLeader || !live.has(p.leader!))) return true;
        if (filter.underMinIsrPartitions && (!hasLeader || p.isr.length < min)) return true;
        if (filter.atMinIsrPartitions && min === p.isr.length) return true;
        return false;
      });
  return { showTopic, partitions };
}

/** The "Configs:" value: non-default entries as name=value, in Java HashMap order. */
export function renderConfigs(configs: readonly ConfigEntryData[]): string {
  return javaHashMapOrder(configs, (c) => c.name)
    .filter((c) => !c.isDefault)
    .map((c) => `${c.name}=${c.value === null ? 'null' : c.value}`)
    .join(',');
}

function ids(list: readonly number[]): string {
  return list.join(',');
}

export function renderTopicLine(topic: TopicDescriptionData): string {
  const first = topic.partitions[0];
  const rf = first === undefined ? 0 : replicationFactorOf(first);
  const id = topic.topicId !== ZERO_UUID ? `\tTopicId: ${topic.topicId}` : '';
  return `Topic: ${topic.name}${id}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${renderConfigs(topic.configs)}\n`;
}

export function renderPartitionLine(topic: string, p: PartitionData): string {
  let line = `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${p.leader === null ? 'none' : p.leader}\tReplicas: ${ids(p.replicas)}\tIsr: ${ids(p.isr)}`;
  if (p.reassignment !== null) {
    line += `\tAdding Replicas: ${ids(p.reassignment.addingReplicas)}\tRemoving Replicas: ${ids(p.reassignment.removingReplicas)}`;
  }
  line += `\tElr: ${p.elr === null ? 'N/A' : ids(p.elr)}`;
  line += `\tLastKnownElr: ${p.lastKnownElr === null ? 'N/A' : ids(p.lastKnownElr)}`;
  return `${line}\n`;
}

export function renderDescribe(data: DescribeTopicsData, filter: DescribeFilter = {}): string {
  let out = '';
  for (const topic of javaResultMapOrder(data.topics, (t) => t.name)) {
    const sel = selectDescribed(topic, filter, data.liveBrokers);
    if (sel.showTopic) out += renderTopicLine(topic);
    for (const p of sel.partitions) out += renderPartitionLine(topic.name, p);
  }
  return out;
}

export function describeJson(data: DescribeTopicsData, filter: DescribeFilter = {}): TopicsDescribeJson {
  const topics: TopicDescribeJson[] = [];
  for (const topic of data.topics) {
    const sel = selectDescribed(topic, filter, data.liveBrokers);
    if (!sel.showTopic && sel.partitions.length === 0) continue;
    const configs: Record<string, string | null> = {};
    for (const c of [...topic.configs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
      if (!c.isDefault) configs[c.name] = c.value;
    const first = topic.partitions[0];
    topics.push({
      name: topic.name,
      topicId: topic.topicId === ZERO_UUID ? null : topic.topicId,
      isInternal: topic.isInternal,
      partitionCount: topic.partitions.length,
      replicationFactor: first === undefined ? 0 : replicationFactorOf(first),
      configs,
      partitions: sel.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        elr: p.elr,
        lastKnownElr: p.lastKnownElr,
        ...(p.reassignment === null
          ? {}
          : { addingReplicas: p.reassignment.addingReplicas, removingReplicas: p.reassignment.removingReplicas }),
      })),
    });
  }
  return { topics };
}

// ------------------------------------------------------------------ delete / alter

export interface TopicsDeleteJson {
  deleted: string[];
}

export function deleteJson(result: DeleteTopicsResult): TopicsDeleteJson {
  return { deleted: [...result.deleted] };
}

export interface TopicsAlterJson {
  altered: Array<{ topic: string; partitions: number }>;
}

export function alterJson(result: AlterTopicsResult): TopicsAlterJson {
  return { altered: result.altered.map((a) => ({ ...a })) };
}
