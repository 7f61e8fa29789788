// The fetch fast path: one Fetch in flight per leader, the next one sent before the
// caller decodes the last, so the broker works while we print. Batches are decoded
// (and decompressed) here; offsets advance past control batches and compaction gaps.
import { ErrorCode, KafkaError, errorName, isRetriable } from '../protocol/errors.js';
import {
  BATCH_HEADER_SIZE,
  MAGIC_V2,
  batchBodies,
  batchSize,
  decodeBatches,
  readBatchHeader,
  type BatchBody,
  type DecompressFn,
  type DecodedRecord,
} from '../protocol/record-batch.js';
import type { ReusedBuffers } from '../protocol/reused-buffers.js';
import { AbortedFilter } from './aborted-filter.js';
import type { ClusterClient } from './cluster.js';
import { ConnectionError } from './errors.js';

const FETCH = 1;
const LIST_OFFSETS = 2;
/** v12 is the last version that names topics; newer ones need topic ids. */
const FETCH_MAX_VERSION = 12;

export type OffsetSpec = 'earliest' | 'latest' | number;

export interface FetcherOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  /** What to do when a position falls outside the log. */
  resetPolicy: 'earliest' | 'latest' | 'none';
  decompress?: DecompressFn;
  retryBackoffMs: number;
  /** Longest wait between retries while a broker stays away (reconnect.backoff.max.ms). */
  retryBackoffMaxMs: number;
  /** Told of each failure that poll() rides out (a broker gone, a leader moving). */
  onRetry?: (error: Error) => void;
  /**
   * The pool the connections read response frames into (BrokerConnectionOptions.frameBuffers),
   * for a caller that is done with what poll() returned when it calls poll() again (it copied
   * what it kept): the frames of that answer are given back then.
   */
  frameBuffers?: ReusedBuffers;
}

export const DEFAULT_FETCHER_OPTIONS: FetcherOptions = {
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52428800,
  partitionMaxBytes: 1048576,
  isolationLevel: 0,
  resetPolicy: 'latest',
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
};

export interface FetchedRecord extends DecodedRecord {
  timestampType: number;
}

/** A partition's fetched batches undecoded, for readers that walk records in place (RecordCursor). */
export interface RawRecords {
  /** Records before this offset were returned before: skip them. */
  from: number;
  batches: BatchBody[];
}

export interface FetchedPartition {
  topic: string;
  partition: number;
  records: FetchedRecord[];
  /** The same records undecoded, where the source has them as bytes; null otherwise. */
  bodies?(): RawRecords | null;
  highWatermark: number;
  /** The position after these records. */
  nextOffset: number;
}

/**
 * One fetched record batch whose records are decompressed and decoded only when read, and
 * not kept: a response of a compressed topic can hold hundreds of thousands of records, and
 * decoding them all up front kept them alive together (hundreds of MB, most of the time in
 * GC). Read once each, batches stay garbage-collectable one at a time.
 */
class FetchedBatch implements FetchedPartition {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly highWatermark: number,
    readonly nextOffset: number,
    /** The batch's bytes, or null when it yields no records (control, aborted, already read). */
    readonly bytes: Buffer | null,
    /** Records before this offset were returned before. */
    private readonly from: number,
    private readonly decompress: DecompressFn | undefined,
  ) {}

  get records(): FetchedRecord[] {
    if (this.bytes === null) return [];
    const out: FetchedRecord[] = [];
    for (const batch of decodeBatches(this.bytes, this.decompress)) {
      for (const r of batch.records) if (r.offset >= this.from) out.push(r as FetchedRecord);
    }
    return out;
  }

  bodies(): RawRecords | null {
    return { from: this.from, batches: this.bytes === null ? [] : batchBodies(this.bytes, this.decompress) };
  }
}

interface Position {
  topic: string;
  partition: number;
  offset: number;
  highWatermark: number;
}

const NO_RECORDS: readonly DecodedRecord[] = [];

