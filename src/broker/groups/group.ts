// One classic consumer group: its members, the protocol they agreed on, and the state
// machine of a rebalance. The coordinator drives it (timers, responses, persistence);
// this file only keeps the bookkeeping consistent.
import { decodeData } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { TimerHandle } from './clock.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** The states each state may be entered from. */
const ENTERED_FROM: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const EMPTY = Buffer.alloc(0);

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResultMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** A JoinGroup answer, shaped like the response body. */
export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinResultMember[];
}

/** A SyncGroup answer, shaped like the response body. */
export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export interface MemberInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
}

export class Member {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer = EMPTY;
  /** Set while the member's JoinGroup waits for the rebalance to finish. */
  joinCallback: ((r: JoinResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  syncCallback: ((r: SyncResult) => void) | null = null;
  /** Joined but not yet through a completed rebalance. */
  isNew = false;
  heartbeatTimer: TimerHandle | null = null;

  constructor(init: MemberInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get awaitingJoin(): boolean {
    return this.joinCallback !== null;
  }

  get awaitingSync(): boolean {
    return this.syncCallback !== null;
  }

  metadata(protocolName: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocolName);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  /** Whether `protocols` are the same names and metadata, in the same order. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every(
      (p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata),
    );
  }

  /** The member's most preferred protocol among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}

/** Runs the group's pending rebalance completion: the initial delay or the join wait. */
export interface DelayedJoin {
  kind: 'initial' | 'normal';
  delayMs: number;
  remainingMs: number;
  timer: TimerHandle;
}

export class Group {
  readonly groupId: string;
  state: GroupState = 'Empty';
  /** When the group entered its current state. */
  stateTimestamp: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** In join order. */
  readonly members = new Map<string, Member>();
  /** Group instance id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry timers. */
  readonly pendingMembers = new Map<string, TimerHandle>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  /** Set when a member joins during the initial rebalance delay, which then extends it. */
  newMemberAdded = false;
  /** Topics the consumer members subscribe to; null when unknown. */
  subscribedTopics: Set<string> | null = null;
  delayedJoin: DelayedJoin | null = null;
  syncTimer: TimerHandle | null = null;
  private readonly supportedProtocols = new Map<string, number>();

  constructor(groupId: string, now: number) {
    this.groupId = groupId;
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!ENTERED_FROM[state].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${state}`);
    }
    this.state = state;
    this.stateTimestamp = now;
  }

  get canRebalance(): boolean {
    return ENTERED_FROM.PreparingRebalance.includes(this.state);
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): Member | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  get staticMemberCount(): number {
    return this.staticMembers.size;
  }

  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** The longest rebalance timeout among the members. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  /** Forgets a pending member id, cancelling its expiry. */
  removePending(memberId: string): boolean {
    const timer = this.pendingMembers.get(memberId);
    if (!timer) return false;
    timer.cancel();
    this.pendingMembers.delete(memberId);
    return true;
  }

  add(member: Member, callback: ((r: JoinResult) => void) | null): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.countProtocols(member, 1);
    member.joinCallback = callback;
    if (callback) this.numMembersAwaitingJoin++;
    this.removePending(member.memberId);
  }

  /**
   * Drops a member (and any pending or pending-sync entry under its id). Does not answer
   * its waiting requests or stop its timers: the coordinator does that first.
   */
  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      this.countProtocols(member, -1);
      if (member.awaitingJoin) this.numMembersAwaitingJoin--;
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId);
      }
    }
    if (this.isLeader(memberId)) {
      const first = this.members.keys().next();
      this.leaderId = first.done ? null : first.value;
    }
    this.removePending(memberId);
    this.pendingSyncMembers.delete(memberId);
    return member;
  }

  updateMember(
    member: Member,
    protocols: MemberProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    callback: ((r: JoinResult) => void) | null,
  ): void {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (callback && !member.awaitingJoin) this.numMembersAwaitingJoin++;
    else if (!callback && member.awaitingJoin) this.numMembersAwaitingJoin--;
    member.joinCallback = callback;
  }

  /**
   * Moves a static member to a new member id. Requests still waiting under the old id are
   * answered FENCED_INSTANCE_ID: whoever sent them has been replaced.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.members.get(oldMemberId);
    if (!member)
      throw new Error(`static member ${groupInstanceId} has no member ${oldMemberId} in group ${this.groupId}`);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSyncCallback(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return member;
  }

  maybeInvokeJoinCallback(member: Member, result: JoinResult): boolean {
    const cb = member.joinCallback;
    if (!cb) return false;
    member.joinCallback = null;
    this.numMembersAwaitingJoin--;
    cb(result);
    return true;
  }

  maybeInvokeSyncCallback(member: Member, result: SyncResult): boolean {
    const cb = member.syncCallback;
    if (!cb) return false;
    member.syncCallback = null;
    cb(result);
    return true;
  }

  /** Whether a member of `protocolType` offering `names` can join. */
  supportsProtocols(protocolType: string, names: readonly string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && names.length > 0;
    return (
      this.protocolType === protocolType && names.some((n) => this.supportedProtocols.get(n) === this.members.size)
    );
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const n = this.members.size;
    const out = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === n) out.add(name);
    return out;
  }

  /** Each member votes for its favourite common protocol; most votes wins (ties: first voted). */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  /** Members that have not rejoined in the current rebalance. */
  notYetRejoinedMembers(): Member[] {
    return [...this.members.values()].filter((m) => !m.awaitingJoin);
  }

  /**
   * Keeps the leader if it rejoined, else hands leadership to any member that did.
   * Returns false when no member rejoined.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.awaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** A stored Stable group coming back on a new coordinator (its members are already added). */
  restoreStable(
    generation: number,
    protocol: string | null,
    leader: string | null,
    protocolType: string | null,
    now: number,
  ): void {
    this.generationId = generation;
    this.protocolName = protocol;
    this.protocolType = protocolType;
    if (leader !== null && this.members.has(leader)) this.leaderId = leader;
    this.state = 'Stable';
    this.stateTimestamp = now;
    this.subscribedTopics = this.computeSubscribedTopics();
  }

  /** What the leader gets in its JoinGroup response: every member's metadata. */
  currentMemberMetadata(): JoinResultMember[] {
    if (this.is('Dead') || this.is('PreparingRebalance') || this.protocolName === null) {
      throw new Error(`group ${this.groupId} has no member metadata in state ${this.state}`);
    }
    const protocol = this.protocolName;
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  /** True when the topic is (or may be, if unknown) among the members' subscriptions. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  private computeSubscribedTopics(): Set<string> | null {
    if (!this.isConsumerGroup) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        // Every version of the subscription starts like version 0: the topic list.
        const buf = m.metadata(this.protocolName);
        if (buf.length < 2 || buf.readInt16BE(0) < 0) return null;
        const sub = decodeData('ConsumerProtocolSubscription', 0, buf, 2) as { topics: string[] };
        for (const t of sub.topics) topics.add(t);
      }
    } catch {
      return null;
    }
    return topics;
  }

  private countProtocols(member: Member, delta: number): void {
    for (const name of new Set(member.protocols.map((p) => p.name))) {
      const n = (this.supportedProtocols.get(name) ?? 0) + delta;
      if (n <= 0) this.supportedProtocols.delete(name);
      else this.supportedProtocols.set(name, n);
    }
  }
}
