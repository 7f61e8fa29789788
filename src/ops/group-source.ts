// The console consumer's records as a member of a group: the member says which partitions
// are ours, the group's committed offsets (or --from-beginning / --from-time, where there are
// none) say where to start, and the shared fetcher reads them. Commits carry only positions
// the output sink has handed to the OS, so a crash never loses a committed record.
import { isTransient, type FetchedPartition, type Fetcher } from '../client/fetcher.js';
import { AbortedError, type GroupMember } from '../client/group-member.js';
import { KafkaError } from '../protocol/errors.js';
import type { OutputSink } from '../formats/output-sink.js';
import { tpKey, within, type RecordSource, type TopicPartition } from './console-consumer.js';

export interface GroupStart {
  /** auto.offset.reset: where a partition without a committed offset starts. */
  reset: 'earliest' | 'latest' | 'none';
  /** --from-time: where a partition without a committed offset starts, before the reset policy. */
  fromTime?: number;
}

export interface AutoCommit {
  enabled: boolean;
  intervalMs: number;
}

export class GroupSource implements RecordSource {
  readonly dynamic = true;
  generation = 0;
  assignment: TopicPartition[] = [];
  /** What the group holds for each of our partitions, so unchanged positions are not sent again. */
  private committedNow = new Map<string, number>();
  private commitInFlight: Promise<void> | undefined;
  private nextCommitAt = 0;

  constructor(
    private readonly member: GroupMember,
    private readonly fetcher: Fetcher,
    private readonly from: GroupStart,
    private readonly out: OutputSink,
    private readonly autoCommit: AutoCommit,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    await this.rejoin(signal);
  }

  async poll(signal: AbortSignal): Promise<FetchedPartition[]> {
    if (this.member.rejoinNeeded) {
      // Eager rebalancing: what was written is committed before the partitions are given up.
      await this.out.settled();
      await this.commitWritten().catch(() => undefined);
      await this.rejoin(signal);
    }
    if (this.autoCommit.enabled && this.commitInFlight === undefined && Date.now() >= this.nextCommitAt) {
      this.nextCommitAt = Date.now() + this.autoCommit.intervalMs;
      this.commitInFlight = this.commitWritten()
        .catch(() => undefined)
        .finally(() => {
          this.commitInFlight = undefined;
        });
    }
    return this.fetcher.poll();
  }

  position(topic: string, partition: number): number | undefined {
    return this.fetcher.position(topic, partition);
  }

  endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    return this.fetcher.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const })));
  }

  async close(deadline: number): Promise<void> {
    const left = () => deadline - Date.now();
    this.fetcher.stop();
    try {
      if (this.autoCommit.enabled) {
        await within(this.commitInFlight ?? Promise.resolve(), left());
        await within(this.commitWritten(left()), left());
      }
    } catch {
      // The coordinator is away: what was written stays written, the group re-reads the rest.
    }
    try {
      await within(this.member.leave(Math.max(1, left())), left());
    } catch {
      // Unreachable: the coordinator drops us when the session times out.
    }
    this.member.close();
  }

  private async rejoin(signal: AbortSignal): Promise<void> {
    this.fetcher.clear();
    this.assignment = [];
    for (let attempt = 0; ; attempt++) {
      const tps = await this.member.join(signal);
      try {
        const committed = await this.member.committed(tps);
        await this.fetcher.assign(await this.startPositions(tps, committed));
        this.committedNow = committed;
        this.assignment = tps;
        this.generation++;
        return;
      } catch (error) {
        if (signal.aborted) throw new AbortedError();
        if (!isTransient(error) && !(error instanceof KafkaError && this.member.rejoinNeeded)) throw error;
        this.member.rejoinNeeded = true;
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** Math.min(attempt, 4))));
      }
    }
  }

  private async startPositions(
    tps: TopicPartition[],
    committed: Map<string, number>,
  ): Promise<Array<TopicPartition & { offset: 'earliest' | 'latest' | number }>> {
    const missing = tps.filter((tp) => !committed.has(tpKey(tp.topic, tp.partition)));
    const found = new Map<string, number>();
    if (missing.length > 0 && this.from.fromTime !== undefined) {
      const at = { timestamp: this.from.fromTime };
      // No record at or after the time: start at the end, as Kafka's offsetsForTimes does.
      for (const [k, v] of await this.fetcher.listOffsets(missing.map((tp) => ({ ...tp, spec: at })))) found.set(k, v);
    } else if (missing.length > 0 && this.from.reset === 'none') {
      throw new Error(
        `Undefined offset with no reset policy for partitions: [${missing.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')}]`,
      );
    }
    const reset = this.from.reset === 'earliest' ? 'earliest' : 'latest';
    return tps.map((tp) => {
      const k = tpKey(tp.topic, tp.partition);
      const c = committed.get(k);
      const t = found.get(k);
      return {
        ...tp,
        offset:
          c !== undefined ? c : t !== undefined && t >= 0 ? t : this.from.fromTime !== undefined ? 'latest' : reset,
      };
    });
  }

  /** Commits the written positions of this generation that the group does not have yet. */
  private async commitWritten(timeoutMs?: number): Promise<void> {
    if (this.member.generationId < 0) return;
    const written = this.out.written();
    const offsets: Array<TopicPartition & { offset: number }> = [];
    for (const tp of this.assignment) {
      const k = tpKey(tp.topic, tp.partition);
      const w = written.get(k);
      if (w !== undefined && w.tag === this.generation && w.offset !== this.committedNow.get(k))
        offsets.push({ ...tp, offset: w.offset });
    }
    if (offsets.length === 0) return;
    await this.member.commit(offsets, timeoutMs === undefined ? undefined : Math.max(1, timeoutMs));
    for (const o of offsets) this.committedNow.set(tpKey(o.topic, o.partition), o.offset);
  }
}
