// The state of one KRaft quorum member: its role (unattached, candidate, leader, follower,
// resigned) and epoch, the transitions between roles, the election and check-quorum timers,
// the high watermark, and the metadata snapshots. The Raft RPCs build on it (raft-peers.ts
// sends them, raft-node.ts answers them).
import { encodeData } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import type { MessageBody } from '../../protocol/types.js';
import { concatChunks } from '../../protocol/writer.js';
import type { LogBatch, RaftLog } from './raft-log.js';
import type { QuorumStateStore } from './quorum-state-store.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotId, type SnapshotStore } from './snapshot.js';
import {
  METADATA_TOPIC,
  API,
  LEADER_CHANGE,
  type RaftClock,
  systemClock,
  type RaftTransport,
  type CommittedBatch,
  type RaftNodeOptions,
  type State,
  type ReplicaState,
  type PendingAppend,
  RaftError,
} from './raft-types.js';

export abstract class RaftState {
  readonly nodeId: number;
  readonly voters: readonly number[];
  readonly clusterId: string;
  protected readonly log: RaftLog;
  protected readonly store: QuorumStateStore;
  protected readonly clock: RaftClock;
  protected readonly transport: RaftTransport;
  protected readonly random: () => number;
  protected readonly electionTimeoutMs: number;
  protected readonly fetchTimeoutMs: number;
  protected readonly electionBackoffMaxMs: number;
  protected readonly retryBackoffMs: number;
  protected readonly fetchMaxWaitMs: number;
  protected readonly logger: (line: string) => void;
  protected readonly onCommit: (batches: CommittedBatch[]) => void;
  protected readonly snapshots: SnapshotStore | undefined;
  protected readonly snapshotBytes: number;
  protected readonly snapshotState: (() => Buffer[]) | undefined;
  protected readonly onSnapshot: (values: Buffer[], id: SnapshotId) => void;
  protected latestSnapshot: SnapshotId | null = null;
  protected bytesSinceSnapshot = 0;
  /** The epoch of the last batch handed to onCommit (a snapshot taken now carries it). */
  protected appliedEpoch = 0;

  protected state: State;
  /** Whom this node voted for, and in which epoch: kept across every role change within that epoch. */
  protected vote: { epoch: number; id: number };
  protected timer: unknown = undefined;
  protected hw = 0;
  /** Next offset to hand to onCommit. */
  protected applied = 0;
  protected pending: PendingAppend[] = [];
  /** Held Fetch requests, woken by an append or a high watermark change. */
  protected waiters = new Set<() => void>();
  protected observers = new Map<number, ReplicaState>();
  protected closed = false;
  protected fetching = false;
  protected discovering = false;
  /** Log end offset and high watermark when held fetches were last woken. */
  protected lastProgress = '';
  protected discoveryIndex = 0;

  constructor(opts: RaftNodeOptions) {
    this.nodeId = opts.nodeId;
    this.voters = [...opts.voters];
    this.clusterId = opts.clusterId;
    this.log = opts.log;
    this.store = opts.stateStore;
    this.clock = opts.clock ?? systemClock;
    this.transport = opts.transport;
    this.random = opts.random ?? Math.random;
    this.electionTimeoutMs = opts.electionTimeoutMs ?? 1000;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 2000;
    this.electionBackoffMaxMs = opts.electionBackoffMaxMs ?? 1000;
    this.retryBackoffMs = opts.retryBackoffMs ?? 20;
    this.fetchMaxWaitMs = opts.fetchMaxWaitMs ?? 500;
    this.logger = opts.logger ?? (() => {});
    this.onCommit = opts.onCommit ?? (() => {});
    this.snapshots = opts.snapshots;
    this.snapshotBytes = opts.snapshotBytes ?? 0;
    this.snapshotState = opts.snapshotState;
    this.onSnapshot = opts.onSnapshot ?? (() => {});
    this.loadLatestSnapshot();
    const saved = this.store.read();
    this.vote = { epoch: saved?.epoch ?? 0, id: saved?.votedId ?? -1 };
    this.state = { kind: 'unattached', epoch: saved?.epoch ?? 0, votedId: saved?.votedId ?? -1 };
  }

