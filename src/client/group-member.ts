// A member of a classic consumer group: JoinGroup / SyncGroup / Heartbeat / LeaveGroup, and
// the group's offsets (OffsetFetch / OffsetCommit). Like Kafka's consumer it talks to the
// coordinator over a connection of its own: a broker answers one request per connection at a
// time, so a heartbeat must never queue behind a long-polling Fetch.
//
// Eager rebalancing only (range and roundrobin, Kafka's RangeAssignor / RoundRobinAssignor):
// every rejoin gives up the whole assignment, which is what a console consumer needs.
import { decodeData, encodeData } from '../protocol/codec.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import type { BrokerConnection } from './broker-connection.js';
import type { ClusterClient } from './cluster.js';
import { ConnectionError } from './errors.js';

const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const FIND_COORDINATOR = 10;
const JOIN_GROUP = 11;
const HEARTBEAT = 12;
const LEAVE_GROUP = 13;
const SYNC_GROUP = 14;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type Assignor = 'range' | 'roundrobin';

export interface GroupMemberOptions {
  groupId: string;
  /** Topic names, or a pattern that whole topic names must match. */
  subscription: string[] | RegExp;
  sessionTimeoutMs: number;
  /** max.poll.interval.ms: how long the coordinator waits for us to rejoin. */
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  groupInstanceId: string | null;
  /** In order of preference. */
  assignors: Assignor[];
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Opens a connection of the member's own to a broker. */
  openConnection: (host: string, port: number) => Promise<BrokerConnection>;
  /** Told of each failure that join() rides out. */
  onRetry?: (error: Error) => void;
}

/** Errors after which the member simply joins again. */
const REJOIN = new Set<number>([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.MEMBER_ID_REQUIRED,
]);
/** Errors that mean: find the coordinator again. */
const COORDINATOR_MOVED = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

export class GroupMember {
  memberId = '';
  generationId = -1;
  assignment: TopicPartition[] = [];
  /** Set when the group rebalances or drops this member: the assignment is no longer ours to read. */
  rejoinNeeded = true;

  private coordinator: Promise<BrokerConnection> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private joining = false;
  private closed = false;

  constructor(
    private readonly cluster: ClusterClient,
    readonly opts: GroupMemberOptions,
  ) {}

