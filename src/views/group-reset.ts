// consumer-groups --reset-offsets: Kafka's plan table and its --json document.
import type { GroupResetPlan, ResetOutcome } from '../ops/offset-reset.js';
import { byTp, cmp, pad, show } from './consumer-groups.js';

export function renderResetTable(groups: readonly GroupResetPlan[], diff = false): string {
  let text = '';
  if (groups.length > 0) {
    text += diff
      ? `\n${pad('GROUP', 30)} ${pad('TOPIC', 30)} ${pad('PARTITION', 10)} ${pad('CURRENT-OFFSET', 15)} ${pad('NEW-OFFSET', 15)} ${pad('LAG-BEFORE', 15)} LAG-AFTER`
      : `\n${pad('GROUP', 30)} ${pad('TOPIC', 30)} ${pad('PARTITION', 10)} ${pad('NEW-OFFSET', 15)}`;
  }
  for (const g of groups) {
    for (const o of g.offsets) {
      text += diff
        ? `\n${pad(g.groupId, 30)} ${pad(o.topic, 30)} ${pad(String(o.partition), 10)} ${pad(show(o.currentOffset), 15)} ${pad(String(o.newOffset), 15)} ${pad(show(o.lagBefore), 15)} ${show(o.lagAfter)}`
        : `\n${pad(g.groupId, 30)} ${pad(o.topic, 30)} ${pad(String(o.partition), 10)} ${pad(String(o.newOffset), 15)}`;
    }
  }
  return `${text}\n`;
}

export interface ResetPartitionJson {
  topic: string;
  partition: number;
  /** Committed offset before the reset (null: none). */
  currentOffset: number | null;
  newOffset: number;
  logStartOffset: number | null;
  logEndOffset: number | null;
  lagBefore: number | null;
  lagAfter: number | null;
}

export interface ResetGroupJson {
  groupId: string;
  state: string;
  /** Why the group was not reset (active group, no plan in the file), else null. */
  error: string | null;
  /** True when the new offsets were committed (--execute). */
  executed: boolean;
  partitions: ResetPartitionJson[];
  totalLagBefore: number | null;
  totalLagAfter: number | null;
}

export interface ConsumerGroupsResetJson {
  dryRun: boolean;
  /** Sorted by group id; partitions by topic then partition. */
  groups: ResetGroupJson[];
  /** Kafka's notes and clamping warnings. */
  warnings: string[];
}

export function resetJson(outcome: ResetOutcome, dryRun: boolean): ConsumerGroupsResetJson {
  const sum = (vals: Array<number | null>) =>
    vals.some((v) => v === null) ? null : vals.reduce<number>((a, v) => a + (v as number), 0);
  return {
    dryRun,
    groups: [...outcome.groups]
      .sort((a, b) => cmp(a.groupId, b.groupId))
      .map((g) => ({
        groupId: g.groupId,
        state: g.state,
        error: g.error,
        executed: g.executed,
        partitions: [...g.offsets].sort(byTp).map((o) => ({
          topic: o.topic,
          partition: o.partition,
          currentOffset: o.currentOffset,
          newOffset: o.newOffset,
          logStartOffset: o.logStartOffset,
          logEndOffset: o.logEndOffset,
          lagBefore: o.lagBefore,
          lagAfter: o.lagAfter,
        })),
        totalLagBefore: sum(g.offsets.map((o) => o.lagBefore)),
        totalLagAfter: sum(g.offsets.map((o) => o.lagAfter)),
      })),
    warnings: [
      ...outcome.stdoutNotes.filter((n) => n.startsWith('\nWarn')).map((n) => n.trim()),
      ...outcome.warnings.map((w) => w.replace(/^\[[^\]]*\] /, '')),
    ],
  };
}
