/**
 * What `ktool consumer-groups --<action>` and `ktool consumer-groups <action>`
 * share: the flags (Kafka's names), Kafka's argument checks, and the runner
 * that resolves the connection, calls the ops and prints the views.
 *
 * Output streams and exit codes follow Kafka 3.9's kafka-consumer-groups.sh:
 * - tables and "Error: ..." reports (group does not exist, reset refused,
 *   deletion failed, "Executing consumer group command failed due to ...")
 *   go to stdout, after a blank line, and the exit status stays 0 as Kafka's;
 * - "Consumer group 'g' has no active members." / "... is rebalancing." and
 *   the reset WARN lines go to stderr;
 * - argument mistakes print Kafka's message on stderr and exit 1;
 * - ktool's own failures (cannot connect, bad properties file) are one
 *   "Error: ..." line on stderr, exit 1.
 * With --json every failure is the base command's JSON error document (exit 1).
 *
 * Heavy modules (the protocol client, ops, views, ink) load lazily in run().
 */
import { Flags } from '@oclif/core'
import { connectionFlags, settingsInput } from './connection-flags.js'
import { KtoolError } from '../errors.js'

export type GroupsAction = 'list' | 'describe' | 'delete' | 'reset-offsets' | 'delete-offsets'

const group = Flags.string({
  description: 'A consumer group to act on (repeatable: --group g1 --group g2).',
  helpValue: '<consumer group>',
  multiple: true,
  multipleNonGreedy: true,
})
const allGroups = Flags.boolean({ description: 'Act on every consumer group of the cluster.' })
const topic = Flags.string({
  description:
    'A topic to reset or whose offsets to delete (repeatable). "topic:0,1,2" limits it to those partitions.',
  helpValue: '<topic>',
  multiple: true,
  multipleNonGreedy: true,
})
const allTopics = Flags.boolean({ description: 'With --reset-offsets: every topic the group has committed offsets for.' })
const timeout = Flags.string({
  description: 'How long each request may take, in ms (default 5000).',
  helpValue: '<timeout (ms)>',
})
const state = Flags.string({
  description:
    'With --describe: show each group\'s coordinator, assignor, state and member count. With --list: add a STATE column, optionally keeping only the given states (e.g. --state stable,empty).',
  helpValue: '[states]',
})
const type = Flags.string({
  description: 'With --list: add a TYPE column, optionally keeping only the given group types (classic, consumer).',
  helpValue: '[types]',
})
const members = Flags.boolean({ description: 'With --describe: list the members of each group (add --verbose for their partitions).' })
const offsets = Flags.boolean({ description: 'With --describe: list each partition with its committed offset, log end and lag (the default view).' })
const timeLag = Flags.boolean({
  description:
    'With --describe: add a TIME-LAG column, the age of the oldest record not yet consumed (read from record timestamps). Not in Kafka\'s tool.',
})
const summary = Flags.boolean({
  description:
    'With --describe: print a TOTAL-LAG line after each group\'s table. On by default when stdout is a terminal; off otherwise so piped output stays identical to Kafka\'s.',
  allowNo: true,
})
const watch = Flags.boolean({
  description:
    'With --describe: refresh continuously. On a terminal, a live view (q or Ctrl-C to quit); otherwise plain snapshots every --interval seconds.',
})
const interval = Flags.string({ description: 'With --watch: seconds between refreshes (default 1).', helpValue: '<seconds>' })
const iterations = Flags.string({ description: 'With --watch: stop after this many refreshes.', helpValue: '<count>' })
const dryRun = Flags.boolean({ description: 'With --reset-offsets: only show the new offsets (the default).' })
const execute = Flags.boolean({ description: 'With --reset-offsets: commit the new offsets.' })
const exportFlag = Flags.boolean({ description: 'With --reset-offsets: print the plan as CSV (topic,partition,offset; group first when several groups) for --from-file.' })
const diff = Flags.boolean({
  description: 'With --reset-offsets: also show the current offset and the lag before and after the reset. Not in Kafka\'s tool.',
})
const toOffset = Flags.string({ description: 'Reset to this offset.', helpValue: '<offset>' })
const fromFile = Flags.string({ description: 'Reset to the offsets in this CSV file (as written by --export).', helpValue: '<path to CSV file>' })
const toDatetime = Flags.string({
  description: "Reset to the first offset at or after this time: 'YYYY-MM-DDTHH:mm:SS.sss', optionally followed by Z or an offset such as +02:00 (UTC when absent).",
  helpValue: '<datetime>',
})
const byDuration = Flags.string({ description: "Reset to the first offset at or after now minus this ISO-8601 duration, e.g. 'PT1H' or 'P1DT12H'.", helpValue: '<duration>' })
const toEarliest = Flags.boolean({ description: 'Reset to the log start offset.' })
const toLatest = Flags.boolean({ description: 'Reset to the log end offset.' })
const toCurrent = Flags.boolean({ description: 'Reset to the committed offset (the log end where nothing is committed).' })
const shiftBy = Flags.string({ description: 'Move the committed offset by n (negative goes back).', helpValue: '<number-of-offsets>' })

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
}

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
}

