// The classic group coordinator, in three parts over one shared registry of groups:
// membership and rebalances (membership.ts), committed offsets (offset-commits.ts) and the
// admin calls (group-admin.ts). Single owner: every change happens synchronously inside
// one call or one timer callback. The handlers and the broker see only this facade.
import type { Coordinator } from '../coordinator.js';
import type { Group, JoinResult, SyncResult } from './group.js';
import { GroupAdmin } from './group-admin.js';
import { GroupRegistry } from './group-registry.js';
import { GroupMembership } from './membership.js';
import { GroupSync } from './group-sync.js';
import { OffsetCommits } from './offset-commits.js';
import { joinError, syncError } from './group.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { CommittedOffset } from './offset-store.js';
import type { RoleListener } from '../cluster/seams.js';
import type {
  CommitRequest,
  CoordinatorDeps,
  DescribedGroup,
  FetchResult,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveResult,
  LeavingMember,
  ListedGroup,
  OffsetDeleteResult,
  SyncGroupRequest,
  TopicPartitionErrors,
} from './types.js';

export * from './types.js';

const OFFSETS_TOPIC = '__consumer_offsets';

export class GroupCoordinator implements Coordinator {
  private readonly reg: GroupRegistry;
  private readonly membership: GroupMembership;
  private readonly sync: GroupSync;
  private readonly offsets: OffsetCommits;
  private readonly admin: GroupAdmin;

  constructor(deps: CoordinatorDeps) {
    this.reg = new GroupRegistry(deps);
    this.membership = new GroupMembership(this.reg);
    this.sync = new GroupSync(this.reg, this.membership);
    this.offsets = new OffsetCommits(this.reg, this.membership);
    this.admin = new GroupAdmin(this.reg);
    this.offsets.scheduleRetention();
  }

  joinGroup(req: JoinGroupRequest): Promise<JoinResult> {
    return this.membership.joinGroup(req);
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncResult> {
    return this.sync.syncGroup(req);
  }

  heartbeat(req: HeartbeatRequest): number {
    return this.membership.heartbeat(req);
  }

  leaveGroup(groupId: string, leaving: LeavingMember[]): LeaveResult {
    return this.membership.leaveGroup(groupId, leaving);
  }

  commitOffsets(req: CommitRequest): TopicPartitionErrors {
    return this.offsets.commitOffsets(req);
  }

  validateTxnOffsetCommit(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
  ): number {
    return this.offsets.validateTxnOffsetCommit(groupId, generationId, memberId, groupInstanceId);
  }

  applyTxnOffsets(...args: Parameters<OffsetCommits['applyTxnOffsets']>): void {
    this.offsets.applyTxnOffsets(...args);
  }

  fetchOffsets(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null): FetchResult {
    return this.offsets.fetchOffsets(groupId, topics);
  }

  deleteOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
  ): OffsetDeleteResult {
    return this.offsets.deleteOffsets(groupId, topics);
  }

  /** Forgets every committed offset of a deleted topic, durably. */
  onTopicDeleted(topic: string): void {
    this.offsets.onTopicDeleted(topic);
  }

  /** Expires offsets past offsets.retention.minutes now (public for tests); returns how many expired. */
  expireOffsets(): number {
    return this.offsets.expireOffsets();
  }

  describeGroup(groupId: string): DescribedGroup {
    return this.admin.describeGroup(groupId);
  }

  listGroups(
    statesFilter: readonly string[] = [],
    typesFilter: readonly string[] = [],
  ): { errorCode: number; groups: ListedGroup[] } {
    return this.admin.listGroups(statesFilter, typesFilter);
  }

  deleteGroups(groupIds: readonly string[]): Array<{ groupId: string; errorCode: number }> {
    return this.admin.deleteGroups(groupIds);
  }

  // ---- on a cluster ------------------------------------------------------------------------

  /** Told of this broker's roles for __consumer_offsets partitions: leading one means coordinating its groups. */
  readonly roleListener: RoleListener = {
    onRoleChange: (topic, partition, role) => {
      if (topic !== OFFSETS_TOPIC) return;
      if (role.kind === 'leader') {
        // Restored members get a full session to heartbeat the new coordinator.
        for (const group of this.reg.loadPartition(partition))
          for (const m of group.members.values()) this.membership.scheduleHeartbeat(group, m);
      } else this.reg.unloadPartition(partition);
    },
  };

  /**
   * Resolves NONE once the group's stored changes are held by the in-sync replicas (at
   * once on a single broker, whose file write is the durable step); Kafka's error otherwise.
   */
  async awaitDurable(groupId: string): Promise<number> {
    const err = await this.reg.replicated?.awaitDurable(groupId);
    return err ? ErrorCode[err] : ErrorCode.NONE;
  }

  /** Stops timers, answers waiting JoinGroup/SyncGroup requests with NOT_COORDINATOR, flushes offsets. */
  close(): void {
    if (this.reg.closed) return;
    this.reg.closed = true;
    this.offsets.stopRetention();
    for (const group of this.reg.groups.values()) {
      for (const m of [...group.members.values()]) {
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
      }
      this.reg.cancelGroupTimers(group);
    }
    this.reg.store.close();
  }

  // ---- inspection (tests, tools) ---------------------------------------------------------

  /** The group's live state, or undefined. Do not modify. */
  group(groupId: string): Group | undefined {
    return this.reg.group(groupId);
  }

  groupIds(): string[] {
    return this.reg.groupIds();
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.reg.committed(groupId, topic, partition);
  }

  /** Bytes in the offsets file. */
  get offsetsFileSize(): number {
    return this.reg.offsetsFileSize;
  }
}
