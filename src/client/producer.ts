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
// would be held to max.in.flight batches of batch.size per round trip. A full batch that
// waits to be sent therefore takes further records (adaptive batching, in the
// accumulator); should the broker find it too large for the topic, it is split back into
// batch.size pieces and sent again.
import { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';
import { BATCH_HEADER_SIZE } from '../protocol/record-batch.js';
import { RecordAccumulator } from './producer-accumulator.js';
import {
  ProducerError,
  failureOf,
  restamp,
  seqsOf,
  splitPieces,
  type Batch,
  type PartitionQueue,
} from './producer-batches.js';

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;

const INT32_LIMIT = 0x80000000;
/** Delivered batches' buffers kept for new ones: enough for the requests in flight. */
const SPARE_BUFFERS = 8;

export class Producer extends RecordAccumulator {
  protected override schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Groups sendable batches by leader and sends while each broker has room in flight. */
  protected pump(): void {
    // Closed: whatever is left was given up (reported as failed, or never to be sent).
    if (this.closed) return;
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

  protected pumpLater(ms: number): void {
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
  protected sendable(q: PartitionQueue, head: Batch): boolean {
    if (this.txn && head.baseSequence < 0 && !this.inTransaction(q)) return false;
    if (!this.idempotent) return this.opts.maxInFlight > 1 || q.inFlight === 0;
    if (head.baseSequence >= 0) return !q.parked && q.unacked[0] === head;
    return !this.resetPending;
  }

  /** Whether the partition is in the open transaction; if not, has the coordinator add it and pumps again after. */
  protected inTransaction(q: PartitionQueue): boolean {
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

  /**
   * The broker refused a merged batch as too large (the topic's max.message.bytes is
   * below what we merged): nothing of it was written, so it goes again in pieces.
   */
  protected split(b: Batch): void {
    const q = b.q;
    const pieces = splitPieces(b, this.opts.batchSize);
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
  protected encode(b: Batch): boolean {
    if (b.encoded) return true;
    const q = b.q;
    const seq = this.idempotent ? q.nextSeq : -1;
    try {
      b.encoded = b.builder!.finish({
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
    b.backing = b.builder!.backing;
    // A grown batch keeps its records in case it must be split.
    if (!b.grown) b.builder = null;
    if (this.idempotent) {
      b.baseSequence = seq;
      q.nextSeq = (seq + b.count) % INT32_LIMIT;
      q.unacked.push(b);
    }
    return true;
  }

  protected send(node: number, batches: Batch[]): void {
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

  protected async exchange(node: number, batches: Batch[], body: object): Promise<void> {
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
      else if (code === ErrorCode.MESSAGE_TOO_LARGE && b.grown) this.split(b);
      else this.retryOrFail(b, errorName(code), message, isRetriable(code));
    }
  }

  /**
   * The broker lacks what comes before this batch. If an earlier batch of ours is still
   * unresolved, this one simply goes again after it; if not, the broker lost our sequence
   * (or we gave up on a batch it never got): renumber under a new producer id.
   */
  protected outOfSequence(b: Batch, error: string, message: string): void {
    if (b.q.unacked[0] !== b) {
      this.retryOrFail(b, error, message, true);
      return;
    }
    b.q.parked = true;
    this.resetPending = true;
    this.requeue(b);
  }

  protected retryOrFail(b: Batch, error: string, message: string, retriable: boolean, countAttempt = true): void {
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
  protected requeue(b: Batch): void {
    const ready = b.q.ready;
    let i = 0;
    if (b.baseSequence >= 0) {
      while (i < ready.length && ready[i]!.baseSequence >= 0 && ready[i]!.baseSequence < b.baseSequence) i++;
    }
    ready.splice(i, 0, b);
    this.active.add(b.q);
  }

  /** Fails batches that have waited longer than delivery.timeout.ms to be sent. */
  protected expire(q: PartitionQueue, now: number): void {
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
  protected complete(b: Batch, error: string | null, message: string): void {
    const q = b.q;
    if (b.baseSequence >= 0) {
      const i = q.unacked.indexOf(b);
      if (i >= 0) q.unacked.splice(i, 1);
      // The broker may or may not have this batch: sequences after it are in doubt.
      if (error !== null) this.resetPending = true;
    }
    if (error === null) this.sent += b.count;
    else this.fail(seqsOf(b), q.topic, q.partition, error, message);
    if (b.appendedAt) this.opts.onBatchDone?.(b.appendedAt, b.count, error);
    this.recycle(b, error);
    this.release(b);
  }

  /**
   * Keeps a delivered batch's buffer for a new batch. Only once the broker has answered:
   * then the request has left the socket, whereas after a failure or with acks=0 it may
   * still wait there to be written.
   */
  protected recycle(b: Batch, error: string | null): void {
    const buf = b.backing;
    b.backing = null;
    b.encoded = null;
    b.builder = null;
    if (error !== null || this.opts.acks === 0 || !buf || this.spare.length >= SPARE_BUFFERS) return;
    if (buf.length >= BATCH_HEADER_SIZE + this.growLimit) this.spare.push(buf);
  }

  /**
   * Once nothing is in flight and every numbered batch left is known to be missing at the
   * broker, gets a new producer id and renumbers those batches from zero.
   */
  protected maybeRenewProducerId(): void {
    if (this.resetting || this.inFlightTotal > 0) return;
    if (this.txn) {
      this.abandonForTransaction();
      return;
    }
    for (const info of this.topics.values()) {
      for (const q of info.queues) if (q.unacked.length > 0 && !q.parked) return;
    }
    this.resetting = true;
    this.initProducerId().then(
      () => {
        for (const info of this.topics.values()) {
          for (const q of info.queues) this.renumber(q);
        }
        this.resetPending = false;
        this.resetting = false;
        this.schedulePump();
      },
      () => {
        // After the backoff only: pumping at once would ask again at once, and a closed
        // connection answers at once, so the process spun at full CPU.
        this.resetting = false;
        this.pumpLater(this.opts.retryBackoffMs);
      },
    );
  }

  /**
   * Numbers a partition's unacknowledged batches from zero under the new producer id. With
   * nothing in flight they are all at the head of its ready queue, in sequence order.
   */
  protected renumber(q: PartitionQueue): void {
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
  protected abandonForTransaction(): void {
    for (const info of this.topics.values()) {
      for (const q of info.queues) {
        const owed = q.ready;
        q.ready = [];
        for (const b of owed) this.complete(b, 'TRANSACTION_ABORTABLE', 'Failing batch since transaction was aborted');
        q.unacked = [];
      }
    }
  }

  protected async initProducerId(): Promise<void> {
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

  protected fail(seqs: number[], topic: string, partition: number, error: string, message: string): void {
    this.failed += seqs.length;
    for (const seq of seqs) {
      if (this.failures.length >= 1000) break;
      this.failures.push({ seq, topic, partition, error, message });
    }
  }

  protected release(b: Batch): void {
    this.outstanding--;
    this.buffered -= b.bytes;
    if (this.drainWaiters.length > 0) {
      const ready = this.drainWaiters.filter((w) => this.buffered < w.below);
      if (ready.length > 0) {
        this.drainWaiters = this.drainWaiters.filter((w) => this.buffered >= w.below);
        for (const w of ready) w.resolve();
      }
    }
    this.notify();
  }

  protected notify(): void {
    if (this.waiters.length === 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  protected refreshMetadataSoon(): void {
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

interface ProduceResponse {
  responses: Array<{
    name: string;
    partitionResponses: Array<{ index: number; errorCode: number; errorMessage: string | null }>;
  }>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
