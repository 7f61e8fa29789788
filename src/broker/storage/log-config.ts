/**
 * Per-partition log settings, with Kafka's defaults, and the mapping from
 * Kafka's topic-level (`segment.bytes`) and broker-level (`log.segment.bytes`)
 * property names.
 */

export interface LogConfig {
  /** segment.bytes: roll when the active segment would exceed this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment is older than this. */
  segmentMs: number;
  /** index.interval.bytes: bytes of log between sparse index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete closed segments older than this; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: keep the partition under this size; -1 unlimited. */
  retentionBytes: number;
  /**
   * cleanup.policy contains `delete`: time and size retention apply. A
   * compact-only topic keeps the latest value of every key forever, so
   * retention must never remove its segments.
   */
  deleteRetention: boolean;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  deleteRetention: true,
});

/** Positions in the offset index are int32, so a segment cannot pass 2 GiB. */
const MAX_SEGMENT_BYTES = 0x7fffffff;

export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG };
  for (const [k, v] of Object.entries(overrides) as [keyof LogConfig, number | boolean | undefined][]) {
    if (k === 'deleteRetention') {
      if (typeof v === 'boolean') c.deleteRetention = v;
    } else if (typeof v === 'number' && Number.isFinite(v)) {
      c[k] = v;
    }
  }
  if (c.segmentBytes < 1 || c.segmentBytes > MAX_SEGMENT_BYTES)
    throw new RangeError(`segment.bytes must be in [1, ${MAX_SEGMENT_BYTES}], got ${c.segmentBytes}`);
  if (c.indexIntervalBytes < 0) throw new RangeError(`index.interval.bytes must be >= 0, got ${c.indexIntervalBytes}`);
  if (c.segmentMs < 1) throw new RangeError(`segment.ms must be >= 1, got ${c.segmentMs}`);
  return c;
}

/** Whether a cleanup.policy value (`delete`, `compact`, `compact,delete`) deletes by retention. */
export function policyDeletes(policy: string | undefined): boolean {
  if (policy === undefined || policy.trim() === '') return true;
  return policy.split(',').some((p) => p.trim() === 'delete');
}

/** Whether a cleanup.policy value compacts. */
export function policyCompacts(policy: string | undefined): boolean {
  return policy !== undefined && policy.split(',').some((p) => p.trim() === 'compact');
}

const TOPIC_KEYS: Record<string, Exclude<keyof LogConfig, 'deleteRetention'>> = {
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'index.interval.bytes': 'indexIntervalBytes',
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
};

/**
 * Build a LogConfig from string properties: broker-level `log.*` names first
 * (including the hours/minutes variants, lowest precedence), then topic-level
 * names, which override.
 */
export function logConfigFromProperties(
  props: Record<string, string | undefined>,
  base: Partial<LogConfig> = {},
): LogConfig {
  const out: Partial<LogConfig> = { ...base };
  const num = (k: string): number | undefined => {
    const v = props[k];
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const scaled = (k: string, factor: number): number | undefined => {
    const n = num(k);
    return n === undefined ? undefined : n < 0 ? -1 : n * factor;
  };
  const HOUR = 3_600_000;
  out.segmentMs = num('log.roll.ms') ?? scaled('log.roll.hours', HOUR) ?? out.segmentMs;
  out.retentionMs =
    num('log.retention.ms') ??
    scaled('log.retention.minutes', 60_000) ??
    scaled('log.retention.hours', HOUR) ??
    out.retentionMs;
  out.segmentBytes = num('log.segment.bytes') ?? out.segmentBytes;
  out.retentionBytes = num('log.retention.bytes') ?? out.retentionBytes;
  out.indexIntervalBytes = num('log.index.interval.bytes') ?? out.indexIntervalBytes;
  for (const [key, field] of Object.entries(TOPIC_KEYS)) {
    const n = num(key);
    if (n !== undefined) out[field] = n;
  }
  const policy = props['cleanup.policy'] ?? props['log.cleanup.policy'];
  if (policy !== undefined) out.deleteRetention = policyDeletes(policy);
  return resolveLogConfig(out);
}