export const groupsFlags = {
  list: { ...connectionFlags, state, type, timeout },
  describe: describeFlags,
  delete: { ...connectionFlags, group, 'all-groups': allGroups, timeout },
  'reset-offsets': resetFlags,
  'delete-offsets': { ...connectionFlags, group, topic, timeout },
}

/** Every flag, plus the action flags: the `ktool consumer-groups --<action>` form. */
export const groupsModeFlags = {
  ...groupsFlags.list,
  ...describeFlags,
  ...resetFlags,
  list: Flags.boolean({ description: 'List the consumer groups.' }),
  describe: Flags.boolean({ description: 'Describe consumer groups: offsets and lag (default), --members or --state.' }),
  delete: Flags.boolean({ description: 'Delete consumer groups (only groups without members).' }),
  'reset-offsets': Flags.boolean({
    description:
      'Reset the committed offsets of inactive groups. Choose a scenario (--to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration, --from-file) and a scope (--topic or --all-topics); --dry-run (the default) only shows the plan, --execute commits it.',
  }),
  'delete-offsets': Flags.boolean({ description: 'Delete the committed offsets of a group for some topics (--topic t or t:0,1).' }),
}

/** Parsed values of any consumer-groups command (absent flags are undefined/false). */
export interface GroupsFlagValues {
  'bootstrap-server'?: string
  'command-config'?: string
  profile?: string
  verbose?: boolean
  group?: string[]
  'all-groups'?: boolean
  topic?: string[]
  'all-topics'?: boolean
  timeout?: string
  state?: string
  type?: string
  members?: boolean
  offsets?: boolean
  'time-lag'?: boolean
  summary?: boolean
  watch?: boolean
  interval?: string
  iterations?: string
  'dry-run'?: boolean
  execute?: boolean
  export?: boolean
  diff?: boolean
  'to-offset'?: string
  'from-file'?: string
  'to-datetime'?: string
  'by-duration'?: string
  'to-earliest'?: boolean
  'to-latest'?: boolean
  'to-current'?: boolean
  'shift-by'?: string
  list?: boolean
  describe?: boolean
  delete?: boolean
  'reset-offsets'?: boolean
  'delete-offsets'?: boolean
}

export interface GroupsHost {
  jsonEnabled(): boolean
  exit(code?: number): never
}

export class GroupsUsage extends Error {}

/** Flags whose value may be omitted (joptsimple optional arguments). */
const OPTIONAL_VALUE = new Set(['--state', '--type'])
/** Flags taking a value that may look like an option (negative numbers). */
const SIGNED_VALUE = new Set(['--shift-by', '--to-offset', '--timeout', '--interval', '--iterations'])

/**
 * Make Kafka's argument forms parse with oclif: `--state` without a value
 * becomes `--state=`, `--shift-by -2` becomes `--shift-by=-2`.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    const next = argv[i + 1]
    if (OPTIONAL_VALUE.has(arg)) {
      if (next === undefined || next.startsWith('-')) out.push(`${arg}=`)
      else {
        out.push(`${arg}=${next}`)
        i++
      }
    } else if (SIGNED_VALUE.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

const has = (flags: GroupsFlagValues, name: keyof GroupsFlagValues): boolean => {
  const v = flags[name]
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)
}

const ACTIONS: readonly GroupsAction[] = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets']
const SCENARIOS = ['to-offset', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'shift-by', 'from-file'] as const

/** The action of the `ktool consumer-groups --<action>` form. */
export function modeAction(flags: GroupsFlagValues, argvLength: number): GroupsAction {
  if (argvLength === 0) {
    throw new GroupsUsage('This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.')
  }
  const chosen = ACTIONS.filter((a) => flags[a] === true)
  if (chosen.length !== 1) throw new GroupsUsage('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets')
  return chosen[0]!
}

