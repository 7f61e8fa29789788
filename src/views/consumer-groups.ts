/**
 * Rendering `ktool consumer-groups` results: text exactly as Kafka 3.9's
 * kafka-consumer-groups.sh prints it (stdout and stderr pieces in order),
 * and the --json shapes (the exported types below are the contract).
 *
 * Kafka prints several results straight out of Java HashMaps (rows of one
 * member, reset plans, deleted groups, the --list order), so the text follows
 * Java's HashMap iteration order for String and TopicPartition keys; the JSON
 * is sorted (groups by id, partitions by topic then partition).
 *
 * ktool additions, never in the default text:
 * - `--time-lag`: a TIME-LAG column after LAG (age of the oldest unconsumed record);
 * - the TOTAL-LAG line after each group's offsets table, printed only when
 *   stdout is a terminal or with --summary (so scripts parsing Kafka's table
 *   through a pipe see Kafka's bytes);
 * - `--diff` on --reset-offsets: CURRENT-OFFSET and the lag before/after.
 */
import type {
  DeleteOffsetsResult,
  GroupDescription,
  GroupListing,
  GroupSnapshot,
  PartitionLag,
  TopicPartition,
} from '../ops/consumer-groups.js';
import { executionException, javaException, tpKey } from '../ops/consumer-groups.js';
import { javaHashMapOrder, topicPartitionMapOrder } from '../protocol/java-compat.js';

export const MISSING = '-';

/** One piece of output, in order. */
export interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

const out = (text: string): Chunk => ({ stream: 'stdout', text });
const err = (text: string): Chunk => ({ stream: 'stderr', text });

/** Java's %-Ns. */
export function pad(value: string, width: number): string {
  return value.length >= width ? value : value + ' '.repeat(width - value.length);
}

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const byTp = (a: TopicPartition, b: TopicPartition) => cmp(a.topic, b.topic) || a.partition - b.partition;

/** Kafka's printError: a blank line, then "Error: ..." on stdout. */
export function errorLine(message: string): string {
  return `\nError: ${message}\n`;
}

export function commandFailedLine(message: string): string {
  return errorLine(`Executing consumer group command failed due to ${message}`);
}

// ------------------------------------------------------------------ list

/** --list: names in the order Kafka's admin client returns them (a HashMap keyed by group id). */
export function listOrder(groups: readonly GroupListing[]): GroupListing[] {
  return javaHashMapOrder(groups, (g) => g.groupId);
}

export function renderList(groups: readonly GroupListing[]): string {
  return listOrder(groups)
    .map((g) => `${g.groupId}\n`)
    .join('');
}

/** Kafka's GroupType.toString of a ListGroups group type. */
function typeName(type: string | null): string {
  if (type === null) return 'Unknown';
  const t = type.toLowerCase();
  if (t === 'classic') return 'Classic';
  if (t === 'consumer') return 'Consumer';
  if (t === 'share') return 'Share';
  return 'Unknown';
}

/** --list --state / --type: Kafka's printGroupInfo table. */
export function renderListInfo(groups: readonly GroupListing[], includeType: boolean, includeState: boolean): string {
  const width = Math.max(15, ...groups.map((g) => Math.max(15, g.groupId.length))) + 10;
  const line = (cols: string[]) => {
    let s = pad(cols[0]!, width);
    for (const c of cols.slice(1)) s += ` ${pad(c, 20)}`;
    return `${s}\n`;
  };
  const header = ['GROUP', ...(includeType ? ['TYPE'] : []), ...(includeState ? ['STATE'] : [])];
  let text = line(header);
  for (const g of listOrder(groups)) {
    text += line([
      g.groupId,
      ...(includeType ? [typeName(g.type)] : []),
      ...(includeState ? [g.state ?? 'Unknown'] : []),
    ]);
  }
  return text;
}

export interface ConsumerGroupsListJson {
  groups: Array<{
    groupId: string;
    /** Kafka's state name, or null when the broker does not report it. */
    state: string | null;
    /** 'classic' / 'consumer', or null when the broker does not report it. */
    type: string | null;
    protocolType: string;
  }>;
}

export function listJson(groups: readonly GroupListing[]): ConsumerGroupsListJson {
  return {
    groups: [...groups]
      .sort((a, b) => cmp(a.groupId, b.groupId))
      .map((g) => ({ groupId: g.groupId, state: g.state, type: g.type, protocolType: g.protocolType })),
  };
}

