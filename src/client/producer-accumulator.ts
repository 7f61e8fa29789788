// The producer's accumulator: records appended per partition into batches (sticky
// partitioning for keyless records, buffer.memory backpressure, linger), topics loaded up
// front, and flush and close. Sending what it accumulates is the Producer's (producer.ts).
import { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';
import type { ClusterClient } from './cluster.js';
import { partitionForKey } from './partitioner.js';
import {
  resolveProducerOptions,
  type ProduceFailure,
  type ProduceRecord,
  type ProducerOptions,
} from './producer-config.js';
import { RecordBatchBuilder } from '../protocol/record-batch.js';
import {
  ProducerError,
  addSeq,
  newBatch,
  type Batch,
  type PartitionQueue,
  type TopicInfo,
} from './producer-batches.js';

const RECORD_OVERHEAD = 24;
/** The most bytes a batch grows to while it waits to be sent; the broker's default max.message.bytes is 1 MB. */
const GROW_LIMIT = 512 * 1024;

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

export abstract class RecordAccumulator {
  readonly opts: ProducerOptions & { idempotence: boolean; deliveryTimeoutMs: number };
  readonly idempotent: boolean;
  protected readonly growLimit: number;
  /** Buffers of delivered batches, to build new ones in. */
  protected readonly spare: Buffer[] = [];
  sent = 0;
  failed = 0;
  /** The first failures, in order (kept bounded). */
  readonly failures: ProduceFailure[] = [];
  producerId = -1;
  producerEpoch = -1;
  protected readonly topics = new Map<string, TopicInfo>();
  protected readonly filling = new Set<PartitionQueue>();
  /** Partitions with batches to send. */
  protected readonly active = new Set<PartitionQueue>();
  protected readonly inFlight = new Map<number, number>();
  protected inFlightTotal = 0;
  /** Batches appended and not yet completed. */
  protected outstanding = 0;
  protected buffered = 0;
  protected lingerTimer: NodeJS.Timeout | undefined;
  protected retryTimer: NodeJS.Timeout | undefined;
  protected pumpScheduled = false;
  protected waiters: Array<() => void> = [];
  protected drainWaiters: Array<{ below: number; resolve: () => void }> = [];
  protected metadataRefresh: Promise<void> | undefined;
  protected lastMetadataRefresh = 0;
  /** A numbered batch failed for good: no new batch is numbered until the producer id is renewed. */
  protected resetPending = false;
  protected resetting = false;
  protected closed = false;
  /** Asked to stop: what is queued is sent once more, nothing is retried. */
  protected givingUp = false;
  protected txn: TransactionHooks | null = null;
  /** Partitions whose next batch waits for AddPartitionsToTxn. */
  protected readonly txnWaiting = new Set<PartitionQueue>();

  constructor(
    protected readonly cluster: ClusterClient,
    opts: Partial<ProducerOptions> = {},
  ) {
    this.opts = resolveProducerOptions(opts);
    this.idempotent = this.opts.idempotence;
    this.growLimit = Math.min(GROW_LIMIT, this.opts.maxRequestSize);
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
    const info = this.topicFor(r.topic);
    const keyed = r.key !== null;
    const partition = this.partitionFor(info, r.topic, r.partition, r.seq, r.key, 0, r.key?.length ?? 0);
    if (partition < 0) return true;
    let estimate = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const h of r.headers) estimate += h.key.length + (h.value?.length ?? 0) + 8;
    const q = info.queues[partition]!;
    const batch = this.batchFor(q, estimate);
    const before = batch.builder!.recordsBytes;
    batch.builder!.append(r, Date.now());
    return this.appended(info, q, batch, before, r.seq, keyed || r.partition !== undefined);
  }

  /**
   * Queues a record whose key and value are byte ranges of `src` (a start of -1 means
   * null), stamped `timestamp`: the per-line path, which makes no object per record.
   */
  appendRange(
    topic: string,
    partition: number | undefined,
    src: Buffer,
    keyStart: number,
    keyEnd: number,
    valueStart: number,
    valueEnd: number,
    seq: number,
    timestamp: number,
  ): boolean {
    const info = this.topicFor(topic);
    const p = this.partitionFor(info, topic, partition, seq, keyStart < 0 ? null : src, keyStart, keyEnd);
    if (p < 0) return true;
    const q = info.queues[p]!;
    const batch = this.batchFor(q, RECORD_OVERHEAD + (keyEnd - keyStart) + (valueEnd - valueStart));
    const before = batch.builder!.recordsBytes;
    batch.builder!.appendRange(timestamp, src, keyStart, keyEnd, valueStart, valueEnd);
    return this.appended(info, q, batch, before, seq, keyStart >= 0 || partition !== undefined);
  }

  private topicFor(topic: string): TopicInfo {
    if (this.closed) throw new Error('producer is closed');
    const info = this.topics.get(topic);
    if (!info) throw new Error(`call prepare() for topic ${topic} first`);
    return info;
  }

  /** The record's partition: given, by key, or sticky; -1 when a given one does not exist (the record failed). */
  private partitionFor(
    info: TopicInfo,
    topic: string,
    partition: number | undefined,
    seq: number,
    key: Buffer | null,
    keyStart: number,
    keyEnd: number,
  ): number {
    if (partition === undefined) return key ? partitionForKey(key, info.partitions, keyStart, keyEnd) : info.sticky;
    if (partition >= 0 && partition < info.partitions) return partition;
    this.fail(
      [seq],
      topic,
      partition,
      'UNKNOWN_TOPIC_OR_PARTITION',
      `Partition ${partition} of topic ${topic} with partition count ${info.partitions} is not present in metadata.`,
    );
    return -1;
  }

  /**
   * The batch a record goes in: the partition's open one; else, while the last full batch
   * still waits to be sent, that one (a partition with a backlog then sends batches larger
   * than batch.size, as the Java producer cannot, since a request carries one batch per
   * partition); else a new one.
   */
  private batchFor(q: PartitionQueue, size: number): Batch {
    if (q.open) return q.open;
    const last = q.ready[q.ready.length - 1];
    if (last && last.encoded === null && !last.noMerge && last.bytes + size <= this.growLimit) {
      last.grown = true;
      return last;
    }
    // Behind a request in flight the batch will likely grow: room up front saves copying it
    // as it does. Large buffers go round (spare), as fresh memory costs a page fault per 4 KB.
    const spare = this.spare.pop();
    const capacity = spare || q.inFlight > 0 ? this.growLimit : this.opts.batchSize + 256;
    const builder = new RecordBatchBuilder(capacity, spare);
    const batch = newBatch(q, builder, this.opts.onBatchDone !== undefined, Date.now());
    q.open = batch;
    this.filling.add(q);
    this.outstanding++;
    return batch;
  }

  /** Accounts for a record just written into `batch`; seals the batch once it is full. */
  private appended(
    info: TopicInfo,
    q: PartitionQueue,
    batch: Batch,
    before: number,
    seq: number,
    placed: boolean,
  ): boolean {
    const size = batch.builder!.recordsBytes - before;
    if (batch.appendedAt) {
      const n = batch.count;
      if (n === batch.appendedAt.length) {
        const grown = new Float64Array(n * 2);
        grown.set(batch.appendedAt);
        batch.appendedAt = grown;
      }
      batch.appendedAt[n] = performance.now();
    }
    addSeq(batch, seq);
    batch.count++;
    batch.bytes += size;
    this.buffered += size;
    if (batch === q.open && batch.bytes >= this.opts.batchSize) {
      this.seal(q);
      if (!placed) info.sticky = (info.sticky + 1) % info.partitions;
      this.schedulePump();
    } else if (!this.lingerTimer) {
      this.startLinger();
    }
    return this.buffered < this.opts.bufferMemory;
  }

  /** Out of line: a closure in append's path would cost an allocation on every record. */
  private startLinger(): void {
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.sealAll();
    }, this.opts.lingerMs);
  }

  /**
   * Resolves once buffered bytes fall below half of `limit` (buffer.memory by default; a
   * reader may choose to run less far ahead of the sender).
   */
  drained(limit = this.opts.bufferMemory): Promise<void> {
    if (this.buffered < limit / 2) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below: limit / 2, resolve }));
  }

  /** Bytes of records appended and not yet delivered or failed. */
  get bufferedBytes(): number {
    return this.buffered;
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

  protected addTopic(name: string, partitions: number): void {
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

  protected seal(q: PartitionQueue): void {
    q.ready.push(q.open!);
    q.open = null;
    this.filling.delete(q);
    this.active.add(q);
  }

  protected sealAll(): void {
    for (const q of this.filling) this.seal(q);
    this.schedulePump();
  }

  protected abstract schedulePump(): void;
  protected abstract initProducerId(): Promise<void>;
  protected abstract fail(seqs: number[], topic: string, partition: number, error: string, message: string): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