  /** A restart begins from the newest snapshot: committed by definition, so applied at once. */
  protected loadLatestSnapshot(): void {
    const snap = this.snapshots?.latest();
    if (!snap) return;
    const { id } = snap;
    if (this.log.endOffset < id.endOffset || this.log.startOffset > id.endOffset)
      this.log.resetTo(id.endOffset, id.epoch);
    else if (this.log.startOffset === id.endOffset) this.log.startEpoch = id.epoch;
    this.latestSnapshot = id;
    this.onSnapshot(decodeSnapshot(snap.bytes), id);
    this.applied = id.endOffset;
    this.hw = id.endOffset;
    this.appliedEpoch = id.epoch;
  }

  /** Once enough has been committed since the last snapshot, write one and drop the log before it. */
  protected maybeSnapshot(): void {
    if (
      !this.snapshots ||
      !this.snapshotState ||
      this.snapshotBytes <= 0 ||
      this.bytesSinceSnapshot < this.snapshotBytes
    )
      return;
    const id = { endOffset: this.applied, epoch: this.appliedEpoch };
    if (this.latestSnapshot && this.latestSnapshot.endOffset >= id.endOffset) return;
    this.snapshots.write({ id, bytes: encodeSnapshot(id, this.snapshotState(), this.clock.now()) });
    this.latestSnapshot = id;
    this.bytesSinceSnapshot = 0;
    this.log.dropPrefix(id.endOffset, id.epoch);
    this.logger(
      `Raft: node ${this.nodeId} wrote snapshot ${id.endOffset}-${id.epoch}; the metadata log now starts at ${id.endOffset}`,
    );
  }

  get epoch(): number {
    return this.state.epoch;
  }

  get role(): State['kind'] {
    return this.state.kind;
  }