// ------------------------------------------------------------------ describe: state notes

const REBALANCING = new Set(['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']);

/** Kafka's shouldPrintMemberState: the notes it prints, and whether the table follows. */
export function memberStateNotes(groupId: string, state: string, rows: number): { chunks: Chunk[]; print: boolean } {
  const chunks: Chunk[] = [];
  if (state === 'Dead') chunks.push(out(errorLine(`Consumer group '${groupId}' does not exist.`)));
  else if (state === 'Empty') chunks.push(err(`\nConsumer group '${groupId}' has no active members.\n`));
  else if (REBALANCING.has(state)) chunks.push(err(`\nWarning: Consumer group '${groupId}' is rebalancing.\n`));
  else if (state !== 'Stable') {
    return {
      chunks: [out(commandFailedLine(`Expected a valid consumer group state, but found '${state}'.`))],
      print: false,
    };
  }
  return { chunks, print: state !== 'Dead' && rows > 0 };
}

/** Groups in Kafka's describe order (a TreeMap by group id). */
export function describeOrder<T extends { description: GroupDescription }>(snapshots: readonly T[]): T[] {
  return [...snapshots].sort((a, b) => cmp(a.description.groupId, b.description.groupId));
}

// ------------------------------------------------------------------ describe --offsets

/**
 * Kafka's row order: members with partitions, most partitions first (ties in
 * response order), each member's partitions in HashMap order; then the
 * committed partitions no member owns, in HashMap order.
 */
export function offsetRows(snapshot: GroupSnapshot): PartitionLag[] {
  const members = snapshot.description.members.filter((m) => m.assignment.length > 0);
  const sorted = members
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.assignment.length - a.m.assignment.length || a.i - b.i);
  const rows: PartitionLag[] = [];
  const byMember = new Map<string, PartitionLag[]>();
  const unassigned: PartitionLag[] = [];
  for (const r of snapshot.partitions) {
    if (r.memberId === null) unassigned.push(r);
    else {
      let list = byMember.get(r.memberId);
      if (!list) byMember.set(r.memberId, (list = []));
      list.push(r);
    }
  }
  const byPartition = (a: PartitionLag, b: PartitionLag) => a.partition - b.partition;
  for (const { m } of sorted)
    rows.push(...topicPartitionMapOrder([...(byMember.get(m.memberId) ?? [])].sort(byPartition)));
  rows.push(...topicPartitionMapOrder([...unassigned].sort(byPartition)));
  return rows;
}

/** "1.2s", "3m04s", "2h05m", "3d04h". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export interface OffsetsRenderOptions {
  /** Add the TIME-LAG column. */
  timeLag?: boolean;
  /** Add the TOTAL-LAG line after each table. */
  summary?: boolean;
}

export const show = (v: number | string | null | undefined) => (v === null || v === undefined ? MISSING : String(v));

export function totalLag(rows: readonly PartitionLag[]): number {
  return rows.reduce((sum, r) => sum + (r.lag !== null && r.lag > 0 ? r.lag : 0), 0);
}

export function renderOffsets(snapshots: readonly GroupSnapshot[], options: OffsetsRenderOptions = {}): Chunk[] {
  const chunks: Chunk[] = [];
  for (const s of describeOrder(snapshots)) {
    const groupId = s.description.groupId;
    const rows = offsetRows(s);
    const notes = memberStateNotes(groupId, s.description.state, rows.length);
    chunks.push(...notes.chunks);
    if (!notes.print) continue;
    let g = 15;
    let t = 15;
    let c = 15;
    let h = 15;
    for (const r of rows) {
      g = Math.max(g, groupId.length);
      t = Math.max(t, r.topic.length);
      c = Math.max(c, (r.memberId ?? MISSING).length);
      h = Math.max(h, (r.host ?? MISSING).length);
    }
    const line = (cols: string[]) => {
      const [group, topic, partition, current, end, lag, ...rest] = cols;
      let text = `\n${pad(group!, g)} ${pad(topic!, t)} ${pad(partition!, 10)} ${pad(current!, 15)} ${pad(end!, 15)} ${pad(lag!, 15)} `;
      if (options.timeLag) text += `${pad(rest.shift()!, 15)} `;
      const [consumer, host, client] = rest;
      return `${text}${pad(consumer!, c)} ${pad(host!, h)} ${client}`;
    };
    let text = line([
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      ...(options.timeLag ? ['TIME-LAG'] : []),
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ]);
    for (const r of rows) {
      text += line([
        groupId,
        r.topic,
        String(r.partition),
        show(r.committed),
        show(r.logEndOffset),
        show(r.lag),
        ...(options.timeLag ? [r.timeLagMs === null ? MISSING : formatDuration(r.timeLagMs)] : []),
        r.memberId ?? MISSING,
        r.host ?? MISSING,
        r.clientId ?? MISSING,
      ]);
    }
    text += '\n';
    if (options.summary) {
      const max = rows.reduce<number | null>(
        (m, r) => (r.timeLagMs === null ? m : Math.max(m ?? 0, r.timeLagMs)),
        null,
      );
      text += `TOTAL-LAG ${totalLag(rows)}${options.timeLag ? `  MAX-TIME-LAG ${max === null ? MISSING : formatDuration(max)}` : ''}\n`;
    }
    chunks.push(out(text));
  }
  return chunks;
}

