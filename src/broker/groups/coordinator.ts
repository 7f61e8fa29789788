// The classic group coordinator: membership and rebalances of every group (JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup), committed offsets, and the admin operations on
// groups. Single owner: every change happens synchronously inside one call or one timer
// callback. JoinGroup and SyncGroup answers are delayed until the rebalance gets there,
// so those two return promises; the rest answer at once.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import type { StorageFs } from '../storage/fs-interface.js';
import { systemClock, type Clock } from './clock.js';
import {
  Group,
  joinError,
  Member,
  syncError,
  type GroupState,
  type JoinResult,
  type MemberProtocol,
  type SyncResult,
} from './group.js';
import { OffsetStore, OffsetStoreError, type CommittedOffset, type StoreOp, type StoredGroupInfo } from './offset-store.js';

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
}

export const OFFSETS_STATE_DIR = '__consumer_offsets-state';

/** How long a brand-new member's JoinGroup may wait before it is dropped. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
/** Kafka's offset.metadata.max.bytes default. */
export const MAX_OFFSET_METADATA_LENGTH = 4096;

const CONFIG_DEFAULTS: Record<string, number> = {
  'group.initial.rebalance.delay.ms': 3000,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1800000,
  'group.max.size': 2147483647,
  'offsets.retention.minutes': 10080,
  'offsets.retention.check.interval.ms': 600000,
};

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

