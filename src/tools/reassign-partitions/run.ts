/**
 * kafka-reassign-partitions.sh's argument checks (its own messages) and its actions. Failures
 * are printed as Kafka prints them: argument errors on stderr, an operation's failure on stdout
 * (bare, or after "Error: "), both with exit status 1.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../ops/tool-errors.js';
import type { ToolSession } from '../../cli/runner.js';
import type { ReassignPartitionsJson } from '../../views/reassign-partitions.js';

export type ReassignAction = 'generate' | 'execute' | 'verify' | 'cancel' | 'list';

export interface ReassignPartitionsOptions {
  actions: Record<ReassignAction, boolean>;
  bootstrapServer: string | undefined;
  bootstrapController: string | undefined;
  reassignmentJsonFile: string | undefined;
  topicsToMoveJsonFile: string | undefined;
  brokerList: string | undefined;
  /** Every option given, by its Kafka name (for "can't be used with action"). */
  given: string[];
  throttled: boolean;
  additional: boolean;
  preserveThrottles: boolean;
}

export type ReassignPartitionsResult = ReassignPartitionsJson;

const ACTIONS: ReassignAction[] = ['generate', 'execute', 'verify', 'cancel', 'list'];

const REQUIRED: Record<ReassignAction, string[]> = {
  verify: ['reassignment-json-file'],
  generate: ['topics-to-move-json-file', 'broker-list'],
  execute: ['reassignment-json-file'],
  cancel: ['reassignment-json-file'],
  list: [],
};

const PERMITTED: Record<ReassignAction, string[]> = {
  verify: ['bootstrap-server', 'command-config', 'preserve-throttles'],
  generate: ['bootstrap-server', 'broker-list', 'command-config', 'disable-rack-aware'],
  execute: [
    'additional',
    'bootstrap-server',
    'command-config',
    'throttle',
    'replica-alter-log-dirs-throttle',
    'timeout',
  ],
  cancel: ['bootstrap-server', 'command-config', 'preserve-throttles', 'timeout'],
  list: ['bootstrap-server', 'command-config'],
};

/** Options every ktool command takes, outside Kafka's rules. */
const KTOOL_OPTIONS = new Set(['profile', 'json', 'verbose', 'color']);

export function checkReassignPartitions(o: ReassignPartitionsOptions): ReassignAction {
  const chosen = ACTIONS.filter((a) => o.actions[a]);
  if (chosen.length !== 1)
    throw new UsageError(`Command must include exactly one action: ${ACTIONS.map((a) => `--${a}`).join(', ')}`);
  const action = chosen[0]!;
  if (o.bootstrapServer !== undefined && o.bootstrapController !== undefined)
    throw new UsageError("Please don't specify both --bootstrap-server and --bootstrap-controller");
  if (o.bootstrapController !== undefined)
    throw new UsageError(
      "--bootstrap-controller is not supported: ktool's controllers answer only the quorum's own requests; use --bootstrap-server with any broker",
    );
  const missing = REQUIRED[action].find((r) => !o.given.includes(r));
  if (missing !== undefined) throw new UsageError(`Missing required argument "[${missing}]"`);
  for (const opt of o.given) {
    if (opt === action || KTOOL_OPTIONS.has(opt)) continue;
    if (!REQUIRED[action].includes(opt) && !PERMITTED[action].includes(opt))
      throw new UsageError(`Option "[${opt}]" can't be used with action "[${action}]"`);
  }
  return action;
}

async function readJsonFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    const { ReassignError } = await import('../../ops/reassign-partitions.js');
    throw new ReassignError(`java.nio.file.NoSuchFileException: ${path}`, false, 'ENOENT');
  }
}

