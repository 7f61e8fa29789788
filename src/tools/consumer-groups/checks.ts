// Kafka's ConsumerGroupCommandOptions: argument forms and checks, before anything connects.
import { UsageError } from '../../ops/tool-errors.js';
import type { GroupsAction, GroupsFlagValues } from './flags.js';

/** Flags whose value may be omitted (joptsimple optional arguments). */
const OPTIONAL_VALUE = new Set(['--state', '--type']);
/** Flags taking a value that may look like an option (negative numbers). */
const SIGNED_VALUE = new Set(['--shift-by', '--to-offset', '--timeout', '--interval', '--iterations']);

/**
 * Make Kafka's argument forms parse with oclif: `--state` without a value
 * becomes `--state=`, `--shift-by -2` becomes `--shift-by=-2`.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (OPTIONAL_VALUE.has(arg)) {
      if (next === undefined || next.startsWith('-')) out.push(`${arg}=`);
      else {
        out.push(`${arg}=${next}`);
        i++;
      }
    } else if (SIGNED_VALUE.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export const has = (flags: GroupsFlagValues, name: keyof GroupsFlagValues): boolean => {
  const v = flags[name];
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
};

const ACTIONS: readonly GroupsAction[] = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'];
const SCENARIOS = [
  'to-offset',
  'to-datetime',
  'by-duration',
  'to-earliest',
  'to-latest',
  'to-current',
  'shift-by',
  'from-file',
] as const;

/** The action of the `ktool consumer-groups --<action>` form. */
export function modeAction(flags: GroupsFlagValues, argvLength: number): GroupsAction {
  if (argvLength === 0) {
    throw new UsageError(
      'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.',
    );
  }
  const chosen = ACTIONS.filter((a) => flags[a] === true);
  if (chosen.length !== 1)
    throw new UsageError(
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    );
  return chosen[0]!;
}

/** Kafka's ConsumerGroupCommandOptions.checkArgs for one action. */
export function checkGroupsArgs(
  action: GroupsAction,
  flags: GroupsFlagValues,
  warn: (line: string) => void = () => {},
): void {
  const fail = (message: string): never => {
    throw new UsageError(message);
  };
  const opt = (name: string) => `[${name}]`;
  const invalid = (used: keyof GroupsFlagValues, others: Array<keyof GroupsFlagValues | GroupsAction>) => {
    if (!has(flags, used)) return;
    for (const o of others) {
      const present = (ACTIONS as readonly string[]).includes(o)
        ? action === o
        : has(flags, o as keyof GroupsFlagValues);
      if (present) fail(`Option "${opt(used)}" can't be used with option "${opt(o)}"`);
    }
  };
  // joptsimple's availableIf.
  const onlyWith = (name: keyof GroupsFlagValues, actions: GroupsAction[]) => {
    if (has(flags, name) && !actions.includes(action))
      fail(`Option ${opt(name)} is unavailable given other options on the command line`);
  };
  onlyWith('members', ['describe']);
  onlyWith('offsets', ['describe']);
  if (flags.state !== undefined) onlyWith('state', ['describe', 'list']);
  if (flags.type !== undefined) onlyWith('type', ['list']);

  if (action === 'describe') {
    if (!has(flags, 'group') && !has(flags, 'all-groups'))
      fail('Option [describe] takes one of these options: [all-groups], [group]');
    const views = [has(flags, 'members'), has(flags, 'offsets'), flags.state !== undefined].filter(Boolean).length;
    if (views > 1) fail('Option [describe] takes at most one of these options: [members], [offsets], [state]');
    if (flags.state !== undefined && flags.state !== '') fail('Option [describe] does not take a value for [state]');
  }
  if (action === 'delete') {
    if (!has(flags, 'group') && !has(flags, 'all-groups'))
      fail('Option [delete] takes one of these options: [all-groups], [group]');
    if (has(flags, 'topic'))
      fail('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (action === 'delete-offsets') {
    if (!has(flags, 'group') || !has(flags, 'topic'))
      fail('Option [delete-offsets] takes the following options: [topic], [group]');
  }
  if (action === 'reset-offsets') {
    if (has(flags, 'dry-run') && has(flags, 'execute'))
      fail('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    if (!has(flags, 'dry-run') && !has(flags, 'execute')) {
      warn(
        'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
      );
    }
    if (!has(flags, 'group') && !has(flags, 'all-groups'))
      fail('Option [reset-offsets] takes one of these options: [all-groups], [group]');
    for (const s of SCENARIOS)
      invalid(
        s,
        SCENARIOS.filter((o) => o !== s),
      );
  }
  invalid('group', ['all-groups']);
  invalid('group', ['list']);
  invalid('topic', ['list', 'describe']);
}

export function parseCount(value: string | undefined, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`Cannot parse argument '${value}' of option ${name}`);
  }
  return n;
}

const VALID_STATES = [
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
  'Empty',
  'Assigning',
  'Reconciling',
];
const VALID_TYPES = ['consumer', 'classic'];

/** Kafka's consumerGroupStatesFromString: case-insensitive names, canonical spelling out. */
export function parseStates(input: string): string[] {
  const out: string[] = [];
  for (const part of input.split(',')) {
    const found = VALID_STATES.find((s) => s.toLowerCase() === part.trim().toLowerCase());
    if (found === undefined)
      throw new UsageError(`Invalid state list '${input}'. Valid states are: ${VALID_STATES.join(', ')}`);
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

export function parseTypes(input: string): string[] {
  const out: string[] = [];
  for (const part of input.toLowerCase().split(',')) {
    const t = part.trim();
    if (!VALID_TYPES.includes(t))
      throw new UsageError(`Invalid types list '${input}'. Valid types are: Consumer, Classic`);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}