export type TopicPartitionErrors = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

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

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly store: OffsetStore;
  private readonly clock: Clock;
  private readonly deps: CoordinatorDeps;
  private retentionTimer: { cancel(): void } | null = null;
  private closed = false;

  constructor(deps: CoordinatorDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.store = OffsetStore.open({
      dir: join(deps.dataDir, OFFSETS_STATE_DIR),
      fs: deps.fs,
      log: deps.log,
      compactMinBytes: deps.store?.compactMinBytes,
      compactRatio: deps.store?.compactRatio,
    });
    const now = this.clock.now();
    for (const id of this.store.groupIds()) {
      const info = this.store.info(id);
      const group = new Group(id, info?.emptySince ?? now);
      group.protocolType = info?.protocolType ?? null;
      this.groups.set(id, group);
    }
    if (this.groups.size > 0) this.deps.log(`Loaded committed offsets of ${this.groups.size} group(s)`);
    this.scheduleRetention();
  }

  // ---- JoinGroup ------------------------------------------------------------------------

  joinGroup(req: JoinGroupRequest): Promise<JoinResult> {
    return new Promise((resolve) => this.handleJoin(req, resolve));
  }

  private handleJoin(req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const status = this.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return cb(joinError(req.memberId, status));
    if (req.sessionTimeoutMs < this.cfg('group.min.session.timeout.ms') || req.sessionTimeoutMs > this.cfg('group.max.session.timeout.ms')) {
      return cb(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const isUnknownMember = req.memberId === '';
    let group = this.groups.get(req.groupId);
    if (!group) {
      if (!isUnknownMember) return cb(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = this.createGroup(req.groupId);
    }
    if (!this.acceptJoiningMember(group, req.memberId)) {
      const existing = group.get(req.memberId);
      if (existing) this.dropMember(group, existing, ErrorCode.GROUP_MAX_SIZE_REACHED);
      else group.removePending(req.memberId);
      cb(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      this.doNewMemberJoin(group, req, cb);
    } else {
      this.doCurrentMemberJoin(group, req, cb);
    }
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  private acceptJoiningMember(group: Group, memberId: string): boolean {
    const max = this.cfg('group.max.size');
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.get(memberId)?.awaitingJoin ?? false) || group.numMembersAwaitingJoin < max;
      case 'CompletingRebalance':
      case 'Stable':
        return group.has(memberId) || group.size < max;
    }
  }

  private doNewMemberJoin(group: Group, req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    if (group.is('Dead')) return cb(joinError(req.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return cb(joinError(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(req.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.deps.log(`Static member with instance id ${req.groupInstanceId} rejoins group ${group.groupId} in state ${group.state}; replacing member ${oldMemberId} with ${newMemberId}`);
        this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, req, cb);
      } else {
        this.addMemberAndRebalance(group, newMemberId, req, cb);
      }
    } else if (req.requireKnownMemberId) {
      // The member must come back with this id; until then it holds up the rebalance.
      const timer = this.clock.setTimer(req.sessionTimeoutMs, () => this.onExpirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      cb(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    } else {
      this.addMemberAndRebalance(group, newMemberId, req, cb);
    }
  }

  private doCurrentMemberJoin(group: Group, req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const { memberId } = req;
    if (group.is('Dead')) return cb(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) {
      return cb(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members.
      if (req.groupInstanceId !== null) return cb(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
      this.addMemberAndRebalance(group, memberId, req, cb);
      return;
    }
    const error = this.validateCurrentMember(group, memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return cb(joinError(memberId, error));
    const member = group.get(memberId)!;
    const reason = req.reason ?? 'not provided';
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMemberAndRebalance(group, member, req, cb, `Member ${memberId} rejoining; client reason: ${reason}`);
        break;
      case 'CompletingRebalance':
        if (member.matches(req.protocols)) {
          // Same metadata: most likely the member missed our JoinGroup answer. Repeat it.
          cb(this.joinSuccess(group, memberId, group.isLeader(memberId)));
        } else {
          this.updateMemberAndRebalance(group, member, req, cb, `Updating metadata of member ${memberId} during CompletingRebalance; client reason: ${reason}`);
        }
        break;
      case 'Stable':
        if (group.isLeader(memberId)) {
          // A rejoining leader asks for a new assignment (its topics' metadata may have changed).
          this.updateMemberAndRebalance(group, member, req, cb, `Leader ${memberId} rejoining during Stable; client reason: ${reason}`);
        } else if (!member.matches(req.protocols)) {
          this.updateMemberAndRebalance(group, member, req, cb, `Updating metadata of member ${memberId} during Stable; client reason: ${reason}`);
        } else {
          cb(this.joinSuccess(group, memberId, false));
        }
        break;
      case 'Empty':
      case 'Dead':
        cb(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        break;
    }
  }

  private joinSuccess(group: Group, memberId: string, withMembers: boolean, leader = group.leaderId ?? '', skipAssignment = false): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader,
      skipAssignment,
      memberId,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(group: Group, memberId: string, req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const member = new Member({
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
    });
    member.isNew = true;
    // Joining during the first rebalance's initial delay extends the delay.
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, cb);
    // A new member cannot heartbeat until its join completes; give up on it if that takes too long.
    this.scheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `Adding new member ${memberId} with group instance id ${req.groupInstanceId ?? 'none'}; client reason: ${req.reason ?? 'not provided'}`);
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinGroupRequest, cb: (r: JoinResult) => void, reason: string): void {
    // A JoinGroup still waiting under this member was abandoned by its sender; answer it.
    group.maybeInvokeJoinCallback(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, cb);
    this.maybePrepareRebalance(group, reason);
  }

  private updateStaticMemberAndRebalance(group: Group, oldMemberId: string, newMemberId: string, req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const currentLeader = group.leaderId ?? '';
    const member = group.replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
    this.scheduleHeartbeat(group, member);
    group.updateMember(member, req.protocols, member.rebalanceTimeoutMs, member.sessionTimeoutMs, cb);
    const reason = req.reason ?? 'not provided';
    switch (group.state) {
      case 'Stable': {
        // Nothing to reassign if the group would pick the same protocol: the member gets its
        // old assignment back through SyncGroup.
        if (group.protocolName === group.selectProtocol()) {
          this.deps.log(`Static member ${newMemberId} of group ${group.groupId} rejoined during Stable without changing the protocol; no rebalance`);
          if (req.supportSkippingAssignment) {
            // v9+: a returning leader learns it leads but must not run the assignor again.
            const isLeader = group.isLeader(newMemberId);
            group.maybeInvokeJoinCallback(member, this.joinSuccess(group, newMemberId, isLeader, group.leaderId ?? '', isLeader));
          } else {
            // Answer with the old leader id so a returning leader does not run an assignment a
            // stable group would never hand out.
            group.maybeInvokeJoinCallback(member, this.joinSuccess(group, newMemberId, false, currentLeader));
          }
        } else {
          this.maybePrepareRebalance(group, `Static member ${newMemberId} with instance id ${req.groupInstanceId} changes the group's protocol; client reason: ${reason}`);
        }
        break;
      }
      case 'CompletingRebalance':
        // The leader may already be assigning under the old member id: start over.
        this.maybePrepareRebalance(group, `Updating metadata of static member ${newMemberId} with instance id ${req.groupInstanceId}; client reason: ${reason}`);
        break;
      case 'PreparingRebalance':
        // It simply takes part in the rebalance under way.
        break;
      case 'Empty':
      case 'Dead':
        throw new Error(`group ${group.groupId} in state ${group.state} cannot have a static member to replace`);
    }
  }

  // ---- rebalance machinery -------------------------------------------------------------

  private maybePrepareRebalance(group: Group, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.cancelSyncTimer(group);
    const fromEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.clock.now());
    this.deps.log(`Group ${group.groupId} is rebalancing (old generation ${group.generationId}): ${reason}`);
    this.syncStoredInfo(group);
    if (fromEmpty) {
      const delay = this.cfg('group.initial.rebalance.delay.ms');
      this.scheduleJoin(group, 'initial', delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleJoin(group, 'normal', group.rebalanceTimeoutMs, 0);
      this.tryCompleteJoin(group);
    }
  }

  private scheduleJoin(group: Group, kind: 'initial' | 'normal', delayMs: number, remainingMs: number): void {
    group.delayedJoin?.timer.cancel();
    const op = { kind, delayMs, remainingMs, timer: { cancel() {} } };
    group.delayedJoin = op;
    op.timer = this.clock.setTimer(delayMs, () => this.onJoinTimer(group, op));
  }

  private onJoinTimer(group: Group, op: NonNullable<Group['delayedJoin']>): void {
    if (group.delayedJoin !== op) return;
    if (op.kind === 'initial' && group.newMemberAdded && op.remainingMs !== 0) {
      // Members are still arriving: wait a little longer, up to the rebalance timeout.
      group.newMemberAdded = false;
      const delay = Math.min(this.cfg('group.initial.rebalance.delay.ms'), op.remainingMs);
      const remaining = Math.max(op.remainingMs - op.delayMs, 0);
      this.scheduleJoin(group, 'initial', delay, remaining);
      return;
    }
    this.completeJoin(group);
  }

  /** Completes the join phase now if every member has rejoined (not during the initial delay). */
  private tryCompleteJoin(group: Group): void {
    if (group.delayedJoin?.kind === 'normal' && group.hasAllMembersJoined) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    group.delayedJoin?.timer.cancel();
    group.delayedJoin = null;
    if (!group.is('PreparingRebalance')) return;
    const dropped = group.notYetRejoinedMembers().filter((m) => !m.isStatic);
    if (dropped.length > 0) {
      this.deps.log(`Group ${group.groupId} removed dynamic members that did not rejoin: ${dropped.map((m) => m.memberId).join(', ')}`);
      for (const m of dropped) this.dropMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined are left; wait for them or their session timeouts.
      this.deps.log(`Group ${group.groupId} could not complete its rebalance because no member rejoined`);
      this.scheduleJoin(group, 'normal', group.rebalanceTimeoutMs, 0);
      return;
    }
    group.initNextGeneration(this.clock.now());
    this.syncStoredInfo(group);
    if (group.is('Empty')) {
      this.deps.log(`Group ${group.groupId} with generation ${group.generationId} is now empty`);
      return;
    }
    this.deps.log(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} member(s) (protocol ${group.protocolName})`);
    const leaderView = group.currentMemberMetadata();
    for (const member of [...group.members.values()]) {
      const result = this.joinSuccess(group, member.memberId, false);
      if (group.isLeader(member.memberId)) result.members = leaderView;
      group.maybeInvokeJoinCallback(member, result);
      this.scheduleHeartbeat(group, member);
      member.isNew = false;
      group.pendingSyncMembers.add(member.memberId);
    }
    this.schedulePendingSync(group);
  }

  private schedulePendingSync(group: Group): void {
    if (!group.is('CompletingRebalance')) return;
    this.cancelSyncTimer(group);
    const generation = group.generationId;
    group.syncTimer = this.clock.setTimer(group.rebalanceTimeoutMs, () => {
      group.syncTimer = null;
      this.onExpirePendingSync(group, generation);
    });
  }

  private onExpirePendingSync(group: Group, generation: number): void {
    if (!this.isCurrent(group) || generation !== group.generationId) return;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSyncMembers.size === 0) return;
    const late = [...group.pendingSyncMembers];
    for (const id of late) {
      const m = group.get(id);
      if (m) this.dropMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
      else group.pendingSyncMembers.delete(id);
    }
    this.prepareRebalance(group, `Removing ${late.join(', ')} on pending sync request expiration`);
  }

  private cancelSyncTimer(group: Group): void {
    group.syncTimer?.cancel();
    group.syncTimer = null;
  }

  private removePendingSyncMember(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.cancelSyncTimer(group);
  }

  private resetAndPropagateAssignmentError(group: Group, error: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, error);
  }

  private propagateAssignment(group: Group, error: number): void {
    const ok = error === ErrorCode.NONE;
    for (const m of [...group.members.values()]) {
      const result: SyncResult = {
        errorCode: error,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      };
      // Members may have timed out while waiting for the leader; their sessions restart now.
      if (group.maybeInvokeSyncCallback(m, result)) this.scheduleHeartbeat(group, m);
    }
  }

  private scheduleHeartbeat(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = this.clock.setTimer(timeoutMs, () => {
      member.heartbeatTimer = null;
      this.onExpireHeartbeat(group, member);
    });
  }

  private onExpireHeartbeat(group: Group, member: Member): void {
    if (!this.isCurrent(group) || group.get(member.memberId) !== member) return;
    // Members waiting in a rebalance count as alive, except new ones that never got through one.
    const satisfied = !member.isNew && (member.awaitingJoin || member.awaitingSync);
    if (satisfied) return;
    this.deps.log(`Member ${member.memberId} in group ${group.groupId} has failed (session timeout), removing it from the group`);
    this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId} on heartbeat expiration`);
  }

  private onExpirePendingMember(group: Group, memberId: string): void {
    if (!this.isCurrent(group) || !group.pendingMembers.has(memberId)) return;
    this.deps.log(`Pending member ${memberId} in group ${group.groupId} has been removed after session timeout expiration`);
    group.pendingMembers.delete(memberId);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  /** Removes a member, answering any request it has waiting with `error`. No rebalance. */
  private dropMember(group: Group, member: Member, error: number): void {
    group.maybeInvokeJoinCallback(member, joinError(member.memberId, error));
    group.maybeInvokeSyncCallback(member, syncError(error));
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    group.remove(member.memberId);
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member, reason: string): void {
    this.dropMember(group, member, ErrorCode.UNKNOWN_MEMBER_ID);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, reason);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      default:
        break;
    }
  }

  private validateCurrentMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.currentStaticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.deps.log(`Request from member ${memberId} with instance id ${groupInstanceId} of group ${group.groupId} is fenced: the instance now belongs to ${current}`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
      return ErrorCode.NONE;
    }
    return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  // ---- SyncGroup ------------------------------------------------------------------------

  syncGroup(req: SyncGroupRequest): Promise<SyncResult> {
    return new Promise((resolve) => this.handleSync(req, resolve));
  }

  private handleSync(req: SyncGroupRequest, cb: (r: SyncResult) => void): void {
    const status = this.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return cb(syncError(status));
    const group = this.groups.get(req.groupId);
    if (!group) return cb(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = this.validateSync(group, req);
    if (error !== ErrorCode.NONE) return cb(syncError(error));
    const member = group.get(req.memberId)!;
    switch (group.state) {
      case 'Empty':
        return cb(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return cb(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        group.maybeInvokeSyncCallback(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.syncCallback = cb;
        this.removePendingSyncMember(group, member.memberId);
        if (group.isLeader(member.memberId)) {
          this.deps.log(`Assignment received from leader ${member.memberId} for group ${group.groupId} generation ${group.generationId}; ${group.size} member(s), ${group.staticMemberCount} static`);
          const given = new Map<string, Buffer>();
          for (const a of req.assignments) given.set(a.memberId, Buffer.from(a.assignment));
          const missing: string[] = [];
          for (const m of group.members.values()) {
            const a = given.get(m.memberId);
            if (a === undefined) missing.push(m.memberId);
            m.assignment = a ?? EMPTY;
          }
          if (missing.length > 0) this.deps.log(`Leader of group ${group.groupId} gave no assignment to ${missing.join(', ')}; they get an empty one`);
          this.propagateAssignment(group, ErrorCode.NONE);
          group.transitionTo('Stable', this.clock.now());
        }
        return;
      }
      case 'Stable':
        this.removePendingSyncMember(group, member.memberId);
        cb({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        this.scheduleHeartbeat(group, member);
        return;
      case 'Dead':
        return cb(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
  }

  private validateSync(group: Group, req: SyncGroupRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const err = this.validateCurrentMember(group, req.memberId, req.groupInstanceId);
    if (err !== ErrorCode.NONE) return err;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (req.protocolType !== null && req.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (req.protocolName !== null && req.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }

  // ---- Heartbeat ------------------------------------------------------------------------

  heartbeat(req: HeartbeatRequest): number {
    const status = this.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return status;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const err = this.validateCurrentMember(group, req.memberId, req.groupInstanceId);
    if (err !== ErrorCode.NONE) return err;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.get(req.memberId)!;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleHeartbeat(group, member);
        return ErrorCode.NONE;
      case 'PreparingRebalance':
        this.scheduleHeartbeat(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'Dead':
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  // ---- LeaveGroup -----------------------------------------------------------------------

  leaveGroup(groupId: string, leaving: LeavingMember[]): LeaveResult {
    const status = this.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    const answer = (m: LeavingMember, errorCode: number) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: leaving.map((m) => answer(m, ErrorCode.UNKNOWN_MEMBER_ID)) };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => {
      const reason = m.reason ?? 'not provided';
      if (m.memberId === '') {
        // Admin removal of a static member by its instance id alone.
        const current = m.groupInstanceId !== null ? group.currentStaticMemberId(m.groupInstanceId) : undefined;
        if (current === undefined) return answer(m, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeLeavingMember(group, current, reason);
        return answer(m, ErrorCode.NONE);
      }
      if (group.isPendingMember(m.memberId)) {
        group.removePending(m.memberId);
        this.deps.log(`Pending member ${m.memberId} has left group ${groupId}; client reason: ${reason}`);
        if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
        return answer(m, ErrorCode.NONE);
      }
      const err = this.validateCurrentMember(group, m.memberId, m.groupInstanceId);
      if (err !== ErrorCode.NONE) return answer(m, err);
      this.removeLeavingMember(group, m.memberId, reason);
      return answer(m, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeLeavingMember(group: Group, memberId: string, reason: string): void {
    const member = group.get(memberId);
    if (!member) return;
    this.deps.log(`Member ${memberId} has left group ${group.groupId} through explicit LeaveGroup; client reason: ${reason}`);
    this.removeMemberAndUpdateGroup(group, member, `Removing member ${memberId} on LeaveGroup; client reason: ${reason}`);
  }

  // ---- offsets ----------------------------------------------------------------------------

  /** OffsetCommit: errors per partition, in request order. */
  commitOffsets(req: CommitRequest): TopicPartitionErrors {
    const errors = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
    }));
    const valid: Array<{ topic: string; p: CommitPartition; out: { errorCode: number } }> = [];
    req.topics.forEach((t, ti) => {
      t.partitions.forEach((p, pi) => {
        const out = errors[ti]!.partitions[pi]!;
        if (!this.deps.partitionExists(t.name, p.partitionIndex)) out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else valid.push({ topic: t.name, p, out });
      });
    });
    if (valid.length === 0) return errors;
    const setAll = (code: number) => {
      for (const v of valid) v.out.errorCode = code;
      return errors;
    };
    if (this.closed) return setAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let group = this.groups.get(req.groupId);
    if (!group) {
      // Only a commit outside group management (generation -1) may create a group.
      if (req.generationId >= 0) return setAll(ErrorCode.ILLEGAL_GENERATION);
      group = this.createGroup(req.groupId);
    }
    const err = this.validateOffsetCommit(group, req);
    if (err !== ErrorCode.NONE) return setAll(err);
    switch (group.state) {
      case 'Empty':
        break;
      case 'Stable':
      case 'PreparingRebalance':
        // Commits still count as liveness; the heartbeat tells about a rebalance.
        this.scheduleHeartbeat(group, group.get(req.memberId)!);
        break;
      case 'CompletingRebalance':
        return setAll(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Dead':
        return setAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const now = this.clock.now();
    const retention = req.retentionTimeMs ?? -1;
    const fits = (p: CommitPartition) => p.committedMetadata === null || p.committedMetadata.length <= MAX_OFFSET_METADATA_LENGTH;
    const ops: StoreOp[] = [];
    for (const v of valid) {
      if (!fits(v.p)) continue;
      const ts = v.p.commitTimestamp;
      const committed: CommittedOffset = {
        offset: v.p.committedOffset,
        leaderEpoch: v.p.committedLeaderEpoch ?? -1,
        metadata: v.p.committedMetadata ?? '',
        commitTimestamp: ts !== undefined && ts !== -1 ? ts : now,
        expireTimestamp: retention !== -1 ? now + retention : -1,
      };
      ops.push({ t: 'o', g: group.groupId, tp: v.topic, p: v.p.partitionIndex, o: committed.offset, e: committed.leaderEpoch, m: committed.metadata, c: committed.commitTimestamp, x: committed.expireTimestamp });
    }
    let code: number = ErrorCode.NONE;
    if (ops.length > 0) {
      const info = this.desiredInfo(group);
      if (!sameInfo(this.store.info(group.groupId), info)) ops.unshift({ t: 'g', g: group.groupId, pt: info.protocolType, es: info.emptySince });
      try {
        this.store.write(ops);
      } catch (e) {
        if (!(e instanceof OffsetStoreError)) throw e;
        this.deps.log(`Storing offsets of group ${group.groupId} failed: ${e.message}`);
        code = ErrorCode.NOT_COORDINATOR;
      }
    }
    for (const v of valid) v.out.errorCode = fits(v.p) ? code : ErrorCode.OFFSET_METADATA_TOO_LARGE;
    return errors;
  }

  private validateOffsetCommit(group: Group, req: CommitRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const err = this.validateCurrentMember(group, req.memberId, req.groupInstanceId);
      if (err !== ErrorCode.NONE) return err;
      if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
      return ErrorCode.NONE;
    }
    // A commit from outside the group is only allowed while nobody is in it.
    return group.is('Empty') ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * TxnOffsetCommit's group check. Kafka lets a transactional commit without member
   * information through even while the group has members (the producer is not one).
   */
  validateTxnOffsetCommit(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const group = this.groups.get(groupId);
    if (!group) return generationId >= 0 ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && memberId === '' && groupInstanceId === null) return ErrorCode.NONE;
    return this.validateOffsetCommit(group, { groupId, generationId, memberId, groupInstanceId, topics: [] });
  }

  /** Offsets of a committed transaction becoming visible; throws OffsetStoreError when they cannot be stored. */
  applyTxnOffsets(groupId: string, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number }>): void {
    if (offsets.length === 0) return;
    const group = this.groups.get(groupId) ?? this.createGroup(groupId);
    const ops: StoreOp[] = offsets.map((o) => ({ t: 'o', g: groupId, tp: o.topic, p: o.partition, o: o.offset, e: o.leaderEpoch, m: o.metadata, c: o.commitTimestamp, x: -1 }));
    const info = this.desiredInfo(group);
    if (!sameInfo(this.store.info(groupId), info)) ops.unshift({ t: 'g', g: groupId, pt: info.protocolType, es: info.emptySince });
    this.store.write(ops);
  }

  /**
   * OffsetFetch for one group. `topics` null means every committed offset. Partitions with
   * nothing committed read as offset -1 with empty metadata.
   */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null): FetchResult {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    const group = this.groups.get(groupId);
    const known = group !== undefined && !group.is('Dead');
    const read = (topic: string, partitionIndex: number): FetchedPartition => {
      const c = known ? this.store.get(groupId, topic, partitionIndex) : undefined;
      return c
        ? { partitionIndex, committedOffset: c.offset, committedLeaderEpoch: c.leaderEpoch, metadata: c.metadata, errorCode: ErrorCode.NONE }
        : { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
    };
    if (topics !== null) {
      return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => read(t.name, p)) })) };
    }
    if (!known) return { errorCode: ErrorCode.NONE, topics: [] };
    const all = [...this.store.offsets(groupId)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      errorCode: ErrorCode.NONE,
      topics: all.map(([name, parts]) => ({ name, partitions: [...parts.keys()].sort((a, b) => a - b).map((p) => read(name, p)) })),
    };
  }

  /** OffsetDelete: drops committed offsets of partitions the group does not consume now. */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>): OffsetDeleteResult {
    const status = this.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, topics: [] };
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const out = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
    }));
    const candidates: Array<{ topic: string; partition: number; out: { errorCode: number } }> = [];
    topics.forEach((t, ti) => {
      t.partitions.forEach((p, pi) => {
        const o = out[ti]!.partitions[pi]!;
        if (!this.deps.partitionExists(t.name, p.partitionIndex)) o.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else candidates.push({ topic: t.name, partition: p.partitionIndex, out: o });
      });
    });
    let eligible: typeof candidates;
    if (group.is('Empty')) {
      eligible = candidates;
    } else if (group.isConsumerGroup) {
      eligible = [];
      for (const c of candidates) {
        if (group.isSubscribedToTopic(c.topic)) c.out.errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else eligible.push(c);
      }
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    }
    if (eligible.length > 0) {
      const ops: StoreOp[] = [];
      for (const c of eligible) {
        if (this.store.get(groupId, c.topic, c.partition)) ops.push({ t: 'od', g: groupId, tp: c.topic, p: c.partition });
      }
      try {
        this.store.write(ops);
      } catch (e) {
        if (!(e instanceof OffsetStoreError)) throw e;
        this.deps.log(`Deleting offsets of group ${groupId} failed: ${e.message}`);
        for (const c of eligible) c.out.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        return { errorCode: ErrorCode.NONE, topics: out };
      }
      this.deps.log(`Deleted ${ops.length} committed offset(s) of group ${groupId}`);
      this.maybeRemoveEmptyGroup(group);
    }
    return { errorCode: ErrorCode.NONE, topics: out };
  }

  // ---- admin: describe, list, delete --------------------------------------------------

  describeGroup(groupId: string): DescribedGroup {
    if (this.closed) {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
    }
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    const stable = group.is('Stable') && group.protocolName !== null;
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName! : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName!) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** ListGroups; filters match case-insensitively, empty filters match everything. */
  listGroups(statesFilter: readonly string[] = [], typesFilter: readonly string[] = []): { errorCode: number; groups: ListedGroup[] } {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (typesFilter.length > 0 && !typesFilter.some((t) => t.toLowerCase() === 'classic')) return { errorCode: ErrorCode.NONE, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const g of [...this.groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** DeleteGroups: only groups without members can go; their offsets go with them. */
  deleteGroups(groupIds: readonly string[]): Array<{ groupId: string; errorCode: number }> {
    return groupIds.map((groupId) => {
      const status = this.groupStatus(groupId, true);
      if (status !== ErrorCode.NONE) return { groupId, errorCode: status };
      const group = this.groups.get(groupId);
      if (!group || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      if (this.store.has(groupId)) {
        try {
          this.store.write([{ t: 'gd', g: groupId }]);
        } catch (e) {
          if (!(e instanceof OffsetStoreError)) throw e;
          this.deps.log(`Deleting group ${groupId} failed: ${e.message}`);
          return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
        }
      }
      this.removeGroup(group);
      this.deps.log(`Deleted group ${groupId}`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
  }

  // ---- topic deletion, retention, lifecycle ---------------------------------------------

  /** Forgets every committed offset of a deleted topic, durably. */
  onTopicDeleted(topic: string): void {
    const affected = [...this.groups.values()].filter((g) => this.store.offsets(g.groupId).has(topic));
    if (affected.length === 0) return;
    try {
      this.store.write([{ t: 'td', tp: topic }]);
    } catch (e) {
      if (!(e instanceof OffsetStoreError)) throw e;
      this.deps.log(`Dropping committed offsets of deleted topic ${topic} failed: ${e.message}`);
      return;
    }
    this.deps.log(`Dropped committed offsets of deleted topic ${topic} from ${affected.length} group(s)`);
    for (const g of affected) this.maybeRemoveEmptyGroup(g);
  }

  /**
   * Expires offsets past `offsets.retention.minutes` (runs every
   * `offsets.retention.check.interval.ms`; public for tests). Returns how many expired.
   */
  expireOffsets(): number {
    if (this.closed) return 0;
    const now = this.clock.now();
    const retentionMs = this.cfg('offsets.retention.minutes') * 60_000;
    let removed = 0;
    for (const group of [...this.groups.values()]) {
      const expired = this.expiredOffsets(group, now, retentionMs);
      if (expired.length > 0) {
        try {
          this.store.write(expired.map(([tp, p]) => ({ t: 'od' as const, g: group.groupId, tp, p })));
          removed += expired.length;
        } catch (e) {
          if (!(e instanceof OffsetStoreError)) throw e;
          this.deps.log(`Expiring offsets of group ${group.groupId} failed: ${e.message}`);
          continue;
        }
      }
      this.maybeRemoveEmptyGroup(group);
    }
    if (removed > 0) this.deps.log(`Expired ${removed} committed offset(s)`);
    return removed;
  }

  private expiredOffsets(group: Group, now: number, retentionMs: number): Array<[string, number]> {
    let base: ((c: CommittedOffset) => number) | null = null;
    let keep: Set<string> | null = null;
    if (group.protocolType !== null && group.is('Empty')) {
      // Nobody consumes: retention counts from when the group became empty.
      base = () => group.stateTimestamp;
    } else if (group.isConsumerGroup && group.subscribedTopics !== null && group.is('Stable')) {
      // Active consumers: only offsets of topics no member subscribes to expire.
      base = (c) => c.commitTimestamp;
      keep = group.subscribedTopics;
    } else if (group.protocolType === null) {
      // Offsets-only group (standalone consumers): retention counts from each commit.
      base = (c) => c.commitTimestamp;
    }
    if (base === null) return [];
    const out: Array<[string, number]> = [];
    for (const [topic, parts] of this.store.offsets(group.groupId)) {
      if (keep?.has(topic)) continue;
      for (const [p, c] of parts) {
        const expired = c.expireTimestamp !== -1 ? now >= c.expireTimestamp : now - base(c) >= retentionMs;
        if (expired) out.push([topic, p]);
      }
    }
    return out;
  }

  /** Stops timers, answers waiting JoinGroup/SyncGroup requests with NOT_COORDINATOR, flushes offsets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.retentionTimer?.cancel();
    this.retentionTimer = null;
    for (const group of this.groups.values()) {
      for (const m of [...group.members.values()]) {
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
      }
      this.cancelGroupTimers(group);
    }
    this.store.close();
  }

  // ---- inspection (tests, tools) ---------------------------------------------------------

  /** The group's live state, or undefined. Do not modify. */
  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.store.get(groupId, topic, partition);
  }

  /** Bytes in the offsets file. */
  get offsetsFileSize(): number {
    return this.store.fileSize;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * The error every group API gives before looking at the group: the coordinator is shut
   * down, or the group id is empty (allowed only where Kafka allows it).
   */
  private groupStatus(groupId: string | null, emptyAllowed: boolean): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === null || (!emptyAllowed && groupId === '')) return ErrorCode.INVALID_GROUP_ID;
    return ErrorCode.NONE;
  }

  private cfg(name: string): number {
    try {
      const v = this.deps.config.int(name);
      if (Number.isFinite(v)) return v;
    } catch {
      // Not a known setting here: the default applies.
    }
    return CONFIG_DEFAULTS[name] ?? 0;
  }

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, this.clock.now());
    this.groups.set(groupId, group);
    return group;
  }

  private isCurrent(group: Group): boolean {
    return !this.closed && this.groups.get(group.groupId) === group && !group.is('Dead');
  }

  private removeGroup(group: Group): void {
    group.transitionTo('Dead', this.clock.now());
    this.cancelGroupTimers(group);
    this.groups.delete(group.groupId);
  }

  private maybeRemoveEmptyGroup(group: Group): void {
    if (!group.is('Empty') || this.store.hasOffsets(group.groupId) || !this.isCurrent(group)) return;
    if (this.store.has(group.groupId)) {
      try {
        this.store.write([{ t: 'gd', g: group.groupId }]);
      } catch {
        return;
      }
    }
    this.deps.log(`Group ${group.groupId} has no members and no offsets left; removing it`);
    this.removeGroup(group);
  }

  private cancelGroupTimers(group: Group): void {
    group.delayedJoin?.timer.cancel();
    group.delayedJoin = null;
    this.cancelSyncTimer(group);
    for (const id of [...group.pendingMembers.keys()]) group.removePending(id);
    for (const m of group.members.values()) {
      m.heartbeatTimer?.cancel();
      m.heartbeatTimer = null;
    }
  }

  private desiredInfo(group: Group): StoredGroupInfo {
    return { protocolType: group.protocolType, emptySince: group.is('Empty') ? group.stateTimestamp : null };
  }

  /** Keeps the stored protocol type and empty-since time of a group with offsets current. */
  private syncStoredInfo(group: Group): void {
    if (!this.store.has(group.groupId)) return;
    const info = this.desiredInfo(group);
    if (sameInfo(this.store.info(group.groupId), info)) return;
    try {
      this.store.write([{ t: 'g', g: group.groupId, pt: info.protocolType, es: info.emptySince }]);
    } catch (e) {
      if (!(e instanceof OffsetStoreError)) throw e;
      this.deps.log(`Storing state of group ${group.groupId} failed: ${e.message}`);
    }
  }

  private scheduleRetention(): void {
    const interval = Math.max(1, this.cfg('offsets.retention.check.interval.ms'));
    this.retentionTimer = this.clock.setTimer(interval, () => {
      if (this.closed) return;
      try {
        this.expireOffsets();
      } catch (e) {
        this.deps.log(`Offset retention check failed: ${(e as Error).message}`);
      }
      this.scheduleRetention();
    });
  }
}

function sameInfo(a: StoredGroupInfo | null, b: StoredGroupInfo): boolean {
  return a !== null && a.protocolType === b.protocolType && a.emptySince === b.emptySince;
}
