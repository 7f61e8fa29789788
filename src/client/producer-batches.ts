// The producer's batches and per-partition queues, and what is done to a batch apart from
// sending it: splitting one the broker found too large, restamping an encoded batch with a
// new producer id, and sorting a failed exchange.
import {
  OFF_ATTRIBUTES,
  OFF_BASE_SEQUENCE,
  OFF_CRC,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  RecordBatchBuilder,
} from '../protocol/record-batch.js';
import { crc32c } from '../protocol/crc32c.js';
import { KafkaError } from '../protocol/errors.js';

export interface Batch {
  q: PartitionQueue;
  /** The records, encoded as they were appended; dropped once sent unless the batch may need splitting. */
  builder: RecordBatchBuilder | null;
  count: number;
  /** The records' caller ids: firstSeq, firstSeq + 1, ... until one breaks the run; then all of them in seqs. */
  firstSeq: number;
  seqs: number[] | null;
  /** Append times, kept only when onBatchDone wants latencies. */
  appendedAt: Float64Array | null;
  /** Bytes of the encoded records: what buffer.memory counts. */
  bytes: number;
  createdAt: number;
  attempts: number;
  notBefore: number;
  encoded: Buffer | null;
  /** The buffer the records were built in, kept from encoding on so that it can serve another batch once this one is delivered. */
  backing: Buffer | null;
  /** Idempotence: the first record's sequence number, -1 until the batch is first sent. */
  baseSequence: number;
  /** Took records after it was full, while it waited to be sent: may be too large for the topic. */
  grown: boolean;
  /** A piece of a split batch: never grown. */
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

export function newBatch(q: PartitionQueue, builder: RecordBatchBuilder, withTimes: boolean, createdAt: number): Batch {
  return {
    q,
    builder,
    count: 0,
    firstSeq: 0,
    seqs: null,
    appendedAt: withTimes ? new Float64Array(64) : null,
    bytes: 0,
    createdAt,
    attempts: 0,
    notBefore: 0,
    encoded: null,
    backing: null,
    baseSequence: -1,
    grown: false,
    noMerge: false,
    splitInto: null,
  };
}

/** Notes the caller's id of the record about to be counted in the batch; a run of consecutive ids costs nothing. */
export function addSeq(b: Batch, seq: number): void {
  if (b.count === 0) {
    b.firstSeq = seq;
    return;
  }
  if (b.seqs === null) {
    if (seq === b.firstSeq + b.count) return;
    b.seqs = [];
    for (let i = 0; i < b.count; i++) b.seqs.push(b.firstSeq + i);
  }
  b.seqs.push(seq);
}

/** The caller's ids of the batch's records, in order. */
export function seqsOf(b: Batch): number[] {
  if (b.seqs !== null) return b.seqs;
  const out: number[] = [];
  for (let i = 0; i < b.count; i++) out.push(b.firstSeq + i);
  return out;
}

/** Pieces of about batch.size bytes, to send in place of a batch the broker found too large. */
export function splitPieces(b: Batch, batchSize: number): Batch[] {
  const out: Batch[] = [];
  const all = seqsOf(b);
  let at = 0;
  for (const builder of b.builder!.split(batchSize)) {
    const piece = newBatch(b.q, builder, false, b.createdAt);
    const end = at + builder.count;
    piece.count = builder.count;
    piece.firstSeq = all[at]!;
    piece.seqs = all.slice(at, end);
    piece.appendedAt = b.appendedAt ? b.appendedAt.slice(at, end) : null;
    piece.bytes = builder.recordsBytes;
    piece.noMerge = true;
    out.push(piece);
    at = end;
  }
  // Renumbered records may encode a byte longer or shorter: buffer.memory must count what it counted.
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
