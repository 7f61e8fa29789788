// producer-perf-test's engine: send N records as fast as allowed, measure per-record
// latency (append to acknowledgement), report windows and a final summary as Kafka does.
import type { ClusterClient } from '../client/cluster.js';
import { Producer } from '../client/producer.js';
import { resolveProducerOptions, type ProducerOptions } from '../client/producer-config.js';
import { TransactionalProducer } from '../client/transactions.js';

export interface ProducerPerfOptions {
  topic: string;
  numRecords: number;
  /** Records per second; -1 or 0 for no limit. */
  throughput: number;
  /** One fixed payload, or a list to pick from at random (--payload-file). */
  payload: Buffer | Buffer[];
  producer: Partial<ProducerOptions>;
  reportIntervalMs: number;
  onWindow: (w: PerfWindow) => void;
  /** Kafka 3.9's transactions: one committed each durationMs (the last one at the end). */
  transaction?: { transactionalId: string; durationMs: number; timeoutMs: number };
}

export interface PerfWindow {
  count: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface PerfSummary extends PerfWindow {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  failed: number;
  elapsedMs: number;
  /** Transactions committed, with --transactional-id / --transaction-duration-ms. */
  transactionsCommitted?: number;
}

/** Kafka keeps at most this many latency samples, spread evenly over the run. */
const MAX_SAMPLES = 500_000;

export class LatencyStats {
  private count = 0;
  private bytes = 0;
  private totalLatency = 0;
  private maxLatency = 0;
  private windowCount = 0;
  private windowBytes = 0;
  private windowTotal = 0;
  private windowMax = 0;
  private windowStart: number;
  private readonly start: number;
  private readonly samples: Float64Array;
  private sampled = 0;
  private readonly every: number;
  private seen = 0;

  constructor(
    numRecords: number,
    private readonly reportIntervalMs: number,
    private readonly onWindow: (w: PerfWindow) => void,
    now = performance.now(),
  ) {
    this.start = now;
    this.windowStart = now;
    this.every = Math.max(1, Math.floor(numRecords / Math.min(numRecords, MAX_SAMPLES)));
    this.samples = new Float64Array(Math.ceil(numRecords / this.every) + 1);
  }

  record(latencyMs: number, bytes: number, now: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    if (latencyMs > this.maxLatency) this.maxLatency = latencyMs;
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotal += latencyMs;
    if (latencyMs > this.windowMax) this.windowMax = latencyMs;
    if (this.seen++ % this.every === 0 && this.sampled < this.samples.length) this.samples[this.sampled++] = latencyMs;
    if (now - this.windowStart >= this.reportIntervalMs) this.flushWindow(now);
  }

  private flushWindow(now: number): void {
    const secs = (now - this.windowStart) / 1000;
    this.onWindow({
      count: this.windowCount,
      recordsPerSec: this.windowCount / secs,
      mbPerSec: this.windowBytes / (1024 * 1024) / secs,
      avgLatencyMs: this.windowCount > 0 ? this.windowTotal / this.windowCount : 0,
      maxLatencyMs: this.windowMax,
    });
    this.windowStart = now;
    this.windowCount = 0;
    this.windowBytes = 0;
    this.windowTotal = 0;
    this.windowMax = 0;
  }

