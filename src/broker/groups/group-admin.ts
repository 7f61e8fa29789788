// The admin calls on groups: describe, list and delete.
import { ErrorCode } from '../../protocol/errors.js';
import type { GroupRegistry } from './group-registry.js';
import { OffsetStoreError } from './offset-store.js';
import type { DescribedGroup, ListedGroup } from './types.js';

const EMPTY = Buffer.alloc(0);

export class GroupAdmin {
  constructor(private readonly reg: GroupRegistry) {}

  describeGroup(groupId: string): DescribedGroup {
    const unavailable = this.reg.closed ? ErrorCode.COORDINATOR_NOT_AVAILABLE : this.reg.ownershipError(groupId);
    if (unavailable !== ErrorCode.NONE) {
      return {
        errorCode: unavailable,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
      };
    }
    const group = this.reg.groups.get(groupId);
    if (!group)
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
      };
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
  listGroups(
    statesFilter: readonly string[] = [],
    typesFilter: readonly string[] = [],
  ): { errorCode: number; groups: ListedGroup[] } {
    if (this.reg.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (typesFilter.length > 0 && !typesFilter.some((t) => t.toLowerCase() === 'classic'))
      return { errorCode: ErrorCode.NONE, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const g of [...this.reg.groups.values()].sort((a, b) =>
      a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0,
    )) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      groups.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: 'classic',
      });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** DeleteGroups: only groups without members can go; their offsets go with them. */
  deleteGroups(groupIds: readonly string[]): Array<{ groupId: string; errorCode: number }> {
    return groupIds.map((groupId) => {
      const status = this.reg.groupStatus(groupId, true);
      if (status !== ErrorCode.NONE) return { groupId, errorCode: status };
      const group = this.reg.groups.get(groupId);
      if (!group || group.is('Dead')) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (!group.is('Empty')) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      if (this.reg.store.has(groupId)) {
        try {
          this.reg.store.write([{ t: 'gd', g: groupId }]);
        } catch (e) {
          if (!(e instanceof OffsetStoreError)) throw e;
          this.reg.deps.log(`Deleting group ${groupId} failed: ${e.message}`);
          return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
        }
      }
      this.reg.removeGroup(group);
      this.reg.deps.log(`Deleted group ${groupId}`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
  }
}
