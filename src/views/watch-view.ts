/**
 * The live view of `ktool consumer-groups --describe --watch` on a terminal:
 * refreshes every interval with the lag of each partition (and its change
 * since the previous refresh), each group's total lag with a sparkline trend
 * and rate, and the members. q, Esc or Ctrl-C quits and restores the terminal.
 *
 * ink and react are loaded here with `await import()`, so nothing of them is
 * read unless a terminal asks for the live view (off a terminal the runner
 * prints plain snapshots instead).
 */
import type { GroupSnapshot } from '../ops/consumer-groups.js';
import { formatDuration, offsetRows, totalLag } from './consumer-groups.js';

export interface WatchOptions {
  snapshot: () => Promise<GroupSnapshot[]>;
  intervalMs: number;
  /** Stop after this many refreshes (Infinity: until q / Ctrl-C). */
  iterations: number;
  timeLag: boolean;
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A sparkline of the values (oldest first). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values
    .map((v) => (max === min ? SPARKS[0] : SPARKS[Math.round(((v - min) / (max - min)) * (SPARKS.length - 1))]))
    .join('');
}

/** "↑ +120/s", "↓ -35/s", "→ 0/s" from the two last samples. */
export function trend(samples: ReadonlyArray<{ at: number; lag: number }>): string {
  if (samples.length < 2) return '→';
  const a = samples[samples.length - 2]!;
  const b = samples[samples.length - 1]!;
  const seconds = Math.max((b.at - a.at) / 1000, 0.001);
  const rate = (b.lag - a.lag) / seconds;
  const shown = Math.abs(rate) >= 10 ? Math.round(rate).toString() : rate.toFixed(1);
  if (rate > 0) return `↑ +${shown}/s`;
  if (rate < 0) return `↓ ${shown}/s`;
  return '→ 0/s';
}

const HISTORY = 40;

export async function runWatchView(options: WatchOptions): Promise<void> {
  // ink renders only its last frame when it sees CI set, which would freeze a live view the
  // user asked for on a terminal; this process does nothing else, so drop the hint first.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [ink, React] = await Promise.all([import('ink'), import('react')]);
  const { Box, Text, render, useApp, useInput, useStdout } = ink;
  const h = React.createElement;

  interface ViewState {
    snapshots: GroupSnapshot[];
    previous: Map<string, number>;
    history: Map<string, Array<{ at: number; lag: number }>>;
    error: string | null;
    updatedAt: number | null;
    count: number;
  }

  function App(): ReturnType<typeof h> {
    const app = useApp();
    const { stdout } = useStdout();
    const [state, setState] = React.useState<ViewState>({
      snapshots: [],
      previous: new Map(),
      history: new Map(),
      error: null,
      updatedAt: null,
      count: 0,
    });

    useInput((input, key) => {
      if (input === 'q' || key.escape || (key.ctrl && input === 'c')) app.exit();
    });

    React.useEffect(() => {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = async (count: number): Promise<void> => {
        const started = Date.now();
        try {
          const snapshots = await options.snapshot();
          if (stopped) return;
          setState((prev) => {
            const previous = new Map<string, number>();
            for (const s of prev.snapshots)
              for (const r of s.partitions)
                if (r.lag !== null) previous.set(`${s.description.groupId}\u0000${r.topic}\u0000${r.partition}`, r.lag);
            const history = new Map(prev.history);
            for (const s of snapshots) {
              const list = [
                ...(history.get(s.description.groupId) ?? []),
                { at: s.takenAt, lag: totalLag(s.partitions) },
              ];
              history.set(s.description.groupId, list.slice(-HISTORY));
            }
            return { snapshots, previous, history, error: null, updatedAt: Date.now(), count };
          });
        } catch (error) {
          if (stopped) return;
          setState((prev) => ({ ...prev, error: error instanceof Error ? error.message : String(error), count }));
        }
        if (count >= options.iterations) {
          app.exit();
          return;
        }
        timer = setTimeout(() => void tick(count + 1), Math.max(0, options.intervalMs - (Date.now() - started)));
      };
      void tick(1);
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    }, []);

    const rowsBudget = Math.max(4, Math.floor(((stdout.rows ?? 40) - 4) / Math.max(1, state.snapshots.length)) - 4);
    const groups = [...state.snapshots].sort((a, b) => (a.description.groupId < b.description.groupId ? -1 : 1));
    return h(
      Box,
      { flexDirection: 'column' },
      ...groups.map((s) => {
        const d = s.description;
        const rows = offsetRows(s).sort((a, b) =>
          a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
        );
        const total = totalLag(rows);
        const history = state.history.get(d.groupId) ?? [];
        const shown = rows.slice(0, rowsBudget);
        const head = (cols: string[]) => cols.map((c, i) => c.padEnd(i === 0 ? 24 : 14)).join(' ');
        return h(
          Box,
          { key: d.groupId, flexDirection: 'column', marginBottom: 1 },
          h(
            Text,
            null,
            h(Text, { bold: true }, d.groupId),
            `  ${d.state}  members: ${d.members.length}  total lag: `,
            h(Text, { bold: true, color: total > 0 ? 'yellow' : 'green' }, String(total)),
            `  ${sparkline(history.map((x) => x.lag))} ${trend(history)}`,
          ),
          h(
            Text,
            { dimColor: true },
            head([
              'TOPIC-PARTITION',
              'CURRENT',
              'LOG-END',
              'LAG',
              'CHANGE',
              ...(options.timeLag ? ['TIME-LAG'] : []),
              'CONSUMER',
            ]),
          ),
          ...shown.map((r) => {
            const before = state.previous.get(`${d.groupId}\u0000${r.topic}\u0000${r.partition}`);
            const change =
              r.lag === null || before === undefined
                ? ''
                : r.lag - before === 0
                  ? '·'
                  : r.lag - before > 0
                    ? `+${r.lag - before}`
                    : String(r.lag - before);
            return h(
              Text,
              { key: `${r.topic}-${r.partition}` },
              head([
                `${r.topic}-${r.partition}`,
                r.committed === null ? '-' : String(r.committed),
                r.logEndOffset === null ? '-' : String(r.logEndOffset),
                r.lag === null ? '-' : String(r.lag),
                change,
                ...(options.timeLag ? [r.timeLagMs === null ? '-' : formatDuration(r.timeLagMs)] : []),
                r.clientId ?? '-',
              ]),
            );
          }),
          rows.length > shown.length
            ? h(Text, { dimColor: true }, `… ${rows.length - shown.length} more partitions`)
            : null,
          d.members.length > 0
            ? h(
                Text,
                { dimColor: true },
                `members: ${d.members.map((m) => `${m.clientId}@${m.host} (${m.assignment.length})`).join(', ')}`,
              )
            : null,
        );
      }),
      state.error !== null ? h(Text, { color: 'red' }, `Error: ${state.error}`) : null,
      h(
        Text,
        { dimColor: true },
        state.updatedAt === null
          ? 'loading…'
          : `every ${options.intervalMs / 1000}s · updated ${new Date(state.updatedAt).toLocaleTimeString()} · refresh ${state.count} · q to quit`,
      ),
    );
  }

  const instance = render(h(App), { exitOnCtrlC: false, patchConsole: false });
  await instance.waitUntilExit();
}
