// The console consumer's engine: one pipeline whichever way partitions are read. A
// RecordSource yields fetched batches (partitions assigned directly, or a group member's
// share, see group-source.ts); the engine applies the limits and filters, renders records
// into the output sink and marks how far each partition has been written, which is all a
// group may commit.
import type { ClusterClient } from '../client/cluster.js';
import { wholeMatch } from '../client/group-member.js';
import { type FetchedPartition, type FetchedRecord, type Fetcher, type OffsetSpec } from '../client/fetcher.js';
import { MAX_PENDING_BYTES, type OutputSink } from '../formats/output-sink.js';
import type { RawLineFormat } from '../formats/raw-lines.js';
import { DecodedWalk, RawWalk, type RecordWalk } from './record-walk.js';
import type { ConsumedRecord } from '../formats/record-lines.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type StartSpec = OffsetSpec | { timestamp: number };

export interface ConsumeSelection {
  topic?: string;
  include?: RegExp;
  partition?: number;
}

export interface ConsumeLimits {
  maxMessages?: number;
  /** Exit after this long without a record. */
  timeoutMs?: number;
  /** Stop at the end offsets read when each partition was first assigned. */
  untilEnd?: boolean;
  /** Stop each partition at the first record newer than this. */
  untilTime?: number;
}

export interface ConsumeFilter {
  grep?: RegExp;
  key?: Buffer;
  headers?: Array<{ key: string; value: Buffer }>;
}

export type SinkRecord = FetchedRecord & ConsumedRecord;

/** Turns a record into its output line; null prints nothing (but the record still counts). */
export type Render = (r: SinkRecord) => Buffer | null;

export interface ConsumeResult {
  processed: number;
  reason: 'max-messages' | 'timeout' | 'until-end' | 'until-time' | 'aborted';
}

/** Where records come from. The assignment changes only inside poll(), and then generation moves. */
export interface RecordSource {
  /** True when the assignment can change (a group); false for partitions fixed up front. */
  readonly dynamic: boolean;
  readonly assignment: readonly TopicPartition[];
  readonly generation: number;
  start(signal: AbortSignal): Promise<void>;
  poll(signal: AbortSignal): Promise<FetchedPartition[]>;
  position(topic: string, partition: number): number | undefined;
  endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  /** Stops reading; a group commits what the sink has written and leaves. Bounded by the deadline. */
  close(deadline: number): Promise<void>;
}

/** Counted as records go out, so a forced exit can still say how many. */
export interface Progress {
  processed: number;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Resolves the partitions to read: one, every partition of a topic, or of every matching topic. */
export async function selectPartitions(cluster: ClusterClient, sel: ConsumeSelection): Promise<TopicPartition[]> {
  const md = await cluster.refreshMetadata(sel.topic !== undefined ? [sel.topic] : null, {
    allowAutoTopicCreation: false,
  });
  const out: TopicPartition[] = [];
  for (const t of md.topics.values()) {
    if (sel.topic !== undefined ? t.name !== sel.topic : !wholeMatch(sel.include!, t.name)) continue;
    if (t.errorCode !== 0) continue;
    for (const p of t.partitions) {
      if (sel.partition === undefined || p.partition === sel.partition)
        out.push({ topic: t.name, partition: p.partition });
    }
  }
  out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return out;
}

/** Partitions read directly from a start position, no group and no commits (Kafka's tool without --group). */
export class AssignedSource implements RecordSource {
  readonly dynamic = false;
  readonly generation = 0;

  constructor(
    private readonly fetcher: Fetcher,
    readonly assignment: readonly TopicPartition[],
    private readonly from: StartSpec,
  ) {}

  async start(): Promise<void> {
    const from = this.from;
    if (typeof from === 'object') {
      // A time with no later record means "start at the end", as Kafka's offsetsForTimes does.
      const found = await this.fetcher.listOffsets(this.assignment.map((p) => ({ ...p, spec: from })));
      await this.fetcher.assign(
        this.assignment.map((p) => {
          const o = found.get(tpKey(p.topic, p.partition)) ?? -1;
          return { ...p, offset: o >= 0 ? o : ('latest' as const) };
        }),
      );
    } else {
      await this.fetcher.assign(this.assignment.map((p) => ({ ...p, offset: from })));
    }
  }

  poll(): Promise<FetchedPartition[]> {
    return this.fetcher.poll();
  }

  position(topic: string, partition: number): number | undefined {
    return this.fetcher.position(topic, partition);
  }

  endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    return this.fetcher.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const })));
  }

  async close(): Promise<void> {
    this.fetcher.stop();
  }
}

const ABORTED = Symbol('aborted');

