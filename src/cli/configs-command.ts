/**
 * What `ktool configs --describe|--alter` and `ktool configs describe|alter`
 * share: kafka-configs.sh's flags, Kafka 3.9's argument checks (in its
 * order, with its messages), and the runner.
 *
 * Output streams follow Kafka's ConfigCommand:
 * - results on stdout;
 * - argument and input mistakes (and an API the cluster does not offer):
 *   the bare message on stderr, exit 1;
 * - a failed operation: "Error while executing config command with args
 *   '<args>'" on stderr, exit 1. Kafka follows that line with a stack
 *   trace; ktool appends the reason to the same line instead (": <reason>").
 * Secrets given in --add-config (SCRAM passwords, PASSWORD-type configs,
 * sasl.users, JAAS configs: ops/configs.ts isSecretConfig) never appear in
 * any output: they are masked in the echoed arguments and the JSON result,
 * and registered with the redaction layer for error messages.
 */
import { Flags } from '@oclif/core'
import { connectionFlags, type ConnectionFlagValues } from './connection-flags.js'
import { runAdminTool, writeErr, writeOut, type FailureKind, type ToolHost } from './admin-runner.js'

export type ConfigsAction = 'describe' | 'alter'

const entityFlags = {
  'entity-type': Flags.string({
    description: 'The kind of entity: topics, clients, users, brokers, ips, broker-loggers, client-metrics or groups (users and clients may be given together).',
    helpValue: '<type>',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'entity-name': Flags.string({
    description: 'The entity: a topic name, client id, user principal, broker id, IP, client metrics name or group id.',
    helpValue: '<name>',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'entity-default': Flags.boolean({ description: 'The cluster-wide default entity (brokers, users, clients, ips) instead of a named one.' }),
  topic: Flags.string({ description: 'Shorthand for --entity-type topics --entity-name <topic>.', helpValue: '<topic>' }),
  broker: Flags.string({ description: 'Shorthand for --entity-type brokers --entity-name <broker id>.', helpValue: '<broker id>' }),
  'broker-defaults': Flags.boolean({ description: 'Shorthand for --entity-type brokers --entity-default.' }),
  'broker-logger': Flags.string({ description: 'Shorthand for --entity-type broker-loggers --entity-name <broker id>.', helpValue: '<broker id>' }),
  user: Flags.string({ description: 'Shorthand for --entity-type users --entity-name <user principal>.', helpValue: '<user>' }),
  'user-defaults': Flags.boolean({ description: 'Shorthand for --entity-type users --entity-default.' }),
  client: Flags.string({ description: 'Shorthand for --entity-type clients --entity-name <client id>.', helpValue: '<client id>' }),
  'client-defaults': Flags.boolean({ description: 'Shorthand for --entity-type clients --entity-default.' }),
  ip: Flags.string({ description: 'Shorthand for --entity-type ips --entity-name <ip>.', helpValue: '<ip>' }),
  'ip-defaults': Flags.boolean({ description: 'Shorthand for --entity-type ips --entity-default.' }),
  group: Flags.string({ description: 'Shorthand for --entity-type groups --entity-name <group id>.', helpValue: '<group id>' }),
  'client-metrics': Flags.string({ description: 'Shorthand for --entity-type client-metrics --entity-name <name>.', helpValue: '<name>' }),
}

const all = Flags.boolean({ description: 'With --describe: every config of the entity, defaults and static ones included, not only the dynamic ones.' })
const addConfig = Flags.string({
  description:
    'Configs to set, "k1=v1,k2=v2". Put a value containing commas in square brackets: "cleanup.policy=[compact,delete]". For users: "SCRAM-SHA-256=[iterations=8192,password=secret]".',
  helpValue: '<k=v,...>',
})
const addConfigFile = Flags.string({ description: 'A properties file with the configs to set (instead of --add-config).', helpValue: '<file>' })
const deleteConfig = Flags.string({
  description: 'Config names to remove, "k1,k2" (repeatable). For users, a SCRAM mechanism name removes that credential.',
  helpValue: '<k1,k2>',
  multiple: true,
  multipleNonGreedy: true,
})
const force = Flags.boolean({ description: 'Accepted for compatibility with kafka-configs.sh; ktool never prompts.', hidden: true })

export const configsFlags = {
  describe: { ...connectionFlags, ...entityFlags, all },
  alter: { ...connectionFlags, ...entityFlags, 'add-config': addConfig, 'add-config-file': addConfigFile, 'delete-config': deleteConfig, force },
}

/** Every flag plus the two action flags: the `ktool configs --<action>` form. */
export const configsModeFlags = {
  ...configsFlags.describe,
  ...configsFlags.alter,
  describe: Flags.boolean({ description: 'Show the configs of the entity (or of every entity of the type).' }),
  alter: Flags.boolean({ description: 'Change the configs of the entity: --add-config / --add-config-file and --delete-config.' }),
}

export interface ConfigsFlagValues extends ConnectionFlagValues {
  'entity-type'?: string[]
  'entity-name'?: string[]
  'entity-default'?: boolean
  topic?: string
  broker?: string
  'broker-defaults'?: boolean
  'broker-logger'?: string
  user?: string
  'user-defaults'?: boolean
  client?: string
  'client-defaults'?: boolean
  ip?: string
  'ip-defaults'?: boolean
  group?: string
  'client-metrics'?: string
  all?: boolean
  'add-config'?: string
  'add-config-file'?: string
  'delete-config'?: string[]
  force?: boolean
  describe?: boolean
  alter?: boolean
}

/** The checked request. */
export interface ConfigsRequest {
  action: ConfigsAction
  entityTypes: string[]
  /** One per entity type given with a name or a default; '' is the default entity. */
  entityNames: string[]
  all: boolean
  addConfig?: string
  addConfigFile?: string
  deleteConfigs: string[]
}

const SHORTHANDS: ReadonlyArray<[keyof ConfigsFlagValues, string]> = [
  ['topic', 'topics'],
  ['client', 'clients'],
  ['user', 'users'],
  ['broker', 'brokers'],
  ['broker-logger', 'broker-loggers'],
  ['ip', 'ips'],
  ['client-metrics', 'client-metrics'],
  ['group', 'groups'],
]
const DEFAULT_SHORTHANDS: ReadonlyArray<[keyof ConfigsFlagValues, string]> = [
  ['client-defaults', 'clients'],
  ['user-defaults', 'users'],
  ['broker-defaults', 'brokers'],
  ['ip-defaults', 'ips'],
]
const ALLOWED_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips', 'broker-loggers', 'client-metrics', 'groups']

function given(flags: ConfigsFlagValues, name: keyof ConfigsFlagValues): boolean {
  const v = flags[name]
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)
}

/** Kafka's ConfigCommandOptions.checkArgs (and processCommand's first check). Throws UsageError. */
export async function checkConfigsArgs(action: ConfigsAction, flags: ConfigsFlagValues): Promise<ConfigsRequest> {
  const { UsageError } = await import('../ops/admin-errors.js')
  const fail = (message: string): never => {
    throw new UsageError(message)
  }
  if (action === 'describe') {
    for (const opt of ['add-config', 'delete-config'] as const) if (given(flags, opt)) fail(`Option "[describe]" can't be used with option "[${opt}]"`)
  }
  const entityTypes = [
    ...(flags['entity-type'] ?? []),
    ...[...SHORTHANDS, ...DEFAULT_SHORTHANDS].filter(([flag]) => given(flags, flag)).map(([, type]) => type),
  ]
  const entityNames = [
    ...(flags['entity-name'] ?? []),
    ...(flags['entity-default'] === true ? [''] : []),
    ...SHORTHANDS.filter(([flag]) => given(flags, flag)).map(([flag]) => flags[flag] as string),
    ...DEFAULT_SHORTHANDS.filter(([flag]) => given(flags, flag)).map(() => ''),
  ]
  const duplicates = entityTypes.filter((t, i) => entityTypes.indexOf(t) !== i)
  if (duplicates.length > 0) fail(`Duplicate entity type(s) specified: ${[...new Set(duplicates)].join(',')}`)
  for (const t of entityTypes) {
    if (!ALLOWED_TYPES.includes(t)) {
      fail(`Invalid entity type ${t}, the entity type must be one of ${ALLOWED_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`)
    }
  }
  if (entityTypes.length === 0) fail('At least one entity type must be specified')
  if (entityTypes.length > 1 && !(entityTypes.length === 2 && entityTypes.includes('users') && entityTypes.includes('clients'))) {
    fail("Only 'users' and 'clients' entity types may be specified together")
  }
  const usesGeneric = given(flags, 'entity-name') || given(flags, 'entity-type') || given(flags, 'entity-default')
  if (usesGeneric && [...SHORTHANDS, ...DEFAULT_SHORTHANDS].some(([flag]) => given(flags, flag))) {
    fail('--entity-{type,name,default} should not be used in conjunction with specific entity flags')
  }
  const hasEntityName = entityNames.some((n) => n !== '')
  const hasEntityDefault = entityNames.some((n) => n === '')
  if (hasEntityName && (entityTypes.includes('brokers') || entityTypes.includes('broker-loggers'))) {
    const ids = [...(flags['entity-name'] ?? []), flags.broker, flags['broker-logger']].filter((v): v is string => v !== undefined)
    for (const id of ids) {
      if (!/^[+-]?\d+$/.test(id) || Math.abs(Number(id)) > 2147483647) {
        fail(`The entity name for ${entityTypes[0]} must be a valid integer broker id, but it is: ${id}`)
      }
    }
  }
  const quotaTypes = ['users', 'clients', 'brokers', 'ips']
  if (action === 'describe') {
    if (!entityTypes.some((t) => quotaTypes.includes(t)) && flags['entity-default'] === true) {
      fail(`--entity-default must not be specified with --describe of ${entityTypes.join(',')}`)
    }
    if (entityTypes.includes('broker-loggers') && !hasEntityName) fail(`An entity name must be specified with --describe of ${entityTypes.join(',')}`)
  } else {
    if (entityTypes.some((t) => quotaTypes.includes(t))) {
      if (!hasEntityName && !hasEntityDefault) fail('An entity-name or default entity must be specified with --alter of users, clients, brokers or ips')
    } else if (!hasEntityName) {
      fail(`An entity name must be specified with --alter of ${entityTypes.join(',')}`)
    }
    const add = given(flags, 'add-config')
    const file = given(flags, 'add-config-file')
    if (add && file) fail('Only one of --add-config or --add-config-file must be specified')
    if (!add && !file && !given(flags, 'delete-config')) fail('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter')
    if (entityTypes.length !== entityNames.length) fail('An entity name must be specified for every entity type')
  }
  const { parseDeleteConfig } = await import('../ops/configs.js')
  return {
    action,
    entityTypes,
    entityNames,
    all: flags.all === true,
    addConfig: flags['add-config'],
    addConfigFile: flags['add-config-file'],
    deleteConfigs: parseDeleteConfig(flags['delete-config']),
  }
}

/** The action of the `ktool configs --<action>` form. */
export async function configsModeAction(flags: ConfigsFlagValues): Promise<ConfigsAction> {
  const chosen = (['describe', 'alter'] as const).filter((a) => flags[a] === true)
  if (chosen.length !== 1) {
    const { UsageError } = await import('../ops/admin-errors.js')
    throw new UsageError('Command must include exactly one action: --describe, --alter')
  }
  return chosen[0]!
}

/** The arguments as Kafka echoes them, with --add-config secrets masked. */
export async function echoedArgs(argv: readonly string[]): Promise<string> {
  const [{ MASK }, ops] = await Promise.all([import('../connection/redact.js'), import('../ops/configs.js')])
  const mask = (value: string): string => {
    try {
      return ops
        .parseAddConfig(value)
        .map(([k, v]) => `${k}=${ops.isSecretConfig(k) ? MASK : v}`)
        .join(',')
    } catch {
      return MASK
    }
  }
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--add-config' && i + 1 < argv.length) {
      out.push(arg, mask(argv[++i]!))
    } else if (arg.startsWith('--add-config=')) {
      out.push(`--add-config=${mask(arg.slice('--add-config='.length))}`)
    } else {
      out.push(arg)
    }
  }
  return out.join(' ')
}

export async function runConfigs(host: ToolHost, action: ConfigsAction | (() => Promise<ConfigsAction>), flags: ConfigsFlagValues, argv: readonly string[]): Promise<unknown> {
  const args = await echoedArgs(argv)
  const failureLine = (message: string, kind: FailureKind): string =>
    kind === 'usage' ? `${message}\n` : `Error while executing config command with args '${args}': ${message}\n`
  return runAdminTool(
    host,
    flags,
    async (session) => {
      const chosen = typeof action === 'function' ? await action() : action
      const request = await checkConfigsArgs(chosen, flags)
      const [ops, views, { registerSecret }] = await Promise.all([import('../ops/configs.js'), import('../views/configs.js'), import('../connection/redact.js')])
      const { UsageError } = await import('../ops/admin-errors.js')
      const json = host.jsonEnabled()
      const entityType = request.entityTypes[0]!
      const entityName = request.entityNames[0]

      if (request.action === 'describe') {
        switch (entityType) {
          case 'topics':
          case 'brokers':
          case 'broker-loggers':
          case 'client-metrics':
          case 'groups': {
            const entities = await ops.describeConfigs(await session.connect(), entityType, entityName, request.all)
            if (!json) writeOut(views.renderEntityConfigs(entityType, entities, request.all))
            return views.entityConfigsJson(entityType, entities, request.all)
          }
          case 'users':
          case 'clients': {
            const client = await session.connect()
            if (request.entityTypes.includes('clients') || request.entityNames.includes('')) throw ops.clientQuotasError(client, false)
            const users = await ops.describeUserScram(client, request.entityNames)
            if (client.supports(48) && !json) writeErr('Note: ktool does not show client quota configs (DescribeClientQuotas) yet.\n')
            if (!json) writeOut(views.renderUserScram(users))
            return views.userScramJson(users)
          }
          default:
            throw ops.clientQuotasError(await session.connect(), false)
        }
      }

      // alter
      let add: Array<[string, string]> = []
      if (request.addConfigFile !== undefined) add = await ops.readAddConfigFile(request.addConfigFile)
      if (request.addConfig !== undefined) add = ops.parseAddConfig(request.addConfig)
      // Registered secrets are masked in whatever the broker's error message echoes back.
      for (const [k, v] of add) if (ops.isSecretConfig(k)) for (const part of ops.secretParts(v)) registerSecret(part)
      ops.checkConfigKeys(add)
      const deletions = request.deleteConfigs
      const name = entityName!
      switch (entityType) {
        case 'topics':
        case 'brokers':
        case 'broker-loggers':
        case 'client-metrics':
        case 'groups':
          await ops.alterResourceConfigs(await session.connect(), entityType, name, add, deletions)
          break
        case 'users':
        case 'clients': {
          const isScram = (k: string) => ops.scramMechanism(k) !== undefined
          const hasQuotaAdd = add.some(([k]) => ops.isClientQuotaConfig(k))
          const hasQuotaDelete = deletions.some((k) => ops.isClientQuotaConfig(k))
          const scramAdd = add.filter(([k]) => isScram(k))
          const scramDelete = deletions.filter(isScram)
          const unknownAdd = add.map(([k]) => k).filter((k) => !isScram(k) && !ops.isClientQuotaConfig(k))
          const unknownDelete = deletions.filter((k) => !isScram(k) && !ops.isClientQuotaConfig(k))
          if (entityType === 'clients' || request.entityTypes.length === 2) {
            if (unknownAdd.length > 0 || scramAdd.length > 0) {
              throw new UsageError(`Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: ${views.scalaSet([...unknownAdd, ...scramAdd.map(([k]) => k)])}`)
            }
            if (unknownDelete.length > 0 || scramDelete.length > 0) {
              throw new UsageError(`Only quota configs can be deleted for 'clients' using --bootstrap-server. Unexpected config names: ${views.scalaBuffer([...unknownDelete, ...scramDelete])}`)
            }
          } else {
            if (unknownAdd.length > 0) {
              throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${views.scalaSet(unknownAdd)}`)
            }
            if (unknownDelete.length > 0) {
              throw new UsageError(`Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${views.scalaBuffer(unknownDelete)}`)
            }
            if (scramAdd.length > 0 || scramDelete.length > 0) {
              if (request.entityNames.includes('')) {
                throw new UsageError('The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.')
              }
              if (hasQuotaAdd || hasQuotaDelete) {
                throw new UsageError("Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.")
              }
            }
          }
          if (hasQuotaAdd || hasQuotaDelete) throw ops.clientQuotasError(await session.connect(), true)
          const upserts = scramAdd.map(([k, v]) => ops.parseScramCredential(ops.scramMechanism(k)!, v))
          await ops.alterUserScram(await session.connect(), name, upserts, scramDelete.map((k) => ops.scramMechanism(k)!))
          break
        }
        default:
          throw ops.clientQuotasError(await session.connect(), true)
      }
      if (!json) writeOut(views.renderAltered(entityType, name))
      return views.alterJson(entityType, name, ops.shownPairs(add), deletions)
    },
    failureLine,
  )
}