/** Kafka's ConsumerGroupCommandOptions.checkArgs for one action. */
export function checkGroupsArgs(action: GroupsAction, flags: GroupsFlagValues, warn: (line: string) => void = () => {}): void {
  const fail = (message: string): never => {
    throw new GroupsUsage(message)
  }
  const opt = (name: string) => `[${name}]`
  const invalid = (used: keyof GroupsFlagValues, others: Array<keyof GroupsFlagValues | GroupsAction>) => {
    if (!has(flags, used)) return
    for (const o of others) {
      const present = (ACTIONS as readonly string[]).includes(o) ? action === o : has(flags, o as keyof GroupsFlagValues)
      if (present) fail(`Option "${opt(used)}" can't be used with option "${opt(o)}"`)
    }
  }
  // joptsimple's availableIf.
  const onlyWith = (name: keyof GroupsFlagValues, actions: GroupsAction[]) => {
    if (has(flags, name) && !actions.includes(action)) fail(`Option ${opt(name)} is unavailable given other options on the command line`)
  }
  onlyWith('members', ['describe'])
  onlyWith('offsets', ['describe'])
  if (flags.state !== undefined) onlyWith('state', ['describe', 'list'])
  if (flags.type !== undefined) onlyWith('type', ['list'])

  if (action === 'describe') {
    if (!has(flags, 'group') && !has(flags, 'all-groups')) fail('Option [describe] takes one of these options: [all-groups], [group]')
    const views = [has(flags, 'members'), has(flags, 'offsets'), flags.state !== undefined].filter(Boolean).length
    if (views > 1) fail('Option [describe] takes at most one of these options: [members], [offsets], [state]')
    if (flags.state !== undefined && flags.state !== '') fail('Option [describe] does not take a value for [state]')
  }
  if (action === 'delete') {
    if (!has(flags, 'group') && !has(flags, 'all-groups')) fail('Option [delete] takes one of these options: [all-groups], [group]')
    if (has(flags, 'topic')) fail('The consumer does not support topic-specific offset deletion from a consumer group.')
  }
  if (action === 'delete-offsets') {
    if (!has(flags, 'group') || !has(flags, 'topic')) fail('Option [delete-offsets] takes the following options: [topic], [group]')
  }
  if (action === 'reset-offsets') {
    if (has(flags, 'dry-run') && has(flags, 'execute')) fail('Option [reset-offsets] only accepts one of [execute] and [dry-run]')
    if (!has(flags, 'dry-run') && !has(flags, 'execute')) {
      warn(
        'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.',
      )
    }
    if (!has(flags, 'group') && !has(flags, 'all-groups')) fail('Option [reset-offsets] takes one of these options: [all-groups], [group]')
    for (const s of SCENARIOS) invalid(s, SCENARIOS.filter((o) => o !== s))
  }
  invalid('group', ['all-groups'])
  invalid('group', ['list'])
  invalid('topic', ['list', 'describe'])
}

const write = (stream: 'stdout' | 'stderr', text: string) => {
  if (text.length > 0) (stream === 'stdout' ? process.stdout : process.stderr).write(text)
}

function parseCount(value: string | undefined, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new GroupsUsage(`Cannot parse argument '${value}' of option ${name}`)
  }
  return n
}

const VALID_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling']
const VALID_TYPES = ['consumer', 'classic']

/** Kafka's consumerGroupStatesFromString: case-insensitive names, canonical spelling out. */
export function parseStates(input: string): string[] {
  const out: string[] = []
  for (const part of input.split(',')) {
    const found = VALID_STATES.find((s) => s.toLowerCase() === part.trim().toLowerCase())
    if (found === undefined) throw new GroupsUsage(`Invalid state list '${input}'. Valid states are: ${VALID_STATES.join(', ')}`)
    if (!out.includes(found)) out.push(found)
  }
  return out
}

export function parseTypes(input: string): string[] {
  const out: string[] = []
  for (const part of input.toLowerCase().split(',')) {
    const t = part.trim()
    if (!VALID_TYPES.includes(t)) throw new GroupsUsage(`Invalid types list '${input}'. Valid types are: Consumer, Classic`)
    if (!out.includes(t)) out.push(t)
  }
  return out
}