// ------------------------------------------------------------------ describe --members

/** Kafka 3.9's --verbose assignment text: "(0,1), (2)" -- partitions per topic, string-sorted. */
export function assignmentText(assignment: readonly TopicPartition[]): string {
  if (assignment.length === 0) return MISSING;
  const byTopic = new Map<string, TopicPartition[]>();
  for (const tp of assignment) {
    let list = byTopic.get(tp.topic);
    if (!list) byTopic.set(tp.topic, (list = []));
    list.push(tp);
  }
  return [...byTopic.values()]
    .map(
      (list) =>
        `(${list
          .map((tp) => String(tp.partition))
          .sort(cmp)
          .join(',')})`,
    )
    .sort(cmp)
    .join(', ');
}

export function renderMembers(snapshots: readonly GroupSnapshot[], verbose: boolean): Chunk[] {
  const chunks: Chunk[] = [];
  for (const s of describeOrder(snapshots)) {
    const d = s.description;
    let g = 15;
    let c = 15;
    let gi = 17;
    let h = 15;
    let cl = 15;
    let withInstance = false;
    const notes = memberStateNotes(d.groupId, d.state, d.members.length);
    chunks.push(...notes.chunks);
    if (notes.print) {
      for (const m of d.members) {
        g = Math.max(g, d.groupId.length);
        c = Math.max(c, m.memberId.length);
        gi = Math.max(gi, (m.groupInstanceId ?? '').length);
        h = Math.max(h, m.host.length);
        cl = Math.max(cl, m.clientId.length);
        withInstance ||= (m.groupInstanceId ?? '') !== '';
      }
    }
    const line = (group: string, consumer: string, instance: string, host: string, client: string, count: string) =>
      withInstance
        ? `${pad(group, g)} ${pad(consumer, c)} ${pad(instance, gi)} ${pad(host, h)} ${pad(client, cl)} ${pad(count, 15)} `
        : `${pad(group, g)} ${pad(consumer, c)} ${pad(host, h)} ${pad(client, cl)} ${pad(count, 15)} `;
    let text = `\n${line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS')}${verbose ? 'ASSIGNMENT' : ''}\n`;
    for (const m of d.members) {
      text += line(d.groupId, m.memberId, m.groupInstanceId ?? '', m.host, m.clientId, String(m.assignment.length));
      if (verbose) text += assignmentText(m.assignment);
      text += '\n';
    }
    chunks.push(out(text));
  }
  return chunks;
}

// ------------------------------------------------------------------ describe --state

export function coordinatorText(d: GroupDescription): string {
  return `${d.coordinator.host}:${d.coordinator.port}  (${d.coordinator.nodeId})`;
}