  /** Joins (or rejoins) the group and returns this member's partitions; waits out transient failures. */
  async join(signal: AbortSignal): Promise<TopicPartition[]> {
    this.stopHeartbeat();
    this.assignment = [];
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted || this.closed) throw new AbortedError();
      this.joining = true;
      try {
        this.assignment = await this.joinOnce();
        this.rejoinNeeded = false;
        this.startHeartbeat();
        return this.assignment;
      } catch (error) {
        if (signal.aborted || this.closed) throw new AbortedError();
        const rejoinNow = error instanceof KafkaError && REJOIN.has(error.code);
        if (!rejoinNow && !isTransientGroupError(error)) throw error;
        if (!rejoinNow) {
          this.opts.onRetry?.(error as Error);
          await sleep(
            Math.min(this.opts.retryBackoffMaxMs, this.opts.retryBackoffMs * 2 ** Math.min(attempt, 10)),
            signal,
          );
        }
      } finally {
        this.joining = false;
      }
    }
  }

  /** Committed offsets of these partitions (those without a commit are left out). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const topics = byTopic(partitions, (tp) => tp.partition);
    const wire = [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const body = await this.request(
      OFFSET_FETCH,
      (v) =>
        v >= 8
          ? {
              groups: [{ groupId: this.opts.groupId, memberId: null, memberEpoch: -1, topics: wire }],
              requireStable: true,
            }
          : { groupId: this.opts.groupId, topics: wire, requireStable: true },
      { minVersion: 1 },
    );
    const group = (body.groups as MessageBody[] | undefined)?.[0] ?? body;
    if (group.errorCode) throw new KafkaError(group.errorCode);
    const out = new Map<string, number>();
    for (const t of group.topics as MessageBody[]) {
      for (const p of t.partitions as MessageBody[]) {
        if (p.errorCode) throw new KafkaError(p.errorCode);
        if (p.committedOffset >= 0) out.set(`${t.name}\u0000${p.partitionIndex}`, p.committedOffset);
      }
    }
    return out;
  }

  /** Commits offsets as this member of the current generation. */
  async commit(offsets: ReadonlyArray<TopicPartition & { offset: number }>, timeoutMs?: number): Promise<void> {
    if (offsets.length === 0) return;
    const topics = byTopic(offsets, (o) => ({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: -1,
      commitTimestamp: -1,
      committedMetadata: '',
    }));
    const body = await this.request(
      OFFSET_COMMIT,
      {
        groupId: this.opts.groupId,
        generationIdOrMemberEpoch: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId,
        retentionTimeMs: -1,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      },
      { minVersion: 2, timeoutMs },
    );
    for (const t of body.topics as MessageBody[]) {
      for (const p of t.partitions as MessageBody[]) if (p.errorCode) throw this.groupError(p.errorCode);
    }
  }

  /** Leaves the group so the others take over at once (static members stay, as in Kafka). */
  async leave(timeoutMs?: number): Promise<void> {
    this.stopHeartbeat();
    if (this.memberId === '' || this.opts.groupInstanceId !== null) return;
    const memberId = this.memberId;
    this.memberId = '';
    this.generationId = -1;
    // A JoinGroup still waiting holds the connection; leave over a fresh one.
    if (this.joining) this.dropCoordinator();
    await this.request(
      LEAVE_GROUP,
      (v) =>
        v >= 3
          ? {
              groupId: this.opts.groupId,
              members: [{ memberId, groupInstanceId: null, reason: 'the consumer is closing' }],
            }
          : { groupId: this.opts.groupId, memberId },
      { timeoutMs },
    );
  }

  close(): void {
    this.closed = true;
    this.stopHeartbeat();
    this.dropCoordinator();
  }

  private async joinOnce(): Promise<TopicPartition[]> {
    const topics = await this.subscribedTopics();
    const subscription = versioned(0, encodeData('ConsumerProtocolSubscription', 0, { topics, userData: null }));
    const join = await this.request(
      JOIN_GROUP,
      {
        groupId: this.opts.groupId,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId,
        protocolType: 'consumer',
        protocols: this.opts.assignors.map((name) => ({ name, metadata: subscription })),
        reason: null,
      },
      { timeoutMs: this.opts.rebalanceTimeoutMs + 5000 },
    );
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) this.memberId = join.memberId;
    if (join.errorCode) throw this.groupError(join.errorCode);
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const protocolName = join.protocolName as Assignor;
    const assignments =
      join.leader === join.memberId && !join.skipAssignment
        ? await this.assign(
            protocolName,
            join.members as Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>,
          )
        : [];
    const sync = await this.request(
      SYNC_GROUP,
      {
        groupId: this.opts.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId,
        protocolType: 'consumer',
        protocolName,
        assignments,
      },
      { timeoutMs: this.opts.rebalanceTimeoutMs + 5000 },
    );
    if (sync.errorCode) throw this.groupError(sync.errorCode);
    return decodeAssignment(sync.assignment);
  }

  /** The leader's job: split the subscribed topics' partitions among the members. */
  private async assign(
    protocol: Assignor,
    members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>,
  ): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const subs = members.map((m) => ({ ...m, topics: new Set(decodeSubscription(m.metadata)) }));
    // Kafka's MemberInfo order: static members by instance id first, then the rest by member id.
    subs.sort((a, b) =>
      a.groupInstanceId !== null && b.groupInstanceId !== null
        ? cmp(a.groupInstanceId, b.groupInstanceId)
        : a.groupInstanceId !== null
          ? -1
          : b.groupInstanceId !== null
            ? 1
            : cmp(a.memberId, b.memberId),
    );
    const wanted = [...new Set(subs.flatMap((s) => [...s.topics]))].sort(cmp);
    const md = wanted.length > 0 ? await this.cluster.refreshMetadata(wanted) : undefined;
    const counts = new Map<string, number>();
    for (const t of wanted) {
      const tm = md?.topics.get(t);
      if (tm && tm.errorCode === 0) counts.set(t, tm.partitions.length);
    }
    const owned = new Map<string, TopicPartition[]>(subs.map((s) => [s.memberId, []]));
    if (protocol === 'roundrobin') {
      let next = 0;
      for (const [topic, n] of counts) {
        for (let p = 0; p < n; p++) {
          // The next member in the circle that subscribes to this topic.
          for (let k = 0; k < subs.length; k++) {
            const s = subs[(next + k) % subs.length];
            if (!s.topics.has(topic)) continue;
            owned.get(s.memberId)!.push({ topic, partition: p });
            next = (next + k + 1) % subs.length;
            break;
          }
        }
      }
    } else {
      for (const [topic, n] of counts) {
        const consumers = subs.filter((s) => s.topics.has(topic));
        const per = Math.floor(n / consumers.length);
        const extra = n % consumers.length;
        consumers.forEach((s, i) => {
          const start = per * i + Math.min(i, extra);
          const len = per + (i < extra ? 1 : 0);
          for (let p = start; p < start + len; p++) owned.get(s.memberId)!.push({ topic, partition: p });
        });
      }
    }
    return subs.map((s) => ({ memberId: s.memberId, assignment: encodeAssignment(owned.get(s.memberId)!) }));
  }

  private async subscribedTopics(): Promise<string[]> {
    const sub = this.opts.subscription;
    if (Array.isArray(sub)) return [...sub].sort(cmp);
    const md = await this.cluster.refreshMetadata(null);
    return [...md.topics.values()]
      .filter((t) => !t.isInternal && wholeMatch(sub, t.name))
      .map((t) => t.name)
      .sort(cmp);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = async () => {
      try {
        const body = await this.request(
          HEARTBEAT,
          {
            groupId: this.opts.groupId,
            generationId: this.generationId,
            memberId: this.memberId,
            groupInstanceId: this.opts.groupInstanceId,
          },
          { timeoutMs: Math.max(this.opts.heartbeatIntervalMs, Math.min(this.opts.sessionTimeoutMs, 30_000)) },
        );
        if (body.errorCode) this.groupError(body.errorCode);
      } catch {
        // The coordinator is away or moved: try again next time; the session may survive it.
      }
      if (this.heartbeatTimer !== undefined && !this.rejoinNeeded)
        this.heartbeatTimer = setTimeout(tick, this.opts.heartbeatIntervalMs).unref();
    };
    const tick = () => void beat();
    this.heartbeatTimer = setTimeout(tick, this.opts.heartbeatIntervalMs).unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Notes what a group error means for this member and returns it as a KafkaError. */
  private groupError(code: number): KafkaError {
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.FENCED_INSTANCE_ID) {
      if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      this.generationId = -1;
      this.rejoinNeeded = true;
    } else if (code === ErrorCode.ILLEGAL_GENERATION) {
      this.generationId = -1;
      this.rejoinNeeded = true;
    } else if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
      this.rejoinNeeded = true;
    } else if (COORDINATOR_MOVED.has(code)) {
      this.dropCoordinator();
    }
    return new KafkaError(code);
  }

  private async request(
    apiKey: number,
    body: object | ((v: number) => object),
    options: { timeoutMs?: number; minVersion?: number } = {},
  ): Promise<MessageBody> {
    const conn = await this.coordinatorConnection();
    try {
      const res = await conn.send(apiKey, body, options);
      if (COORDINATOR_MOVED.has(res.errorCode)) this.dropCoordinator();
      return res;
    } catch (error) {
      if (error instanceof ConnectionError) this.dropCoordinator();
      throw error;
    }
  }

  private coordinatorConnection(): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new AbortedError());
    const existing = this.coordinator;
    if (existing !== undefined) {
      return existing.then((c) => {
        if (!c.closed) return c;
        if (this.coordinator === existing) this.coordinator = undefined;
        return this.coordinatorConnection();
      });
    }
    const opening = this.findCoordinator().then(({ host, port }) => this.opts.openConnection(host, port));
    this.coordinator = opening;
    opening.catch(() => {
      if (this.coordinator === opening) this.coordinator = undefined;
    });
    return opening;
  }

  private async findCoordinator(): Promise<{ host: string; port: number }> {
    const groupId = this.opts.groupId;
    const v4 = this.cluster.supports(FIND_COORDINATOR, 4);
    const body = await this.cluster.send(
      FIND_COORDINATOR,
      v4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 },
      v4 ? { minVersion: 4 } : { maxVersion: 3 },
    );
    const c = v4 ? (body.coordinators as MessageBody[])[0] : body;
    if (c.errorCode) throw new KafkaError(c.errorCode);
    return { host: c.host, port: c.port };
  }

  private dropCoordinator(): void {
    const c = this.coordinator;
    this.coordinator = undefined;
    c?.then(
      (conn) => conn.close(),
      () => undefined,
    );
  }
}

