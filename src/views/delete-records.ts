/**
 * Rendering `ktool delete-records`: Kafka 3.9's kafka-delete-records.sh
 * text and the --json shape.
 *
 *   Executing records delete operation
 *   Records delete operation completed:
 *   partition: t-0\tlow_watermark: 3
 *   partition: t-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: ...
 *
 * Kafka prints the partitions straight out of a HashMap keyed by
 * TopicPartition, so the lines follow Java's HashMap order; the JSON keeps
 * the input order.
 */
import type { DeleteRecordsOutcome } from '../ops/delete-records.js';
import { javaHashOrder, topicPartitionHash } from '../protocol/java-compat.js';

export interface DeleteRecordsPartitionJson {
  topic: string;
  partition: number;
  /** The new log start offset; null when the partition failed. */
  lowWatermark: number | null;
  /** A Kafka error name; null on success. */
  code: string | null;
  error: string | null;
}

export interface DeleteRecordsJson {
  partitions: DeleteRecordsPartitionJson[];
}

export const EXECUTING_LINE = 'Executing records delete operation\n';
export const COMPLETED_LINE = 'Records delete operation completed:\n';

function inJavaOrder<T extends { topic: string; partition: number }>(items: readonly T[]): T[] {
  return javaHashOrder(items, (i) => topicPartitionHash(i.topic, i.partition));
}

export function renderDeleteOutcomes(outcomes: readonly DeleteRecordsOutcome[]): string {
  return inJavaOrder(outcomes)
    .map((o) =>
      o.error === null
        ? `partition: ${o.topic}-${o.partition}\tlow_watermark: ${o.lowWatermark}\n`
        : `partition: ${o.topic}-${o.partition}\terror: ${o.error}\n`,
    )
    .join('');
}

/** Kafka's message for partitions named twice in the offset file. */
export function duplicatesMessage(dups: ReadonlyArray<{ topic: string; partition: number }>): string {
  return `Offset json file contains duplicate topic partitions: ${inJavaOrder(dups)
    .map((d) => `${d.topic}-${d.partition}`)
    .join(',')}`;
}

export function deleteRecordsJson(outcomes: readonly DeleteRecordsOutcome[]): DeleteRecordsJson {
  return {
    partitions: outcomes.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      lowWatermark: o.lowWatermark,
      code: o.code,
      error: o.error,
    })),
  };
}
