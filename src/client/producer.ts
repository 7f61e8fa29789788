// The produce fast path: records are grouped per partition into record batches, batches
// per leader into Produce requests (one batch per partition in each), with several
// requests in flight per broker, like the Java producer's accumulator and sender. Each
// record carries the caller's sequence number (a line number, say), so a failure names
// exactly which records were lost.
//
// Idempotence (on by default, as in Kafka since 3.0): the producer gets an id from the
// broker (InitProducerId) and numbers each partition's batches; a batch re-sent after a
// lost response is recognised by the broker and written once. Order holds across retries:
// a batch that goes again is sent alone, after every batch before it has completed, and
// the broker refuses anything that would leave a gap. When a batch of ours fails for good,
// its partition's sequence can no longer be trusted: the batches after it are resolved
// under the old id, then everything still owed is renumbered under a new id.
//
// Kafka allows one batch per partition in a request, so a partition with a backlog
// would be held to max.in.flight batches of batch.size per round trip. When batches
// queue up behind a busy partition, the ones waiting are sent as one larger batch
// (adaptive batching); should the broker find it too large for the topic, it is split
// back into batch.size pieces and sent again.
import {
  encodeRecordBatch,
  OFF_ATTRIBUTES,
  OFF_BASE_SEQUENCE,
  OFF_CRC,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  type CompressFn,
  type RecordInput,
} from '../protocol/record-batch.js';
import { crc32c } from '../protocol/crc32c.js';
import { ErrorCode, errorName, isRetriable, KafkaError } from '../protocol/errors.js';
import type { ClusterClient } from './cluster.js';
import { partitionForKey } from './partitioner.js';
import { resolveDeliveryTimeout, resolveIdempotence } from './producer-config.js';

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;

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
  /** max.block.ms: how long to wait for a topic's metadata and the producer id. */
  maxBlockMs: number;
  /** enable.idempotence; when not set, on unless acks, retries or max.in.flight rule it out. */
  idempotence?: boolean;
  /** delivery.timeout.ms: how long a record may take from append to acknowledgement, retries included. */
  deliveryTimeoutMs?: number;
  /** Called as each batch completes, with when each of its records was appended (perf tests). */
  onBatchDone?: (appendedAt: Float64Array, count: number, error: string | null) => void;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  acks: -1,
  compression: 0,
  batchSize: 16384,
  lingerMs: 5,
  maxInFlight: 5,
  requestTimeoutMs: 30000,
  retries: 2147483647,
  retryBackoffMs: 100,
  maxRequestSize: 1048576,
  bufferMemory: 33554432,
  maxBlockMs: 60000,
};

/** The options with Kafka's rules applied: throws ProducerConfigError for a combination Kafka refuses. */
export function resolveProducerOptions(
  opts: Partial<ProducerOptions>,
): ProducerOptions & { idempotence: boolean; deliveryTimeoutMs: number } {
  const o = { ...DEFAULT_PRODUCER_OPTIONS, ...opts };
  return { ...o, idempotence: resolveIdempotence(o), deliveryTimeoutMs: resolveDeliveryTimeout(o) };
}

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
  q: PartitionQueue;
  /** Dropped once encoded: the encoded batch is what goes again. */
  records: RecordInput[];
  count: number;
  seqs: number[];
  /** Append times, kept only when onBatchDone wants latencies. */
  appendedAt: Float64Array | null;
  bytes: number;
  createdAt: number;
  attempts: number;
  notBefore: number;
  encoded: Buffer | null;
  /** Idempotence: the first record's sequence number, -1 until the batch is first sent. */
  baseSequence: number;
  /** How many sealed batches were merged into this one. */
  parts: number;
  /** A piece of a split batch: never merged again. */
  noMerge: boolean;
  /** Too large for the broker: to be split when its partition is renumbered. */
  splitInto: Batch[] | null;
}

/** One partition's batches: the one filling, the ones to send, and (idempotence) the numbered ones not yet done. */
interface PartitionQueue {
  topic: string;
  partition: number;
  open: Batch | null;
  /** To send, head first; a batch that goes again is put back in sequence order. */
  ready: Batch[];
  /** Sent at least once and not completed, by sequence. */
  unacked: Batch[];
  nextSeq: number;
  inFlight: number;
  /** The broker proved the first unacked batch's predecessors missing: wait for a new producer id. */
  parked: boolean;
}