export class FetchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Failures a consumer waits out, as Kafka's does: the broker may come back, the leader may move. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ConnectionError)
    return error.code !== 'TLS_FAILED' && error.code !== 'BAD_RESPONSE' && error.code !== 'UNSUPPORTED_VERSION';
  if (error instanceof FetchError)
    return error.code !== 'CORRUPT_MESSAGE' && isRetriable((ErrorCode as Record<string, number>)[error.code] ?? -1);
  return error instanceof KafkaError && error.retriable;
}

export class Fetcher {
  readonly opts: FetcherOptions;
  private readonly positions = new Map<string, Position>();
  private readonly pending = new Map<number, Promise<FetchedPartition[]>>();
  private stopped = false;
  /** Transient failures in a row, for the backoff. */
  private failures = 0;
  /** The last answer poll() gave, whose frames go back to opts.frameBuffers at the next poll. */
  private lent: FetchedPartition[] = [];

  constructor(
    private readonly cluster: ClusterClient,
    opts: Partial<FetcherOptions> = {},
  ) {
    this.opts = { ...DEFAULT_FETCHER_OPTIONS, ...opts };
  }

  /** Sets positions, resolving 'earliest' / 'latest' / negative offsets through ListOffsets. */
  async assign(assignments: Array<{ topic: string; partition: number; offset: OffsetSpec }>): Promise<void> {
    const resolved = await this.listOffsets(
      assignments.map((a) => ({ topic: a.topic, partition: a.partition, spec: a.offset })),
    );
    for (const a of assignments) {
      const key = `${a.topic}\u0000${a.partition}`;
      this.positions.set(key, {
        topic: a.topic,
        partition: a.partition,
        offset: resolved.get(key)!,
        highWatermark: -1,
      });
    }
  }

  position(topic: string, partition: number): number | undefined {
    return this.positions.get(`${topic}\u0000${partition}`)?.offset;
  }

