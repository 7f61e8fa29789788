// A follower's side of replication (Kafka's ReplicaFetcherThread): one fetch loop per
// leader, sending Fetch with this broker's replica id. The leader's batches are appended
// as they are, at the leader's offsets, so every replica holds the same bytes. When the
// leader says the follower's log diverged (Fetch v12+'s divergingEpoch), the follower cuts
// its tail back to where the two logs agree before fetching on.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { validateBatches } from '../../protocol/record-batch.js';
import type { MessageBody } from '../../protocol/types.js';
import type { Partition } from '../broker.js';
import type { PeerAddress } from '../raft/tcp-transport.js';
import { trackBatch } from '../transactions/markers.js';
import type { PeerClient } from './peer-client.js';
import type { ReplicaManager } from './replica-manager.js';

const API_FETCH = 1;
/** Topic names, replicaId, lastFetchedEpoch and divergingEpoch: the first version with all of them. */
const FETCH_VERSION = 12;
const PARTITION_MAX_BYTES = 1024 * 1024;
const RESPONSE_MAX_BYTES = 16 * 1024 * 1024;

export interface FetcherDeps {
  manager: ReplicaManager;
  nodeId: number;
  peers: PeerClient;
  /** The leader's address on the inter-broker listener, from the image. */
  endpointOf(brokerId: number): PeerAddress | undefined;
  maxWaitMs: number;
  requestTimeoutMs: number;
  backoffMs: number;
  log: (line: string) => void;
}

interface Assignment {
  leaderId: number;
  leaderEpoch: number;
}

export class ReplicaFetcher {
  private readonly assigned = new Map<Partition, Assignment>();
  private readonly loops = new Set<number>();
  private closed = false;

  constructor(private readonly deps: FetcherDeps) {}

  add(p: Partition, leaderId: number, leaderEpoch: number): void {
    this.assigned.set(p, { leaderId, leaderEpoch });
    if (!this.loops.has(leaderId) && !this.closed) {
      this.loops.add(leaderId);
      void this.run(leaderId);
    }
  }

  remove(p: Partition): void {
    this.assigned.delete(p);
  }

