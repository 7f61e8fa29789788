/**
 * kafka-consumer-groups.sh's flags, with Kafka's names and wording, for both
 * forms: `ktool consumer-groups --<action>` (groupsModeFlags) and
 * `ktool consumer-groups <action>` (groupsFlags[action]).
 */
import { Flags } from '@oclif/core';
import { connectionFlags } from '../../cli/connection-flags.js';

export type GroupsAction = 'list' | 'describe' | 'delete' | 'reset-offsets' | 'delete-offsets';

const group = Flags.string({
  description: 'A consumer group to act on (repeatable: --group g1 --group g2).',
  helpValue: '<consumer group>',
  multiple: true,
  multipleNonGreedy: true,
});
const allGroups = Flags.boolean({ description: 'Act on every consumer group of the cluster.' });
const topic = Flags.string({
  description: 'A topic to reset or whose offsets to delete (repeatable). "topic:0,1,2" limits it to those partitions.',
  helpValue: '<topic>',
  multiple: true,
  multipleNonGreedy: true,
});
const allTopics = Flags.boolean({
  description: 'With --reset-offsets: every topic the group has committed offsets for.',
});
const timeout = Flags.string({
  description: 'How long each request may take, in ms (default 5000).',
  helpValue: '<timeout (ms)>',
});
const state = Flags.string({
  description:
    "With --describe: show each group's coordinator, assignor, state and member count. With --list: add a STATE column, optionally keeping only the given states (e.g. --state stable,empty).",
  helpValue: '[states]',
});
const type = Flags.string({
  description: 'With --list: add a TYPE column, optionally keeping only the given group types (classic, consumer).',
  helpValue: '[types]',
});
const members = Flags.boolean({
  description: 'With --describe: list the members of each group (add --verbose for their partitions).',
});
const offsets = Flags.boolean({
  description: 'With --describe: list each partition with its committed offset, log end and lag (the default view).',
});
const timeLag = Flags.boolean({
  description:
    "With --describe: add a TIME-LAG column, the age of the oldest record not yet consumed (read from record timestamps). Not in Kafka's tool.",
});
const summary = Flags.boolean({
  description:
    "With --describe: print a TOTAL-LAG line after each group's table. On by default when stdout is a terminal; off otherwise so piped output stays identical to Kafka's.",
  allowNo: true,
});
const watch = Flags.boolean({
  description:
    'With --describe: refresh continuously. On a terminal, a live view (q or Ctrl-C to quit); otherwise plain snapshots every --interval seconds.',
});
const interval = Flags.string({
  description: 'With --watch: seconds between refreshes (default 1).',
  helpValue: '<seconds>',
});
const iterations = Flags.string({ description: 'With --watch: stop after this many refreshes.', helpValue: '<count>' });
const dryRun = Flags.boolean({ description: 'With --reset-offsets: only show the new offsets (the default).' });
const execute = Flags.boolean({ description: 'With --reset-offsets: commit the new offsets.' });
const exportFlag = Flags.boolean({
  description:
    'With --reset-offsets: print the plan as CSV (topic,partition,offset; group first when several groups) for --from-file.',
});
const diff = Flags.boolean({
  description:
    "With --reset-offsets: also show the current offset and the lag before and after the reset. Not in Kafka's tool.",
});
const toOffset = Flags.string({ description: 'Reset to this offset.', helpValue: '<offset>' });
const fromFile = Flags.string({
  description: 'Reset to the offsets in this CSV file (as written by --export).',
  helpValue: '<path to CSV file>',
});
const toDatetime = Flags.string({
  description:
    "Reset to the first offset at or after this time: 'YYYY-MM-DDTHH:mm:SS.sss', optionally followed by Z or an offset such as +02:00 (UTC when absent).",
  helpValue: '<datetime>',
});
const byDuration = Flags.string({
  description: "Reset to the first offset at or after now minus this ISO-8601 duration, e.g. 'PT1H' or 'P1DT12H'.",
  helpValue: '<duration>',
});
const toEarliest = Flags.boolean({ description: 'Reset to the log start offset.' });
const toLatest = Flags.boolean({ description: 'Reset to the log end offset.' });
const toCurrent = Flags.boolean({
  description: 'Reset to the committed offset (the log end where nothing is committed).',
});
const shiftBy = Flags.string({
  description: 'Move the committed offset by n (negative goes back).',
  helpValue: '<number-of-offsets>',
});

const describeFlags = {
  ...connectionFlags,
  group,
  'all-groups': allGroups,
  members,
  offsets,
  state,
  timeout,
  'time-lag': timeLag,
  summary,
  watch,
  interval,
  iterations,
};

const resetFlags = {
  ...connectionFlags,
  group,
  'all-groups': allGroups,
  topic,
  'all-topics': allTopics,
  timeout,
  'dry-run': dryRun,
  execute,
  export: exportFlag,
  diff,
  'to-offset': toOffset,
  'from-file': fromFile,
  'to-datetime': toDatetime,
  'by-duration': byDuration,
  'to-earliest': toEarliest,
  'to-latest': toLatest,
  'to-current': toCurrent,
  'shift-by': shiftBy,
};

export const groupsFlags = {
  list: { ...connectionFlags, state, type, timeout },
  describe: describeFlags,
  delete: { ...connectionFlags, group, 'all-groups': allGroups, timeout },
  'reset-offsets': resetFlags,
  'delete-offsets': { ...connectionFlags, group, topic, timeout },
};

/** Every flag, plus the action flags: the `ktool consumer-groups --<action>` form. */
export const groupsModeFlags = {
  ...groupsFlags.list,
  ...describeFlags,
  ...resetFlags,
  list: Flags.boolean({ description: 'List the consumer groups.' }),
  describe: Flags.boolean({
    description: 'Describe consumer groups: offsets and lag (default), --members or --state.',
  }),
  delete: Flags.boolean({ description: 'Delete consumer groups (only groups without members).' }),
  'reset-offsets': Flags.boolean({
    description:
      'Reset the committed offsets of inactive groups. Choose a scenario (--to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration, --from-file) and a scope (--topic or --all-topics); --dry-run (the default) only shows the plan, --execute commits it.',
  }),
  'delete-offsets': Flags.boolean({
    description: 'Delete the committed offsets of a group for some topics (--topic t or t:0,1).',
  }),
};

/** Parsed values of any consumer-groups command (absent flags are undefined/false). */
export interface GroupsFlagValues {
  'bootstrap-server'?: string;
  'command-config'?: string;
  profile?: string;
  verbose?: boolean;
  group?: string[];
  'all-groups'?: boolean;
  topic?: string[];
  'all-topics'?: boolean;
  timeout?: string;
  state?: string;
  type?: string;
  members?: boolean;
  offsets?: boolean;
  'time-lag'?: boolean;
  summary?: boolean;
  watch?: boolean;
  interval?: string;
  iterations?: string;
  'dry-run'?: boolean;
  execute?: boolean;
  export?: boolean;
  diff?: boolean;
  'to-offset'?: string;
  'from-file'?: string;
  'to-datetime'?: string;
  'by-duration'?: string;
  'to-earliest'?: boolean;
  'to-latest'?: boolean;
  'to-current'?: boolean;
  'shift-by'?: string;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  'reset-offsets'?: boolean;
  'delete-offsets'?: boolean;
}