  summary(failed: number, now = performance.now()): PerfSummary {
    const elapsed = now - this.start;
    const secs = elapsed / 1000;
    const sorted = this.samples.slice(0, this.sampled).sort();
    const pct = (p: number) =>
      sorted.length === 0 ? 0 : Math.floor(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
    return {
      count: this.count,
      recordsPerSec: this.count / secs,
      mbPerSec: this.bytes / (1024 * 1024) / secs,
      avgLatencyMs: this.count > 0 ? this.totalLatency / this.count : 0,
      maxLatencyMs: this.maxLatency,
      p50: pct(0.5),
      p95: pct(0.95),
      p99: pct(0.99),
      p999: pct(0.999),
      failed,
      elapsedMs: elapsed,
    };
  }
}

export async function runProducerPerf(cluster: ClusterClient, o: ProducerPerfOptions): Promise<PerfSummary> {
  // With a payload file, records are picked at random; its mean size stands for each.
  const recordBytes = Array.isArray(o.payload)
    ? o.payload.reduce((n, p) => n + p.length, 0) / o.payload.length
    : o.payload.length;
  const stats = new LatencyStats(o.numRecords, o.reportIntervalMs, o.onWindow);
  const producer = new Producer(cluster, {
    ...o.producer,
    onBatchDone: (appendedAt, count, error) => {
      if (error) return;
      const now = performance.now();
      // Latencies are whole milliseconds, as Kafka's callback measures them.
      for (let i = 0; i < count; i++) stats.record(Math.round(now - appendedAt[i]), recordBytes, now);
    },
  });
  let txn: TransactionalProducer | undefined;
  if (o.transaction) {
    const resolved = resolveProducerOptions(o.producer);
    txn = new TransactionalProducer(cluster, producer, {
      transactionalId: o.transaction.transactionalId,
      transactionTimeoutMs: o.transaction.timeoutMs,
      requestTimeoutMs: resolved.requestTimeoutMs,
      retryBackoffMs: resolved.retryBackoffMs,
      maxBlockMs: resolved.maxBlockMs,
    });
    await txn.init();
  }
  await producer.prepare([o.topic]);
  const start = performance.now();
  let txnStart = 0;
  const limited = o.throughput > 0;
  for (let i = 0; i < o.numRecords; i++) {
    const value = Array.isArray(o.payload) ? o.payload[Math.floor(Math.random() * o.payload.length)] : o.payload;
    if (txn && !txn.inTransaction) {
      txn.begin();
      txnStart = Date.now();
    }
    const sendStart = Date.now();
    const room = producer.append({ topic: o.topic, key: null, value, seq: i });
    // As Kafka's tool: commit once the transaction is transaction-duration-ms old (commit flushes).
    if (txn && o.transaction!.durationMs <= sendStart - txnStart) await txn.commit();
    else if (!room) await producer.drained();
    // Pace exactly: never more than throughput x elapsed records sent.
    const ahead = limited ? ((i + 1) / o.throughput) * 1000 - (performance.now() - start) : 0;
    if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    else if ((i & 1023) === 1023) {
      // Let the sender and acknowledgements in now and then, so latency reflects the broker,
      // not our loop. A paced run that falls behind (the first cold second) needs this too:
      // without it nothing was sent until the buffer filled, and those records' wait made
      // the p99 of a run at half the peak rate some 200 ms.
      await new Promise((r) => setImmediate(r));
    }
  }
  try {
    if (txn) await txn.commit();
    await producer.flush();
  } finally {
    producer.close();
  }
  const summary = stats.summary(producer.failed);
  return txn ? { ...summary, transactionsCommitted: txn.committed } : summary;
}

/** Kafka's summary line. */
export function formatSummary(s: PerfSummary): string {
  return `${s.count} records sent, ${s.recordsPerSec.toFixed(6)} records/sec (${s.mbPerSec.toFixed(2)} MB/sec), ${s.avgLatencyMs.toFixed(2)} ms avg latency, ${s.maxLatencyMs.toFixed(2)} ms max latency, ${s.p50} ms 50th, ${s.p95} ms 95th, ${s.p99} ms 99th, ${s.p999} ms 99.9th.`;
}

/** Kafka's line for each reporting window. */
export function formatWindow(w: PerfWindow): string {
  return `${w.count} records sent, ${w.recordsPerSec.toFixed(1)} records/sec (${w.mbPerSec.toFixed(2)} MB/sec), ${w.avgLatencyMs.toFixed(1)} ms avg latency, ${w.maxLatencyMs.toFixed(1)} ms max latency.`;
}

/** A payload of random uppercase letters, as Kafka's tool makes it. */
export function randomPayload(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 65 + Math.floor(Math.random() * 26);
  return b;
}

/**
 * Kafka's upper bound for one unkeyed, headerless record of `valueBytes` in its own batch
 * (the batch overhead, the most a record's fixed fields can take, the null key, the
 * value's length and bytes, the header count): what the producer compares with
 * max.request.size before it sends.
 */
export function serializedRecordSize(valueBytes: number): number {
  const varintLen = (n: number) => (n < 64 ? 1 : n < 8192 ? 2 : n < 1048576 ? 3 : n < 134217728 ? 4 : 5);
  const batchOverhead = 61;
  const maxRecordOverhead = 21;
  return batchOverhead + maxRecordOverhead + 1 + varintLen(valueBytes) + valueBytes + 1;
}