function isTransientGroupError(error: unknown): boolean {
  if (error instanceof ConnectionError)
    return error.code !== 'TLS_FAILED' && error.code !== 'BAD_RESPONSE' && error.code !== 'UNSUPPORTED_VERSION';
  return error instanceof KafkaError && (error.retriable || COORDINATOR_MOVED.has(error.code));
}

function versioned(version: number, parts: Buffer[]): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version);
  return Buffer.concat([v, ...parts]);
}

function encodeAssignment(tps: TopicPartition[]): Buffer {
  const topics = byTopic(tps, (tp) => tp.partition);
  return versioned(
    0,
    encodeData('ConsumerProtocolAssignment', 0, {
      assignedPartitions: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      userData: null,
    }),
  );
}

/** Newer versions only add fields, so they are read with the newest schema we know. */
function decodeAssignment(buf: Buffer | null): TopicPartition[] {
  if (buf === null || buf.length < 2) return [];
  const body = decodeData('ConsumerProtocolAssignment', Math.min(Math.max(buf.readInt16BE(0), 0), 3), buf, 2);
  return (body.assignedPartitions as Array<{ topic: string; partitions: number[] }>).flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.topic, partition })),
  );
}

function decodeSubscription(buf: Buffer): string[] {
  if (buf.length < 2) return [];
  return decodeData('ConsumerProtocolSubscription', Math.min(Math.max(buf.readInt16BE(0), 0), 3), buf, 2)
    .topics as string[];
}

function byTopic<T extends { topic: string }, U>(items: readonly T[], map: (item: T) => U): Map<string, U[]> {
  const out = new Map<string, U[]>();
  for (const it of items) {
    let list = out.get(it.topic);
    if (!list) out.set(it.topic, (list = []));
    list.push(map(it));
  }
  return out;
}

/** Java's Matcher.matches(): the pattern must cover the whole name. */
export function wholeMatch(re: RegExp, s: string): boolean {
  return new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, '')).test(s);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
