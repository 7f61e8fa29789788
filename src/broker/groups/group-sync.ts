// SyncGroup: the leader's assignment ends a rebalance (CompletingRebalance -> Stable) and
// every member waiting in SyncGroup gets its share; a member syncing in Stable gets its own at
// once. The answer may wait for the leader, so it is a promise.
import { ErrorCode } from '../../protocol/errors.js';
import { syncError, type Group, type SyncResult } from './group.js';
import type { GroupRegistry } from './group-registry.js';
import type { GroupMembership } from './membership.js';
import type { SyncGroupRequest } from './types.js';

const EMPTY = Buffer.alloc(0);

export class GroupSync {
  constructor(
    private readonly reg: GroupRegistry,
    private readonly membership: GroupMembership,
  ) {}

  syncGroup(req: SyncGroupRequest): Promise<SyncResult> {
    return new Promise((resolve) => this.handleSync(req, resolve));
  }

  private handleSync(req: SyncGroupRequest, cb: (r: SyncResult) => void): void {
    const status = this.reg.groupStatus(req.groupId, false);
    if (status !== ErrorCode.NONE) return cb(syncError(status));
    const group = this.reg.groups.get(req.groupId);
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
        this.membership.removePendingSyncMember(group, member.memberId);
        if (group.isLeader(member.memberId)) {
          this.reg.deps.log(
            `Assignment received from leader ${member.memberId} for group ${group.groupId} generation ${group.generationId}; ${group.size} member(s), ${group.staticMemberCount} static`,
          );
          const given = new Map<string, Buffer>();
          for (const a of req.assignments) given.set(a.memberId, Buffer.from(a.assignment));
          const missing: string[] = [];
          for (const m of group.members.values()) {
            const a = given.get(m.memberId);
            if (a === undefined) missing.push(m.memberId);
            m.assignment = a ?? EMPTY;
          }
          if (missing.length > 0)
            this.reg.deps.log(
              `Leader of group ${group.groupId} gave no assignment to ${missing.join(', ')}; they get an empty one`,
            );
          this.membership.propagateAssignment(group, ErrorCode.NONE);
          group.transitionTo('Stable', this.reg.clock.now());
          this.reg.syncStoredInfo(group);
        }
        return;
      }
      case 'Stable':
        this.membership.removePendingSyncMember(group, member.memberId);
        cb({
          errorCode: ErrorCode.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
        this.membership.scheduleHeartbeat(group, member);
        return;
      case 'Dead':
        return cb(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
  }

  private validateSync(group: Group, req: SyncGroupRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const err = this.membership.validateCurrentMember(group, req.memberId, req.groupInstanceId);
    if (err !== ErrorCode.NONE) return err;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (req.protocolType !== null && req.protocolType !== group.protocolType)
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (req.protocolName !== null && req.protocolName !== group.protocolName)
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }
}
