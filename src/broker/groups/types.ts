// What the group coordinator's parts take and answer: requests, results and the limits they share.
import type { StorageFs } from '../storage/fs-interface.js';
import type { Clock } from './clock.js';
import type { GroupState, MemberProtocol } from './group.js';
import type { OffsetsPartitions } from './replicated-offsets.js';

export interface CoordinatorDeps {
  /** Committed offsets live in `<dataDir>/__consumer_offsets-state/`. */
  dataDir: string;
  fs: StorageFs;
  clock?: Clock;
  config: { int(name: string): number };
  partitionExists(topic: string, partition: number): boolean;
  log(line: string): void;
  /** Tuning for tests: compaction thresholds of the offsets file. */
  store?: { compactMinBytes?: number; compactRatio?: number };
  /**
   * On a cluster: groups live in the replicated __consumer_offsets partitions, not in the
   * local offsets file, and this broker coordinates those whose partition it leads.
   */
  replicated?: OffsetsPartitions;
}

export const OFFSETS_STATE_DIR = '__consumer_offsets-state';

/** How long a brand-new member's JoinGroup may wait before it is dropped. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
/** Kafka's offset.metadata.max.bytes default. */
export const MAX_OFFSET_METADATA_LENGTH = 4096;

export interface JoinGroupRequest {
  groupId: string;
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+. */
  supportSkippingAssignment?: boolean;
  reason?: string | null;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface CommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch?: number;
  /** OffsetCommit v1 only; -1 means "now". */
  commitTimestamp?: number;
  committedMetadata: string | null;
}

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2-4; -1 means the broker's retention. */
  retentionTimeMs?: number;
  topics: Array<{ name: string; partitions: CommitPartition[] }>;
}

export type TopicPartitionErrors = Array<{
  name: string;
  partitions: Array<{ partitionIndex: number; errorCode: number }>;
}>;

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchedPartition[] }>;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedMember[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
  groupType: string;
}

export interface OffsetDeleteResult {
  errorCode: number;
  topics: TopicPartitionErrors;
}
