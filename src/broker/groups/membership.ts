// Group membership and rebalances (JoinGroup, Heartbeat, LeaveGroup, and the rebalance state
// SyncGroup completes: group-sync.ts), as Kafka's classic protocol runs them. JoinGroup's answer
// waits for the rebalance to get there, so it returns a promise; the rest answer at once.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { Group, joinError, Member, syncError, type JoinResult, type SyncResult } from './group.js';

const EMPTY = Buffer.alloc(0);
import type { GroupRegistry } from './group-registry.js';
import {
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type LeaveResult,
  type LeavingMember,
} from './types.js';

export class GroupMembership {
  constructor(private readonly reg: GroupRegistry) {}

  joinGroup(req: JoinGroupRequest): Promise<JoinResult> {
    return new Promise((resolve) => this.handleJoin(req, resolve));
  }

  private handleJoin(req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const status = this.reg.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return cb(joinError(req.memberId, status));
    if (
      req.sessionTimeoutMs < this.reg.cfg('group.min.session.timeout.ms') ||
      req.sessionTimeoutMs > this.reg.cfg('group.max.session.timeout.ms')
    ) {
      return cb(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const isUnknownMember = req.memberId === '';
    let group = this.reg.groups.get(req.groupId);
    if (!group) {
      if (!isUnknownMember) return cb(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = this.reg.createGroup(req.groupId);
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
    const max = this.reg.cfg('group.max.size');
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
    if (
      !group.supportsProtocols(
        req.protocolType,
        req.protocols.map((p) => p.name),
      )
    ) {
      return cb(joinError(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(req.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.reg.deps.log(
          `Static member with instance id ${req.groupInstanceId} rejoins group ${group.groupId} in state ${group.state}; replacing member ${oldMemberId} with ${newMemberId}`,
        );
        this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, req, cb);
      } else {
        this.addMemberAndRebalance(group, newMemberId, req, cb);
      }
    } else if (req.requireKnownMemberId) {
      // The member must come back with this id; until then it holds up the rebalance.
      const timer = this.reg.clock.setTimer(req.sessionTimeoutMs, () => this.onExpirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      cb(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    } else {
      this.addMemberAndRebalance(group, newMemberId, req, cb);
    }
  }

  private doCurrentMemberJoin(group: Group, req: JoinGroupRequest, cb: (r: JoinResult) => void): void {
    const { memberId } = req;
    if (group.is('Dead')) return cb(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (
      !group.supportsProtocols(
        req.protocolType,
        req.protocols.map((p) => p.name),
      )
    ) {
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
          this.updateMemberAndRebalance(
            group,
            member,
            req,
            cb,
            `Updating metadata of member ${memberId} during CompletingRebalance; client reason: ${reason}`,
          );
        }
        break;
      case 'Stable':
        if (group.isLeader(memberId)) {
          // A rejoining leader asks for a new assignment (its topics' metadata may have changed).
          this.updateMemberAndRebalance(
            group,
            member,
            req,
            cb,
            `Leader ${memberId} rejoining during Stable; client reason: ${reason}`,
          );
        } else if (!member.matches(req.protocols)) {
          this.updateMemberAndRebalance(
            group,
            member,
            req,
            cb,
            `Updating metadata of member ${memberId} during Stable; client reason: ${reason}`,
          );
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

  private joinSuccess(
    group: Group,
    memberId: string,
    withMembers: boolean,
    leader = group.leaderId ?? '',
    skipAssignment = false,
  ): JoinResult {
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

  private addMemberAndRebalance(
    group: Group,
    memberId: string,
    req: JoinGroupRequest,
    cb: (r: JoinResult) => void,
  ): void {
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
    this.maybePrepareRebalance(
      group,
      `Adding new member ${memberId} with group instance id ${req.groupInstanceId ?? 'none'}; client reason: ${req.reason ?? 'not provided'}`,
    );
  }

  private updateMemberAndRebalance(
    group: Group,
    member: Member,
    req: JoinGroupRequest,
    cb: (r: JoinResult) => void,
    reason: string,
  ): void {
    // A JoinGroup still waiting under this member was abandoned by its sender; answer it.
    group.maybeInvokeJoinCallback(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, cb);
    this.maybePrepareRebalance(group, reason);
  }

  private updateStaticMemberAndRebalance(
    group: Group,
    oldMemberId: string,
    newMemberId: string,
    req: JoinGroupRequest,
    cb: (r: JoinResult) => void,
  ): void {
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
          this.reg.deps.log(
            `Static member ${newMemberId} of group ${group.groupId} rejoined during Stable without changing the protocol; no rebalance`,
          );
          if (req.supportSkippingAssignment) {
            // v9+: a returning leader learns it leads but must not run the assignor again.
            const isLeader = group.isLeader(newMemberId);
            group.maybeInvokeJoinCallback(
              member,
              this.joinSuccess(group, newMemberId, isLeader, group.leaderId ?? '', isLeader),
            );
          } else {
            // Answer with the old leader id so a returning leader does not run an assignment a
            // stable group would never hand out.
            group.maybeInvokeJoinCallback(member, this.joinSuccess(group, newMemberId, false, currentLeader));
          }
        } else {
          this.maybePrepareRebalance(
            group,
            `Static member ${newMemberId} with instance id ${req.groupInstanceId} changes the group's protocol; client reason: ${reason}`,
          );
        }
        break;
      }
      case 'CompletingRebalance':
        // The leader may already be assigning under the old member id: start over.
        this.maybePrepareRebalance(
          group,
          `Updating metadata of static member ${newMemberId} with instance id ${req.groupInstanceId}; client reason: ${reason}`,
        );
        break;
      case 'PreparingRebalance':
        // It simply takes part in the rebalance under way.
        break;
      case 'Empty':
      case 'Dead':
        throw new Error(`group ${group.groupId} in state ${group.state} cannot have a static member to replace`);
    }
  }

  private maybePrepareRebalance(group: Group, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.reg.cancelSyncTimer(group);
    const fromEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.reg.clock.now());
    this.reg.deps.log(`Group ${group.groupId} is rebalancing (old generation ${group.generationId}): ${reason}`);
    this.reg.syncStoredInfo(group);
    if (fromEmpty) {
      const delay = this.reg.cfg('group.initial.rebalance.delay.ms');
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
    op.timer = this.reg.clock.setTimer(delayMs, () => this.onJoinTimer(group, op));
  }

  private onJoinTimer(group: Group, op: NonNullable<Group['delayedJoin']>): void {
    if (group.delayedJoin !== op) return;
    if (op.kind === 'initial' && group.newMemberAdded && op.remainingMs !== 0) {
      // Members are still arriving: wait a little longer, up to the rebalance timeout.
      group.newMemberAdded = false;
      const delay = Math.min(this.reg.cfg('group.initial.rebalance.delay.ms'), op.remainingMs);
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
      this.reg.deps.log(
        `Group ${group.groupId} removed dynamic members that did not rejoin: ${dropped.map((m) => m.memberId).join(', ')}`,
      );
      for (const m of dropped) this.dropMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that have not rejoined are left; wait for them or their session timeouts.
      this.reg.deps.log(`Group ${group.groupId} could not complete its rebalance because no member rejoined`);
      this.scheduleJoin(group, 'normal', group.rebalanceTimeoutMs, 0);
      return;
    }
    group.initNextGeneration(this.reg.clock.now());
    this.reg.syncStoredInfo(group);
    if (group.is('Empty')) {
      this.reg.deps.log(`Group ${group.groupId} with generation ${group.generationId} is now empty`);
      return;
    }
    this.reg.deps.log(
      `Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} member(s) (protocol ${group.protocolName})`,
    );
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
    this.reg.cancelSyncTimer(group);
    const generation = group.generationId;
    group.syncTimer = this.reg.clock.setTimer(group.rebalanceTimeoutMs, () => {
      group.syncTimer = null;
      this.onExpirePendingSync(group, generation);
    });
  }

  private onExpirePendingSync(group: Group, generation: number): void {
    if (!this.reg.isCurrent(group) || generation !== group.generationId) return;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSyncMembers.size === 0) return;
    const late = [...group.pendingSyncMembers];
    for (const id of late) {
      const m = group.get(id);
      if (m) this.dropMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
      else group.pendingSyncMembers.delete(id);
    }
    this.prepareRebalance(group, `Removing ${late.join(', ')} on pending sync request expiration`);
  }

  removePendingSyncMember(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.reg.cancelSyncTimer(group);
  }

  private resetAndPropagateAssignmentError(group: Group, error: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, error);
  }

  propagateAssignment(group: Group, error: number): void {
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

  scheduleHeartbeat(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = this.reg.clock.setTimer(timeoutMs, () => {
      member.heartbeatTimer = null;
      this.onExpireHeartbeat(group, member);
    });
  }

  private onExpireHeartbeat(group: Group, member: Member): void {
    if (!this.reg.isCurrent(group) || group.get(member.memberId) !== member) return;
    // Members waiting in a rebalance count as alive, except new ones that never got through one.
    const satisfied = !member.isNew && (member.awaitingJoin || member.awaitingSync);
    if (satisfied) return;
    this.reg.deps.log(
      `Member ${member.memberId} in group ${group.groupId} has failed (session timeout), removing it from the group`,
    );
    this.removeMemberAndUpdateGroup(group, member, `removing member ${member.memberId} on heartbeat expiration`);
  }

  private onExpirePendingMember(group: Group, memberId: string): void {
    if (!this.reg.isCurrent(group) || !group.pendingMembers.has(memberId)) return;
    this.reg.deps.log(
      `Pending member ${memberId} in group ${group.groupId} has been removed after session timeout expiration`,
    );
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

  validateCurrentMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.currentStaticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.reg.deps.log(
          `Request from member ${memberId} with instance id ${groupInstanceId} of group ${group.groupId} is fenced: the instance now belongs to ${current}`,
        );
        return ErrorCode.FENCED_INSTANCE_ID;
      }
      return ErrorCode.NONE;
    }
    return group.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  heartbeat(req: HeartbeatRequest): number {
    const status = this.reg.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return status;
    const group = this.reg.groups.get(req.groupId);
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

  leaveGroup(groupId: string, leaving: LeavingMember[]): LeaveResult {
    const status = this.reg.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    const answer = (m: LeavingMember, errorCode: number) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode,
    });
    const group = this.reg.groups.get(groupId);
    if (!group)
      return { errorCode: ErrorCode.NONE, members: leaving.map((m) => answer(m, ErrorCode.UNKNOWN_MEMBER_ID)) };
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
        this.reg.deps.log(`Pending member ${m.memberId} has left group ${groupId}; client reason: ${reason}`);
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
    this.reg.deps.log(
      `Member ${memberId} has left group ${group.groupId} through explicit LeaveGroup; client reason: ${reason}`,
    );
    this.removeMemberAndUpdateGroup(
      group,
      member,
      `Removing member ${memberId} on LeaveGroup; client reason: ${reason}`,
    );
  }
}