  close(): void {
    this.closed = true;
    this.assigned.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms).unref());
  }

  private async run(leaderId: number): Promise<void> {
    const { deps } = this;
    try {
      while (!this.closed) {
        const parts = [...this.assigned].filter(([, a]) => a.leaderId === leaderId);
        if (parts.length === 0) return;
        const address = deps.endpointOf(leaderId);
        if (!address) {
          await this.sleep(deps.backoffMs);
          continue;
        }
        const byTopic = new Map<string, object[]>();
        for (const [p, a] of parts) {
          const st = deps.manager.state(p);
          const list = byTopic.get(p.topic.name) ?? [];
          list.push({
            partition: p.index,
            currentLeaderEpoch: a.leaderEpoch,
            fetchOffset: p.log.logEndOffset,
            lastFetchedEpoch: st ? st.epochs.latestEpoch : -1,
            logStartOffset: p.log.logStartOffset,
            partitionMaxBytes: PARTITION_MAX_BYTES,
          });
          byTopic.set(p.topic.name, list);
        }
        const body = {
          replicaId: deps.nodeId,
          maxWaitMs: deps.maxWaitMs,
          minBytes: 1,
          maxBytes: RESPONSE_MAX_BYTES,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          forgottenTopicsData: [],
          rackId: '',
        };
        let res: MessageBody;
        try {
          res = await deps.peers.send(address, API_FETCH, FETCH_VERSION, body, deps.maxWaitMs + deps.requestTimeoutMs);
        } catch {
          await this.sleep(deps.backoffMs);
          continue;
        }
        let pause = res.errorCode !== undefined && res.errorCode !== ErrorCode.NONE;
        for (const t of (res.responses ?? []) as MessageBody[]) {
          for (const pr of (t.partitions ?? []) as MessageBody[]) {
            const p = parts.find(([x]) => x.topic.name === t.topic && x.index === pr.partitionIndex)?.[0];
            const a = p ? this.assigned.get(p) : undefined;
            if (!p || !a || a.leaderId !== leaderId) continue;
            if (!this.apply(p, pr)) pause = true;
          }
        }
        if (pause) await this.sleep(deps.backoffMs);
      }
    } finally {
      this.loops.delete(leaderId);
      // A partition assigned while the loop was ending needs a loop of its own.
      if (!this.closed && [...this.assigned.values()].some((a) => a.leaderId === leaderId)) {
        this.loops.add(leaderId);
        void this.run(leaderId);
      }
    }
  }

  /** One partition's part of a fetch response; false when the loop should back off. */
  private apply(p: Partition, pr: MessageBody): boolean {
    const { manager, log } = this.deps;
    const broker = manager.broker;
    const st = manager.state(p);
    if (!st) return false;
    try {
      if (pr.errorCode !== ErrorCode.NONE) {
        if (pr.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          // Behind the leader's log start: start over there; ahead of its end: cut back to it.
          const start = pr.logStartOffset as number;
          if (start >= 0 && p.log.logEndOffset < start) {
            p.log.truncateAll(start);
            this.truncated(p);
          } else if ((pr.highWatermark as number) >= 0 && p.log.logEndOffset > (pr.highWatermark as number)) {
            p.log.truncateTo(pr.highWatermark as number);
            this.truncated(p);
          }
        } else if (
          pr.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER &&
          pr.errorCode !== ErrorCode.FENCED_LEADER_EPOCH
        ) {
          log(`Replica fetch of ${p.topic.name}-${p.index} failed: ${errorName(pr.errorCode as number)}`);
        }
        return false;
      }
      const div = pr.divergingEpoch as { epoch: number; endOffset: number } | undefined;
      if (div && div.endOffset >= 0) {
        // Cut back to where both logs agree: the leader's end of that epoch, or ours if earlier.
        const own = st.epochs.endOffsetFor(div.epoch, p.log.logEndOffset);
        const target = Math.min(div.endOffset, own.epoch === div.epoch ? own.endOffset : p.log.logEndOffset);
        if (target < p.log.logEndOffset) {
          log(
            `Truncating ${p.topic.name}-${p.index} from ${p.log.logEndOffset} to ${target}: its tail diverged from the leader's (epoch ${div.epoch})`,
          );
          p.log.truncateTo(target);
          this.truncated(p);
        }
        return true;
      }
      const records = pr.records as Buffer | null;
      if (records && records.length > 0) this.append(p, records);
      p.log.setHighWatermark(Math.min(pr.highWatermark as number, p.log.logEndOffset));
      broker.wakePartition(p);
      return true;
    } catch (err) {
      log(`Replica fetch of ${p.topic.name}-${p.index} failed: ${(err as Error).message}`);
      return false;
    }
  }

  private truncated(p: Partition): void {
    const st = this.deps.manager.state(p);
    st?.epochs.truncateFrom(p.log.logEndOffset);
    if (p.log.highWatermark > p.log.logEndOffset) p.log.setHighWatermark(p.log.logEndOffset);
    this.deps.manager.broker.resetReplicaState(p);
  }

  private append(p: Partition, records: Buffer): void {
    const checked = validateBatches(records, { checkRecords: false });
    if (checked.error !== null) throw new Error(`the leader sent ${checked.error}: ${checked.message}`);
    // Only whole batches from our log end on (a response may start inside one we have).
    const leo = p.log.logEndOffset;
    const fresh = checked.batches.filter((b) => b.baseOffset >= leo);
    if (fresh.length === 0) return;
    const start = fresh[0]!.position;
    const last = fresh[fresh.length - 1]!;
    const bytes = records.subarray(start, last.position + last.size);
    p.log.append(bytes, { keepOffsets: true });
    const st = this.deps.manager.state(p);
    for (const b of fresh) {
      st?.epochs.onBatch(b.partitionLeaderEpoch, b.baseOffset);
      if (b.producerId >= 0 && b.baseSequence >= 0 && !b.isControl) {
        p.producers.record(b.producerId, b.producerEpoch, {
          firstSeq: b.baseSequence,
          lastSeq: (b.baseSequence + b.lastOffsetDelta) | 0,
          firstOffset: b.baseOffset,
          lastOffset: b.baseOffset + b.lastOffsetDelta,
          maxTimestamp: b.maxTimestamp,
        });
      }
      trackBatch(p, b, () => records.subarray(b.position, b.position + b.size));
    }
  }
}
