/**
 * Rendering `ktool get-offsets`: Kafka 3.9's kafka-get-offsets.sh text and
 * the --json shape.
 *
 *   stdout: `topic:partition:offset`, one line per partition with an offset
 *   stderr: `Skip getting offsets for topic-partition t-0 due to error: <exception>`
 */
import type { GetOffsetsResult } from '../ops/offsets.js';

export interface OffsetJson {
  topic: string;
  partition: number;
  /** null when no offset matches the time (Kafka prints no line for it). */
  offset: number | null;
  /** The timestamp of the record found (max-timestamp / a time), else null. */
  timestamp: number | null;
}

export interface OffsetFailureJson {
  topic: string;
  partition: number;
  /** A Kafka error name. */
  code: string;
  error: string;
}

export interface GetOffsetsJson {
  offsets: OffsetJson[];
  errors: OffsetFailureJson[];
}

export function renderOffsets(result: GetOffsetsResult): string {
  return result.offsets
    .filter((o) => o.offset !== null)
    .map((o) => `${o.topic}:${o.partition}:${o.offset}\n`)
    .join('');
}

export function renderOffsetFailures(result: GetOffsetsResult): string {
  return result.failures
    .map((f) => `Skip getting offsets for topic-partition ${f.topic}-${f.partition} due to error: ${f.error}\n`)
    .join('');
}

export function offsetsJson(result: GetOffsetsResult): GetOffsetsJson {
  return {
    offsets: result.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: o.offset,
      timestamp: o.timestamp,
    })),
    errors: result.failures.map((f) => ({ topic: f.topic, partition: f.partition, code: f.code, error: f.error })),
  };
}

/** How kafka-get-offsets.sh reports a failure (stderr, exit 1). */
export function getOffsetsErrorLine(message: string): string {
  return `Error occurred: ${message}\n`;
}