export async function runReassignPartitions(
  o: ReassignPartitionsOptions,
  session: ToolSession,
  print: (text: string) => void,
  warn: (text: string) => void,
): Promise<ReassignPartitionsResult> {
  const action = checkReassignPartitions(o);
  const [ops, views] = await Promise.all([
    import('../../ops/reassign-partitions.js'),
    import('../../views/reassign-partitions.js'),
  ]);
  switch (action) {
    case 'generate': {
      const topics = ops.parseTopicsToMove(await readJsonFile(o.topicsToMoveJsonFile!));
      const brokers = ops.parseBrokerList(o.brokerList!);
      const client = await session.connect();
      const known = await ops.brokerIds(client);
      const unknown = brokers.find((b) => !known.includes(b));
      if (unknown !== undefined) throw new ops.ReassignError(`Unknown broker id ${unknown}`, false, 'UNKNOWN_BROKER');
      const current = await ops.currentAssignment(client, topics);
      const proposed = ops.proposeAssignment(current, brokers);
      const result = { action: 'generate' as const, current, proposed };
      print(views.renderGenerate(result));
      return result;
    }
    case 'execute': {
      const target = ops.parseReassignment(await readJsonFile(o.reassignmentJsonFile!));
      const client = await session.connect();
      if (!o.additional && (await ops.listReassignments(client)).length > 0)
        throw new ops.ReassignError(
          'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.',
          true,
          'REASSIGNMENT_IN_PROGRESS',
        );
      const known = await ops.brokerIds(client);
      const unknown = target.flatMap((t) => t.replicas).find((b) => !known.includes(b));
      if (unknown !== undefined) throw new ops.ReassignError(`Unknown broker id ${unknown}`, false, 'UNKNOWN_BROKER');
      const topics = [...new Set(target.map((t) => t.topic))];
      const wanted = new Set(target.map(ops.tpName));
      const current = (await ops.currentAssignment(client, topics)).filter((p) => wanted.has(ops.tpName(p)));
      if (current.length < target.length)
        throw new ops.ReassignError(
          `org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: ${target
            .filter((t) => !current.some((c) => ops.tpName(c) === ops.tpName(t)))
            .map(ops.tpName)
            .join(',')}`,
          false,
          'UNKNOWN_TOPIC_OR_PARTITION',
        );
      print(views.renderCurrentForRollback(current));
      if (o.throttled) warn('ktool: --throttle and --replica-alter-log-dirs-throttle are accepted but not applied.\n');
      const failures = await ops.alterReassignments(client, target);
      if (failures.length > 0)
        throw new ops.ReassignError(
          `Error reassigning partition(s):\n${failures.map((f) => `${ops.tpName(f)}: ${f.message}`).join('\n')}`,
          true,
          failures[0]!.error,
        );
      print(views.renderStarted(target));
      return { action: 'execute', current, started: target };
    }
    case 'verify': {
      const target = ops.parseReassignment(await readJsonFile(o.reassignmentJsonFile!));
      const client = await session.connect();
      const ongoing = await ops.listReassignments(client);
      const ongoingByName = new Map(ongoing.map((r) => [ops.tpName(r), r]));
      const settled = target.filter((t) => !ongoingByName.has(ops.tpName(t)));
      const now = new Map(
        (await ops.currentAssignment(client, [...new Set(settled.map((t) => t.topic))])).map((p) => [ops.tpName(p), p]),
      );
      const partitions = target.map((t) => {
        const moving = ongoingByName.get(ops.tpName(t));
        return {
          topic: t.topic,
          partition: t.partition,
          done: moving === undefined,
          currentReplicas: moving ? moving.replicas : (now.get(ops.tpName(t))?.replicas ?? []),
          targetReplicas: t.replicas,
        };
      });
      const clearedThrottles =
        ongoing.length === 0 && !o.preserveThrottles
          ? views.throttleScope(
              [...(await ops.brokerIds(client)), ...target.flatMap((t) => t.replicas)],
              target.map((t) => t.topic),
            )
          : null;
      const result = { action: 'verify' as const, partitions, clearedThrottles };
      print(views.renderVerify(result));
      return result;
    }
    case 'cancel': {
      const target = ops.parseReassignment(await readJsonFile(o.reassignmentJsonFile!));
      const client = await session.connect();
      const active = await ops.listReassignments(client, target);
      const failures =
        active.length > 0
          ? await ops.alterReassignments(
              client,
              active.map((a) => ({ ...a, replicas: null })),
            )
          : [];
      if (failures.length > 0)
        throw new ops.ReassignError(
          `Error cancelling partition reassignment${failures.length === 1 ? '' : 's'} for:\n${failures
            .map((f) => `${ops.tpName(f)}: ${f.message}`)
            .join('\n')}`,
          true,
          failures[0]!.error,
        );
      const clearedThrottles = o.preserveThrottles
        ? null
        : views.throttleScope(
            [...(await ops.brokerIds(client)), ...target.flatMap((t) => t.replicas)],
            target.map((t) => t.topic),
          );
      const result = {
        action: 'cancel' as const,
        cancelled: active.map((a) => ({ topic: a.topic, partition: a.partition })),
        clearedThrottles,
      };
      print(views.renderCancel(result));
      return result;
    }
    case 'list': {
      const reassignments = await ops.listReassignments(await session.connect());
      const result = { action: 'list' as const, reassignments };
      print(views.renderList(result));
      return result;
    }
  }
}
