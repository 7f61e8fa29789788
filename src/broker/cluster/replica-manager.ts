// A KRaft broker's replicas (Kafka's ReplicaManager and Partition): it hosts what the
// committed metadata image assigns to this node, knows for each partition whether it leads
// or follows and in which leader epoch, keeps the high watermark (the smallest log end
// among the in-sync replicas, as the leader sees their fetches), asks the controller to
// shrink or grow the ISR, and answers acks=all once the ISR holds a batch.
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import type { Broker, Partition } from '../broker.js';
import type { MetadataImage, PartitionImage } from '../raft/metadata-image.js';
import { EpochCache } from './epoch-cache.js';
import { checkpointKey, type Checkpointed, type HighWatermarkCheckpoint } from './hw-checkpoint.js';
import { ReplicaFetcher, type FetcherDeps } from './replica-fetcher.js';
import type { ControllerChannel, PartitionRole, ReplicationWaiter, RoleListener } from './seams.js';

const API_ALTER_PARTITION = 56;
/** How long an AlterPartition may stay unanswered by the image before it is sent again. */
const ALTER_RETRY_MS = 5000;

interface FollowerProgress {
  /** The follower's log end offset, as its last fetch said; -1 before any. */
  leo: number;
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** The leader's log end when that fetch came. */
  leaderLeoAtLastFetch: number;
}

interface Waiter {
  offset: number;
  resolve: (error: ErrorName | null) => void;
  timer: NodeJS.Timeout;
}

/** One hosted partition's replication state. */
export interface ReplicaState {
  role: PartitionRole;
  leaderEpoch: number;
  partitionEpoch: number;
  leaderId: number;
  isr: number[];
  replicas: number[];
  epochs: EpochCache;
  followers: Map<number, FollowerProgress>;
  waiters: Waiter[];
  /** The leader's log end when it took the lead in this epoch. */
  epochStartOffset: number;
  /** When an ISR change was last sent, for the partition epoch it was based on. */
  alterSent: { partitionEpoch: number; at: number } | null;
}

export interface ReplicaManagerOptions {
  broker: Broker;
  nodeId: number;
  image: MetadataImage;
  channel: ControllerChannel;
  brokerEpoch: () => number;
  /** replica.lag.time.max.ms */
  lagMaxMs: number;
  fetcher: Omit<FetcherDeps, 'manager'>;
  /** Where high watermarks survive restarts, and how often they are written (replica.high.watermark.checkpoint.interval.ms). */
  checkpoint?: { file: HighWatermarkCheckpoint; intervalMs: number };
  now?: () => number;
}