interface TopicInfo {
  partitions: number;
  /** For records without a key: Kafka's sticky choice, moved on when a batch fills. */
  sticky: number;
  queues: PartitionQueue[];
}

const RECORD_OVERHEAD = 24;
/** The most bytes that waiting batches are merged into (within max.request.size); the broker's default max.message.bytes is 1 MB. */
const MERGE_LIMIT = 512 * 1024;
const INT32_LIMIT = 0x80000000;
const EMPTY: RecordInput[] = [];

/**
 * How a transaction (src/client/transactions.ts) holds the producer: batches are marked
 * transactional, requests carry the id, and a partition's first batch in a transaction
 * waits until the coordinator has added the partition.
 */
export interface TransactionHooks {
  readonly transactionalId: string;
  /** true when the partition is in the open transaction; else settles once it is (rejects with a ProducerError). */
  partitionAdded(topic: string, partition: number): true | Promise<void>;
}

export class Producer {
  readonly opts: ProducerOptions & { idempotence: boolean; deliveryTimeoutMs: number };
  readonly idempotent: boolean;
  sent = 0;
  failed = 0;
  /** The first failures, in order (kept bounded). */
  readonly failures: ProduceFailure[] = [];
  producerId = -1;
  producerEpoch = -1;
  private readonly topics = new Map<string, TopicInfo>();
  private readonly filling = new Set<PartitionQueue>();
  /** Partitions with batches to send. */
  private readonly active = new Set<PartitionQueue>();
  private readonly inFlight = new Map<number, number>();
  private inFlightTotal = 0;
  /** Batches appended and not yet completed. */
  private outstanding = 0;
  private buffered = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private waiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private metadataRefresh: Promise<void> | undefined;
  private lastMetadataRefresh = 0;
  /** A numbered batch failed for good: no new batch is numbered until the producer id is renewed. */
  private resetPending = false;
  private resetting = false;
  private closed = false;
  /** Asked to stop: what is queued is sent once more, nothing is retried. */
  private givingUp = false;
  private txn: TransactionHooks | null = null;
  /** Partitions whose next batch waits for AddPartitionsToTxn. */
  private readonly txnWaiting = new Set<PartitionQueue>();

  constructor(
    private readonly cluster: ClusterClient,
    opts: Partial<ProducerOptions> = {},
  ) {
    this.opts = resolveProducerOptions(opts);
    this.idempotent = this.opts.idempotence;
  }

  /** Loads partition counts for the topics (waiting up to max.block.ms for auto-created ones) and the producer id. */
  async prepare(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.opts.maxBlockMs;
    for (;;) {
      const md = await this.cluster.refreshMetadata(topics, { allowAutoTopicCreation: true });
      const missing: string[] = [];
      for (const name of topics) {
        const t = md.topics.get(name);
        if (
          t &&
          t.errorCode === ErrorCode.NONE &&
          t.partitions.length > 0 &&
          t.partitions.every((p) => p.leader >= 0)
        ) {
          if (!this.topics.has(name)) this.addTopic(name, t.partitions.length);
        } else if (t && !isRetriable(t.errorCode) && t.errorCode !== ErrorCode.NONE) {
          throw new ProducerError(errorName(t.errorCode), `Topic ${name} is not available: ${errorName(t.errorCode)}`);
        } else {
          missing.push(name);
        }
      }
      if (missing.length === 0) break;
      if (Date.now() >= deadline) {
        throw new ProducerError(
          'TIMEOUT',
          `Topic ${missing.join(', ')} not present in metadata after ${this.opts.maxBlockMs} ms.`,
        );
      }
      await sleep(Math.min(100, this.opts.retryBackoffMs));
    }
    if (this.idempotent && this.producerId < 0) {
      for (;;) {
        try {
          await this.initProducerId();
          return;
        } catch (err) {
          const e = err as ProducerError;
          if (!e.retriable || Date.now() >= deadline)
            throw err instanceof ProducerError ? err : new ProducerError('NETWORK_EXCEPTION', (err as Error).message);
          await sleep(this.opts.retryBackoffMs);
        }
      }
    }
  }

  /** Makes this a transactional producer; set once, before the first append. */
  useTransactions(hooks: TransactionHooks): void {
    this.txn = hooks;
  }