export function renderStates(snapshots: readonly GroupSnapshot[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (const s of describeOrder(snapshots)) {
    const d = s.description;
    const notes = memberStateNotes(d.groupId, d.state, 1);
    chunks.push(...notes.chunks);
    if (!notes.print) continue;
    const coordinator = coordinatorText(d);
    const w = Math.max(25, coordinator.length);
    const line = (a: string, b: string, c: string, e: string, f: string) =>
      `\n${pad(a, w)} ${pad(b, 25)} ${pad(c, 20)} ${pad(e, 15)} ${f}`;
    chunks.push(
      out(
        line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS') +
          line(d.groupId, coordinator, d.assignmentStrategy, d.state, String(d.members.length)) +
          '\n',
      ),
    );
  }
  return chunks;
}

// ------------------------------------------------------------------ delete

/** Kafka's deleteGroups report. `results`: group -> error code (0 = deleted). */
export function renderDeleteGroups(results: Map<string, number>): string {
  const ordered = javaHashMapOrder([...results], ([g]) => g);
  const success = ordered.filter(([, code]) => code === 0).map(([g]) => g);
  const failed = ordered.filter(([, code]) => code !== 0);
  if (failed.length === 0) return `Deletion of requested consumer groups ('${success.join(', ')}') was successful.\n`;
  let text = errorLine('Deletion of some consumer groups failed:');
  for (const [g, code] of failed) text += `* Group '${g}' could not be deleted due to: ${executionException(code)}\n`;
  if (success.length > 0) text += `\nThese consumer groups were deleted successfully: '${success.join("'")}', '\n`;
  return text;
}

export interface ConsumerGroupsDeleteJson {
  deleted: string[];
  failed: Array<{ groupId: string; error: string; message: string }>;
}

export function deleteJson(
  results: Map<string, number>,
  errorNameOf: (code: number) => string,
): ConsumerGroupsDeleteJson {
  const sorted = [...results].sort(([a], [b]) => cmp(a, b));
  return {
    deleted: sorted.filter(([, c]) => c === 0).map(([g]) => g),
    failed: sorted
      .filter(([, c]) => c !== 0)
      .map(([groupId, c]) => ({ groupId, error: errorNameOf(c), message: javaException(c).replace(/^[^:]*: /, '') })),
  };
}

// ------------------------------------------------------------------ delete offsets

export function renderDeleteOffsets(
  groupId: string,
  topics: readonly string[],
  result: DeleteOffsetsResult,
  errorNameOf: (code: number) => string,
): string {
  let text: string;
  switch (errorNameOf(result.topLevel)) {
    case 'NONE':
      text = `Request succeed for deleting offsets with topic ${topics.join(', ')} group ${groupId}\n`;
      break;
    case 'INVALID_GROUP_ID':
      text = errorLine(`'${groupId}' is not valid.`);
      break;
    case 'GROUP_ID_NOT_FOUND':
      text = errorLine(`'${groupId}' does not exist.`);
      break;
    case 'GROUP_AUTHORIZATION_FAILED':
      text = errorLine(`Access to '${groupId}' is not authorized.`);
      break;
    case 'NON_EMPTY_GROUP':
      text = errorLine(`Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.`);
      break;
    case 'GROUP_SUBSCRIBED_TO_TOPIC':
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      text = errorLine('Encounter some partition level error, see the follow-up details:');
      break;
    default:
      text = errorLine(`Encounter some unknown error: ${errorNameOf(result.topLevel)}`);
  }
  text += `\n${pad('TOPIC', 30)} ${pad('PARTITION', 15)} ${pad('STATUS', 15)}`;
  const rows = [...result.partitions].sort((a, b) => cmp(`${a.topic}${a.partition}`, `${b.topic}${b.partition}`));
  for (const r of rows) {
    const status = r.errorCode === 0 ? 'Successful' : `Error: :${javaException(r.errorCode)}`;
    text += `\n${pad(r.topic, 30)} ${pad(r.partition >= 0 ? String(r.partition) : 'Not Provided', 15)} ${pad(status, 15)}`;
  }
  return `${text}\n`;
}

export interface ConsumerGroupsDeleteOffsetsJson {
  groupId: string;
  /** The group-level error name, or null. */
  error: string | null;
  partitions: Array<{ topic: string; partition: number | null; status: 'Successful' | 'Error'; error: string | null }>;
}

export function deleteOffsetsJson(
  groupId: string,
  result: DeleteOffsetsResult,
  errorNameOf: (code: number) => string,
): ConsumerGroupsDeleteOffsetsJson {
  return {
    groupId,
    error: result.topLevel === 0 ? null : errorNameOf(result.topLevel),
    partitions: [...result.partitions].sort(byTp).map((r) => ({
      topic: r.topic,
      partition: r.partition >= 0 ? r.partition : null,
      status: r.errorCode === 0 ? 'Successful' : 'Error',
      error: r.errorCode === 0 ? null : errorNameOf(r.errorCode),
    })),
  };
}

export { tpKey };

export * from './group-describe-json.js';
export * from './group-reset.js';