function sameConfigs(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export class ReplicaManager implements ReplicationWaiter {
  private readonly states = new Map<Partition, ReplicaState>();
  private readonly listeners: RoleListener[] = [];
  /** Topics this node hosts because the image named them (only those are dropped when it stops naming them). */
  private readonly fromImage = new Set<string>();
  private readonly fetcher: ReplicaFetcher;
  private readonly timer: NodeJS.Timeout;
  private readonly checkpointTimer: NodeJS.Timeout | undefined;
  /** The high watermarks of the last run, for partitions not hosted again yet. */
  private readonly checkpointed: Checkpointed;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: ReplicaManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.fetcher = new ReplicaFetcher({ ...opts.fetcher, manager: this });
    this.timer = setInterval(() => this.shrinkIsrs(), Math.max(100, Math.floor(opts.lagMaxMs / 2)));
    this.timer.unref();
    this.checkpointed = opts.checkpoint?.file.read() ?? new Map();
    if (opts.checkpoint) {
      this.checkpointTimer = setInterval(() => this.writeCheckpoint(), Math.max(100, opts.checkpoint.intervalMs));
      this.checkpointTimer.unref();
    }
  }

  private writeCheckpoint(): void {
    const file = this.opts.checkpoint?.file;
    if (!file) return;
    const entries: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const [p, st] of this.states) {
      if (st.role.kind !== 'none')
        entries.push({ topic: p.topic.name, partition: p.index, offset: p.log.highWatermark });
    }
    try {
      file.write(entries);
    } catch (err) {
      this.opts.broker.log(`Cannot write the high-watermark checkpoint: ${(err as Error).message}`);
    }
  }

  get broker(): Broker {
    return this.opts.broker;
  }

  addRoleListener(l: RoleListener): void {
    this.listeners.push(l);
  }

  state(p: Partition): ReplicaState | undefined {
    return this.states.get(p);
  }

  /** Brings the local replicas in line with the committed image. Runs after every metadata commit. */
  reconcile(): void {
    if (this.closed) return;
    const { broker, image } = this.opts;
    for (const t of image.topics.values()) {
      let local = broker.topic(t.name);
      if (local && local.topicId !== t.topicId) {
        this.dropTopic(t.name);
        local = undefined;
      }
      const count = t.partitions.size === 0 ? 0 : Math.max(...t.partitions.keys()) + 1;
      const configs = Object.fromEntries(t.configs);
      try {
        if (!local) local = broker.hostTopic({ name: t.name, topicId: t.topicId, partitions: count, configs });
        else if (local.partitions.length < count) broker.hostPartitions(local, count);
        if (!sameConfigs(local.configs, configs)) broker.applyTopicConfigs(local, configs);
      } catch (err) {
        broker.log(`Cannot host ${t.name}: ${(err as Error).message}`);
        continue;
      }
      this.fromImage.add(t.name);
      for (const [index, pi] of t.partitions) {
        const p = local.partitions[index];
        if (p) this.update(p, pi);
      }
    }
    for (const name of [...this.fromImage]) {
      if (!image.topics.has(name)) this.dropTopic(name);
    }
  }

  private dropTopic(name: string): void {
    const topic = this.opts.broker.topic(name);
    if (topic) {
      for (const p of topic.partitions) this.setRole(p, { kind: 'none' });
      for (const p of topic.partitions) this.states.delete(p);
      this.opts.broker.deleteTopic(name);
    }
    this.fromImage.delete(name);
  }

  private update(p: Partition, pi: PartitionImage): void {
    const me = this.opts.nodeId;
    let st = this.states.get(p);
    if (!st) {
      st = {
        role: { kind: 'none' },
        leaderEpoch: -1,
        partitionEpoch: -1,
        leaderId: -1,
        isr: [],
        replicas: [],
        epochs: EpochCache.fromLog(p.log),
        followers: new Map(),
        waiters: [],
        epochStartOffset: 0,
        alterSent: null,
      };
      // What the last run knew the ISR held; otherwise nothing is known yet, and the followers' fetches raise it.
      p.log.setHighWatermark(this.checkpointed.get(checkpointKey(p.topic.name, p.index)) ?? 0);
      this.states.set(p, st);
    }
    const role: PartitionRole =
      pi.leader === me
        ? { kind: 'leader', leaderEpoch: pi.leaderEpoch, isr: pi.isr, replicas: pi.replicas }
        : pi.replicas.includes(me) && pi.leader >= 0
          ? { kind: 'follower', leaderEpoch: pi.leaderEpoch, leaderId: pi.leader, replicas: pi.replicas }
          : { kind: 'none' };
    const changed = st.role.kind !== role.kind || st.leaderEpoch !== pi.leaderEpoch;
    // Reassigned away: the copy here goes, as Kafka deletes a removed replica's log.
    const removed = st.replicas.includes(me) && !pi.replicas.includes(me);
    st.isr = [...pi.isr];
    st.replicas = [...pi.replicas];
    st.leaderId = pi.leader;
    if (st.partitionEpoch !== pi.partitionEpoch) st.alterSent = null;
    st.partitionEpoch = pi.partitionEpoch;
    st.leaderEpoch = pi.leaderEpoch;
    if (changed) this.setRole(p, role);
    else st.role = role;
    if (removed) this.dropReplica(p);
    if (role.kind === 'leader') {
      for (const id of pi.replicas) {
        if (id !== me && !st.followers.has(id))
          st.followers.set(id, { leo: -1, lastCaughtUpMs: this.now(), lastFetchMs: 0, leaderLeoAtLastFetch: 0 });
      }
      this.advanceHighWatermark(p, st);
      this.checkMinIsr(p, st);
    }
  }

  private setRole(p: Partition, role: PartitionRole): void {
    const st = this.states.get(p);
    if (!st) return;
    st.role = role;
    if (role.kind === 'leader') {
      // A new leader keeps its high watermark until the followers' fetches move it.
      const now = this.now();
      st.epochStartOffset = p.log.logEndOffset;
      st.followers = new Map();
      for (const id of role.replicas) {
        if (id !== this.opts.nodeId)
          st.followers.set(id, { leo: -1, lastCaughtUpMs: now, lastFetchMs: 0, leaderLeoAtLastFetch: 0 });
      }
      this.fetcher.remove(p);
    } else {
      this.failWaiters(st, 'NOT_LEADER_OR_FOLLOWER');
      if (role.kind === 'follower') this.fetcher.add(p, role.leaderId, role.leaderEpoch);
      else this.fetcher.remove(p);
    }
    for (const l of this.listeners) {
      try {
        l.onRoleChange(p.topic.name, p.index, role);
      } catch (err) {
        this.opts.broker.log(`Role listener failed for ${p.topic.name}-${p.index}: ${(err as Error).message}`);
      }
    }
    this.opts.broker.wakePartition(p);
  }

  /** Empties the local copy of a partition this broker no longer hosts. */
  private dropReplica(p: Partition): void {
    const { broker } = this.opts;
    try {
      p.log.truncateAll(0);
      broker.resetReplicaState(p);
      p.log.setHighWatermark(0);
      this.states.get(p)?.epochs.truncateFrom(0);
      broker.log(`Removed the replica of ${p.topic.name}-${p.index}: it is no longer assigned to this broker`);
    } catch (err) {
      broker.log(`Cannot remove the replica of ${p.topic.name}-${p.index}: ${(err as Error).message}`);
    }
  }

  // ---- the leader's side ----------------------------------------------------------------

  /** Null when this broker leads `p` in `currentLeaderEpoch` (-1: any); else Kafka's error. */
  leaderError(p: Partition, currentLeaderEpoch = -1): ErrorName | null {
    const st = this.states.get(p);
    if (!st || st.role.kind !== 'leader') return 'NOT_LEADER_OR_FOLLOWER';
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < st.leaderEpoch) return 'FENCED_LEADER_EPOCH';
    if (currentLeaderEpoch > st.leaderEpoch) return 'UNKNOWN_LEADER_EPOCH';
    return null;
  }

  leaderEpochOf(p: Partition): number {
    return this.states.get(p)?.leaderEpoch ?? 0;
  }

  isrSize(p: Partition): number {
    return this.states.get(p)?.isr.length ?? 1;
  }

  /** The leader appended: its own log end moved (alone in the ISR, that moves the high watermark). */
  onLeaderAppend(p: Partition, baseOffset: number): void {
    const st = this.states.get(p);
    if (!st) return;
    st.epochs.onBatch(st.leaderEpoch, baseOffset);
    this.advanceHighWatermark(p, st);
  }

  /**
   * A follower's fetch: its fetch offset is its log end. Kafka's catch-up rule: caught up
   * now if it reached our log end, or as of its previous fetch if it reached what our log
   * end was then.
   */
  onFollowerFetch(p: Partition, replicaId: number, fetchOffset: number): void {
    const st = this.states.get(p);
    if (!st || st.role.kind !== 'leader') return;
    const now = this.now();
    let f = st.followers.get(replicaId);
    if (!f) {
      f = { leo: -1, lastCaughtUpMs: 0, lastFetchMs: 0, leaderLeoAtLastFetch: 0 };
      st.followers.set(replicaId, f);
    }
    const leo = p.log.logEndOffset;
    if (fetchOffset >= leo) f.lastCaughtUpMs = now;
    else if (f.lastFetchMs > 0 && fetchOffset >= f.leaderLeoAtLastFetch)
      f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    f.leo = fetchOffset;
    f.lastFetchMs = now;
    f.leaderLeoAtLastFetch = leo;
    this.advanceHighWatermark(p, st);
    // Back in the ISR once it holds everything up to the high watermark and what this
    // leader had when its epoch began.
    if (
      !st.isr.includes(replicaId) &&
      st.replicas.includes(replicaId) &&
      fetchOffset >= p.log.highWatermark &&
      fetchOffset >= st.epochStartOffset
    ) {
      this.alterIsr(
        p,
        st,
        [...st.isr, replicaId].sort((a, b) => a - b),
      );
    }
  }

  /** The end offset of `epoch` in this leader's log, for a follower's divergence check. */
  endOffsetFor(p: Partition, epoch: number): { epoch: number; endOffset: number } {
    const st = this.states.get(p);
    if (!st) return { epoch: -1, endOffset: -1 };
    return st.epochs.endOffsetFor(epoch, p.log.logEndOffset);
  }

  private advanceHighWatermark(p: Partition, st: ReplicaState): void {
    if (st.role.kind !== 'leader') return;
    let hw = p.log.logEndOffset;
    for (const id of st.isr) {
      if (id === this.opts.nodeId) continue;
      const f = st.followers.get(id);
      hw = Math.min(hw, f ? f.leo : -1);
    }
    const current = p.log.highWatermark;
    if (hw > current) {
      p.log.setHighWatermark(hw);
      this.opts.broker.wakePartition(p);
    } else {
      // Never backwards: a new leader keeps its old mark until the followers catch up.
      p.log.setHighWatermark(current);
    }
    const reached = p.log.highWatermark;
    if (st.waiters.length > 0) {
      const left: Waiter[] = [];
      for (const w of st.waiters) {
        if (reached > w.offset) {
          clearTimeout(w.timer);
          w.resolve(null);
        } else left.push(w);
      }
      st.waiters = left;
    }
  }

  private checkMinIsr(p: Partition, st: ReplicaState): void {
    if (st.waiters.length > 0 && st.isr.length < p.topic.settings.minInsyncReplicas)
      this.failWaiters(st, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND');
  }

  private failWaiters(st: ReplicaState, error: ErrorName): void {
    for (const w of st.waiters) {
      clearTimeout(w.timer);
      w.resolve(error);
    }
    st.waiters = [];
  }

  awaitReplicated(topic: string, partition: number, lastOffset: number, timeoutMs: number): Promise<ErrorName | null> {
    const p = this.opts.broker.topic(topic)?.partitions[partition];
    const st = p ? this.states.get(p) : undefined;
    if (!p || !st || st.role.kind !== 'leader') return Promise.resolve('NOT_LEADER_OR_FOLLOWER');
    if (p.log.highWatermark > lastOffset) return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = {
        offset: lastOffset,
        resolve,
        timer: setTimeout(
          () => {
            st.waiters = st.waiters.filter((x) => x !== w);
            resolve('REQUEST_TIMED_OUT');
          },
          Math.max(0, timeoutMs),
        ),
      };
      w.timer.unref();
      st.waiters.push(w);
    });
  }

  /** Drops followers that have not caught up within replica.lag.time.max.ms from the ISR. */
  private shrinkIsrs(): void {
    const now = this.now();
    for (const [p, st] of this.states) {
      if (st.role.kind !== 'leader') continue;
      const lagging = st.isr.filter((id) => {
        if (id === this.opts.nodeId) return false;
        const f = st.followers.get(id);
        return !f || now - f.lastCaughtUpMs > this.opts.lagMaxMs;
      });
      if (lagging.length > 0)
        this.alterIsr(
          p,
          st,
          st.isr.filter((id) => !lagging.includes(id)),
        );
    }
  }

  private alterIsr(p: Partition, st: ReplicaState, newIsr: number[]): void {
    const now = this.now();
    if (st.alterSent && st.alterSent.partitionEpoch === st.partitionEpoch && now - st.alterSent.at < ALTER_RETRY_MS)
      return;
    st.alterSent = { partitionEpoch: st.partitionEpoch, at: now };
    const body = {
      brokerId: this.opts.nodeId,
      brokerEpoch: this.opts.brokerEpoch(),
      topics: [
        {
          topicName: p.topic.name,
          topicId: p.topic.topicId,
          partitions: [
            {
              partitionIndex: p.index,
              leaderEpoch: st.leaderEpoch,
              newIsr,
              newIsrWithEpochs: [],
              leaderRecoveryState: 0,
              partitionEpoch: st.partitionEpoch,
            },
          ],
        },
      ],
    };
    // The committed image, not this answer, changes the ISR here (reconcile sees it).
    this.opts.channel.send(API_ALTER_PARTITION, body).then(
      (res) => {
        const code = (res.errorCode as number) ?? ErrorCode.NONE;
        if (code !== ErrorCode.NONE) st.alterSent = null;
      },
      () => {
        st.alterSent = null;
      },
    );
  }

  close(): void {
    if (!this.closed) this.writeCheckpoint();
    this.closed = true;
    clearInterval(this.timer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.fetcher.close();
    this.opts.fetcher.peers.close();
    for (const st of this.states.values()) this.failWaiters(st, 'NOT_LEADER_OR_FOLLOWER');
  }
}
