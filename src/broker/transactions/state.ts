// A transactional id's state as Kafka's transaction coordinator keeps it
// (kafka.coordinator.transaction.TransactionMetadata), with the status codes its
// TransactionLogValue records carry.

export const TxnStatus = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStatus = (typeof TxnStatus)[keyof typeof TxnStatus];

const NAMES = Object.keys(TxnStatus) as Array<keyof typeof TxnStatus>;

/** The name Kafka shows in DescribeTransactions and ListTransactions. */
export function statusName(status: number): string {
  return NAMES.find((n) => TxnStatus[n] === status) ?? 'Unknown';
}

export function statusByName(name: string): TxnStatus | undefined {
  return (NAMES as string[]).includes(name) ? TxnStatus[name as keyof typeof TxnStatus] : undefined;
}

/** A transaction is over (or never began) in these states; a new one may begin. */
export function isIdle(status: number): boolean {
  return status === TxnStatus.Empty || status === TxnStatus.CompleteCommit || status === TxnStatus.CompleteAbort;
}

/** Kafka gives up bumping an epoch here and rotates to a new producer id. */
export const MAX_EPOCH = 32767 - 1;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

/** An offset committed inside a transaction, visible to the group only once it commits. */
export interface PendingOffset {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The epoch handed out before the last bump: a retried InitProducerId may present it. */
  lastProducerEpoch: number;
  timeoutMs: number;
  status: TxnStatus;
  /** topic -> partitions in the transaction. */
  partitions: Map<string, Set<number>>;
  lastUpdateMs: number;
  /** -1 when no transaction is open. */
  startMs: number;
  /** Groups added with AddOffsetsToTxn. */
  groups: Set<string>;
  /** `group\0topic\0partition` -> offset. */
  pendingOffsets: Map<string, PendingOffset>;
}

export function pendingKey(group: string, topic: string, partition: number): string {
  return `${group}\0${topic}\0${partition}`;
}

export function partitionList(meta: TxnMetadata): Array<{ topic: string; partitions: number[] }> {
  return [...meta.partitions].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }));
}
