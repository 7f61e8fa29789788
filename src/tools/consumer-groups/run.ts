/**
 * ktool consumer-groups, the counterpart of kafka-consumer-groups.sh: one
 * action, run through the base command's runner. Output streams and exit
 * codes follow Kafka 3.9:
 * - tables and "Error: ..." reports (group does not exist, reset refused,
 *   deletion failed, "Executing consumer group command failed due to ...")
 *   go to stdout, after a blank line, and the exit status stays 0 as Kafka's;
 * - "Consumer group 'g' has no active members." / "... is rebalancing." and
 *   the reset WARN lines go to stderr;
 * - argument mistakes print Kafka's message on stderr and exit 1;
 * - ktool's own failures (cannot connect, bad properties file) are one
 *   "Error: ..." line on stderr, exit 1.
 *
 * Heavy modules (the protocol client, ops, views, ink) load lazily.
 */
import type { ClusterClient } from '../../client/cluster.js';
import { runTool, type ToolHost, type Wording } from '../../cli/runner.js';
import { javaHashMapOrder } from '../../protocol/java-compat.js';
import type {
  ConsumerGroupsDeleteJson,
  ConsumerGroupsDeleteOffsetsJson,
  ConsumerGroupsDescribeJson,
  ConsumerGroupsListJson,
  ConsumerGroupsResetJson,
} from '../../views/consumer-groups.js';
import { checkGroupsArgs, has, parseCount, parseStates, parseTypes } from './checks.js';
import type { GroupsAction, GroupsFlagValues } from './flags.js';

/** The --json document of each action. */
export type ConsumerGroupsResult =
  | ConsumerGroupsListJson
  | ConsumerGroupsDescribeJson
  | ConsumerGroupsDeleteJson
  | ConsumerGroupsDeleteOffsetsJson
  | ConsumerGroupsResetJson;

const write = (stream: 'stdout' | 'stderr', text: string) => {
  if (text.length > 0) (stream === 'stdout' ? process.stdout : process.stderr).write(text);
};

