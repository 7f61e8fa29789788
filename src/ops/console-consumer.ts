// The console consumer's engine: where to start, what to keep, when to stop. Records
// come from the fast fetcher (partitions assigned directly) or, with --group, from a
// group member; either way they reach the same sink.
import type { ClusterClient } from '../client/cluster.js';
import { Fetcher, type FetchedRecord, type OffsetSpec } from '../client/fetcher.js';

export interface ConsumeSelection {
  topic?: string;
  include?: RegExp;
  partition?: number;
  /** Start position for assigned partitions. */
  start: OffsetSpec | { timestamp: number };
}

export interface ConsumeLimits {
  maxMessages?: number;
  /** Exit after this long without a record. */
  timeoutMs?: number;
  /** Stop at the end offsets read at start. */
  untilEnd?: boolean;
  /** Stop each partition at the first record newer than this. */
  untilTime?: number;
}

export interface ConsumeFilter {
  grep?: RegExp;
  key?: Buffer;
  headers?: Array<{ key: string; value: Buffer }>;
}

export interface SinkRecord extends FetchedRecord {
  topic: string;
  partition: number;
}

/** Receives records in order; returns false when the output wants the caller to wait. */
export type Sink = (r: SinkRecord) => boolean | Promise<void>;

export function matches(r: FetchedRecord, f: ConsumeFilter): boolean {
  if (f.key && (!r.key || !r.key.equals(f.key))) return false;
  if (f.headers) {
    for (const want of f.headers) {
      if (!r.headers.some((h) => h.key === want.key && h.value !== null && h.value.equals(want.value))) return false;
    }
  }
  if (f.grep && !f.grep.test(r.value ? r.value.toString('utf8') : '')) return false;
  return true;
}

/** Resolves the partitions to read: one, every partition of a topic, or of every matching topic. */
export async function selectPartitions(cluster: ClusterClient, sel: ConsumeSelection): Promise<Array<{ topic: string; partition: number }>> {
  const md = await cluster.refreshMetadata(sel.topic !== undefined ? [sel.topic] : null, { allowAutoTopicCreation: false });
  const out: Array<{ topic: string; partition: number }> = [];
  for (const t of md.topics.values()) {
    if (sel.topic !== undefined ? t.name !== sel.topic : !sel.include!.test(t.name)) continue;
    if (sel.include && !fullMatch(sel.include, t.name)) continue;
    if (t.errorCode !== 0) continue;
    for (const p of t.partitions) {
      if (sel.partition === undefined || p.partition === sel.partition) out.push({ topic: t.name, partition: p.partition });
    }
  }
  out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return out;
}

/** Kafka's --include is a whole-name match. */
function fullMatch(re: RegExp, s: string): boolean {
  const m = re.exec(s);
  return m !== null && m.index === 0 && m[0].length === s.length;
}

export interface ConsumeResult {
  processed: number;
  reason: 'max-messages' | 'timeout' | 'until-end' | 'until-time' | 'aborted';
}

/** Reads assigned partitions directly (no group) until a limit is reached. */
export async function consumeAssigned(
  fetcher: Fetcher,
  partitions: Array<{ topic: string; partition: number }>,
  sel: ConsumeSelection,
  limits: ConsumeLimits,
  filter: ConsumeFilter,
  sink: Sink,
  signal: AbortSignal,
): Promise<ConsumeResult> {
  const start = sel.start;
  if (typeof start === 'object') {
    // A time with no later record means "start at the end", as Kafka's offsetsForTimes does.
    const found = await fetcher.listOffsets(partitions.map((p) => ({ ...p, spec: start })));
    await fetcher.assign(partitions.map((p) => {
      const o = found.get(`${p.topic}\u0000${p.partition}`) ?? -1;
      return { ...p, offset: o >= 0 ? o : 'latest' as const };
    }));
  } else {
    await fetcher.assign(partitions.map((p) => ({ ...p, offset: start })));
  }
  let ends: Map<string, number> | undefined;
  const done = new Set<string>();
  if (limits.untilEnd) {
    ends = await fetcher.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const })));
    for (const p of partitions) {
      const key = `${p.topic}\u0000${p.partition}`;
      if ((fetcher.position(p.topic, p.partition) ?? 0) >= ends.get(key)!) done.add(key);
    }
  }
  let processed = 0;
  let lastRecordAt = Date.now();
  const finished = () => ends !== undefined && done.size >= partitions.length;
  if (partitions.length === 0 || finished()) return { processed, reason: 'until-end' };
  for (;;) {
    if (signal.aborted) return { processed, reason: 'aborted' };
    if (limits.timeoutMs !== undefined && Date.now() - lastRecordAt >= limits.timeoutMs) return { processed, reason: 'timeout' };
    // poll() returns within the fetch max wait, so the idle timeout and Ctrl-C are
    // checked at least that often, and no fetched record is ever dropped by a race.
    const batches = await fetcher.poll();
    for (const b of batches) {
      const key = `${b.topic}\u0000${b.partition}`;
      if (done.has(key)) continue;
      const end = ends?.get(key);
      for (const r of b.records) {
        if (end !== undefined && r.offset >= end) break;
        if (limits.untilTime !== undefined && r.timestamp > limits.untilTime) { done.add(key); break; }
        lastRecordAt = Date.now();
        if (!matches(r, filter)) continue;
        const rec = r as SinkRecord;
        rec.topic = b.topic;
        rec.partition = b.partition;
        const more = sink(rec);
        if (more instanceof Promise) await more;
        processed++;
        if (limits.maxMessages !== undefined && processed >= limits.maxMessages) return { processed, reason: 'max-messages' };
      }
      if (end !== undefined && b.nextOffset >= end) done.add(key);
      if (b.records.length > 0) lastRecordAt = Date.now();
    }
    if (finished()) return { processed, reason: 'until-end' };
    if (limits.untilTime !== undefined && done.size >= partitions.length) return { processed, reason: 'until-time' };
  }
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
  if (!Number.isFinite(t)) throw new Error(`Invalid time '${spec}': use ISO 8601 (2026-01-31T12:00:00Z), epoch milliseconds, or a negative duration like -15m`);
  return t;
}