  /** The leader this node knows of in its epoch, or -1. */
  get leaderId(): number {
    const s = this.state;
    return s.kind === 'leader' ? this.nodeId : s.kind === 'follower' ? s.leaderId : -1;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get logEndOffset(): number {
    return this.log.endOffset;
  }

  /** Batches in [from, to), for tests and snapshots. */
  batches(from = 0, to = this.log.endOffset): LogBatch[] {
    return this.log.batchesBetween(from, to);
  }

  /** Written before the node acts in its new state: a vote once given survives any crash. */
  protected persist(leaderId: number): void {
    const votedId = this.vote.epoch === this.state.epoch ? this.vote.id : -1;
    this.store.write({ epoch: this.state.epoch, leaderId, votedId });
  }

  protected becomeUnattached(epoch: number): void {
    this.leaveLeadership();
    this.state = { kind: 'unattached', epoch, votedId: this.vote.epoch === epoch ? this.vote.id : -1 };
    this.persist(-1);
    if (!this.isVoter(this.nodeId)) {
      this.discoverLeader();
      return;
    }
    this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
  }

  protected becomeCandidate(): void {
    if (!this.isVoter(this.nodeId)) return;
    this.leaveLeadership();
    const epoch = this.state.epoch + 1;
    this.state = { kind: 'candidate', epoch, granted: new Set([this.nodeId]), rejected: new Set() };
    this.vote = { epoch, id: this.nodeId };
    this.persist(-1);
    this.logger(`Raft: node ${this.nodeId} is a candidate in epoch ${epoch}`);
    if (this.hasMajority(this.state.granted)) {
      this.becomeLeader();
      return;
    }
    this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
    const { endOffset, lastEpoch } = this.log;
    for (const voter of this.otherVoters()) {
      const body = {
        clusterId: this.clusterId,
        voterId: voter,
        topics: [
          {
            topicName: METADATA_TOPIC,
            partitions: [
              {
                partitionIndex: 0,
                candidateEpoch: epoch,
                candidateId: this.nodeId,
                lastOffsetEpoch: lastEpoch,
                lastOffset: endOffset,
              },
            ],
          },
        ],
      };
      this.transport.send(voter, API.Vote, body).then(
        (res) => this.onVoteResponse(epoch, voter, res),
        () => {},
      );
    }
  }

  protected becomeLeader(): void {
    const s = this.state as Extract<State, { kind: 'candidate' }>;
    const epoch = s.epoch;
    const now = this.clock.now();
    const replicas = new Map<number, ReplicaState>();
    for (const v of this.voters)
      replicas.set(v, {
        endOffset: v === this.nodeId ? this.log.endOffset : -1,
        lastFetchMs: v === this.nodeId ? now : -1,
        lastCaughtUpMs: v === this.nodeId ? now : -1,
      });
    const epochStartOffset = this.log.endOffset;
    this.state = {
      kind: 'leader',
      epoch,
      epochStartOffset,
      replicas,
      beginAcked: new Set([this.nodeId]),
      fetchedSinceCheck: new Set([this.nodeId]),
      checkQuorumDeadline: now + this.checkQuorumWindow(),
    };
    this.persist(this.nodeId);
    this.logger(`Raft: node ${this.nodeId} is the leader in epoch ${epoch} (voters ${this.voters.join(',')})`);
    // The leader's first record in its epoch: the high watermark can only advance once a majority
    // has it, so entries of earlier epochs are committed by it and never on their own.
    const value = concatChunks(
      encodeData('LeaderChangeMessage', 0, {
        version: 0,
        leaderId: this.nodeId,
        voters: this.voters.map((voterId) => ({ voterId })),
        grantingVoters: [...s.granted].map((voterId) => ({ voterId })),
      }),
    );
    const key = Buffer.alloc(4);
    key.writeInt16BE(0, 0);
    key.writeInt16BE(LEADER_CHANGE, 2);
    this.log.append(
      encodeRecordBatch({
        records: [{ key, value }],
        baseOffset: epochStartOffset,
        partitionLeaderEpoch: epoch,
        isControl: true,
        now,
      }),
    );
    this.leaderProgress(this.state);
    this.scheduleCheckQuorum(epoch);
    this.sendBeginQuorumEpoch(epoch);
  }

  protected becomeFollower(epoch: number, leaderId: number): void {
    this.leaveLeadership();
    this.state = { kind: 'follower', epoch, leaderId };
    this.persist(leaderId);
    this.logger(`Raft: node ${this.nodeId} follows leader ${leaderId} in epoch ${epoch}`);
    this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    this.fetchLoop();
  }

  protected becomeResigned(): void {
    const s = this.state;
    this.leaveLeadership();
    this.state = { kind: 'resigned', epoch: s.epoch };
    this.logger(
      `Raft: node ${this.nodeId} resigned as leader of epoch ${s.epoch}: a majority of voters stopped fetching`,
    );
    if (s.kind === 'leader') void this.sendEndQuorumEpoch(s.epoch, s.replicas);
    this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
  }

  /** Leaving the leader role fails appends that can no longer be known to commit. */
  protected leaveLeadership(): void {
    if (this.state.kind === 'leader')
      this.failPending('NOT_LEADER_OR_FOLLOWER', `node ${this.nodeId} lost leadership of epoch ${this.state.epoch}`);
  }

  /**
   * A request or response names an epoch. A newer epoch moves this node there, following the
   * leader if one is named. Returns false when the epoch is older (the caller fences it).
   */
  protected observeEpoch(epoch: number, leaderId: number): boolean {
    const s = this.state;
    if (epoch < s.epoch) return false;
    if (epoch > s.epoch) {
      if (leaderId >= 0 && leaderId !== this.nodeId) this.becomeFollower(epoch, leaderId);
      else this.becomeUnattached(epoch);
      return true;
    }
    if (leaderId >= 0 && leaderId !== this.nodeId && (s.kind === 'unattached' || s.kind === 'candidate'))
      this.becomeFollower(epoch, leaderId);
    return true;
  }

  protected randomElectionTimeout(): number {
    return this.electionTimeoutMs + Math.floor(this.random() * this.electionTimeoutMs);
  }

  protected resetTimer(ms: number, fn: () => void): void {
    this.clearTimer();
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) fn();
    }, ms);
  }

  protected clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected onElectionTimeout(): void {
    if (!this.isVoter(this.nodeId)) return;
    const s = this.state;
    if (s.kind === 'candidate') {
      // Lost or split vote: back off a random while so two candidates stop colliding.
      const backoff = Math.floor(this.random() * this.electionBackoffMaxMs);
      this.resetTimer(backoff, () => this.becomeCandidate());
      return;
    }
    this.becomeCandidate();
  }

  protected onFetchTimeout(epoch: number): void {
    if (this.state.kind === 'follower' && this.state.epoch === epoch) {
      this.logger(
        `Raft: node ${this.nodeId} heard nothing from leader ${this.state.leaderId} for ${this.fetchTimeoutMs} ms`,
      );
      if (this.isVoter(this.nodeId)) this.becomeCandidate();
      else this.becomeUnattached(epoch);
    }
  }

  protected checkQuorumWindow(): number {
    return Math.floor(this.fetchTimeoutMs * 1.5);
  }

  /**
   * Kafka's check-quorum: the deadline moves on each time a majority of voters has fetched since it
   * last moved; a leader that reaches it has been cut off from a majority and resigns.
   */
  protected scheduleCheckQuorum(epoch: number): void {
    const s = this.state;
    if (s.kind !== 'leader' || s.epoch !== epoch) return;
    this.resetTimer(Math.max(0, s.checkQuorumDeadline - this.clock.now()), () => {
      const cur = this.state;
      if (cur.kind !== 'leader' || cur.epoch !== epoch) return;
      if (this.clock.now() >= cur.checkQuorumDeadline && this.voters.length > 1) this.becomeResigned();
      else this.scheduleCheckQuorum(epoch);
    });
  }

  protected isVoter(id: number): boolean {
    return this.voters.includes(id);
  }

  protected otherVoters(): number[] {
    return this.voters.filter((v) => v !== this.nodeId);
  }

  protected hasMajority(ids: Set<number>): boolean {
    let n = 0;
    for (const v of this.voters) if (ids.has(v)) n++;
    return n * 2 > this.voters.length;
  }

  protected failPending(error: keyof typeof ErrorCode, message: string): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(new RaftError(error, message));
  }

  protected wakeWaiters(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** Recomputes the leader's high watermark: the largest offset a majority of voters has. */
  protected leaderProgress(s: Extract<State, { kind: 'leader' }>): void {
    const now = this.clock.now();
    const self = s.replicas.get(this.nodeId)!;
    self.endOffset = this.log.endOffset;
    self.lastFetchMs = now;
    self.lastCaughtUpMs = now;
    const offsets = this.voters.map((v) => s.replicas.get(v)?.endOffset ?? -1).sort((a, b) => b - a);
    const majorityOffset = offsets[Math.floor(this.voters.length / 2)]!;
    if (majorityOffset > s.epochStartOffset && majorityOffset > this.hw) this.advanceHighWatermark(majorityOffset);
    // Held fetches are only worth answering when there is something new for them: waking them on
    // every fetch would have the followers ping-pong empty fetches at full speed.
    const progress = `${this.log.endOffset}/${this.hw}`;
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.wakeWaiters();
    }
  }

  protected advanceHighWatermark(hw: number): void {
    if (hw <= this.hw) return;
    this.hw = hw;
    const committed = this.log.batchesBetween(this.applied, hw);
    if (committed.length > 0) {
      this.applied = committed[committed.length - 1]!.lastOffset + 1;
      const out: CommittedBatch[] = [];
      for (const b of committed) {
        this.bytesSinceSnapshot += b.bytes.length;
        this.appliedEpoch = b.epoch;
        const [decoded] = decodeBatches(b.bytes);
        out.push({
          baseOffset: b.baseOffset,
          lastOffset: b.lastOffset,
          epoch: b.epoch,
          isControl: decoded!.header.isControl,
          values: decoded!.records.map((r) => r.value ?? Buffer.alloc(0)),
        });
      }
      this.onCommit(out);
      this.maybeSnapshot();
    }
    const done = this.pending.filter((p) => p.lastOffset < hw);
    this.pending = this.pending.filter((p) => p.lastOffset >= hw);
    for (const p of done) p.resolve(p.lastOffset);
  }

  // The requests a role change sends (raft-peers.ts).
  protected abstract sendBeginQuorumEpoch(epoch: number): void;
  protected abstract sendEndQuorumEpoch(epoch: number, replicas: ReadonlyMap<number, ReplicaState>): Promise<void>;
  protected abstract onVoteResponse(epoch: number, voter: number, res: MessageBody): void;
  protected abstract fetchLoop(): void;
  protected abstract discoverLeader(): void;
}