/** Run one consumer-groups action; returns the --json value (undefined after a failure Kafka reports with exit 0). */
export async function runConsumerGroups(
  host: ToolHost,
  action: GroupsAction | (() => GroupsAction),
  flags: GroupsFlagValues,
): Promise<ConsumerGroupsResult | undefined> {
  const json = host.jsonEnabled();
  const [ops, reset, views, { errorName }] = await Promise.all([
    import('../../ops/consumer-groups.js'),
    import('../../ops/offset-reset.js'),
    import('../../views/consumer-groups.js'),
    import('../../protocol/errors.js'),
  ]);
  const wording: Wording = ({ kind, message, error }) => {
    if (kind === 'usage') return { stream: 'stderr', text: `${message}\n`, exitCode: 1 };
    if (error instanceof ops.GroupCommandError)
      return { stream: 'stdout', text: views.commandFailedLine(message), exitCode: 0 };
    return undefined;
  };
  return runTool(
    host,
    flags,
    async (session): Promise<ConsumerGroupsResult | undefined> => {
      let client: ClusterClient | undefined;
      const chosen = typeof action === 'function' ? action() : action;
      checkGroupsArgs(chosen, flags, (line) => {
        if (!json) write('stderr', `${line}\n`);
      });
      const timeoutMs = flags.timeout === undefined ? 5000 : reset.parseLongOption(flags.timeout, 'timeout');
      const requestOptions = { timeoutMs };
      await session.resolveSettings();
      const groupIds = async (): Promise<string[]> => {
        if (has(flags, 'all-groups'))
          return views.listOrder(await ops.listGroups(client!, {}, requestOptions)).map((g) => g.groupId);
        return [...(flags.group ?? [])];
      };

      switch (chosen) {
        case 'list': {
          const states = flags.state ? parseStates(flags.state) : [];
          const types = flags.type ? parseTypes(flags.type) : [];
          client = await session.connect();
          const groups = await ops.listGroups(client, { states, types }, requestOptions);
          if (!json) {
            if (flags.state !== undefined || flags.type !== undefined)
              write('stdout', views.renderListInfo(groups, flags.type !== undefined, flags.state !== undefined));
            else write('stdout', views.renderList(groups));
          }
          return views.listJson(groups);
        }

        case 'describe': {
          const view: 'offsets' | 'members' | 'state' = has(flags, 'members')
            ? 'members'
            : flags.state !== undefined
              ? 'state'
              : 'offsets';
          const timeLag = has(flags, 'time-lag');
          const summary = flags.summary ?? process.stdout.isTTY === true;
          client = await session.connect();
          const ids = await groupIds();
          const snapshot = () =>
            ops.retryWhileBrokersMove(client!, () =>
              ops.describeSnapshots(client!, ids, { offsets: view === 'offsets', timeLag, timeoutMs }),
            );
          const render = (snapshots: Awaited<ReturnType<typeof snapshot>>) =>
            view === 'members'
              ? views.renderMembers(snapshots, flags.verbose === true)
              : view === 'state'
                ? views.renderStates(snapshots)
                : views.renderOffsets(snapshots, { timeLag, summary });
          if (has(flags, 'watch')) {
            const intervalMs = parseCount(flags.interval, 'interval', 1, false) * 1000;
            const limit =
              flags.iterations === undefined ? Infinity : parseCount(flags.iterations, 'iterations', 1, true);
            if (!json && process.stdout.isTTY === true && process.stdin.isTTY === true) {
              const { runWatchView } = await import('../../views/watch-view.js');
              await runWatchView({
                snapshot: () =>
                  ops.retryWhileBrokersMove(client!, () =>
                    ops.describeSnapshots(client!, ids, { offsets: true, timeLag, timeoutMs }),
                  ),
                intervalMs,
                iterations: limit,
                timeLag,
              });
              return undefined;
            }
            // The first SIGINT/SIGTERM ends the watch at once, even in the middle of a refresh.
            let onSignal = () => {};
            const stopped = new Promise<null>((resolve) => {
              onSignal = () => resolve(null);
            });
            process.once('SIGINT', onSignal);
            process.once('SIGTERM', onSignal);
            try {
              for (let i = 0; i < limit; i++) {
                const started = Date.now();
                const snapshots = await Promise.race([snapshot(), stopped]);
                if (snapshots === null) break;
                if (json) write('stdout', `${JSON.stringify(views.describeJson(snapshots))}\n`);
                else {
                  write(
                    'stdout',
                    `Every ${intervalMs / 1000}s: ${new Date(snapshots[0]?.takenAt ?? Date.now()).toISOString()} (${i + 1})\n`,
                  );
                  for (const c of render(snapshots)) write(c.stream, c.text);
                  write('stdout', '\n');
                }
                if (i + 1 < limit) {
                  const wait = Math.max(0, intervalMs - (Date.now() - started));
                  let timer: NodeJS.Timeout | undefined;
                  const slept = new Promise<true>((resolve) => {
                    timer = setTimeout(() => resolve(true), wait);
                  });
                  const woke = await Promise.race([slept, stopped]);
                  clearTimeout(timer);
                  if (woke === null) break;
                }
              }
            } finally {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
            }
            return undefined;
          }
          const snapshots = await snapshot();
          if (!json) for (const c of render(snapshots)) write(c.stream, c.text);
          return views.describeJson(snapshots);
        }

        case 'delete': {
          client = await session.connect();
          const ids = await groupIds();
          const { results } = await ops.deleteGroups(client, ids, requestOptions);
          if (!json) write('stdout', views.renderDeleteGroups(results));
          return views.deleteJson(results, errorName);
        }

        case 'delete-offsets': {
          client = await session.connect();
          const groupId = flags.group![0]!;
          const result = await ops.deleteOffsets(client, groupId, flags.topic ?? [], requestOptions);
          if (!json) write('stdout', views.renderDeleteOffsets(groupId, flags.topic ?? [], result, errorName));
          return views.deleteOffsetsJson(groupId, result, errorName);
        }

        case 'reset-offsets': {
          const scenario = await resetScenario(flags, reset);
          const scope: import('../../ops/offset-reset.js').ResetScope = has(flags, 'all-topics')
            ? { kind: 'all-topics' }
            : has(flags, 'topic')
              ? { kind: 'topics', args: [...flags.topic!] }
              : { kind: 'none' };
          client = await session.connect();
          const ids = await groupIds();
          const coordinators = await ops.findCoordinators(client, ids, requestOptions);
          const described = await ops.describeGroups(client, ids, { ...requestOptions, coordinators });
          const ordered = javaHashMapOrder(ids, (g) => g).map((g) => {
            const d = described.get(g);
            return { groupId: g, state: d?.state ?? 'Dead', coordinator: d?.coordinator ?? coordinators.get(g)! };
          });
          const execute = has(flags, 'execute');
          let scenarioValue = scenario;
          if (scenarioValue?.kind === 'from-file-path') {
            const { readFile } = await import('node:fs/promises');
            let text: string;
            try {
              text = await readFile(scenarioValue.path, 'utf8');
            } catch (error) {
              throw new ops.GroupCommandError(
                `java.nio.file.NoSuchFileException: ${scenarioValue.path}`,
                (error as NodeJS.ErrnoException).code ?? 'ENOENT',
              );
            }
            scenarioValue = { kind: 'from-file', plan: reset.parseResetPlan(text, flags.group ?? []) };
          }
          const outcome = await reset.planReset(client, {
            groups: ordered,
            scope,
            scenario: scenarioValue as import('../../ops/offset-reset.js').ResetScenario | null,
            execute,
            timeoutMs,
          });
          if (!json) {
            for (const w of outcome.warnings) write('stderr', `${w}\n`);
            for (const n of outcome.stdoutNotes) write('stdout', `${n}\n`);
            if (has(flags, 'export'))
              write('stdout', `${reset.exportCsv(outcome.groups, (flags.group ?? []).length === 1)}\n`);
            else write('stdout', views.renderResetTable(outcome.groups, has(flags, 'diff')));
          }
          return views.resetJson(outcome, !execute);
        }
      }
    },
    wording,
  );
}

type ScenarioInput =
  import('../../ops/offset-reset.js').ResetScenario | { kind: 'from-file-path'; path: string } | null;

/** The reset scenario from the flags (null when none was given: Kafka complains only once it reaches an inactive group). */
async function resetScenario(
  flags: GroupsFlagValues,
  reset: typeof import('../../ops/offset-reset.js'),
): Promise<ScenarioInput> {
  if (flags['to-offset'] !== undefined)
    return { kind: 'to-offset', offset: reset.parseLongArgument(flags['to-offset'], 'to-offset') };
  if (has(flags, 'to-earliest')) return { kind: 'to-earliest' };
  if (has(flags, 'to-latest')) return { kind: 'to-latest' };
  if (flags['shift-by'] !== undefined)
    return { kind: 'shift-by', shift: reset.parseLongArgument(flags['shift-by'], 'shift-by') };
  if (flags['to-datetime'] !== undefined)
    return { kind: 'to-datetime', timestamp: reset.parseDateTime(flags['to-datetime']) };
  if (flags['by-duration'] !== undefined)
    return { kind: 'by-duration', durationMs: reset.parseDuration(flags['by-duration']) };
  if (flags['from-file'] !== undefined) return { kind: 'from-file-path', path: flags['from-file'] };
  if (has(flags, 'to-current')) return { kind: 'to-current' };
  return null;
}