/** The promise's value, or ABORTED as soon as the signal fires (the promise is left to settle alone). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => undefined);
      resolve(ABORTED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The promise's value, or undefined once `ms` has passed. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) {
    p.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms).unref();
  });
  return Promise.race([p.finally(() => clearTimeout(timer)), late]);
}

/** Reads until a limit is reached or the signal fires. The caller then calls finish(). */
export async function consume(
  source: RecordSource,
  limits: ConsumeLimits,
  filter: ConsumeFilter,
  render: Render,
  out: OutputSink,
  progress: Progress,
  signal: AbortSignal,
  /** Set when each record's line is its key and value bytes as they are (no filter, no deserializer): written without decoding. */
  rawFormat: RawLineFormat | null = null,
): Promise<ConsumeResult> {
  const result = (reason: ConsumeResult['reason']): ConsumeResult => ({ processed: progress.processed, reason });
  // Kafka's loop runs while count < limit: a limit of 0 reads nothing.
  if (limits.maxMessages !== undefined && progress.processed >= limits.maxMessages) return result('max-messages');
  if ((await abortable(source.start(signal), signal)) === ABORTED) return result('aborted');
  if (!source.dynamic && source.assignment.length === 0) return result('until-end');
  const bounded = limits.untilEnd === true || limits.untilTime !== undefined;
  const ends = new Map<string, number>();
  /** Partitions past their end offset or end time. */
  const finished = new Set<string>();
  let seen = -1;
  let lastRecordAt = Date.now();
  for (;;) {
    if (signal.aborted) return result('aborted');
    if (source.generation !== seen) {
      seen = source.generation;
      if (limits.untilEnd) {
        const fresh = source.assignment.filter((p) => !ends.has(tpKey(p.topic, p.partition)));
        if (fresh.length > 0) {
          const found = await abortable(source.endOffsets(fresh), signal);
          if (found === ABORTED) return result('aborted');
          for (const [k, v] of found) ends.set(k, v);
        }
        for (const p of source.assignment) {
          const k = tpKey(p.topic, p.partition);
          if ((source.position(p.topic, p.partition) ?? 0) >= ends.get(k)!) finished.add(k);
        }
      }
    }
    if (bounded && source.assignment.every((p) => finished.has(tpKey(p.topic, p.partition)))) {
      return result(limits.untilEnd ? 'until-end' : 'until-time');
    }
    if (limits.timeoutMs !== undefined && Date.now() - lastRecordAt >= limits.timeoutMs) return result('timeout');
    // poll() returns within the fetch max wait, so the idle timeout is checked at least that often.
    const batches = await abortable(source.poll(signal), signal);
    if (batches === ABORTED) return result('aborted');
    const tag = source.generation;
    for (const b of batches) {
      const k = tpKey(b.topic, b.partition);
      if (finished.has(k)) continue;
      const end = ends.get(k);
      let next = b.nextOffset;
      let seenOne = false;
      const raw = rawFormat ? (b.bodies?.() ?? null) : null;
      const walk: RecordWalk = raw ? new RawWalk(raw, rawFormat!) : new DecodedWalk(b, filter, render);
      while (walk.next()) {
        const offset = walk.offset;
        if (end !== undefined && offset >= end) {
          next = offset;
          break;
        }
        if (limits.untilTime !== undefined && walk.timestamp > limits.untilTime) {
          finished.add(k);
          next = offset;
          break;
        }
        seenOne = true;
        if (!walk.write(out)) continue;
        progress.processed++;
        if (limits.maxMessages !== undefined && progress.processed >= limits.maxMessages) {
          out.mark(b.topic, b.partition, offset + 1, tag);
          return result('max-messages');
        }
        if (out.pendingBytes >= MAX_PENDING_BYTES) {
          out.mark(b.topic, b.partition, offset + 1, tag);
          const wait = out.flush();
          if (wait && (await abortable(wait, signal)) === ABORTED) return result('aborted');
        }
      }
      // Once per batch rather than per record: the idle timeout counts in milliseconds.
      if (seenOne) lastRecordAt = Date.now();
      if (end !== undefined && next >= end) finished.add(k);
      out.mark(b.topic, b.partition, next, tag);
    }
    // One write per fetch: a reader sees records as they arrive, and a big topic still
    // costs one syscall per batch rather than per record.
    const wait = out.flush();
    if (wait && (await abortable(wait, signal)) === ABORTED) return result('aborted');
  }
}

/** Hands all output to the OS, then closes the source (a group commits what was written); by the deadline. */
export async function finish(source: RecordSource, out: OutputSink, deadline: number): Promise<void> {
  out.flush();
  await within(out.settled(), deadline - Date.now());
  await within(source.close(deadline), deadline - Date.now());
}

/** Parses --from-time / --until-time: ISO 8601, epoch ms, or -duration (e.g. -15m, -2h, -1d, -30s). */
export function parseTimeSpec(spec: string, now = Date.now()): number {
  const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(spec.trim());
  if (rel) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return Math.round(now - Number(rel[1]) * unit);
  }
  if (/^\d+$/.test(spec.trim())) return Number(spec.trim());
  const t = Date.parse(spec);
  if (!Number.isFinite(t))
    throw new Error(
      `Invalid time '${spec}': use ISO 8601 (2026-01-31T12:00:00Z), epoch milliseconds, or a negative duration like -15m`,
    );
  return t;
}
