/**
 * The `--reset-offsets` planner: which partitions (scope), which new offsets
 * (scenario), Kafka's clamping to [log start, log end], the CSV plan format
 * of --export / --from-file, and the lag each change implies.
 *
 * Semantics follow Kafka 3.9's ConsumerGroupCommand:
 * - only groups in state Empty or Dead are reset; others are refused with
 *   "Assignments can only be reset if the group '<g>' is inactive, but the
 *   current state is <State>." (and an empty plan);
 * - --to-offset, --shift-by and --from-file offsets are clamped to the log
 *   range with a WARN line each (Kafka logs it through log4j on stderr);
 * - --to-datetime / --by-duration use ListOffsets by timestamp and fall back
 *   to the log end ("Warn: Partition p from topic t is empty. ...", stdout);
 * - --to-current keeps committed offsets and uses the log end where nothing
 *   was committed.
 */
import type { ClusterClient } from '../client/cluster.js';
import {
  EARLIEST_TIMESTAMP,
  GroupCommandError,
  UsageError,
  LATEST_TIMESTAMP,
  commitOffsets,
  ensureMetadata,
  fetchCommittedOffsets,
  listOffsets,
  parseTopicPartitions,
  tpKey,
  type CommittedOffset,
  type Coordinator,
  type RequestOptions,
  type TopicPartition,
} from './consumer-groups.js';
import { javaHashMapOrder, javaSplit, parseJavaLong, topicPartitionMapOrder } from '../protocol/java-compat.js';

export type ResetScenario =
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-current' }
  | { kind: 'to-offset'; offset: bigint }
  | { kind: 'shift-by'; shift: bigint }
  | { kind: 'to-datetime'; timestamp: number }
  | { kind: 'by-duration'; durationMs: number }
  | { kind: 'from-file'; plan: Map<string, Map<string, TopicPartition & { offset: number }>> };

export type ResetScope = { kind: 'all-topics' } | { kind: 'topics'; args: string[] } | { kind: 'none' };

export interface PlannedOffset extends TopicPartition {
  newOffset: number;
  /** The committed offset before the reset (null: none). */
  currentOffset: number | null;
  logStartOffset: number | null;
  logEndOffset: number | null;
  /** Lag before (null when nothing was committed or the log end is unknown). */
  lagBefore: number | null;
  /** Lag after (null when the log end is unknown). */
  lagAfter: number | null;
}

export interface GroupResetPlan {
  groupId: string;
  state: string;
  /** Kafka's refusal ("Assignments can only be reset ...") or "No reset plan for group g found"; the plan is then empty. */
  error: string | null;
  /** In Kafka's print order (Java HashMap order of TopicPartition). */
  offsets: PlannedOffset[];
  /** True when the offsets were committed (--execute). */
  executed: boolean;
}

export interface ResetOutcome {
  /** Groups in Kafka's print order (HashMap order of the group ids). */
  groups: GroupResetPlan[];
  /**
   * What Kafka prints on stdout while planning, in order, each with println:
   * "\nError: <refusal>" and "\nWarn: Partition p from topic t is empty. ...".
   */
  stdoutNotes: string[];
  /** Kafka's log4j WARN lines (clamping), stderr. */
  warnings: string[];
}

// ------------------------------------------------------------------ Java orders

// ------------------------------------------------------------------ parsing

/**
 * Kafka's Utils.getDateTime: 'yyyy-MM-ddTHH:mm:ss.SSS' with an optional zone
 * (Z, +hh:mm, +hh); no zone means UTC. Kafka parses with a non-lenient
 * SimpleDateFormat, so a field out of range (month 13, February 30, hour 99,
 * zone +25:00 or beyond GregorianCalendar's -13:00..+14:00) is "Unparseable
 * date" rather than rolled over. Where Java's fallback pattern would read
 * "+0530" as +05:00 and ignore trailing text, ktool honours the minutes and
 * refuses the trailing text: both would silently reset to the wrong time.
 */
export function parseDateTime(text: string): number {
  const parts = javaSplit(text, 'T');
  if (parts.length < 2) {
    throw new GroupCommandError(
      `java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format (${text})`,
    );
  }
  const second = parts[1]!;
  let value = text;
  if (!(second.includes('+') || second.includes('-') || second.includes('Z'))) value = `${text}Z`;
  const unparseable = () => new GroupCommandError(`java.text.ParseException: Unparseable date: "${value}"`);
  const m = /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(value);
  if (m === null) throw unparseable();
  const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = m[8]!;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = zone.length > 3 ? Number(zone.slice(-2)) : 0;
    if (zh > 23 || zm > 59) throw unparseable();
    offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  const days = civilDays(y, mo, d);
  const inRange = h <= 23 && mi <= 59 && s <= 59 && ms <= 999 && offsetMin >= -13 * 60 && offsetMin <= 14 * 60;
  if (days === null || !inRange) throw unparseable();
  return days * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms - offsetMin * 60_000;
}

