// The produce fast path: records are grouped per partition into record batches, batches
// per leader into Produce requests, with several requests in flight per broker, like the
// Java producer's accumulator and sender. Each record carries the caller's sequence
// number (a line number, say), so a failure names exactly which records were lost.
import { encodeRecordBatch, type CompressFn, type RecordInput } from '../protocol/record-batch.js';
import { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';
import type { ClusterClient } from './cluster.js';
import { partitionForKey } from './partitioner.js';

const PRODUCE = 0;

export interface ProducerOptions {
  acks: -1 | 0 | 1;
  /** Codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  compress?: CompressFn;
  /** batch.size: bytes of records per partition batch. */
  batchSize: number;
  lingerMs: number;
  /** max.in.flight.requests.per.connection */
  maxInFlight: number;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  /** max.request.size */
  maxRequestSize: number;
  /** buffer.memory: append() reports backpressure above this. */
  bufferMemory: number;
  /** max.block.ms: how long to wait for a topic's metadata. */
  maxBlockMs: number;
  /** Called as each batch completes, with when each of its records was appended (perf tests). */
  onBatchDone?: (appendedAt: Float64Array, count: number, error: string | null) => void;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  acks: -1, compression: 0, batchSize: 16384, lingerMs: 5, maxInFlight: 5, requestTimeoutMs: 30000,
  retries: 2147483647, retryBackoffMs: 100, maxRequestSize: 1048576, bufferMemory: 33554432, maxBlockMs: 60000,
};

export interface ProduceRecord {
  topic: string;
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Array<{ key: string; value: Buffer | null }>;
  timestamp?: number;
  /** The caller's id for this record (a line number); reported back on failure. */
  seq: number;
}

export interface ProduceFailure {
  seq: number;
  topic: string;
  partition: number;
  error: string;
  message: string;
}

interface Batch {
  topic: string;
  partition: number;
  records: RecordInput[];
  seqs: number[];
  /** Append times, kept only when onBatchDone wants latencies. */
  appendedAt: Float64Array | null;
  bytes: number;
  attempts: number;
  notBefore: number;
}

interface TopicInfo {
  partitions: number;
  /** For records without a key: Kafka's sticky choice, moved on when a batch fills. */
  sticky: number;
}

const RECORD_OVERHEAD = 24;

export class Producer {
  readonly opts: ProducerOptions;
  sent = 0;
  failed = 0;
  /** The first failures, in order (kept bounded). */
  readonly failures: ProduceFailure[] = [];
  private readonly open = new Map<string, Batch>();
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Map<number, number>();
  private readonly topics = new Map<string, TopicInfo>();
  private buffered = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private waiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private metadataRefresh: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly cluster: ClusterClient, opts: Partial<ProducerOptions> = {}) {
    this.opts = { ...DEFAULT_PRODUCER_OPTIONS, ...opts };
  }

  /** Loads partition counts for the topics, waiting (up to max.block.ms) for auto-created ones. */
  async prepare(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.opts.maxBlockMs;
    for (;;) {
      const md = await this.cluster.refreshMetadata(topics, { allowAutoTopicCreation: true });
      const missing: string[] = [];
      for (const name of topics) {
        const t = md.topics.get(name);
        if (t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) {
          this.topics.set(name, { partitions: t.partitions.length, sticky: Math.floor(Math.random() * t.partitions.length) });
        } else if (t && !isRetriable(t.errorCode) && t.errorCode !== ErrorCode.NONE) {
          throw new ProducerError(errorName(t.errorCode), `Topic ${name} is not available: ${errorName(t.errorCode)}`);
        } else {
          missing.push(name);
        }
      }
      if (missing.length === 0) return;
      if (Date.now() >= deadline) {
        throw new ProducerError('TIMEOUT', `Topic ${missing.join(', ')} not present in metadata after ${this.opts.maxBlockMs} ms.`);
      }
      await sleep(Math.min(100, this.opts.retryBackoffMs));
    }
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions;
  }

  /**
   * Queues a record. Returns false when buffer.memory is used up: wait for drained()
   * before appending more, so a fast input cannot outrun the broker without bound.
   */
  append(r: ProduceRecord): boolean {
    if (this.closed) throw new Error('producer is closed');
    const info = this.topics.get(r.topic);
    if (!info) throw new Error(`call prepare() for topic ${r.topic} first`);
    let partition = r.partition;
    if (partition === undefined) partition = r.key ? partitionForKey(r.key, info.partitions) : info.sticky;
    else if (partition < 0 || partition >= info.partitions) {
      this.fail([r.seq], r.topic, partition, 'UNKNOWN_TOPIC_OR_PARTITION', `Partition ${partition} of topic ${r.topic} with partition count ${info.partitions} is not present in metadata.`);
      return true;
    }
    const key = `${r.topic}\u0000${partition}`;
    let batch = this.open.get(key);
    if (!batch) {
      batch = { topic: r.topic, partition, records: [], seqs: [], appendedAt: this.opts.onBatchDone ? new Float64Array(64) : null, bytes: 0, attempts: 0, notBefore: 0 };
      this.open.set(key, batch);
    }
    let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0) + 8;
    if (batch.appendedAt) {
      const n = batch.records.length;
      if (n === batch.appendedAt.length) {
        const grown = new Float64Array(n * 2);
        grown.set(batch.appendedAt);
        batch.appendedAt = grown;
      }
      batch.appendedAt[n] = performance.now();
    }
    batch.records.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
    batch.seqs.push(r.seq);
    batch.bytes += size;
    this.buffered += size;
    if (batch.bytes >= this.opts.batchSize) {
      this.seal(key, batch);
      if (r.key === null && r.partition === undefined) info.sticky = (info.sticky + 1) % info.partitions;
      this.schedulePump();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => { this.lingerTimer = undefined; this.sealAll(); }, this.opts.lingerMs);
    }
    return this.buffered < this.opts.bufferMemory;
  }

  /** Resolves once buffered bytes fall below half of buffer.memory. */
  drained(): Promise<void> {
    if (this.buffered < this.opts.bufferMemory / 2) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Sends everything queued and resolves when every record is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.lingerTimer) { clearTimeout(this.lingerTimer); this.lingerTimer = undefined; }
    this.sealAll();
    while (this.ready.length > 0 || this.totalInFlight() > 0 || this.open.size > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.sealAll();
    }
  }

  close(): void {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
  }

  private seal(key: string, batch: Batch): void {
    this.open.delete(key);
    this.ready.push(batch);
  }

  private sealAll(): void {
    for (const [key, batch] of this.open) this.seal(key, batch);
    this.schedulePump();
  }

  private totalInFlight(): number {
    let n = 0;
    for (const v of this.inFlight.values()) n += v;
    return n;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => { this.pumpScheduled = false; this.pump(); });
  }

  /** Groups ready batches by leader and sends while each broker has room in flight. */
  private pump(): void {
    if (this.ready.length === 0) { this.notify(); return; }
    const now = Date.now();
    const byNode = new Map<number, Batch[]>();
    const keep: Batch[] = [];
    let delayed = false;
    for (const b of this.ready) {
      const leader = this.cluster.leaderOf(b.topic, b.partition);
      if (b.notBefore > now || leader === undefined || leader < 0) {
        keep.push(b);
        if (leader === undefined || leader < 0) this.refreshMetadataSoon();
        delayed = true;
        continue;
      }
      let list = byNode.get(leader);
      if (!list) { list = []; byNode.set(leader, list); }
      list.push(b);
    }
    this.ready.length = 0;
    for (const [node, batches] of byNode) {
      let i = 0;
      while (i < batches.length && (this.inFlight.get(node) ?? 0) < this.opts.maxInFlight) {
        const request: Batch[] = [];
        let bytes = 0;
        while (i < batches.length && (request.length === 0 || bytes + batches[i].bytes <= this.opts.maxRequestSize)) {
          bytes += batches[i].bytes;
          request.push(batches[i++]);
        }
        this.send(node, request);
      }
      for (; i < batches.length; i++) keep.push(batches[i]);
    }
    this.ready.push(...keep);
    // Not unref'd: batches waiting to be retried are work this process still owes.
    if (delayed) setTimeout(() => this.pump(), this.opts.retryBackoffMs);
  }

  private send(node: number, batches: Batch[]): void {
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
    const topicData = new Map<string, Array<{ index: number; records: Buffer }>>();
    const encoded: Batch[] = [];
    for (const b of batches) {
      let records: Buffer;
      try {
        records = encodeRecordBatch({ records: b.records, compression: this.opts.compression, compress: this.opts.compress });
      } catch (err) {
        this.fail(b.seqs, b.topic, b.partition, 'INVALID_RECORD', (err as Error).message);
        this.release(b);
        continue;
      }
      let list = topicData.get(b.topic);
      if (!list) { list = []; topicData.set(b.topic, list); }
      list.push({ index: b.partition, records });
      encoded.push(b);
    }
    const body = {
      transactionalId: null,
      acks: this.opts.acks,
      timeoutMs: this.opts.requestTimeoutMs,
      topicData: [...topicData].map(([name, partitionData]) => ({ name, partitionData })),
    };
    const expectResponse = this.opts.acks !== 0;
    this.cluster.send(PRODUCE, body, { node, expectResponse, timeoutMs: this.opts.requestTimeoutMs + 5000 })
      .then((res) => {
        if (!expectResponse) { for (const b of encoded) this.succeed(b); return; }
        const results = new Map<string, { errorCode: number; errorMessage: string | null }>();
        for (const t of (res as ProduceResponse).responses) {
          for (const p of t.partitionResponses) results.set(`${t.name}\u0000${p.index}`, p);
        }
        for (const b of encoded) {
          const r = results.get(`${b.topic}\u0000${b.partition}`);
          if (!r) this.retryOrFail(b, 'UNKNOWN_SERVER_ERROR', 'no result for the partition in the response', true);
          else if (r.errorCode === ErrorCode.NONE) this.succeed(b);
          else this.retryOrFail(b, errorName(r.errorCode), r.errorMessage ?? errorName(r.errorCode), isRetriable(r.errorCode));
        }
      }, (err: Error & { code?: string }) => {
        for (const b of encoded) this.retryOrFail(b, err.code ?? 'NETWORK_EXCEPTION', err.message, true);
      })
      .finally(() => {
        this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
        this.schedulePump();
      });
  }

  private retryOrFail(b: Batch, error: string, message: string, retriable: boolean): void {
    b.attempts++;
    if (retriable && b.attempts <= this.opts.retries && !this.closed) {
      b.notBefore = Date.now() + this.opts.retryBackoffMs;
      this.ready.push(b);
      this.refreshMetadataSoon();
      return;
    }
    this.fail(b.seqs, b.topic, b.partition, error, message);
    if (b.appendedAt) this.opts.onBatchDone?.(b.appendedAt, b.records.length, error);
    this.release(b);
  }

  private succeed(b: Batch): void {
    this.sent += b.records.length;
    if (b.appendedAt) this.opts.onBatchDone?.(b.appendedAt, b.records.length, null);
    this.release(b);
  }

  private fail(seqs: number[], topic: string, partition: number, error: string, message: string): void {
    this.failed += seqs.length;
    for (const seq of seqs) {
      if (this.failures.length >= 1000) break;
      this.failures.push({ seq, topic, partition, error, message });
    }
  }

  private release(b: Batch): void {
    this.buffered -= b.bytes;
    if (this.buffered < this.opts.bufferMemory / 2 && this.drainWaiters.length > 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const fn of w) fn();
    }
    this.notify();
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private refreshMetadataSoon(): void {
    if (this.metadataRefresh) return;
    this.metadataRefresh = this.cluster.refreshMetadata([...this.topics.keys()])
      .then(() => undefined, () => undefined)
      .finally(() => { this.metadataRefresh = undefined; this.schedulePump(); });
  }
}

interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: Array<{ index: number; errorCode: number; errorMessage: string | null }> }>;
}

export class ProducerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