  /**
   * Starts numbering afresh under a (new) producer id and epoch, after a transaction was
   * aborted with sequences in doubt. Only while nothing is outstanding.
   */
  restartSequences(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    for (const info of this.topics.values()) {
      for (const q of info.queues) {
        q.nextSeq = 0;
        q.unacked = [];
        q.parked = false;
      }
    }
    this.resetPending = false;
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
      this.fail(
        [r.seq],
        r.topic,
        partition,
        'UNKNOWN_TOPIC_OR_PARTITION',
        `Partition ${partition} of topic ${r.topic} with partition count ${info.partitions} is not present in metadata.`,
      );
      return true;
    }
    const q = info.queues[partition]!;
    let batch = q.open;
    if (!batch) {
      batch = {
        q,
        records: [],
        count: 0,
        seqs: [],
        appendedAt: this.opts.onBatchDone ? new Float64Array(64) : null,
        bytes: 0,
        createdAt: Date.now(),
        attempts: 0,
        notBefore: 0,
        encoded: null,
        baseSequence: -1,
        parts: 1,
        noMerge: false,
        splitInto: null,
      };
      q.open = batch;
      this.filling.add(q);
      this.outstanding++;
    }
    let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0) + 8;
    if (batch.appendedAt) {
      const n = batch.count;
      if (n === batch.appendedAt.length) {
        const grown = new Float64Array(n * 2);
        grown.set(batch.appendedAt);
        batch.appendedAt = grown;
      }
      batch.appendedAt[n] = performance.now();
    }
    batch.records.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
    batch.seqs.push(r.seq);
    batch.count++;
    batch.bytes += size;
    this.buffered += size;
    if (batch.bytes >= this.opts.batchSize) {
      this.seal(q);
      if (r.key === null && r.partition === undefined) info.sticky = (info.sticky + 1) % info.partitions;
      this.schedulePump();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.sealAll();
      }, this.opts.lingerMs);
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
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.sealAll();
    while (this.outstanding > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.sealAll();
    }
  }

  /**
   * For a process asked to stop (SIGINT, SIGTERM): batches still go out, but a failure is
   * final, so a broker that is down cannot hold the exit until delivery.timeout.ms.
   */
  stopRetrying(): void {
    this.givingUp = true;
  }

  close(): void {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private addTopic(name: string, partitions: number): void {
    const queues: PartitionQueue[] = [];
    for (let p = 0; p < partitions; p++) {
      queues.push({
        topic: name,
        partition: p,
        open: null,
        ready: [],
        unacked: [],
        nextSeq: 0,
        inFlight: 0,
        parked: false,
      });
    }
    this.topics.set(name, { partitions, sticky: Math.floor(Math.random() * partitions), queues });
  }

  private seal(q: PartitionQueue): void {
    q.ready.push(q.open!);
    q.open = null;
    this.filling.delete(q);
    this.active.add(q);
  }

  private sealAll(): void {
    for (const q of this.filling) this.seal(q);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Groups sendable batches by leader and sends while each broker has room in flight. */
  private pump(): void {
    const now = Date.now();
    let wait = Infinity;
    const byNode = new Map<number, PartitionQueue[]>();
    for (const q of this.active) {
      this.expire(q, now);
      const head = q.ready[0];
      if (!head) {
        this.active.delete(q);
        continue;
      }
      if (head.notBefore > now) {
        wait = Math.min(wait, head.notBefore - now);
        continue;
      }
      if (!this.sendable(q, head)) continue;
      const leader = this.cluster.leaderOf(q.topic, q.partition);
      if (leader === undefined) {
        this.refreshMetadataSoon();
        wait = Math.min(wait, this.opts.retryBackoffMs);
        continue;
      }
      let list = byNode.get(leader);
      if (!list) {
        list = [];
        byNode.set(leader, list);
      }
      list.push(q);
    }
    for (const [node, queues] of byNode) {
      let start = 0;
      while ((this.inFlight.get(node) ?? 0) < this.opts.maxInFlight) {
        // One batch per partition per request (Kafka's rule for record batches v2),
        // taking partitions round the list so none waits behind the others.
        const request: Batch[] = [];
        let bytes = 0;
        for (let k = 0; k < queues.length; k++) {
          const q = queues[(start + k) % queues.length]!;
          const head = q.ready[0];
          if (!head || head.notBefore > now || !this.sendable(q, head)) continue;
          if (request.length > 0 && bytes + head.bytes > this.opts.maxRequestSize) break;
          q.ready.shift();
          if (!head.encoded) this.merge(q, head, Math.min(MERGE_LIMIT, this.opts.maxRequestSize - bytes));
          if (!this.encode(head)) continue;
          bytes += head.bytes;
          request.push(head);
        }
        if (request.length === 0) break;
        start++;
        this.send(node, request);
      }
    }
    if (wait !== Infinity) this.pumpLater(wait);
    if (this.resetPending) this.maybeRenewProducerId();
    if (this.outstanding === 0) this.notify();
  }

  private pumpLater(ms: number): void {
    if (this.retryTimer) return;
    // Not unref'd: batches waiting to be retried are work this process still owes.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.pump();
      },
      Math.max(1, ms),
    );
  }

  /**
   * Whether the partition's head batch may go now. Idempotence keeps order: a batch going
   * again goes alone, once everything before it has completed; nothing new is numbered
   * while the producer id is due for renewal.
   */
  private sendable(q: PartitionQueue, head: Batch): boolean {
    if (this.txn && head.baseSequence < 0 && !this.inTransaction(q)) return false;
    if (!this.idempotent) return this.opts.maxInFlight > 1 || q.inFlight === 0;
    if (head.baseSequence >= 0) return !q.parked && q.unacked[0] === head;
    return !this.resetPending;
  }

  /** Whether the partition is in the open transaction; if not, has the coordinator add it and pumps again after. */
  private inTransaction(q: PartitionQueue): boolean {
    if (this.txnWaiting.has(q)) return false;
    const added = this.txn!.partitionAdded(q.topic, q.partition);
    if (added === true) return true;
    this.txnWaiting.add(q);
    added
      .then(
        () => undefined,
        (err: ProducerError) => {
          // Not in the transaction: its records cannot be sent in it.
          for (const b of q.ready.filter((x) => x.baseSequence < 0)) {
            q.ready.splice(q.ready.indexOf(b), 1);
            this.complete(b, err.code ?? 'UNKNOWN_SERVER_ERROR', err.message);
          }
        },
      )
      .finally(() => {
        this.txnWaiting.delete(q);
        this.schedulePump();
      });
    return false;
  }

  /** Appends the new batches waiting behind `head` to it, up to `limit` bytes. */
  private merge(q: PartitionQueue, head: Batch, limit: number): void {
    if (head.noMerge) return;
    const ready = q.ready;
    let taken = 0;
    let count = head.count;
    let bytes = head.bytes;
    while (taken < ready.length) {
      const n = ready[taken]!;
      if (n.encoded || n.noMerge || bytes + n.bytes > limit) break;
      count += n.count;
      bytes += n.bytes;
      taken++;
    }
    if (taken === 0) return;
    const absorbed = ready.splice(0, taken);
    const appendedAt = head.appendedAt ? new Float64Array(count) : null;
    appendedAt?.set(head.appendedAt!.subarray(0, head.count));
    let at = head.count;
    for (const n of absorbed) {
      for (let i = 0; i < n.count; i++) {
        head.records.push(n.records[i]!);
        head.seqs.push(n.seqs[i]!);
      }
      if (appendedAt) appendedAt.set(n.appendedAt!.subarray(0, n.count), at);
      at += n.count;
      head.parts += n.parts;
    }
    head.appendedAt = appendedAt;
    head.count = count;
    head.bytes = bytes;
    this.outstanding -= taken;
  }

  /** Pieces of at most batch.size bytes (estimated), to send in place of a batch the broker found too large. */
  private pieces(b: Batch): Batch[] {
    const n = Math.max(2, Math.ceil(b.bytes / this.opts.batchSize));
    const per = Math.ceil(b.count / n);
    const out: Batch[] = [];
    for (let i = 0; i < b.count; i += per) {
      const end = Math.min(b.count, i + per);
      out.push({
        q: b.q,
        records: b.records.slice(i, end),
        count: end - i,
        seqs: b.seqs.slice(i, end),
        appendedAt: b.appendedAt ? b.appendedAt.slice(i, end) : null,
        bytes: Math.round((b.bytes * (end - i)) / b.count),
        createdAt: b.createdAt,
        attempts: 0,
        notBefore: 0,
        encoded: null,
        baseSequence: -1,
        parts: 1,
        noMerge: true,
        splitInto: null,
      });
    }
    // Rounding must not change what buffer.memory counts.
    out[out.length - 1]!.bytes += b.bytes - out.reduce((sum, p) => sum + p.bytes, 0);
    return out;
  }

  /**
   * The broker refused a merged batch as too large (the topic's max.message.bytes is
   * below what we merged): nothing of it was written, so it goes again in pieces.
   */
  private split(b: Batch): void {
    const q = b.q;
    const pieces = this.pieces(b);
    if (b.baseSequence < 0) {
      this.outstanding += pieces.length - 1;
      q.ready.unshift(...pieces);
      this.active.add(q);
      return;
    }
    // Its sequence numbers are taken: the pieces are numbered afresh with the rest of the partition.
    b.splitInto = pieces;
    q.parked = true;
    this.resetPending = true;
    this.requeue(b);
  }

  /** Encodes a batch on its first send (numbering it); false if it cannot be encoded. */
  private encode(b: Batch): boolean {
    if (b.encoded) return true;
    const q = b.q;
    const seq = this.idempotent ? q.nextSeq : -1;
    try {
      b.encoded = encodeRecordBatch({
        records: b.records,
        compression: this.opts.compression,
        compress: this.opts.compress,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        baseSequence: seq,
        isTransactional: this.txn !== null,
      });
    } catch (err) {
      this.complete(b, 'INVALID_RECORD', (err as Error).message);
      return false;
    }
    // A merged batch keeps its records in case it must be split.
    if (b.parts === 1) b.records = EMPTY;
    if (this.idempotent) {
      b.baseSequence = seq;
      q.nextSeq = (seq + b.count) % INT32_LIMIT;
      q.unacked.push(b);
    }
    return true;
  }

  private send(node: number, batches: Batch[]): void {
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
    this.inFlightTotal++;
    const topicData = new Map<string, Array<{ index: number; records: Buffer }>>();
    for (const b of batches) {
      b.q.inFlight++;
      let list = topicData.get(b.q.topic);
      if (!list) {
        list = [];
        topicData.set(b.q.topic, list);
      }
      list.push({ index: b.q.partition, records: b.encoded! });
    }
    const body = {
      transactionalId: this.txn?.transactionalId ?? null,
      acks: this.opts.acks,
      timeoutMs: this.opts.requestTimeoutMs,
      topicData: [...topicData].map(([name, partitionData]) => ({ name, partitionData })),
    };
    this.exchange(node, batches, body).finally(() => {
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
      this.inFlightTotal--;
      for (const b of batches) b.q.inFlight--;
      this.schedulePump();
    });
  }

  private async exchange(node: number, batches: Batch[], body: object): Promise<void> {
    let conn;
    try {
      conn = await this.cluster.connection(node);
    } catch (err) {
      // Nothing was sent: waiting for a broker to come back costs no retry (delivery.timeout.ms bounds it).
      const f = failureOf(err);
      for (const b of batches) this.retryOrFail(b, f.error, f.message, f.retriable, false);
      return;
    }
    const expectResponse = this.opts.acks !== 0;
    let res: ProduceResponse;
    try {
      res = (await conn.send(PRODUCE, body, {
        expectResponse,
        timeoutMs: this.opts.requestTimeoutMs,
      })) as ProduceResponse;
    } catch (err) {
      const f = failureOf(err);
      for (const b of batches) this.retryOrFail(b, f.error, f.message, f.retriable);
      return;
    }
    if (!expectResponse) {
      for (const b of batches) this.complete(b, null, '');
      return;
    }
    const results = new Map<string, { errorCode: number; errorMessage: string | null }>();
    for (const t of res.responses) {
      for (const p of t.partitionResponses) results.set(`${t.name}\u0000${p.index}`, p);
    }
    for (const b of batches) {
      const r = results.get(`${b.q.topic}\u0000${b.q.partition}`);
      if (!r) {
        this.retryOrFail(b, 'UNKNOWN_SERVER_ERROR', 'no result for the partition in the response', true);
        continue;
      }
      const code = r.errorCode;
      const message = r.errorMessage ?? errorName(code);
      // A duplicate is a batch the broker already has: delivered.
      if (code === ErrorCode.NONE || (this.idempotent && code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER))
        this.complete(b, null, '');
      else if (
        this.idempotent &&
        (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID)
      )
        this.outOfSequence(b, errorName(code), message);
      else if (code === ErrorCode.MESSAGE_TOO_LARGE && b.parts > 1) this.split(b);
      else this.retryOrFail(b, errorName(code), message, isRetriable(code));
    }
  }

  /**
   * The broker lacks what comes before this batch. If an earlier batch of ours is still
   * unresolved, this one simply goes again after it; if not, the broker lost our sequence
   * (or we gave up on a batch it never got): renumber under a new producer id.
   */
  private outOfSequence(b: Batch, error: string, message: string): void {
    if (b.q.unacked[0] !== b) {
      this.retryOrFail(b, error, message, true);
      return;
    }
    b.q.parked = true;
    this.resetPending = true;
    this.requeue(b);
  }

  private retryOrFail(b: Batch, error: string, message: string, retriable: boolean, countAttempt = true): void {
    if (countAttempt) b.attempts++;
    const now = Date.now();
    if (
      retriable &&
      b.attempts <= this.opts.retries &&
      now - b.createdAt < this.opts.deliveryTimeoutMs &&
      !this.closed &&
      !this.givingUp
    ) {
      b.notBefore = now + this.opts.retryBackoffMs;
      this.requeue(b);
      this.refreshMetadataSoon();
      return;
    }
    this.complete(b, error, message);
  }

  /** Puts a batch back to be sent again: before new batches, in sequence order. */
  private requeue(b: Batch): void {
    const ready = b.q.ready;
    let i = 0;
    if (b.baseSequence >= 0) {
      while (i < ready.length && ready[i]!.baseSequence >= 0 && ready[i]!.baseSequence < b.baseSequence) i++;
    }
    ready.splice(i, 0, b);
    this.active.add(b.q);
  }

  /** Fails batches that have waited longer than delivery.timeout.ms to be sent. */
  private expire(q: PartitionQueue, now: number): void {
    while (q.ready.length > 0 && now - q.ready[0]!.createdAt >= this.opts.deliveryTimeoutMs) {
      const b = q.ready.shift()!;
      this.complete(
        b,
        'TIMEOUT',
        `Expiring ${b.count} record(s) for ${q.topic}-${q.partition}:${now - b.createdAt} ms has passed since batch creation`,
      );
    }
  }

  /** Ends a batch: delivered (error null) or failed. */
  private complete(b: Batch, error: string | null, message: string): void {
    const q = b.q;
    if (b.baseSequence >= 0) {
      const i = q.unacked.indexOf(b);
      if (i >= 0) q.unacked.splice(i, 1);
      // The broker may or may not have this batch: sequences after it are in doubt.
      if (error !== null) this.resetPending = true;
    }
    if (error === null) this.sent += b.count;
    else this.fail(b.seqs, q.topic, q.partition, error, message);
    if (b.appendedAt) this.opts.onBatchDone?.(b.appendedAt, b.count, error);
    this.release(b);
  }

  /**
   * Once nothing is in flight and every numbered batch left is known to be missing at the
   * broker, gets a new producer id and renumbers those batches from zero.
   */
  private maybeRenewProducerId(): void {
    if (this.resetting || this.inFlightTotal > 0) return;
    if (this.txn) {
      this.abandonForTransaction();
      return;
    }
    for (const info of this.topics.values()) {
      for (const q of info.queues) if (q.unacked.length > 0 && !q.parked) return;
    }
    this.resetting = true;
    this.initProducerId()
      .then(
        () => {
          for (const info of this.topics.values()) {
            for (const q of info.queues) this.renumber(q);
          }
          this.resetPending = false;
        },
        () => {
          this.pumpLater(this.opts.retryBackoffMs);
        },
      )
      .finally(() => {
        this.resetting = false;
        this.schedulePump();
      });
  }

  /**
   * Numbers a partition's unacknowledged batches from zero under the new producer id. With
   * nothing in flight they are all at the head of its ready queue, in sequence order.
   */
  private renumber(q: PartitionQueue): void {
    const owed = q.unacked;
    const fresh = q.ready.slice(owed.length);
    q.unacked = [];
    q.nextSeq = 0;
    q.parked = false;
    q.ready = [];
    for (const b of owed) {
      if (b.splitInto) {
        this.outstanding += b.splitInto.length - 1;
        for (const piece of b.splitInto) if (this.encode(piece)) q.ready.push(piece);
        continue;
      }
      b.baseSequence = q.nextSeq;
      restamp(b.encoded!, this.producerId, this.producerEpoch, q.nextSeq);
      q.nextSeq = (q.nextSeq + b.count) % INT32_LIMIT;
      q.unacked.push(b);
      q.ready.push(b);
    }
    q.ready.push(...fresh);
    if (q.ready.length > 0) this.active.add(q);
  }

  /**
   * In a transaction a lost batch cannot be renumbered: the transaction must abort (Kafka's
   * abortable error). What is still owed fails; restartSequences() follows the abort.
   */
  private abandonForTransaction(): void {
    for (const info of this.topics.values()) {
      for (const q of info.queues) {
        const owed = q.ready;
        q.ready = [];
        for (const b of owed) this.complete(b, 'TRANSACTION_ABORTABLE', 'Failing batch since transaction was aborted');
        q.unacked = [];
      }
    }
  }

  private async initProducerId(): Promise<void> {
    let res: { errorCode: number; producerId: number | bigint; producerEpoch: number };
    try {
      res = (await this.cluster.send(
        INIT_PRODUCER_ID,
        { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 },
        { timeoutMs: this.opts.requestTimeoutMs },
      )) as typeof res;
    } catch (err) {
      const f = failureOf(err);
      if (f.error === 'UNSUPPORTED_VERSION') {
        throw new ProducerError(
          'UNSUPPORTED_VERSION',
          'The broker does not support idempotent producers (InitProducerId); set enable.idempotence=false',
          false,
        );
      }
      throw new ProducerError(f.error, `Could not get a producer id: ${f.message}`, f.retriable);
    }
    if (res.errorCode !== ErrorCode.NONE) {
      const name = errorName(res.errorCode);
      // Brokers before 2.8 want IdempotentWrite on the cluster from an idempotent producer.
      const hint = name.endsWith('AUTHORIZATION_FAILED')
        ? ' (an idempotent producer needs IdempotentWrite on the cluster; or set enable.idempotence=false)'
        : '';
      throw new ProducerError(name, `Could not get a producer id: ${name}${hint}`, isRetriable(res.errorCode));
    }
    this.producerId = Number(res.producerId);
    this.producerEpoch = res.producerEpoch;
  }

  private fail(seqs: number[], topic: string, partition: number, error: string, message: string): void {
    this.failed += seqs.length;
    for (const seq of seqs) {
      if (this.failures.length >= 1000) break;
      this.failures.push({ seq, topic, partition, error, message });
    }
  }

  private release(b: Batch): void {
    this.outstanding--;
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
    // At most one refresh per retry.backoff.ms: a partition without a leader must not spin.
    const wait = Math.max(0, this.lastMetadataRefresh + this.opts.retryBackoffMs - Date.now());
    this.metadataRefresh = sleep(wait)
      .then(() => {
        this.lastMetadataRefresh = Date.now();
        return this.cluster.refreshMetadata([...this.topics.keys()]);
      })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.metadataRefresh = undefined;
        this.schedulePump();
      });
  }
}

