// The KRaft quorum's constants, options, states and errors, shared by its layers.
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { RaftLog } from './raft-log.js';
import type { QuorumStateStore } from './quorum-state-store.js';
import { type SnapshotId, type SnapshotStore } from './snapshot.js';

export const METADATA_TOPIC = '__cluster_metadata';
/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1). */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
export const METADATA_PARTITION = 0;

export const API = {
  Fetch: 1,
  Vote: 52,
  BeginQuorumEpoch: 53,
  EndQuorumEpoch: 54,
  DescribeQuorum: 55,
  FetchSnapshot: 59,
} as const;

/**
 * The versions sent to controllers: Fetch 16 carries ReplicaState and the diverging epoch;
 * BrokerRegistration 3 and BrokerHeartbeat 1 are what Kafka 3.9 brokers send.
 */
export const RAFT_REQUEST_VERSIONS: Readonly<Record<number, number>> = {
  1: 16,
  // Requests a broker forwards to the active controller: CreateTopics, DeleteTopics, CreatePartitions,
  // IncrementalAlterConfigs (topics), AlterPartition, AllocateProducerIds, ElectLeaders and the partition reassignment APIs.
  19: 7,
  20: 6,
  37: 3,
  44: 1,
  56: 1,
  52: 0,
  53: 0,
  54: 0,
  55: 1,
  59: 0,
  62: 3,
  63: 1,
  67: 0,
  43: 2,
  45: 0,
  46: 0,
};

/** ControlRecordType.LEADER_CHANGE. */
export const LEADER_CHANGE = 2;

export interface RaftClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: RaftClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RaftTransport {
  /** Sends a request to another voter; rejects when it cannot be delivered or answered in time. */
  send(to: number, apiKey: number, body: object): Promise<MessageBody>;
}

export interface CommittedBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  isControl: boolean;
  /** Record values: encoded metadata records (or a control record's value). */
  values: Buffer[];
}

export interface RaftNodeOptions {
  nodeId: number;
  voters: readonly number[];
  clusterId: string;
  log: RaftLog;
  stateStore: QuorumStateStore;
  clock?: RaftClock;
  transport: RaftTransport;
  /** [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
  electionTimeoutMs?: number;
  fetchTimeoutMs?: number;
  electionBackoffMaxMs?: number;
  retryBackoffMs?: number;
  /** How long the leader holds a Fetch with nothing new (Kafka's raft uses 500 ms). */
  fetchMaxWaitMs?: number;
  logger?: (line: string) => void;
  /** Called in offset order with every batch the high watermark passes. */
  onCommit?: (batches: CommittedBatch[]) => void;
  /** Where snapshots live; without one the log is never compacted. */
  snapshots?: SnapshotStore;
  /** Committed bytes between snapshots (metadata.log.max.record.bytes.between.snapshots); 0 = never. */
  snapshotBytes?: number;
  /** The metadata records that rebuild the applied state, for a snapshot taken now. */
  snapshotState?: () => Buffer[];
  /** Replaces the applied state with a snapshot's records (at start, or one fetched from the leader). */
  onSnapshot?: (values: Buffer[], id: SnapshotId) => void;
}

export type State =
  | { kind: 'unattached'; epoch: number; votedId: number }
  | { kind: 'candidate'; epoch: number; granted: Set<number>; rejected: Set<number> }
  | {
      kind: 'leader';
      epoch: number;
      epochStartOffset: number;
      replicas: Map<number, ReplicaState>;
      beginAcked: Set<number>;
      /** Voters heard from since the check-quorum deadline was last pushed back. */
      fetchedSinceCheck: Set<number>;
      checkQuorumDeadline: number;
    }
  | { kind: 'follower'; epoch: number; leaderId: number }
  | { kind: 'resigned'; epoch: number };

export interface ReplicaState {
  endOffset: number;
  lastFetchMs: number;
  lastCaughtUpMs: number;
  /** The high watermark this replica was last told; a newer one is news worth answering at once. */
  sentHighWatermark?: number;
}

export interface PendingAppend {
  lastOffset: number;
  epoch: number;
  resolve: (offset: number) => void;
  reject: (err: RaftError) => void;
}

/** A Raft request refused or abandoned, named by Kafka's error. */
export class RaftError extends Error {
  constructor(
    readonly error: keyof typeof ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Kafka's error for a metadata write that failed: no majority in time, or no longer the active controller. */
export function metadataWriteError(err: unknown): number {
  return err instanceof RaftError && err.error === 'REQUEST_TIMED_OUT'
    ? ErrorCode.REQUEST_TIMED_OUT
    : ErrorCode.NOT_CONTROLLER;
}

export const errorCode = (name: keyof typeof ErrorCode): number => ErrorCode[name];
