// One member of the KRaft quorum for __cluster_metadata-0, following Kafka's KafkaRaftClient:
// voters elect a leader with Vote at a new epoch (randomized election timeouts), the leader announces
// itself with BeginQuorumEpoch and writes a LEADER_CHANGE control record, followers pull the log with
// Fetch (the leader answers log mismatches with a diverging epoch, the follower truncates and
// fetches again), and the high watermark is the offset a majority of voters has. A leader that a
// majority stops fetching from resigns, so a minority never accepts metadata changes.
//
// Time and the network are injected (RaftClock, RaftTransport) so elections can be driven
// deterministically in unit tests; every state change happens synchronously inside one event, and a
// response is only acted on if the node is still in the state (and epoch) that sent the request.
import { encodeData } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import type { MessageBody } from '../../protocol/types.js';
import { concatChunks } from '../../protocol/writer.js';
import type { LogBatch, RaftLog } from './raft-log.js';
import type { QuorumStateStore } from './quorum-state-store.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotId, type SnapshotStore } from './snapshot.js';

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
  // IncrementalAlterConfigs (topics), AlterPartition, AllocateProducerIds and ElectLeaders.
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
};

/** ControlRecordType.LEADER_CHANGE. */
const LEADER_CHANGE = 2;

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

type State =
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

interface ReplicaState {
  endOffset: number;
  lastFetchMs: number;
  lastCaughtUpMs: number;
  /** The high watermark this replica was last told; a newer one is news worth answering at once. */
  sentHighWatermark?: number;
}

interface PendingAppend {
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

const errorCode = (name: keyof typeof ErrorCode): number => ErrorCode[name];

export class RaftNode {
  readonly nodeId: number;
  readonly voters: readonly number[];
  readonly clusterId: string;
  private readonly log: RaftLog;
  private readonly store: QuorumStateStore;
  private readonly clock: RaftClock;
  private readonly transport: RaftTransport;
  private readonly random: () => number;
  private readonly electionTimeoutMs: number;
  private readonly fetchTimeoutMs: number;
  private readonly electionBackoffMaxMs: number;
  private readonly retryBackoffMs: number;
  private readonly fetchMaxWaitMs: number;
  private readonly logger: (line: string) => void;
  private readonly onCommit: (batches: CommittedBatch[]) => void;
  private readonly snapshots: SnapshotStore | undefined;
  private readonly snapshotBytes: number;
  private readonly snapshotState: (() => Buffer[]) | undefined;
  private readonly onSnapshot: (values: Buffer[], id: SnapshotId) => void;
  private latestSnapshot: SnapshotId | null = null;
  private bytesSinceSnapshot = 0;
  /** The epoch of the last batch handed to onCommit (a snapshot taken now carries it). */
  private appliedEpoch = 0;

  private state: State;
  /** Whom this node voted for, and in which epoch: kept across every role change within that epoch. */
  private vote: { epoch: number; id: number };
  private timer: unknown = undefined;
  private hw = 0;
  /** Next offset to hand to onCommit. */
  private applied = 0;
  private pending: PendingAppend[] = [];
  /** Held Fetch requests, woken by an append or a high watermark change. */
  private waiters = new Set<() => void>();
  private observers = new Map<number, ReplicaState>();
  private closed = false;
  private fetching = false;
  private discovering = false;
  /** Log end offset and high watermark when held fetches were last woken. */
  private lastProgress = '';
  private discoveryIndex = 0;

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

  // ------------------------------------------------------------------ snapshots