/** Run one consumer-groups action; returns the --json value. */
export async function runConsumerGroups(host: GroupsHost, action: GroupsAction | (() => GroupsAction), flags: GroupsFlagValues): Promise<unknown> {
  const json = host.jsonEnabled()
  const [ops, reset, views, { resolveSettings }, { connect }, { errorName }] = await Promise.all([
    import('../ops/consumer-groups.js'),
    import('../ops/offset-reset.js'),
    import('../views/consumer-groups.js'),
    import('../connection/settings.js'),
    import('../connection/client.js'),
    import('../protocol/errors.js'),
  ])
  let client: import('../client/cluster.js').ClusterClient | undefined
  try {
    const chosen = typeof action === 'function' ? action() : action
    checkGroupsArgs(chosen, flags, (line) => {
      if (!json) write('stderr', `${line}\n`)
    })
    const timeoutMs = flags.timeout === undefined ? 5000 : reset.parseLongOption(flags.timeout, 'timeout')
    const requestOptions = { timeoutMs }
    const settings = await resolveSettings(settingsInput(flags))
    const groupIds = async (): Promise<string[]> => {
      if (has(flags, 'all-groups')) return views.listOrder(await ops.listGroups(client!, {}, requestOptions)).map((g) => g.groupId)
      return [...(flags.group ?? [])]
    }

    switch (chosen) {
      case 'list': {
        const states = flags.state ? parseStates(flags.state) : []
        const types = flags.type ? parseTypes(flags.type) : []
        client = await connect(settings)
        const groups = await ops.listGroups(client, { states, types }, requestOptions)
        if (!json) {
          if (flags.state !== undefined || flags.type !== undefined) write('stdout', views.renderListInfo(groups, flags.type !== undefined, flags.state !== undefined))
          else write('stdout', views.renderList(groups))
        }
        return views.listJson(groups)
      }

      case 'describe': {
        const view: 'offsets' | 'members' | 'state' = has(flags, 'members') ? 'members' : flags.state !== undefined ? 'state' : 'offsets'
        const timeLag = has(flags, 'time-lag')
        const summary = flags.summary ?? process.stdout.isTTY === true
        client = await connect(settings)
        const ids = await groupIds()
        const snapshot = () => ops.describeSnapshots(client!, ids, { offsets: view === 'offsets', timeLag, timeoutMs })
        const render = (snapshots: Awaited<ReturnType<typeof snapshot>>) =>
          view === 'members'
            ? views.renderMembers(snapshots, flags.verbose === true)
            : view === 'state'
              ? views.renderStates(snapshots)
              : views.renderOffsets(snapshots, { timeLag, summary })
        if (has(flags, 'watch')) {
          const intervalMs = parseCount(flags.interval, 'interval', 1, false) * 1000
          const limit = flags.iterations === undefined ? Infinity : parseCount(flags.iterations, 'iterations', 1, true)
          if (!json && process.stdout.isTTY === true && process.stdin.isTTY === true) {
            const { runWatchView } = await import('../views/watch-view.js')
            await runWatchView({ snapshot: () => ops.describeSnapshots(client!, ids, { offsets: true, timeLag, timeoutMs }), intervalMs, iterations: limit, timeLag })
            return undefined
          }
          let stop = false
          const onSignal = () => {
            stop = true
          }
          process.once('SIGINT', onSignal)
          process.once('SIGTERM', onSignal)
          try {
            for (let i = 0; i < limit && !stop; i++) {
              const started = Date.now()
              const snapshots = await snapshot()
              if (json) write('stdout', `${JSON.stringify(views.describeJson(snapshots))}\n`)
              else {
                write('stdout', `Every ${intervalMs / 1000}s: ${new Date(snapshots[0]?.takenAt ?? Date.now()).toISOString()} (${i + 1})\n`)
                for (const c of render(snapshots)) write(c.stream, c.text)
                write('stdout', '\n')
              }
              if (i + 1 < limit && !stop) {
                const wait = Math.max(0, intervalMs - (Date.now() - started))
                await new Promise<void>((resolve) => {
                  const timer = setTimeout(resolve, wait)
                  const check = setInterval(() => {
                    if (stop) {
                      clearTimeout(timer)
                      clearInterval(check)
                      resolve()
                    }
                  }, 50)
                  timer.unref?.()
                  setTimeout(() => clearInterval(check), wait + 10)
                })
              }
            }
          } finally {
            process.off('SIGINT', onSignal)
            process.off('SIGTERM', onSignal)
          }
          return undefined
        }
        const snapshots = await snapshot()
        if (!json) for (const c of render(snapshots)) write(c.stream, c.text)
        return views.describeJson(snapshots)
      }

      case 'delete': {
        client = await connect(settings)
        const ids = await groupIds()
        const { results } = await ops.deleteGroups(client, ids, requestOptions)
        if (!json) write('stdout', views.renderDeleteGroups(results))
        return views.deleteJson(results, errorName)
      }

      case 'delete-offsets': {
        client = await connect(settings)
        const groupId = flags.group![0]!
        const result = await ops.deleteOffsets(client, groupId, flags.topic ?? [], requestOptions)
        if (!json) write('stdout', views.renderDeleteOffsets(groupId, flags.topic ?? [], result, errorName))
        return views.deleteOffsetsJson(groupId, result, errorName)
      }

      case 'reset-offsets': {
        const scenario = await resetScenario(flags, reset)
        const scope: import('../ops/offset-reset.js').ResetScope = has(flags, 'all-topics')
          ? { kind: 'all-topics' }
          : has(flags, 'topic')
            ? { kind: 'topics', args: [...flags.topic!] }
            : { kind: 'none' }
        client = await connect(settings)
        const ids = await groupIds()
        const coordinators = await ops.findCoordinators(client, ids, requestOptions)
        const described = await ops.describeGroups(client, ids, { ...requestOptions, coordinators })
        const ordered = reset.stringHashOrder(ids, (g) => g).map((g) => {
          const d = described.get(g)
          return { groupId: g, state: d?.state ?? 'Dead', coordinator: d?.coordinator ?? coordinators.get(g)! }
        })
        const execute = has(flags, 'execute')
        let scenarioValue = scenario
        if (scenarioValue?.kind === 'from-file-path') {
          const { readFile } = await import('node:fs/promises')
          let text: string
          try {
            text = await readFile(scenarioValue.path, 'utf8')
          } catch (error) {
            throw new ops.GroupCommandError(`java.nio.file.NoSuchFileException: ${scenarioValue.path}`, (error as NodeJS.ErrnoException).code ?? 'ENOENT')
          }
          scenarioValue = { kind: 'from-file', plan: reset.parseResetPlan(text, flags.group ?? []) }
        }
        const outcome = await reset.planReset(client, {
          groups: ordered,
          scope,
          scenario: scenarioValue as import('../ops/offset-reset.js').ResetScenario | null,
          execute,
          timeoutMs,
        })
        if (!json) {
          for (const w of outcome.warnings) write('stderr', `${w}\n`)
          for (const n of outcome.stdoutNotes) write('stdout', `${n}\n`)
          if (has(flags, 'export')) write('stdout', `${reset.exportCsv(outcome.groups, (flags.group ?? []).length === 1)}\n`)
          else write('stdout', views.renderResetTable(outcome.groups, has(flags, 'diff')))
        }
        return views.resetJson(outcome, !execute)
      }
    }
  } catch (error) {
    if (error instanceof GroupsUsage || error instanceof ops.UsageError) {
      if (json) throw new KtoolError(error.message, { code: 'INVALID_ARGUMENTS' })
      write('stderr', `${error.message}\n`)
      host.exit(1)
    }
    if (error instanceof ops.GroupCommandError) {
      const { redact } = await import('../connection/redact.js')
      const message = redact(error.message)
      if (json) throw new KtoolError(message, { code: error.code })
      write('stdout', views.commandFailedLine(message))
      return undefined
    }
    const { toKtoolError } = await import('../connection/errors.js')
    throw toKtoolError(error)
  } finally {
    client?.close()
  }
}