/** Connection failures that mean "not reachable now", as opposed to a refusal (TLS, versions, bad responses). */
const RETRIABLE_CONNECT_ERRORS = new Set(['CONNECT_FAILED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'REQUEST_TIMEOUT']);

/** A failed exchange as an error name, message and whether trying again can help. */
function failureOf(err: unknown): { error: string; message: string; retriable: boolean } {
  if (err instanceof KafkaError) return { error: err.errorName, message: err.message, retriable: err.retriable };
  const e = err as Error & { code?: unknown };
  if (typeof e.code === 'string')
    return { error: e.code, message: e.message, retriable: RETRIABLE_CONNECT_ERRORS.has(e.code) };
  return { error: 'NETWORK_EXCEPTION', message: e?.message ?? String(err), retriable: true };
}

/** Rewrites a batch's producer id, epoch and base sequence, and its CRC, which covers them. */
function restamp(batch: Buffer, producerId: number, epoch: number, baseSequence: number): void {
  batch.writeBigInt64BE(BigInt(producerId), OFF_PRODUCER_ID);
  batch.writeInt16BE(epoch, OFF_PRODUCER_EPOCH);
  batch.writeInt32BE(baseSequence, OFF_BASE_SEQUENCE);
  batch.writeInt32BE(crc32c(batch, OFF_ATTRIBUTES, batch.length) | 0, OFF_CRC);
}

interface ProduceResponse {
  responses: Array<{
    name: string;
    partitionResponses: Array<{ index: number; errorCode: number; errorMessage: string | null }>;
  }>;
}

export class ProducerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
  ) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
