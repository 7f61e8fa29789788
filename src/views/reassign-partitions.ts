/**
 * kafka-reassign-partitions.sh's output for each action, and the --json shapes.
 */
import { javaHashOrder, javaIntSetOrder, javaStringHash } from '../protocol/java-compat.js';
import {
  compareTopicPartitions,
  reassignmentJson,
  tpName,
  type OngoingReassignment,
  type PartitionReplicas,
} from '../ops/reassign-partitions.js';

export interface GenerateJson {
  action: 'generate';
  current: PartitionReplicas[];
  proposed: PartitionReplicas[];
}

export interface ExecuteJson {
  action: 'execute';
  /** The assignment before the move, to roll back with. */
  current: PartitionReplicas[];
  started: PartitionReplicas[];
}

export interface PartitionState {
  topic: string;
  partition: number;
  /** done: no reassignment in progress for it. */
  done: boolean;
  currentReplicas: number[];
  targetReplicas: number[];
}

export interface VerifyJson {
  action: 'verify';
  partitions: PartitionState[];
  /** Brokers and topics whose throttles the run cleared (ktool sets none, so there are none to clear). */
  clearedThrottles: { brokers: number[]; topics: string[] } | null;
}

export interface ListJson {
  action: 'list';
  reassignments: OngoingReassignment[];
}

export interface CancelJson {
  action: 'cancel';
  cancelled: Array<{ topic: string; partition: number }>;
  clearedThrottles: { brokers: number[]; topics: string[] } | null;
}

export type ReassignPartitionsJson = GenerateJson | ExecuteJson | VerifyJson | ListJson | CancelJson;

export function renderGenerate(j: GenerateJson): string {
  return (
    `Current partition replica assignment\n${reassignmentJson(j.current)}\n\n` +
    `Proposed partition reassignment configuration\n${reassignmentJson(j.proposed)}\n`
  );
}

export function renderCurrentForRollback(current: readonly PartitionReplicas[]): string {
  return `Current partition replica assignment\n\n${reassignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback\n`;
}

export function renderStarted(started: readonly PartitionReplicas[]): string {
  const names = [...started].sort(compareTopicPartitions).map(tpName);
  return `Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}\n`;
}

function renderThrottles(t: { brokers: number[]; topics: string[] }): string {
  return (
    `Clearing broker-level throttles on broker${t.brokers.length === 1 ? '' : 's'} ${t.brokers.join(',')}\n` +
    `Clearing topic-level throttles on topic${t.topics.length === 1 ? '' : 's'} ${t.topics.join(',')}\n`
  );
}

/** Java's HashSet orders of the broker ids and topic names the throttle lines print. */
export function throttleScope(
  brokers: Iterable<number>,
  topics: Iterable<string>,
): { brokers: number[]; topics: string[] } {
  return {
    brokers: javaIntSetOrder(brokers),
    topics: javaHashOrder([...new Set(topics)], javaStringHash),
  };
}

export function renderVerify(j: VerifyJson): string {
  const lines = ['Status of partition reassignment:'];
  for (const s of [...j.partitions].sort(compareTopicPartitions)) {
    if (!s.done) lines.push(`Reassignment of partition ${tpName(s)} is still in progress.`);
    else if (s.currentReplicas.join() === s.targetReplicas.join())
      lines.push(`Reassignment of partition ${tpName(s)} is completed.`);
    else
      lines.push(
        `There is no active reassignment of partition ${tpName(s)}, but replica set is ${s.currentReplicas.join(',')} rather than ${s.targetReplicas.join(',')}.`,
      );
  }
  // Kafka prints the (empty) log-dir move summary as a blank line.
  return `${lines.join('\n')}\n\n${j.clearedThrottles ? renderThrottles(j.clearedThrottles) : ''}`;
}

export function renderList(j: ListJson): string {
  if (j.reassignments.length === 0) return 'No partition reassignments found.\n';
  const lines = j.reassignments.map(
    (r) =>
      `${tpName(r)}: replicas: ${r.replicas.join(',')}.` +
      (r.adding.length > 0 ? ` adding: ${r.adding.join(',')}.` : '') +
      (r.removing.length > 0 ? ` removing: ${r.removing.join(',')}.` : ''),
  );
  return `Current partition reassignments:\n${lines.join('\n')}\n`;
}

export function renderCancel(j: CancelJson): string {
  const names = [...j.cancelled].sort(compareTopicPartitions).map(tpName);
  // Kafka 3.9 prints the log-dir line without a newline, running it into the next; ktool ends it.
  return (
    (names.length > 0
      ? `Successfully cancelled partition reassignment${names.length === 1 ? '' : 's'} for: ${names.join(',')}\n`
      : 'None of the specified partition reassignments are active.\n') +
    'None of the specified partition moves are active.\n' +
    (j.clearedThrottles ? renderThrottles(j.clearedThrottles) : '')
  );
}
