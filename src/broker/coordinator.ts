import { javaStringHash } from '../protocol/java-compat.js';

// What every coordinator beside the partitions shares (the group coordinator today, the
// transaction coordinator beside it): the broker opens it after the logs, tells it about
// deleted topics, and closes it before the logs.
export interface Coordinator {
  /** Stops timers, answers waiting requests, flushes durable state. */
  close(): void;
  /** Forgets what the coordinator keeps about a deleted topic. */
  onTopicDeleted?(topic: string): void;
}

/**
 * The partition of a coordinator's internal topic (__consumer_offsets for a group id,
 * __transaction_state for a transactional id) that holds a key, as Kafka places it: by
 * Java's String.hashCode.
 */
export function coordinatorPartition(key: string, partitions: number): number {
  const h = javaStringHash(key);
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0.
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
