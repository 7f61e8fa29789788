// A deterministic world for Raft unit tests: a fake clock that runs timers in order, and a network
// that carries every request and response through the real Kafka codec, with crashes and cuts.
import {
  encodeRequestFrame,
  decodeRequestFrame,
  encodeResponseFrame,
  decodeResponseFrame,
  concatChunks,
} from '../../../src/protocol/index.js';
import type { MessageBody } from '../../../src/protocol/index.js';
import { MemoryLogStore, RaftLog } from '../../../src/broker/raft/raft-log.js';
import { MemoryQuorumStateStore } from '../../../src/broker/raft/quorum-state-store.js';
import { MetadataImage } from '../../../src/broker/raft/metadata-image.js';
import { MemorySnapshotStore } from '../../../src/broker/raft/snapshot.js';
import {
  RAFT_REQUEST_VERSIONS,
  RaftNode,
  type CommittedBatch,
  type RaftClock,
} from '../../../src/broker/raft/raft-node.js';

const flush = async () => {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
};

export class FakeClock implements RaftClock {
  private t = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Runs every timer due within `ms`, in time order, letting promise chains settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
    await flush();
  }
}

/** mulberry32: a seeded source for the election timeouts. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimMember {
  node: RaftNode;
  logStore: MemoryLogStore;
  stateStore: MemoryQuorumStateStore;
  committed: CommittedBatch[];
  /** The metadata this member has applied from its committed log. */
  image: MetadataImage;
  snapshots: MemorySnapshotStore;
}

export class SimCluster {
  readonly clock = new FakeClock();
  readonly members = new Map<number, SimMember>();
  private readonly down = new Set<number>();
  private readonly cuts = new Set<string>();
  private correlation = 0;
  readonly requestTimeoutMs = 2000;
  readonly logLines: string[] = [];
  /** Requests sent, by API key. */
  readonly sent = new Map<number, number>();

  constructor(
    readonly voters: number[],
    private readonly seed = 1,
    readonly clusterId = 'sim-cluster-000000000A',
    private readonly snapshotBytes = 0,
  ) {
    for (const id of voters)
      this.create(id, new MemoryLogStore(), new MemoryQuorumStateStore(), new MemorySnapshotStore());
  }

  private create(
    id: number,
    logStore: MemoryLogStore,
    stateStore: MemoryQuorumStateStore,
    snapshots: MemorySnapshotStore,
  ): SimMember {
    // A new process starts with empty memory and re-applies its log as the high watermark passes it.
    const committed: CommittedBatch[] = [];
    const image = new MetadataImage();
    const node = new RaftNode({
      nodeId: id,
      voters: this.voters,
      clusterId: this.clusterId,
      log: new RaftLog(logStore),
      stateStore,
      clock: this.clock,
      transport: { send: (to, apiKey, body) => this.deliver(id, to, apiKey, body) },
      random: seeded(this.seed * 100 + id),
      logger: (line) => this.logLines.push(`${this.clock.now()} ${line}`),
      onCommit: (batches) => {
        committed.push(...batches);
        image.apply(batches);
      },
      snapshots,
      snapshotBytes: this.snapshotBytes,
      snapshotState: () => image.toRecords(),
      onSnapshot: (values, sid) => image.loadSnapshot(values, sid.endOffset),
    });
    const m = { node, logStore, stateStore, committed, image, snapshots };
    this.members.set(id, m);
    return m;
  }

  start(): void {
    for (const m of this.members.values()) m.node.start();
  }

  /** A broker that is not a voter: it reads the metadata log as an observer. */
  addObserver(id: number): RaftNode {
    const m = this.create(id, new MemoryLogStore(), new MemoryQuorumStateStore(), new MemorySnapshotStore());
    m.node.start();
    return m.node;
  }

  node(id: number): RaftNode {
    return this.members.get(id)!.node;
  }

  private reachable(from: number, to: number): boolean {
    return (
      !this.down.has(from) && !this.down.has(to) && !this.cuts.has(`${from}-${to}`) && !this.cuts.has(`${to}-${from}`)
    );
  }

  /** One request over the wire format and back; an unreachable peer is a request timeout. */
  private deliver(from: number, to: number, apiKey: number, body: object): Promise<MessageBody> {
    const version = RAFT_REQUEST_VERSIONS[apiKey]!;
    this.sent.set(apiKey, (this.sent.get(apiKey) ?? 0) + 1);
    const correlationId = ++this.correlation;
    const frame = concatChunks(encodeRequestFrame(apiKey, version, correlationId, `raft-${from}`, body));
    return new Promise((resolve, reject) => {
      const timeout = () =>
        this.clock.setTimeout(() => reject(new Error(`request to ${to} timed out`)), this.requestTimeoutMs);
      this.clock.setTimeout(async () => {
        if (!this.reachable(from, to)) return timeout();
        const { header, body: decoded } = decodeRequestFrame(frame.subarray(4));
        const res = await this.members.get(to)!.node.handle(header.apiKey, decoded);
        if (res === undefined || !this.reachable(from, to)) return timeout();
        const out = concatChunks(encodeResponseFrame(apiKey, version, correlationId, res));
        this.clock.setTimeout(() => {
          if (!this.reachable(from, to)) return timeout();
          resolve(decodeResponseFrame(apiKey, version, out.subarray(4)).body);
        }, 1);
      }, 1);
    });
  }

  /** kill -9: the process is gone, its disk stays. */
  crash(id: number): void {
    this.down.add(id);
    this.members.get(id)!.node.halt();
  }

  /** A new process on the same disk. */
  restart(id: number): RaftNode {
    const old = this.members.get(id)!;
    this.down.delete(id);
    const m = this.create(id, old.logStore, old.stateStore, old.snapshots);
    m.node.start();
    return m.node;
  }

  cut(a: number, b: number): void {
    this.cuts.add(`${a}-${b}`);
  }

  heal(): void {
    this.cuts.clear();
  }

  alive(): RaftNode[] {
    return [...this.members].filter(([id]) => !this.down.has(id)).map(([, m]) => m.node);
  }

  leaders(): RaftNode[] {
    return this.alive().filter((n) => n.role === 'leader');
  }

  /** Advances time until exactly one live leader exists whose followers all know it. */
  async awaitLeader(maxMs = 30_000): Promise<RaftNode> {
    for (let t = 0; t < maxMs; t += 50) {
      await this.clock.advance(50);
      const leaders = this.leaders();
      if (leaders.length === 1) {
        const l = leaders[0]!;
        const epoch = l.epoch;
        if (
          this.alive().every((n) => n === l || (n.role === 'follower' && n.leaderId === l.nodeId && n.epoch === epoch))
        )
          return l;
      }
    }
    throw new Error(`no stable leader after ${maxMs} ms:\n${this.logLines.slice(-20).join('\n')}`);
  }
}