/** Java's GregorianCalendar switches from the Julian calendar after 1582-10-04 (the next day is 1582-10-15). */
const GREGORIAN_START = { y: 1582, m: 10, d: 15 };
const JULIAN_END = { y: 1582, m: 10, d: 4 };
const MAX_YEAR = 292_278_994;

/** Days since 1970-01-01 of a date as GregorianCalendar reads it, or null when no such day exists. */
function civilDays(y: number, m: number, d: number): number | null {
  if (y < 1 || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return null;
  const key = y * 10_000 + m * 100 + d;
  const gregorian = key >= GREGORIAN_START.y * 10_000 + GREGORIAN_START.m * 100 + GREGORIAN_START.d;
  if (!gregorian && key > JULIAN_END.y * 10_000 + JULIAN_END.m * 100 + JULIAN_END.d) return null;
  const leap = gregorian ? (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 : y % 4 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  if (d > monthDays) return null;
  // Julian day number (Fliegel and Van Flandern's formulas), then relative to 1970-01-01 (JDN 2440588).
  const a = Math.floor((14 - m) / 12);
  const yy = y + 4800 - a;
  const mm = m + 12 * a - 3;
  const base = d + Math.floor((153 * mm + 2) / 5) + 365 * yy + Math.floor(yy / 4);
  const jdn = gregorian ? base - Math.floor(yy / 100) + Math.floor(yy / 400) - 32045 : base - 32083;
  return jdn - 2_440_588;
}

/** java.time.Duration.parse ("PnDTnHnMn.nS", case-insensitive, signed parts) in ms. */
export function parseDuration(text: string): number {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(
    text,
  );
  const bad = () => new GroupCommandError('Text cannot be parsed to a Duration', 'INVALID_ARGUMENTS');
  if (m === null) throw bad();
  const [, neg, days, tPart, hours, minutes, seconds, fraction] = m;
  if (days === undefined && tPart === undefined) throw bad();
  if (tPart !== undefined && hours === undefined && minutes === undefined && seconds === undefined) throw bad();
  const num = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  let ms = num(days) * 86_400_000 + num(hours) * 3_600_000 + num(minutes) * 60_000 + num(seconds) * 1000;
  if (fraction !== undefined && fraction.length > 0) {
    const frac = Math.floor(Number(fraction.padEnd(9, '0')) / 1e6);
    ms += (seconds !== undefined && seconds.startsWith('-') ? -1 : 1) * frac;
  }
  return neg === '-' ? -ms : ms;
}

/** A Java long from text (joptsimple's Long conversion), limited to what a JS number holds exactly. */
export function parseLongOption(value: string, option: string): number {
  const n = Number(parseLongArgument(value, option));
  if (!Number.isSafeInteger(n)) throw new UsageError(`Cannot parse argument '${value}' of option ${option}`);
  return n;
}

/** Any Java long (Long.parseLong), as joptsimple reports one it cannot parse. */
export function parseLongArgument(value: string, option: string): bigint {
  const n = parseJavaLong(value);
  if (n === undefined) throw new UsageError(`Cannot parse argument '${value}' of option ${option}`);
  return n;
}

function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.length === 0) quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function csvValue(v: string): string {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

const isInt = (s: string | undefined) => s !== undefined && /^\s*[+-]?\d+\s*$/.test(s);

/**
 * Kafka's parseResetPlan: "topic,partition,offset" lines (when exactly one
 * --group was given and the first line has that form) or
 * "group,topic,partition,offset" lines.
 */
export function parseResetPlan(
  csv: string,
  groups: readonly string[],
): Map<string, Map<string, TopicPartition & { offset: number }>> {
  const lines = javaSplit(csv, '\n');
  const first = lines.length > 0 ? csvFields(lines[0]!) : [];
  const oldFormat = first.length === 3 && isInt(first[1]) && isInt(first[2]);
  const out = new Map<string, Map<string, TopicPartition & { offset: number }>>();
  const put = (group: string, topic: string, partition: string, offset: string, line: string) => {
    if (!isInt(partition) || !isInt(offset))
      throw new GroupCommandError(`Cannot parse reset plan line '${line}'`, 'INVALID_ARGUMENTS');
    let g = out.get(group);
    if (!g) out.set(group, (g = new Map()));
    const p = Number(partition.trim());
    const o = Number(offset.trim());
    // OffsetAndMetadata's own check; Kafka's tool prints it with its usage and exits 1.
    if (o < 0) throw new UsageError('Invalid negative offset');
    g.set(tpKey(topic, p), { topic, partition: p, offset: o });
  };
  for (const line of lines) {
    const f = csvFields(line.replace(/\r$/, ''));
    if (groups.length === 1 && oldFormat) {
      if (f.length !== 3) throw new GroupCommandError(`Cannot parse reset plan line '${line}'`, 'INVALID_ARGUMENTS');
      put(groups[0]!, f[0]!, f[1]!, f[2]!, line);
    } else {
      if (f.length !== 4) throw new GroupCommandError(`Cannot parse reset plan line '${line}'`, 'INVALID_ARGUMENTS');
      put(f[0]!, f[1]!, f[2]!, f[3]!, line);
    }
  }
  return out;
}

/** Kafka's exportOffsetsToCsv (without the println Kafka adds). */
export function exportCsv(groups: readonly GroupResetPlan[], singleGroup: boolean): string {
  let out = '';
  for (const g of groups) {
    for (const o of g.offsets) {
      out += singleGroup
        ? `${csvValue(o.topic)},${o.partition},${o.newOffset}\n`
        : `${csvValue(g.groupId)},${csvValue(o.topic)},${o.partition},${o.newOffset}\n`;
    }
  }
  return out;
}

// ------------------------------------------------------------------ planning

/** log4j's "[yyyy-MM-dd HH:mm:ss,SSS]" in local time. */
function log4jTime(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())},${p(now.getMilliseconds(), 3)}`;
}

export const MISSING_SCENARIO =
  "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]";

const LOGGER = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';

export interface PlanInput {
  groups: Array<{ groupId: string; state: string; coordinator: Coordinator }>;
  scope: ResetScope;
  /** null: no scenario given (refused when an inactive group is reached, as Kafka does). */
  scenario: ResetScenario | null;
  execute: boolean;
  timeoutMs?: number;
}

/** The partitions of `--topic` arguments ("t" means every partition of t). */
async function scopePartitions(client: ClusterClient, args: readonly string[]): Promise<TopicPartition[]> {
  const specified: TopicPartition[] = [];
  const topics: string[] = [];
  for (const arg of args) {
    if (arg.includes(':')) specified.push(...parseTopicPartitions(arg));
    else topics.push(arg);
  }
  if (topics.length > 0) {
    const md = await client.refreshMetadata([...new Set(topics)]);
    const unspecified: TopicPartition[] = [];
    for (const topic of javaHashMapOrder([...new Set(topics)], (t) => t)) {
      const t = md.topics.get(topic);
      if (t === undefined || t.errorCode !== 0) {
        throw new GroupCommandError(
          'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
          'UNKNOWN_TOPIC_OR_PARTITION',
        );
      }
      for (const p of t.partitions) unspecified.push({ topic, partition: p.partition });
    }
    specified.push(...unspecified);
  }
  return specified;
}

/**
 * Plan (and with `execute`, commit) the reset of each group. Needs the
 * groups' states (from DescribeGroups) in the order Kafka iterates them.
 */
export async function planReset(client: ClusterClient, input: PlanInput): Promise<ResetOutcome> {
  const options: RequestOptions = { timeoutMs: input.timeoutMs };
  const outcome: ResetOutcome = { groups: [], stdoutNotes: [], warnings: [] };
  const active = input.groups.filter((g) => g.state === 'Empty' || g.state === 'Dead');
  const coordinators = new Map(input.groups.map((g) => [g.groupId, g.coordinator]));
  const committed = await fetchCommittedOffsets(
    client,
    active.map((g) => g.groupId),
    { ...options, coordinators },
  );
  const topicScope = input.scope.kind === 'topics' ? await scopePartitions(client, input.scope.args) : null;

  for (const g of input.groups) {
    if (g.state !== 'Empty' && g.state !== 'Dead') {
      const error = `Assignments can only be reset if the group '${g.groupId}' is inactive, but the current state is ${g.state}.`;
      outcome.stdoutNotes.push(`\nError: ${error}`);
      outcome.groups.push({ groupId: g.groupId, state: g.state, error, offsets: [], executed: false });
      continue;
    }
    if (input.scope.kind === 'none' && input.scenario?.kind !== 'from-file') {
      throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
    }
    if (input.scenario === null) throw new UsageError(MISSING_SCENARIO);
    const current = committed.get(g.groupId) ?? new Map<string, CommittedOffset & TopicPartition>();
    let partitions: TopicPartition[];
    if (input.scope.kind === 'all-topics')
      partitions = [...current.values()].map((c) => ({ topic: c.topic, partition: c.partition }));
    else if (topicScope !== null) partitions = topicScope;
    else partitions = [];

    const plan = await prepareOffsets(client, g.groupId, partitions, current, input.scenario, outcome, options);
    if (plan.error !== null) {
      outcome.stdoutNotes.push(`\nError: ${plan.error}`);
      outcome.groups.push({ groupId: g.groupId, state: g.state, error: plan.error, offsets: [], executed: false });
      continue;
    }
    const ordered = topicPartitionMapOrder(plan.offsets);
    // Context for --diff / --json: committed offset, log range, lag change.
    const keys = ordered.map((o) => ({ topic: o.topic, partition: o.partition }));
    const [starts, ends] = await Promise.all([
      listOffsets(client, keys, EARLIEST_TIMESTAMP, options),
      listOffsets(client, keys, LATEST_TIMESTAMP, options),
    ]);
    const offsets: PlannedOffset[] = ordered.map((o) => {
      const key = tpKey(o.topic, o.partition);
      const c = current.get(key);
      const end = ends.offsets.get(key) ?? null;
      return {
        topic: o.topic,
        partition: o.partition,
        newOffset: o.offset,
        currentOffset: c === undefined ? null : c.offset,
        logStartOffset: starts.offsets.get(key) ?? null,
        logEndOffset: end,
        lagBefore: c !== undefined && end !== null ? end - c.offset : null,
        lagAfter: end !== null ? end - o.offset : null,
      };
    });
    let executed = false;
    if (input.execute) {
      await commitOffsets(
        client,
        g.groupId,
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.newOffset })),
        options,
      );
      executed = true;
    }
    outcome.groups.push({ groupId: g.groupId, state: g.state, error: null, offsets, executed });
  }
  return outcome;
}

async function prepareOffsets(
  client: ClusterClient,
  groupId: string,
  partitions: readonly TopicPartition[],
  current: Map<string, CommittedOffset & TopicPartition>,
  scenario: ResetScenario,
  outcome: ResetOutcome,
  options: RequestOptions,
): Promise<{ offsets: Array<TopicPartition & { offset: number }>; error: string | null }> {
  const ok = (offsets: Array<TopicPartition & { offset: number }>) => ({ offsets, error: null });
  switch (scenario.kind) {
    case 'to-offset':
      return ok(
        await checkRange(
          client,
          partitions.map((tp) => ({ ...tp, offset: scenario.offset })),
          outcome,
          options,
        ),
      );
    case 'to-earliest':
    case 'to-latest': {
      const earliest = scenario.kind === 'to-earliest';
      const found = await listOffsets(client, partitions, earliest ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP, options);
      return ok(
        partitions.map((tp) => {
          const offset = found.offsets.get(tpKey(tp.topic, tp.partition));
          if (offset === undefined) {
            throw new UsageError(
              `Error getting ${earliest ? 'starting' : 'ending'} offset of topic partition: ${tp.topic}-${tp.partition}`,
            );
          }
          return { ...tp, offset };
        }),
      );
    }
    case 'shift-by': {
      const requested = partitions.map((tp) => {
        const c = current.get(tpKey(tp.topic, tp.partition));
        if (c === undefined) {
          throw new UsageError(
            `Cannot shift offset for partition ${tp.topic}-${tp.partition} since there is no current committed offset`,
          );
        }
        // Exact long arithmetic: the result is clamped to the log range below.
        return { ...tp, offset: BigInt(c.offset) + scenario.shift };
      });
      return ok(await checkRange(client, requested, outcome, options));
    }
    case 'to-datetime':
    case 'by-duration': {
      const timestamp = scenario.kind === 'to-datetime' ? scenario.timestamp : Date.now() - scenario.durationMs;
      const found = await listOffsets(client, partitions, timestamp, options);
      const empty = topicPartitionMapOrder(
        partitions.filter((tp) => (found.offsets.get(tpKey(tp.topic, tp.partition)) ?? -1) < 0),
      );
      for (const tp of empty)
        outcome.stdoutNotes.push(
          `\nWarn: Partition ${tp.partition} from topic ${tp.topic} is empty. Falling back to latest known offset.`,
        );
      const ends = empty.length > 0 ? await listOffsets(client, empty, LATEST_TIMESTAMP, options) : undefined;
      return ok(
        partitions.map((tp) => {
          const key = tpKey(tp.topic, tp.partition);
          let offset = found.offsets.get(key);
          if (offset === undefined || offset < 0) offset = ends?.offsets.get(key);
          if (offset === undefined)
            throw new UsageError(`Error getting offset by timestamp of topic partition: ${tp.topic}-${tp.partition}`);
          return { ...tp, offset };
        }),
      );
    }
    case 'from-file': {
      const plan = scenario.plan.get(groupId);
      if (plan === undefined) return { offsets: [], error: `No reset plan for group ${groupId} found` };
      return ok(await checkRange(client, [...plan.values()], outcome, options));
    }
    case 'to-current': {
      const without = partitions.filter((tp) => !current.has(tpKey(tp.topic, tp.partition)));
      const ends = await listOffsets(client, without, LATEST_TIMESTAMP, options);
      return ok(
        partitions.map((tp) => {
          const key = tpKey(tp.topic, tp.partition);
          const c = current.get(key);
          if (c !== undefined) return { ...tp, offset: c.offset };
          const end = ends.offsets.get(key);
          if (end === undefined)
            throw new UsageError(`Error getting ending offset of topic partition: ${tp.topic}-${tp.partition}`);
          return { ...tp, offset: end };
        }),
      );
    }
  }
}

/**
 * Partitions that do not exist are refused before anything is committed.
 * Kafka's admin client fails an unknown topic with this exception and, for an
 * unknown partition of a known topic, retries until --timeout: ktool names
 * the partition at once instead.
 */
async function assertPartitionsExist(client: ClusterClient, partitions: readonly TopicPartition[]): Promise<void> {
  await ensureMetadata(
    client,
    partitions.map((p) => p.topic),
  );
  const topics = client.metadata?.topics;
  for (const tp of topicPartitionMapOrder([...partitions])) {
    const t = topics?.get(tp.topic);
    const prefix =
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: ';
    if (t === undefined || t.errorCode !== 0) {
      throw new GroupCommandError(
        `${prefix}Failed to fetch metadata for partition ${tp.topic}-${tp.partition} because metadata for topic \`${tp.topic}\` could not be found`,
        'UNKNOWN_TOPIC_OR_PARTITION',
      );
    }
    if (!t.partitions.some((p) => p.partition === tp.partition)) {
      throw new GroupCommandError(
        `${prefix}Partition ${tp.topic}-${tp.partition} does not exist: topic \`${tp.topic}\` has ${t.partitions.length} partition(s)`,
        'UNKNOWN_TOPIC_OR_PARTITION',
      );
    }
  }
}

