// What the transaction coordinator takes and answers: its dependencies, results and listings.
import type { Clock } from '../groups/clock.js';
import type { StorageFs } from '../storage/fs-interface.js';
import type { PendingOffset } from './state.js';

export interface TxnCoordinatorDeps {
  dataDir: string;
  fs: StorageFs;
  clock: Clock;
  config: { int(name: string): number };
  log(line: string): void;
  nextProducerId(): number;
  partitionExists(topic: string, partition: number): boolean;
  /** Appends a COMMIT/ABORT marker where the producer has a transaction open; throws on storage failure. */
  writeMarker(topic: string, partition: number, producerId: number, producerEpoch: number, commit: boolean): void;
  /** Makes a committed transaction's offsets visible to its group; throws on storage failure. */
  applyOffsets(groupId: string, offsets: PendingOffset[]): void;
  /** Group membership check of a TxnOffsetCommit (generation -1 and no member: no check). */
  validateGroupCommit(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number;
  store?: { compactMinBytes?: number; compactRatio?: number };
}

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const OFFSETS_TOPIC = '__consumer_offsets';

export interface InitResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}
export type PartitionErrors = Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number }> }>;

export interface TxnListing {
  transactionalId: string;
  producerId: number;
  transactionState: string;
}

export interface TxnDescription {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}
