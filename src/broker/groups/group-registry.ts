// The state the group coordinator's parts share: every group, the durable offset store,
// the clock, and the small operations on them that membership, offsets and the admin
// calls all need (create, remove, keep the stored group info current).
import { join } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import { systemClock, type Clock } from './clock.js';
import { Group, joinError, syncError } from './group.js';
import { groupOp, OffsetStore, OffsetStoreError, type CommittedOffset, type StoredGroupInfo } from './offset-store.js';
import { restoreGroup, sameSnapshot, snapshotOf } from './group-snapshot.js';
import { ReplicatedOffsets } from './replicated-offsets.js';
import { OFFSETS_STATE_DIR, type CoordinatorDeps } from './types.js';

const CONFIG_DEFAULTS: Record<string, number> = {
  'group.initial.rebalance.delay.ms': 3000,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1800000,
  'group.max.size': 2147483647,
  'offsets.retention.minutes': 10080,
  'offsets.retention.check.interval.ms': 600000,
};

export class GroupRegistry {
  readonly groups = new Map<string, Group>();
  readonly store: OffsetStore;
  readonly clock: Clock;
  readonly deps: CoordinatorDeps;
  /** On a cluster: the __consumer_offsets partitions this broker leads hold the groups it coordinates. */
  readonly replicated: ReplicatedOffsets | null;
  closed = false;

  constructor(deps: CoordinatorDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    if (deps.replicated) {
      const replicated = new ReplicatedOffsets(deps.replicated);
      this.replicated = replicated;
      this.store = OffsetStore.detached((ops, store) => replicated.persist(ops, store), { fs: deps.fs, log: deps.log });
      return;
    }
    this.replicated = null;
    this.store = OffsetStore.open({
      dir: join(deps.dataDir, OFFSETS_STATE_DIR),
      fs: deps.fs,
      log: deps.log,
      compactMinBytes: deps.store?.compactMinBytes,
      compactRatio: deps.store?.compactRatio,
    });
    const loaded = this.adoptStoredGroups(this.store.groupIds()).length;
    if (loaded > 0) this.deps.log(`Loaded committed offsets of ${loaded} group(s)`);
  }

  /** Live groups for stored ones that have none yet (Stable with their members when stored so); the new groups. */
  private adoptStoredGroups(ids: Iterable<string>): Group[] {
    const now = this.clock.now();
    const made: Group[] = [];
    for (const id of ids) {
      if (this.groups.has(id)) continue;
      const info = this.store.info(id);
      const group = new Group(id, info?.emptySince ?? now);
      group.protocolType = info?.protocolType ?? null;
      if (info?.snapshot && info.snapshot.ms.length > 0) restoreGroup(group, info.snapshot, group.protocolType, now);
      this.groups.set(id, group);
      made.push(group);
    }
    return made;
  }

  /** This broker now leads `partition` of __consumer_offsets: its groups are coordinated here. The groups loaded. */
  loadPartition(partition: number): Group[] {
    if (!this.replicated || this.closed) return [];
    const ops = this.replicated.load(partition);
    this.store.replay(ops);
    const ids = this.store.groupIds().filter((g) => this.replicated!.partitionOf(g) === partition);
    const made = this.adoptStoredGroups(ids);
    const stable = made.filter((g) => g.is('Stable')).length;
    this.deps.log(
      `Loaded ${made.length} group(s), ${stable} with members, from __consumer_offsets-${partition} (${ops.length} record(s))`,
    );
    return made;
  }

  /** This broker no longer leads `partition`: its groups' members must find the new coordinator. */
  unloadPartition(partition: number): void {
    if (!this.replicated || !this.replicated.unload(partition)) return;
    const ids = new Set<string>();
    for (const id of [...this.groups.keys(), ...this.store.groupIds()])
      if (this.replicated.partitionOf(id) === partition) ids.add(id);
    for (const id of ids) {
      const group = this.groups.get(id);
      if (group) {
        for (const m of [...group.members.values()]) {
          group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
          group.maybeInvokeSyncCallback(m, syncError(ErrorCode.NOT_COORDINATOR));
        }
        this.cancelGroupTimers(group);
        this.groups.delete(id);
      }
    }
    this.store.forget(ids);
    if (ids.size > 0) this.deps.log(`Unloaded ${ids.size} group(s) of __consumer_offsets-${partition}`);
  }

  /** NOT_COORDINATOR when another broker coordinates the group (on a cluster). */
  ownershipError(groupId: string): number {
    return this.replicated && !this.replicated.owns(groupId) ? ErrorCode.NOT_COORDINATOR : ErrorCode.NONE;
  }

  /**
   * The error every group API gives before looking at the group: the coordinator is shut
   * down, or the group id is empty (allowed only where Kafka allows it).
   */
  groupStatus(groupId: string | null, emptyAllowed: boolean): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === null || (!emptyAllowed && groupId === '')) return ErrorCode.INVALID_GROUP_ID;
    return this.ownershipError(groupId);
  }

  cfg(name: string): number {
    try {
      const v = this.deps.config.int(name);
      if (Number.isFinite(v)) return v;
    } catch {
      // Not a known setting here: the default applies.
    }
    return CONFIG_DEFAULTS[name] ?? 0;
  }

  createGroup(groupId: string): Group {
    const group = new Group(groupId, this.clock.now());
    this.groups.set(groupId, group);
    return group;
  }

  isCurrent(group: Group): boolean {
    return !this.closed && this.groups.get(group.groupId) === group && !group.is('Dead');
  }

  removeGroup(group: Group): void {
    group.transitionTo('Dead', this.clock.now());
    this.cancelGroupTimers(group);
    this.groups.delete(group.groupId);
  }

  maybeRemoveEmptyGroup(group: Group): void {
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

  cancelGroupTimers(group: Group): void {
    group.delayedJoin?.timer.cancel();
    group.delayedJoin = null;
    this.cancelSyncTimer(group);
    for (const id of [...group.pendingMembers.keys()]) group.removePending(id);
    for (const m of group.members.values()) {
      m.heartbeatTimer?.cancel();
      m.heartbeatTimer = null;
    }
  }

  cancelSyncTimer(group: Group): void {
    group.syncTimer?.cancel();
    group.syncTimer = null;
  }

  desiredInfo(group: Group): StoredGroupInfo {
    return {
      protocolType: group.protocolType,
      emptySince: group.is('Empty') ? group.stateTimestamp : null,
      // A cluster keeps the members, so a new coordinator takes the group over as it is.
      snapshot: this.replicated ? snapshotOf(group) : null,
    };
  }

  /**
   * Keeps the stored protocol type and empty-since time of a group with offsets current; on a
   * cluster also its generation and members, for every group.
   */
  syncStoredInfo(group: Group): void {
    const info = this.desiredInfo(group);
    if (!this.store.has(group.groupId) && !info.snapshot) return;
    if (sameInfo(this.store.info(group.groupId), info)) return;
    try {
      this.store.write([groupOp(group.groupId, info)]);
    } catch (e) {
      if (!(e instanceof OffsetStoreError)) throw e;
      this.deps.log(`Storing state of group ${group.groupId} failed: ${e.message}`);
    }
  }

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
}

export function sameInfo(a: StoredGroupInfo | null, b: StoredGroupInfo): boolean {
  return (
    a !== null &&
    a.protocolType === b.protocolType &&
    a.emptySince === b.emptySince &&
    sameSnapshot(a.snapshot, b.snapshot)
  );
}
