// Committed offsets of groups: commit (plain and transactional), fetch, delete, the
// retention that expires them, and forgetting a deleted topic's offsets.
import { ErrorCode } from '../../protocol/errors.js';
import { Group } from './group.js';
import { sameInfo, type GroupRegistry } from './group-registry.js';
import type { GroupMembership } from './membership.js';
import { groupOp, OffsetStoreError, type CommittedOffset, type StoreOp } from './offset-store.js';
import {
  MAX_OFFSET_METADATA_LENGTH,
  type CommitPartition,
  type CommitRequest,
  type FetchedPartition,
  type FetchResult,
  type OffsetDeleteResult,
  type TopicPartitionErrors,
} from './types.js';

export class OffsetCommits {
  private retentionTimer: { cancel(): void } | null = null;

  constructor(
    private readonly reg: GroupRegistry,
    private readonly membership: GroupMembership,
  ) {}

  /** Stops the retention checks. */
  stopRetention(): void {
    this.retentionTimer?.cancel();
    this.retentionTimer = null;
  }

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
        if (!this.reg.deps.partitionExists(t.name, p.partitionIndex))
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else valid.push({ topic: t.name, p, out });
      });
    });
    if (valid.length === 0) return errors;
    const setAll = (code: number) => {
      for (const v of valid) v.out.errorCode = code;
      return errors;
    };
    if (this.reg.closed) return setAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const notHere = this.reg.ownershipError(req.groupId);
    if (notHere !== ErrorCode.NONE) return setAll(notHere);
    let group = this.reg.groups.get(req.groupId);
    if (!group) {
      // Only a commit outside group management (generation -1) may create a group.
      if (req.generationId >= 0) return setAll(ErrorCode.ILLEGAL_GENERATION);
      group = this.reg.createGroup(req.groupId);
    }
    const err = this.validateOffsetCommit(group, req);
    if (err !== ErrorCode.NONE) return setAll(err);
    switch (group.state) {
      case 'Empty':
        break;
      case 'Stable':
      case 'PreparingRebalance':
        // Commits still count as liveness; the heartbeat tells about a rebalance.
        this.membership.scheduleHeartbeat(group, group.get(req.memberId)!);
        break;
      case 'CompletingRebalance':
        return setAll(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Dead':
        return setAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const now = this.reg.clock.now();
    const retention = req.retentionTimeMs ?? -1;
    const fits = (p: CommitPartition) =>
      p.committedMetadata === null || p.committedMetadata.length <= MAX_OFFSET_METADATA_LENGTH;
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
      ops.push({
        t: 'o',
        g: group.groupId,
        tp: v.topic,
        p: v.p.partitionIndex,
        o: committed.offset,
        e: committed.leaderEpoch,
        m: committed.metadata,
        c: committed.commitTimestamp,
        x: committed.expireTimestamp,
      });
    }
    let code: number = ErrorCode.NONE;
    if (ops.length > 0) {
      const info = this.reg.desiredInfo(group);
      if (!sameInfo(this.reg.store.info(group.groupId), info)) ops.unshift(groupOp(group.groupId, info));
      try {
        this.reg.store.write(ops);
      } catch (e) {
        if (!(e instanceof OffsetStoreError)) throw e;
        this.reg.deps.log(`Storing offsets of group ${group.groupId} failed: ${e.message}`);
        code = ErrorCode.NOT_COORDINATOR;
      }
    }
    for (const v of valid) v.out.errorCode = fits(v.p) ? code : ErrorCode.OFFSET_METADATA_TOO_LARGE;
    return errors;
  }

  private validateOffsetCommit(group: Group, req: CommitRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const err = this.membership.validateCurrentMember(group, req.memberId, req.groupInstanceId);
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
  validateTxnOffsetCommit(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
  ): number {
    if (this.reg.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const notHere = this.reg.ownershipError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.reg.groups.get(groupId);
    if (!group) return generationId >= 0 ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && memberId === '' && groupInstanceId === null) return ErrorCode.NONE;
    return this.validateOffsetCommit(group, { groupId, generationId, memberId, groupInstanceId, topics: [] });
  }

  /** Offsets of a committed transaction becoming visible; throws OffsetStoreError when they cannot be stored. */
  applyTxnOffsets(
    groupId: string,
    offsets: ReadonlyArray<{
      topic: string;
      partition: number;
      offset: number;
      leaderEpoch: number;
      metadata: string;
      commitTimestamp: number;
    }>,
  ): void {
    if (offsets.length === 0) return;
    const group = this.reg.groups.get(groupId) ?? this.reg.createGroup(groupId);
    const ops: StoreOp[] = offsets.map((o) => ({
      t: 'o',
      g: groupId,
      tp: o.topic,
      p: o.partition,
      o: o.offset,
      e: o.leaderEpoch,
      m: o.metadata,
      c: o.commitTimestamp,
      x: -1,
    }));
    const info = this.reg.desiredInfo(group);
    if (!sameInfo(this.reg.store.info(groupId), info)) ops.unshift(groupOp(groupId, info));
    this.reg.store.write(ops);
  }

  /**
   * OffsetFetch for one group. `topics` null means every committed offset. Partitions with
   * nothing committed read as offset -1 with empty metadata.
   */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null): FetchResult {
    if (this.reg.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    const notHere = this.reg.ownershipError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] };
    const group = this.reg.groups.get(groupId);
    const known = group !== undefined && !group.is('Dead');
    const read = (topic: string, partitionIndex: number): FetchedPartition => {
      const c = known ? this.reg.store.get(groupId, topic, partitionIndex) : undefined;
      return c
        ? {
            partitionIndex,
            committedOffset: c.offset,
            committedLeaderEpoch: c.leaderEpoch,
            metadata: c.metadata,
            errorCode: ErrorCode.NONE,
          }
        : { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
    };
    if (topics !== null) {
      return {
        errorCode: ErrorCode.NONE,
        topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => read(t.name, p)) })),
      };
    }
    if (!known) return { errorCode: ErrorCode.NONE, topics: [] };
    const all = [...this.reg.store.offsets(groupId)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      errorCode: ErrorCode.NONE,
      topics: all.map(([name, parts]) => ({
        name,
        partitions: [...parts.keys()].sort((a, b) => a - b).map((p) => read(name, p)),
      })),
    };
  }

  /** OffsetDelete: drops committed offsets of partitions the group does not consume now. */
  deleteOffsets(
    groupId: string,
    topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
  ): OffsetDeleteResult {
    const status = this.reg.groupStatus(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, topics: [] };
    const group = this.reg.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const out = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
    }));
    const candidates: Array<{ topic: string; partition: number; out: { errorCode: number } }> = [];
    topics.forEach((t, ti) => {
      t.partitions.forEach((p, pi) => {
        const o = out[ti]!.partitions[pi]!;
        if (!this.reg.deps.partitionExists(t.name, p.partitionIndex))
          o.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
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
        if (this.reg.store.get(groupId, c.topic, c.partition))
          ops.push({ t: 'od', g: groupId, tp: c.topic, p: c.partition });
      }
      try {
        this.reg.store.write(ops);
      } catch (e) {
        if (!(e instanceof OffsetStoreError)) throw e;
        this.reg.deps.log(`Deleting offsets of group ${groupId} failed: ${e.message}`);
        for (const c of eligible) c.out.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        return { errorCode: ErrorCode.NONE, topics: out };
      }
      this.reg.deps.log(`Deleted ${ops.length} committed offset(s) of group ${groupId}`);
      this.reg.maybeRemoveEmptyGroup(group);
    }
    return { errorCode: ErrorCode.NONE, topics: out };
  }

  /** Forgets every committed offset of a deleted topic, durably. */
  onTopicDeleted(topic: string): void {
    const affected = [...this.reg.groups.values()].filter((g) => this.reg.store.offsets(g.groupId).has(topic));
    if (affected.length === 0) return;
    try {
      this.reg.store.write([{ t: 'td', tp: topic }]);
    } catch (e) {
      if (!(e instanceof OffsetStoreError)) throw e;
      this.reg.deps.log(`Dropping committed offsets of deleted topic ${topic} failed: ${e.message}`);
      return;
    }
    this.reg.deps.log(`Dropped committed offsets of deleted topic ${topic} from ${affected.length} group(s)`);
    for (const g of affected) this.reg.maybeRemoveEmptyGroup(g);
  }

  /**
   * Expires offsets past `offsets.retention.minutes` (runs every
   * `offsets.retention.check.interval.ms`; public for tests). Returns how many expired.
   */
  expireOffsets(): number {
    if (this.reg.closed) return 0;
    const now = this.reg.clock.now();
    const retentionMs = this.reg.cfg('offsets.retention.minutes') * 60_000;
    let removed = 0;
    for (const group of [...this.reg.groups.values()]) {
      const expired = this.expiredOffsets(group, now, retentionMs);
      if (expired.length > 0) {
        try {
          this.reg.store.write(expired.map(([tp, p]) => ({ t: 'od' as const, g: group.groupId, tp, p })));
          removed += expired.length;
        } catch (e) {
          if (!(e instanceof OffsetStoreError)) throw e;
          this.reg.deps.log(`Expiring offsets of group ${group.groupId} failed: ${e.message}`);
          continue;
        }
      }
      this.reg.maybeRemoveEmptyGroup(group);
    }
    if (removed > 0) this.reg.deps.log(`Expired ${removed} committed offset(s)`);
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
    for (const [topic, parts] of this.reg.store.offsets(group.groupId)) {
      if (keep?.has(topic)) continue;
      for (const [p, c] of parts) {
        const expired = c.expireTimestamp !== -1 ? now >= c.expireTimestamp : now - base(c) >= retentionMs;
        if (expired) out.push([topic, p]);
      }
    }
    return out;
  }

  scheduleRetention(): void {
    const interval = Math.max(1, this.reg.cfg('offsets.retention.check.interval.ms'));
    this.retentionTimer = this.reg.clock.setTimer(interval, () => {
      if (this.reg.closed) return;
      try {
        this.expireOffsets();
      } catch (e) {
        this.reg.deps.log(`Offset retention check failed: ${(e as Error).message}`);
      }
      this.scheduleRetention();
    });
  }
}