  /** A restart begins from the newest snapshot: committed by definition, so applied at once. */
  private loadLatestSnapshot(): void {
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
  private maybeSnapshot(): void {
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

  /** A follower behind the leader's log start downloads the leader's snapshot (FetchSnapshot) and starts over from it. */
  private async fetchSnapshot(epoch: number, leaderId: number, id: SnapshotId): Promise<boolean> {
    const parts: Buffer[] = [];
    let position = 0;
    let size = -1;
    while (size < 0 || position < size) {
      let res: MessageBody;
      try {
        res = await this.transport.send(leaderId, API.FetchSnapshot, {
          clusterId: this.clusterId,
          replicaId: this.nodeId,
          maxBytes: 1024 * 1024,
          topics: [
            {
              name: METADATA_TOPIC,
              partitions: [{ partition: 0, currentLeaderEpoch: epoch, snapshotId: id, position }],
            },
          ],
        });
      } catch {
        return false;
      }
      const s = this.state;
      if (s.kind !== 'follower' || s.epoch !== epoch || s.leaderId !== leaderId || this.closed) return true;
      const p = res.topics?.[0]?.partitions?.[0];
      if (res.errorCode !== 0 || !p || p.errorCode !== 0 || p.position !== position) return false;
      size = p.size;
      if (p.unalignedRecords.length === 0 && position < size) return false;
      parts.push(Buffer.from(p.unalignedRecords));
      position += p.unalignedRecords.length;
      this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    }
    const bytes = Buffer.concat(parts);
    let values: Buffer[];
    try {
      values = decodeSnapshot(bytes);
    } catch (err) {
      this.logger(`Raft: node ${this.nodeId} got a bad snapshot from leader ${leaderId}: ${(err as Error).message}`);
      return false;
    }
    this.snapshots?.write({ id, bytes });
    this.latestSnapshot = id;
    this.log.resetTo(id.endOffset, id.epoch);
    this.onSnapshot(values, id);
    this.applied = id.endOffset;
    this.appliedEpoch = id.epoch;
    this.hw = Math.max(this.hw, id.endOffset);
    this.bytesSinceSnapshot = 0;
    this.logger(
      `Raft: node ${this.nodeId} loaded snapshot ${id.endOffset}-${id.epoch} (${bytes.length} bytes) from leader ${leaderId}`,
    );
    return true;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Starts at the persisted epoch. A voter that was leader comes back unattached (its followers may
   * have moved on); a single voter elects itself at once.
   */
  start(): void {
    const saved = this.store.read();
    if (!this.isVoter(this.nodeId)) {
      this.state = { kind: 'unattached', epoch: saved?.epoch ?? 0, votedId: -1 };
      this.discoverLeader();
      return;
    }
    if (saved && saved.leaderId >= 0 && saved.leaderId !== this.nodeId && this.isVoter(saved.leaderId)) {
      this.becomeFollower(saved.epoch, saved.leaderId);
    } else if (this.voters.length === 1 && this.isVoter(this.nodeId)) {
      this.becomeCandidate();
    } else {
      this.state = { kind: 'unattached', epoch: saved?.epoch ?? 0, votedId: saved?.votedId ?? -1 };
      this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
    }
  }

  /** Graceful: a leader tells the voters to elect someone else now (EndQuorumEpoch). */
  async close(): Promise<void> {
    if (this.closed) return;
    const s = this.state;
    if (s.kind === 'leader') {
      this.state = { kind: 'resigned', epoch: s.epoch };
      this.failPending('NOT_LEADER_OR_FOLLOWER', 'the leader is shutting down');
      await Promise.race([
        this.sendEndQuorumEpoch(s.epoch, s.replicas),
        new Promise<void>((r) => this.clock.setTimeout(r, 500)),
      ]);
    }
    this.closed = true;
    this.clearTimer();
    this.wakeWaiters();
    this.failPending('NOT_LEADER_OR_FOLLOWER', 'the quorum member is shutting down');
  }

  /** A crash, for tests: stops at once, telling nobody. */
  halt(): void {
    this.closed = true;
    this.clearTimer();
    this.wakeWaiters();
    this.failPending('NOT_LEADER_OR_FOLLOWER', 'the quorum member stopped');
  }

  /** Serves one Raft RPC; `undefined` for an API this node does not answer. */
  handle(apiKey: number, body: MessageBody): object | Promise<object> | undefined {
    switch (apiKey) {
      case API.Vote:
        return this.handleVote(body);
      case API.BeginQuorumEpoch:
        return this.handleBeginQuorumEpoch(body);
      case API.EndQuorumEpoch:
        return this.handleEndQuorumEpoch(body);
      case API.Fetch:
        return this.handleFetch(body);
      case API.DescribeQuorum:
        return this.handleDescribeQuorum();
      case API.FetchSnapshot:
        return this.handleFetchSnapshot(body);
      default:
        return undefined;
    }
  }

  // ------------------------------------------------------------------ observation

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

  // ------------------------------------------------------------------ appends (leader)

  /**
   * Appends encoded metadata records as one batch at the current epoch. Resolves with the batch's
   * last offset once a majority has it (the high watermark passed it); rejects with
   * NOT_LEADER_OR_FOLLOWER when this node is not the leader or loses leadership first.
   */
  append(values: readonly Buffer[]): Promise<number> {
    const s = this.state;
    if (this.closed || s.kind !== 'leader') {
      return Promise.reject(
        new RaftError('NOT_LEADER_OR_FOLLOWER', `node ${this.nodeId} is not the active controller`),
      );
    }
    const batch = encodeRecordBatch({
      records: values.map((value) => ({ key: null, value })),
      baseOffset: this.log.endOffset,
      partitionLeaderEpoch: s.epoch,
      now: this.clock.now(),
    });
    const [added] = this.log.append(batch);
    const promise = new Promise<number>((resolve, reject) => {
      this.pending.push({ lastOffset: added!.lastOffset, epoch: s.epoch, resolve, reject });
    });
    this.leaderProgress(s);
    return promise;
  }

  // ------------------------------------------------------------------ transitions

  /** Written before the node acts in its new state: a vote once given survives any crash. */
  private persist(leaderId: number): void {
    const votedId = this.vote.epoch === this.state.epoch ? this.vote.id : -1;
    this.store.write({ epoch: this.state.epoch, leaderId, votedId });
  }

  private becomeUnattached(epoch: number): void {
    this.leaveLeadership();
    this.state = { kind: 'unattached', epoch, votedId: this.vote.epoch === epoch ? this.vote.id : -1 };
    this.persist(-1);
    if (!this.isVoter(this.nodeId)) {
      this.discoverLeader();
      return;
    }
    this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
  }

  private becomeCandidate(): void {
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

  private becomeLeader(): void {
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

  private becomeFollower(epoch: number, leaderId: number): void {
    this.leaveLeadership();
    this.state = { kind: 'follower', epoch, leaderId };
    this.persist(leaderId);
    this.logger(`Raft: node ${this.nodeId} follows leader ${leaderId} in epoch ${epoch}`);
    this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    this.fetchLoop();
  }

  private becomeResigned(): void {
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
  private leaveLeadership(): void {
    if (this.state.kind === 'leader')
      this.failPending('NOT_LEADER_OR_FOLLOWER', `node ${this.nodeId} lost leadership of epoch ${this.state.epoch}`);
  }

  /**
   * A request or response names an epoch. A newer epoch moves this node there, following the
   * leader if one is named. Returns false when the epoch is older (the caller fences it).
   */
  private observeEpoch(epoch: number, leaderId: number): boolean {
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

  // ------------------------------------------------------------------ timers

  private randomElectionTimeout(): number {
    return this.electionTimeoutMs + Math.floor(this.random() * this.electionTimeoutMs);
  }

  private resetTimer(ms: number, fn: () => void): void {
    this.clearTimer();
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onElectionTimeout(): void {
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

  private onFetchTimeout(epoch: number): void {
    if (this.state.kind === 'follower' && this.state.epoch === epoch) {
      this.logger(
        `Raft: node ${this.nodeId} heard nothing from leader ${this.state.leaderId} for ${this.fetchTimeoutMs} ms`,
      );
      if (this.isVoter(this.nodeId)) this.becomeCandidate();
      else this.becomeUnattached(epoch);
    }
  }

  private checkQuorumWindow(): number {
    return Math.floor(this.fetchTimeoutMs * 1.5);
  }

  /**
   * Kafka's check-quorum: the deadline moves on each time a majority of voters has fetched since it
   * last moved; a leader that reaches it has been cut off from a majority and resigns.
   */
  private scheduleCheckQuorum(epoch: number): void {
    const s = this.state;
    if (s.kind !== 'leader' || s.epoch !== epoch) return;
    this.resetTimer(Math.max(0, s.checkQuorumDeadline - this.clock.now()), () => {
      const cur = this.state;
      if (cur.kind !== 'leader' || cur.epoch !== epoch) return;
      if (this.clock.now() >= cur.checkQuorumDeadline && this.voters.length > 1) this.becomeResigned();
      else this.scheduleCheckQuorum(epoch);
    });
  }

  // ------------------------------------------------------------------ helpers

  private isVoter(id: number): boolean {
    return this.voters.includes(id);
  }

  private otherVoters(): number[] {
    return this.voters.filter((v) => v !== this.nodeId);
  }

  private hasMajority(ids: Set<number>): boolean {
    let n = 0;
    for (const v of this.voters) if (ids.has(v)) n++;
    return n * 2 > this.voters.length;
  }

  private failPending(error: keyof typeof ErrorCode, message: string): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(new RaftError(error, message));
  }

  private wakeWaiters(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** Recomputes the leader's high watermark: the largest offset a majority of voters has. */
  private leaderProgress(s: Extract<State, { kind: 'leader' }>): void {
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

  private advanceHighWatermark(hw: number): void {
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

  // ------------------------------------------------------------------ outbound requests

  private sendBeginQuorumEpoch(epoch: number): void {
    const s = this.state;
    if (s.kind !== 'leader' || s.epoch !== epoch) return;
    for (const voter of this.otherVoters()) {
      if (s.beginAcked.has(voter)) continue;
      const body = {
        clusterId: this.clusterId,
        voterId: voter,
        topics: [
          { topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, leaderId: this.nodeId, leaderEpoch: epoch }] },
        ],
      };
      this.transport.send(voter, API.BeginQuorumEpoch, body).then(
        (res) => {
          const p = res.topics?.[0]?.partitions?.[0];
          if (res.errorCode === 0 && p?.errorCode === 0) {
            if (this.state.kind === 'leader' && this.state.epoch === epoch) this.state.beginAcked.add(voter);
          } else if (p) {
            this.observeEpoch(p.leaderEpoch, p.leaderId);
          }
        },
        () => {},
      );
    }
    // Voters that were down hear of the new leader when they come back.
    this.clock.setTimeout(
      () => {
        if (!this.closed) this.sendBeginQuorumEpoch(epoch);
      },
      Math.max(this.retryBackoffMs, Math.floor(this.electionTimeoutMs / 2)),
    );
  }

  /** Tells the other voters to elect a successor now, the most caught-up first (as Kafka orders them). */
  private async sendEndQuorumEpoch(epoch: number, replicas: ReadonlyMap<number, ReplicaState>): Promise<void> {
    const others = this.otherVoters().sort(
      (a, b) => (replicas.get(b)?.endOffset ?? -1) - (replicas.get(a)?.endOffset ?? -1),
    );
    const body = {
      clusterId: this.clusterId,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, leaderId: this.nodeId, leaderEpoch: epoch, preferredSuccessors: others }],
        },
      ],
    };
    await Promise.allSettled(others.map((voter) => this.transport.send(voter, API.EndQuorumEpoch, body)));
  }

  private onVoteResponse(epoch: number, voter: number, res: MessageBody): void {
    const p = res.topics?.[0]?.partitions?.[0];
    if (res.errorCode !== 0 || !p) return;
    if (p.leaderEpoch > this.state.epoch) {
      this.observeEpoch(p.leaderEpoch, p.leaderId);
      return;
    }
    const s = this.state;
    if (s.kind !== 'candidate' || s.epoch !== epoch) return;
    if (p.voteGranted) {
      s.granted.add(voter);
      if (this.hasMajority(s.granted)) this.becomeLeader();
    } else {
      s.rejected.add(voter);
      if (p.leaderId >= 0 && p.leaderEpoch === epoch) this.becomeFollower(epoch, p.leaderId);
    }
  }

  /** A follower pulls the log from its leader, one Fetch at a time, until it stops following. */
  private fetchLoop(): void {
    if (this.fetching) return;
    this.fetching = true;
    void (async () => {
      try {
        while (!this.closed && this.state.kind === 'follower') {
          const { epoch, leaderId } = this.state;
          const ok = await this.fetchOnce(epoch, leaderId);
          if (!ok) await new Promise<void>((r) => this.clock.setTimeout(r, this.retryBackoffMs));
        }
      } finally {
        this.fetching = false;
      }
    })();
  }

  private fetchRequest(epoch: number, maxWaitMs: number): object {
    const { offset, epoch: lastEpoch } = this.log.endOffsetAndEpoch;
    return {
      clusterId: this.clusterId,
      replicaId: this.nodeId,
      replicaState: { replicaId: this.nodeId, replicaEpoch: -1 },
      maxWaitMs,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: METADATA_TOPIC,
          topicId: METADATA_TOPIC_ID,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: epoch,
              fetchOffset: offset,
              lastFetchedEpoch: lastEpoch,
              logStartOffset: -1,
              partitionMaxBytes: 8 * 1024 * 1024,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  /**
   * An observer (a broker that is not a voter) finds the leader by asking the voters in turn: any of
   * them answers a Fetch with the leader it knows.
   */
  private discoverLeader(): void {
    if (this.discovering) return;
    this.discovering = true;
    void (async () => {
      try {
        while (!this.closed && this.state.kind === 'unattached') {
          const voter = this.voters[this.discoveryIndex++ % this.voters.length]!;
          try {
            const res = await this.transport.send(voter, API.Fetch, this.fetchRequest(-1, 0));
            const cl = res.responses?.[0]?.partitions?.[0]?.currentLeader;
            if (
              cl &&
              cl.leaderId >= 0 &&
              cl.leaderEpoch >= this.state.epoch &&
              this.state.kind === 'unattached' &&
              !this.closed
            ) {
              this.becomeFollower(cl.leaderEpoch, cl.leaderId);
              break;
            }
          } catch {
            // Unreachable voter: ask the next one.
          }
          await new Promise<void>((r) => this.clock.setTimeout(r, Math.max(this.retryBackoffMs, 100)));
        }
      } finally {
        this.discovering = false;
      }
    })();
  }

  private async fetchOnce(epoch: number, leaderId: number): Promise<boolean> {
    const body = this.fetchRequest(epoch, this.fetchMaxWaitMs);
    let res: MessageBody;
    try {
      res = await this.transport.send(leaderId, API.Fetch, body);
    } catch {
      return false;
    }
    const s = this.state;
    if (s.kind !== 'follower' || s.epoch !== epoch || s.leaderId !== leaderId || this.closed) return true;
    if (res.errorCode !== 0) return false;
    const p = res.responses?.[0]?.partitions?.[0];
    if (!p) return false;
    if (p.errorCode !== 0) {
      const cl = p.currentLeader;
      if (cl && cl.leaderEpoch > epoch) this.observeEpoch(cl.leaderEpoch, cl.leaderId);
      return false;
    }
    // A successful answer from the leader is what keeps a follower from starting an election.
    this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    const snap = p.snapshotId;
    if (snap && snap.endOffset >= 0 && snap.epoch >= 0)
      return this.fetchSnapshot(epoch, leaderId, { endOffset: snap.endOffset, epoch: snap.epoch });
    const div = p.divergingEpoch;
    if (div && div.epoch >= 0 && div.endOffset >= 0) {
      const local = this.log.endOffsetForEpoch(div.epoch);
      const truncateTo = local.epoch === div.epoch ? Math.min(local.offset, div.endOffset) : local.offset;
      this.logger(
        `Raft: node ${this.nodeId} truncates its log to ${truncateTo} (diverged from leader ${leaderId} at epoch ${div.epoch})`,
      );
      this.log.truncateTo(Math.max(truncateTo, this.hw));
      return true;
    }
    if (p.records && p.records.length > 0) {
      try {
        this.log.append(p.records);
      } catch (err) {
        this.logger(
          `Raft: node ${this.nodeId} could not append what leader ${leaderId} sent: ${(err as Error).message}`,
        );
        return false;
      }
    }
    this.advanceHighWatermark(Math.min(p.highWatermark, this.log.endOffset));
    return true;
  }

  // ------------------------------------------------------------------ inbound requests

  private partitionOf(body: MessageBody): MessageBody | undefined {
    const t = body.topics?.[0];
    if (!t || (t.topicName !== undefined && t.topicName !== METADATA_TOPIC)) return undefined;
    return t.partitions?.[0];
  }

  private clusterMismatch(body: MessageBody): boolean {
    return body.clusterId != null && body.clusterId !== this.clusterId;
  }

  handleVote(body: MessageBody): object {
    const reply = (error: number, granted: boolean, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: error,
              leaderId: this.leaderId,
              leaderEpoch: this.state.epoch,
              voteGranted: granted,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, false, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'), false);
    if (!this.isVoter(p.candidateId)) return reply(errorCode('INCONSISTENT_VOTER_SET'), false);
    if (p.candidateEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'), false);
    if (p.candidateEpoch > this.state.epoch) this.becomeUnattached(p.candidateEpoch);
    const s = this.state;
    let granted = false;
    if (s.kind === 'unattached') {
      const mine = this.log.endOffsetAndEpoch;
      // Log matching: only a candidate whose log is at least as long in the latest epoch can lead.
      const upToDate =
        p.lastOffsetEpoch > mine.epoch || (p.lastOffsetEpoch === mine.epoch && p.lastOffset >= mine.offset);
      if (s.votedId === p.candidateId) granted = true;
      else if (s.votedId < 0 && upToDate) {
        granted = true;
        this.state = { kind: 'unattached', epoch: s.epoch, votedId: p.candidateId };
        this.vote = { epoch: s.epoch, id: p.candidateId };
        this.persist(-1);
        this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
      }
    }
    return reply(0, granted);
  }

  handleBeginQuorumEpoch(body: MessageBody): object {
    const reply = (error: number, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, errorCode: error, leaderId: this.leaderId, leaderEpoch: this.state.epoch }],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (!this.isVoter(p.leaderId)) return reply(errorCode('INCONSISTENT_VOTER_SET'));
    if (p.leaderEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'));
    const s = this.state;
    if (!(s.kind === 'follower' && s.epoch === p.leaderEpoch && s.leaderId === p.leaderId)) {
      if (p.leaderEpoch === s.epoch && s.kind === 'leader') return reply(errorCode('INVALID_REQUEST'));
      this.becomeFollower(p.leaderEpoch, p.leaderId);
    }
    return reply(0);
  }

  handleEndQuorumEpoch(body: MessageBody): object {
    const reply = (error: number, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, errorCode: error, leaderId: this.leaderId, leaderEpoch: this.state.epoch }],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (p.leaderEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'));
    if (p.leaderEpoch > this.state.epoch) this.becomeUnattached(p.leaderEpoch);
    const s = this.state;
    if ((s.kind === 'follower' && s.leaderId === p.leaderId) || s.kind === 'unattached') {
      // The first preferred successor stands at once; the others wait a little longer each.
      const successors: number[] = p.preferredSuccessors ?? [];
      const position = successors.indexOf(this.nodeId);
      const delay =
        position <= 0
          ? position === 0
            ? 0
            : this.randomElectionTimeout()
          : Math.floor(this.random() * this.electionBackoffMaxMs * position);
      // A follower stays one (its vote in this epoch stands); it just stops waiting for the leader.
      if (s.kind === 'follower') this.resetTimer(delay, () => this.onFetchTimeout(s.epoch));
      else this.resetTimer(delay, () => this.onElectionTimeout());
    }
    return reply(0);
  }

  /** The leader's side of replication. Fetches from non-voters (brokers) are served as observers. */
  async handleFetch(body: MessageBody): Promise<object> {
    const topic = body.topics?.[0];
    const req = topic?.partitions?.[0];
    const replicaId: number = body.replicaState?.replicaId ?? body.replicaId ?? -1;
    const partitionReply = (extra: object) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: METADATA_TOPIC,
          topicId: METADATA_TOPIC_ID,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: this.hw,
              lastStableOffset: this.hw,
              logStartOffset: 0,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: null,
              currentLeader: { leaderId: this.leaderId, leaderEpoch: this.state.epoch },
              ...extra,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body))
      return { throttleTimeMs: 0, errorCode: errorCode('INCONSISTENT_CLUSTER_ID'), sessionId: 0, responses: [] };
    const isMetadata = topic && (topic.topicId === METADATA_TOPIC_ID || topic.topic === METADATA_TOPIC);
    if (!req || !isMetadata || req.partition !== 0)
      return partitionReply({ errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION') });
    const epoch: number = req.currentLeaderEpoch ?? -1;
    if (epoch >= 0 && epoch < this.state.epoch) return partitionReply({ errorCode: errorCode('FENCED_LEADER_EPOCH') });
    // A fetcher ahead of this node knows of an epoch it has not seen; it will hear of it by a Vote or BeginQuorumEpoch.
    if (epoch > this.state.epoch) return partitionReply({ errorCode: errorCode('UNKNOWN_LEADER_EPOCH') });
    const s = this.state;
    if (s.kind !== 'leader') return partitionReply({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });

    const fetchOffset: number = req.fetchOffset;
    const lastFetchedEpoch: number = req.lastFetchedEpoch ?? -1;
    // Behind the log start, or on a branch older than it: only the snapshot can catch this fetcher up.
    const snap = this.latestSnapshot;
    if (
      snap &&
      this.log.startOffset > 0 &&
      (fetchOffset < this.log.startOffset || lastFetchedEpoch < this.log.startEpoch)
    ) {
      return partitionReply({ snapshotId: { endOffset: snap.endOffset, epoch: snap.epoch } });
    }
    if (fetchOffset > 0 || lastFetchedEpoch > 0) {
      const end = this.log.endOffsetForEpoch(lastFetchedEpoch);
      if (end.epoch !== lastFetchedEpoch || fetchOffset > end.offset) {
        return partitionReply({ divergingEpoch: { epoch: end.epoch, endOffset: end.offset } });
      }
    }
    this.recordReplicaFetch(s, replicaId, fetchOffset);
    const replica = s.replicas.get(replicaId) ?? this.observers.get(replicaId);
    // A fetcher that has not yet heard the current high watermark is answered at once: that is news.
    const hwNews = replica !== undefined && (replica.sentHighWatermark ?? -1) < this.hw;
    if (!hwNews && fetchOffset >= this.log.endOffset && this.hw >= fetchOffset && (body.maxWaitMs ?? 0) > 0) {
      // Nothing new: hold the request until something is appended or committed, or maxWait passes.
      await new Promise<void>((resolve) => {
        const handle = this.clock.setTimeout(
          () => {
            this.waiters.delete(wake);
            resolve();
          },
          Math.min(body.maxWaitMs, this.fetchMaxWaitMs),
        );
        const wake = () => {
          this.clock.clearTimeout(handle);
          resolve();
        };
        this.waiters.add(wake);
      });
      if (this.state !== s) return partitionReply({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });
    }
    const records =
      fetchOffset < this.log.endOffset ? this.log.read(fetchOffset, req.partitionMaxBytes ?? 1024 * 1024) : null;
    if (replica) replica.sentHighWatermark = this.hw;
    return partitionReply({ records });
  }

  private recordReplicaFetch(s: Extract<State, { kind: 'leader' }>, replicaId: number, fetchOffset: number): void {
    const now = this.clock.now();
    let r = s.replicas.get(replicaId);
    if (!r) {
      if (replicaId < 0) return;
      r = this.observers.get(replicaId) ?? { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 };
      this.observers.set(replicaId, r);
    }
    r.endOffset = fetchOffset;
    r.lastFetchMs = now;
    if (fetchOffset >= this.log.endOffset) r.lastCaughtUpMs = now;
    s.beginAcked.add(replicaId);
    if (!s.replicas.has(replicaId)) return;
    s.fetchedSinceCheck.add(replicaId);
    if (this.hasMajority(s.fetchedSinceCheck)) {
      s.fetchedSinceCheck = new Set([this.nodeId]);
      s.checkQuorumDeadline = now + this.checkQuorumWindow();
    }
    this.leaderProgress(s);
  }

  handleFetchSnapshot(body: MessageBody): object {
    const reply = (top: number, error: number, extra: object = {}) => ({
      throttleTimeMs: 0,
      errorCode: top,
      topics: [
        {
          name: METADATA_TOPIC,
          partitions: [
            {
              index: 0,
              errorCode: error,
              snapshotId: { endOffset: -1, epoch: -1 },
              currentLeader: { leaderId: this.leaderId, leaderEpoch: this.state.epoch },
              size: 0,
              position: 0,
              unalignedRecords: Buffer.alloc(0),
              ...extra,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(errorCode('INCONSISTENT_CLUSTER_ID'), 0);
    const t = body.topics?.[0];
    const p = t?.partitions?.[0];
    if (!p || t.name !== METADATA_TOPIC || p.partition !== 0) return reply(0, errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (p.currentLeaderEpoch < this.state.epoch) return reply(0, errorCode('FENCED_LEADER_EPOCH'));
    if (p.currentLeaderEpoch > this.state.epoch) return reply(0, errorCode('UNKNOWN_LEADER_EPOCH'));
    if (this.state.kind !== 'leader') return reply(0, errorCode('NOT_LEADER_OR_FOLLOWER'));
    const bytes = this.snapshots?.read(p.snapshotId);
    if (!bytes) return reply(0, errorCode('SNAPSHOT_NOT_FOUND'));
    if (p.position < 0 || p.position > bytes.length) return reply(0, errorCode('POSITION_OUT_OF_RANGE'));
    const max = Math.max(1, Math.min(body.maxBytes ?? 1024 * 1024, 1024 * 1024));
    return reply(0, 0, {
      snapshotId: p.snapshotId,
      size: bytes.length,
      position: p.position,
      unalignedRecords: bytes.subarray(p.position, p.position + max),
    });
  }

  handleDescribeQuorum(): object {
    const s = this.state;
    const partition = (extra: object) => ({
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              leaderId: this.leaderId,
              leaderEpoch: s.epoch,
              highWatermark: this.hw,
              currentVoters: [],
              observers: [],
              ...extra,
            },
          ],
        },
      ],
    });
    if (s.kind !== 'leader') {
      return {
        errorCode: 0,
        errorMessage: null,
        ...partition({
          errorCode: errorCode('NOT_LEADER_OR_FOLLOWER'),
          errorMessage: `node ${this.nodeId} is not the leader of the metadata quorum`,
        }),
        nodes: [],
      };
    }
    this.leaderProgress(s);
    const row = ([replicaId, r]: [number, ReplicaState]) => ({
      replicaId,
      logEndOffset: r.endOffset,
      lastFetchTimestamp: r.lastFetchMs,
      lastCaughtUpTimestamp: r.lastCaughtUpMs,
    });
    return {
      errorCode: 0,
      errorMessage: null,
      ...partition({ currentVoters: [...s.replicas].map(row), observers: [...this.observers].map(row) }),
      nodes: [],
    };
  }
}