type ScenarioInput = import('../ops/offset-reset.js').ResetScenario | { kind: 'from-file-path'; path: string } | null

/** The reset scenario from the flags (null when none was given: Kafka complains only once it reaches an inactive group). */
async function resetScenario(flags: GroupsFlagValues, reset: typeof import('../ops/offset-reset.js')): Promise<ScenarioInput> {
  if (flags['to-offset'] !== undefined) return { kind: 'to-offset', offset: reset.parseJavaLong(flags['to-offset'], 'to-offset') }
  if (has(flags, 'to-earliest')) return { kind: 'to-earliest' }
  if (has(flags, 'to-latest')) return { kind: 'to-latest' }
  if (flags['shift-by'] !== undefined) return { kind: 'shift-by', shift: reset.parseJavaLong(flags['shift-by'], 'shift-by') }
  if (flags['to-datetime'] !== undefined) return { kind: 'to-datetime', timestamp: reset.parseDateTime(flags['to-datetime']) }
  if (flags['by-duration'] !== undefined) return { kind: 'by-duration', durationMs: reset.parseDuration(flags['by-duration']) }
  if (flags['from-file'] !== undefined) return { kind: 'from-file-path', path: flags['from-file'] }
  if (has(flags, 'to-current')) return { kind: 'to-current' }
  return null
}