  /** Offsets for specs: 'earliest', 'latest', a timestamp wrapped as {timestamp}, or a plain offset. */
  async listOffsets(
    items: Array<{ topic: string; partition: number; spec: OffsetSpec | { timestamp: number } }>,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const byNode = new Map<number, typeof items>();
    for (const it of items) {
      const key = `${it.topic}\u0000${it.partition}`;
      if (typeof it.spec === 'number' && it.spec >= 0) {
        out.set(key, it.spec);
        continue;
      }
      const leader = await this.leader(it.topic, it.partition);
      let list = byNode.get(leader);
      if (!list) {
        list = [];
        byNode.set(leader, list);
      }
      list.push(it);
    }
    await Promise.all(
      [...byNode].map(async ([node, list]) => {
        const topics = new Map<
          string,
          Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }>
        >();
        for (const it of list) {
          const ts =
            it.spec === 'earliest'
              ? -2
              : it.spec === 'latest'
                ? -1
                : typeof it.spec === 'object'
                  ? it.spec.timestamp
                  : it.spec;
          let parts = topics.get(it.topic);
          if (!parts) {
            parts = [];
            topics.set(it.topic, parts);
          }
          parts.push({ partitionIndex: it.partition, currentLeaderEpoch: -1, timestamp: ts, maxNumOffsets: 1 });
        }
        const res = (await this.cluster.send(
          LIST_OFFSETS,
          {
            replicaId: -1,
            isolationLevel: this.opts.isolationLevel,
            topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
          },
          { node, minVersion: 1 },
        )) as {
          topics: Array<{
            name: string;
            partitions: Array<{ partitionIndex: number; errorCode: number; offset: number }>;
          }>;
        };
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE)
              throw new FetchError(
                errorName(p.errorCode),
                `ListOffsets for ${t.name}-${p.partitionIndex} failed: ${errorName(p.errorCode)}`,
              );
            out.set(`${t.name}\u0000${p.partitionIndex}`, p.offset);
          }
        }
      }),
    );
    return out;
  }

  /**
   * The next records from any leader; resolves with an empty list after a quiet max wait.
   * Transient failures (see isTransient) are reported to onRetry and waited out with a
   * growing backoff, so a consumer outlives a broker restart; anything else is thrown.
   */
  async poll(): Promise<FetchedPartition[]> {
    if (this.opts.frameBuffers !== undefined && this.lent.length > 0) {
      const frames: Buffer[] = [];
      for (const b of this.lent) if (b instanceof FetchedBatch && b.bytes !== null) frames.push(b.bytes);
      this.opts.frameBuffers.giveBack(frames);
      this.lent = [];
    }
    if (this.stopped) return [];
    try {
      const byLeader = await this.positionsByLeader();
      for (const node of byLeader.keys()) if (!this.pending.has(node)) this.pending.set(node, this.fetchFrom(node));
      if (this.pending.size === 0) return [];
      const tagged = [...this.pending].map(([node, p]) =>
        p.then(
          (r) => ({ node, r, error: undefined }),
          (error: unknown) => ({ node, r: [], error }),
        ),
      );
      const { node, r, error } = await Promise.race(tagged);
      this.pending.delete(node);
      if (error !== undefined) throw error;
      // Ask for more at once, so the broker and the network work while the caller prints.
      if (!this.stopped && r.length > 0) this.pending.set(node, this.fetchFrom(node));
      this.failures = 0;
      if (this.opts.frameBuffers !== undefined) this.lent = r;
      return r;
    } catch (error) {
      // Stopped while waiting: the failure is the closing itself.
      if (this.stopped) return [];
      if (!isTransient(error)) throw error;
      this.opts.onRetry?.(error as Error);
      const wait = Math.min(this.opts.retryBackoffMaxMs, this.opts.retryBackoffMs * 2 ** this.failures++);
      await new Promise((r) => setTimeout(r, wait));
      await this.cluster
        .refreshMetadata([...new Set([...this.positions.values()].map((p) => p.topic))])
        .catch(() => undefined);
      return [];
    }
  }

  /** Forgets every position (a group rebalance); answers still in flight are dropped. */
  clear(): void {
    this.positions.clear();
    for (const p of this.pending.values()) p.catch(() => undefined);
    this.pending.clear();
  }

  /** Stops fetching; a fetch still in flight is abandoned (its result or error dropped). */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private async leader(topic: string, partition: number): Promise<number> {
    let leader = this.cluster.leaderOf(topic, partition);
    if (leader === undefined || leader < 0) {
      await this.cluster.refreshMetadata([...new Set([...[...this.positions.values()].map((p) => p.topic), topic])]);
      leader = this.cluster.leaderOf(topic, partition);
    }
    if (leader === undefined || leader < 0)
      throw new FetchError('LEADER_NOT_AVAILABLE', `No leader for ${topic}-${partition}`);
    return leader;
  }

  private async positionsByLeader(): Promise<Map<number, Position[]>> {
    const out = new Map<number, Position[]>();
    for (const p of this.positions.values()) {
      const leader = await this.leader(p.topic, p.partition);
      let list = out.get(leader);
      if (!list) {
        list = [];
        out.set(leader, list);
      }
      list.push(p);
    }
    return out;
  }

  private async fetchFrom(node: number): Promise<FetchedPartition[]> {
    const mine = [...this.positions.values()].filter((p) => this.cluster.leaderOf(p.topic, p.partition) === node);
    if (mine.length === 0) return [];
    const topics = new Map<string, Position[]>();
    for (const p of mine) {
      let list = topics.get(p.topic);
      if (!list) {
        list = [];
        topics.set(p.topic, list);
      }
      list.push(p);
    }
    const requested = new Map(mine.map((p) => [`${p.topic}\u0000${p.partition}`, p.offset]));
    const body = {
      replicaId: -1,
      maxWaitMs: this.opts.maxWaitMs,
      minBytes: this.opts.minBytes,
      maxBytes: this.opts.maxBytes,
      isolationLevel: this.opts.isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics].map(([topic, ps]) => ({
        topic,
        partitions: ps.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: this.opts.partitionMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
    const res = (await this.cluster.send(FETCH, body, {
      node,
      minVersion: 4,
      maxVersion: FETCH_MAX_VERSION,
      timeoutMs: this.opts.maxWaitMs + 30_000,
    })) as FetchResponse;
    if (res.errorCode) throw new FetchError(errorName(res.errorCode), `Fetch failed: ${errorName(res.errorCode)}`);
    const out: FetchedPartition[] = [];
    const resets: Position[] = [];
    let retry = false;
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const key = `${t.topic}\u0000${p.partitionIndex}`;
        const pos = this.positions.get(key);
        // Stale answer: the position moved (a seek) while this fetch was in flight.
        if (!pos || pos.offset !== requested.get(key)) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          resets.push(pos);
          continue;
        }
        if (p.errorCode === ErrorCode.CORRUPT_MESSAGE) {
          // Retriable on the wire, but the same bytes come back every time: Kafka's consumer
          // stops here and asks the user to seek past the record, and so does ktool.
          throw new FetchError(
            'CORRUPT_MESSAGE',
            `Received a corrupt record batch when fetching ${t.topic}-${p.partitionIndex} at offset ${pos.offset}. If needed, seek past it (e.g. --offset ${pos.offset + 1}) to continue.`,
          );
        }
        if (p.errorCode !== ErrorCode.NONE) {
          if (isRetriable(p.errorCode)) {
            retry = true;
            continue;
          }
          throw new FetchError(
            errorName(p.errorCode),
            `Fetch from ${t.topic}-${p.partitionIndex} failed: ${errorName(p.errorCode)}`,
          );
        }
        pos.highWatermark = p.highWatermark;
        if (!p.records || p.records.length === 0) continue;
        const from = pos.offset;
        let next = from;
        const aborted = this.opts.isolationLevel === 1 ? new AbortedFilter(p.abortedTransactions) : null;
        const buf: Buffer = p.records;
        let added = 0;
        // Only headers are read here; records are decoded when the caller reads each batch.
        for (let at = 0; buf.length - at >= BATCH_HEADER_SIZE;) {
          const size = batchSize(buf, at);
          if (size < BATCH_HEADER_SIZE) throw new Error(`malformed record batch at byte ${at}: size ${size}`);
          if (at + size > buf.length) break; // a partial trailing batch
          const header = readBatchHeader(buf, at);
          if (header.magic !== MAGIC_V2)
            throw new Error(`unsupported record batch magic ${header.magic} at byte ${at}`);
          const bytes = buf.subarray(at, at + size);
          at += size;
          // Control batches are tiny and uncompressed; the filter needs their record key.
          const skip =
            aborted !== null && aborted.skips(header, header.isControl ? decodeBatches(bytes)[0]!.records : NO_RECORDS);
          if (header.lastOffset < from) continue;
          next = header.lastOffset + 1;
          const keep = !header.isControl && !skip;
          out.push(
            new FetchedBatch(
              t.topic,
              p.partitionIndex,
              p.highWatermark,
              next,
              keep ? bytes : null,
              from,
              this.opts.decompress,
            ),
          );
          added++;
        }
        pos.offset = next;
        if (added === 0)
          out.push(new FetchedBatch(t.topic, p.partitionIndex, p.highWatermark, next, null, from, undefined));
      }
    }
    if (resets.length > 0) {
      if (this.opts.resetPolicy === 'none') {
        const r = resets[0];
        throw new FetchError('OFFSET_OUT_OF_RANGE', `Offset ${r.offset} is out of range for ${r.topic}-${r.partition}`);
      }
      const fresh = await this.listOffsets(
        resets.map((r) => ({ topic: r.topic, partition: r.partition, spec: this.opts.resetPolicy as OffsetSpec })),
      );
      for (const r of resets) {
        const pos = this.positions.get(`${r.topic}\u0000${r.partition}`)!;
        pos.offset = fresh.get(`${r.topic}\u0000${r.partition}`)!;
      }
      retry = true;
    }
    if (retry) {
      await new Promise((r) => setTimeout(r, this.opts.retryBackoffMs));
      await this.cluster.refreshMetadata([...topics.keys()]).catch(() => undefined);
      if (out.length === 0) return this.fetchFrom(node);
    }
    return out;
  }
}

interface FetchResponse {
  errorCode: number;
  responses: Array<{
    topic: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      highWatermark: number;
      abortedTransactions?: Array<{ producerId: number; firstOffset: number }> | null;
      records: Buffer | null;
    }>;
  }>;
}