/** Kafka's checkOffsetsRange: clamp to [log start, log end], with its WARN lines. Offsets may be any Java long. */
async function checkRange(
  client: ClusterClient,
  requested: ReadonlyArray<TopicPartition & { offset: number | bigint }>,
  outcome: ResetOutcome,
  options: RequestOptions,
): Promise<Array<TopicPartition & { offset: number }>> {
  if (requested.length === 0) return [];
  await assertPartitionsExist(client, requested);
  const [starts, ends] = await Promise.all([
    listOffsets(client, requested, EARLIEST_TIMESTAMP, options),
    listOffsets(client, requested, LATEST_TIMESTAMP, options),
  ]);
  return topicPartitionMapOrder([...requested]).map((r) => {
    const key = tpKey(r.topic, r.partition);
    const end = ends.offsets.get(key);
    const start = starts.offsets.get(key);
    const wanted = BigInt(r.offset);
    if (end !== undefined && wanted > BigInt(end)) {
      outcome.warnings.push(
        `[${log4jTime()}] WARN New offset (${r.offset}) is higher than latest offset for topic partition ${r.topic}-${r.partition}. Value will be set to ${end} (${LOGGER})`,
      );
      return { ...r, offset: end };
    }
    if (start !== undefined && wanted < BigInt(start)) {
      outcome.warnings.push(
        `[${log4jTime()}] WARN New offset (${r.offset}) is lower than earliest offset for topic partition ${r.topic}-${r.partition}. Value will be set to ${start} (${LOGGER})`,
      );
      return { ...r, offset: start };
    }
    return { ...r, offset: Number(wanted) };
  });
}
