// What every coordinator beside the partitions shares (the group coordinator today, the
// transaction coordinator beside it): the broker opens it after the logs, tells it about
// deleted topics, and closes it before the logs.
export interface Coordinator {
  /** Stops timers, answers waiting requests, flushes durable state. */
  close(): void;
  /** Forgets what the coordinator keeps about a deleted topic. */
  onTopicDeleted?(topic: string): void;
}
