// The producer's batches and per-partition queues, and what is done to a batch apart from
// sending it: merging the batches queued behind it, splitting one the broker found too
// large, restamping an encoded batch with a new producer id, and sorting a failed exchange.
import {
  OFF_ATTRIBUTES,
  OFF_BASE_SEQUENCE,
  OFF_CRC,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  type RecordInput,
} from '../protocol/record-batch.js';
import { crc32c } from '../protocol/crc32c.js';
import { KafkaError } from '../protocol/errors.js';

export interface Batch {
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
export interface PartitionQueue {
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

export interface TopicInfo {
  partitions: number;
  /** For records without a key: Kafka's sticky choice, moved on when a batch fills. */
  sticky: number;
  queues: PartitionQueue[];
}

/** Appends the new batches waiting behind `head` to it, up to `limit` bytes; how many it took. */
export function mergeWaiting(q: PartitionQueue, head: Batch, limit: number): number {
  if (head.noMerge) return 0;
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
  if (taken === 0) return 0;
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
  return taken;
}

/** Pieces of at most batch.size bytes (estimated), to send in place of a batch the broker found too large. */
export function splitPieces(b: Batch, batchSize: number): Batch[] {
  const n = Math.max(2, Math.ceil(b.bytes / batchSize));
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

/** Connection failures that mean "not reachable now", as opposed to a refusal (TLS, versions, bad responses). */
const RETRIABLE_CONNECT_ERRORS = new Set(['CONNECT_FAILED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'REQUEST_TIMEOUT']);

/** A failed exchange as an error name, message and whether trying again can help. */
export function failureOf(err: unknown): { error: string; message: string; retriable: boolean } {
  if (err instanceof KafkaError) return { error: err.errorName, message: err.message, retriable: err.retriable };
  const e = err as Error & { code?: unknown };
  if (typeof e.code === 'string')
    return { error: e.code, message: e.message, retriable: RETRIABLE_CONNECT_ERRORS.has(e.code) };
  return { error: 'NETWORK_EXCEPTION', message: e?.message ?? String(err), retriable: true };
}

/** Rewrites a batch's producer id, epoch and base sequence, and its CRC, which covers them. */
export function restamp(batch: Buffer, producerId: number, epoch: number, baseSequence: number): void {
  batch.writeBigInt64BE(BigInt(producerId), OFF_PRODUCER_ID);
  batch.writeInt16BE(epoch, OFF_PRODUCER_EPOCH);
  batch.writeInt32BE(baseSequence, OFF_BASE_SEQUENCE);
  batch.writeInt32BE(crc32c(batch, OFF_ATTRIBUTES, batch.length) | 0, OFF_CRC);
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
