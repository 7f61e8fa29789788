// Kafka 3.9's ConfigCommand argument checks, in its order and with its messages, before anything connects.
import { parseJavaInt } from '../../protocol/java-compat.js';
import type { ConfigsAction, ConfigsFlagValues } from './flags.js';

/** The checked request. */
export interface ConfigsRequest {
  action: ConfigsAction;
  entityTypes: string[];
  /** One per entity type given with a name or a default; '' is the default entity. */
  entityNames: string[];
  all: boolean;
  addConfig?: string;
  addConfigFile?: string;
  deleteConfigs: string[];
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
];
const DEFAULT_SHORTHANDS: ReadonlyArray<[keyof ConfigsFlagValues, string]> = [
  ['client-defaults', 'clients'],
  ['user-defaults', 'users'],
  ['broker-defaults', 'brokers'],
  ['ip-defaults', 'ips'],
];
const ALLOWED_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips', 'broker-loggers', 'client-metrics', 'groups'];

function given(flags: ConfigsFlagValues, name: keyof ConfigsFlagValues): boolean {
  const v = flags[name];
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
}

/** Kafka's ConfigCommandOptions.checkArgs (and processCommand's first check). Throws UsageError. */
export async function checkConfigsArgs(action: ConfigsAction, flags: ConfigsFlagValues): Promise<ConfigsRequest> {
  const { UsageError } = await import('../../ops/admin-errors.js');
  const fail = (message: string): never => {
    throw new UsageError(message);
  };
  if (action === 'describe') {
    for (const opt of ['add-config', 'delete-config'] as const)
      if (given(flags, opt)) fail(`Option "[describe]" can't be used with option "[${opt}]"`);
  }
  const entityTypes = [
    ...(flags['entity-type'] ?? []),
    ...[...SHORTHANDS, ...DEFAULT_SHORTHANDS].filter(([flag]) => given(flags, flag)).map(([, type]) => type),
  ];
  const entityNames = [
    ...(flags['entity-name'] ?? []),
    ...(flags['entity-default'] === true ? [''] : []),
    ...SHORTHANDS.filter(([flag]) => given(flags, flag)).map(([flag]) => flags[flag] as string),
    ...DEFAULT_SHORTHANDS.filter(([flag]) => given(flags, flag)).map(() => ''),
  ];
  const duplicates = entityTypes.filter((t, i) => entityTypes.indexOf(t) !== i);
  if (duplicates.length > 0) fail(`Duplicate entity type(s) specified: ${[...new Set(duplicates)].join(',')}`);
  for (const t of entityTypes) {
    if (!ALLOWED_TYPES.includes(t)) {
      fail(
        `Invalid entity type ${t}, the entity type must be one of ${ALLOWED_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`,
      );
    }
  }
  if (entityTypes.length === 0) fail('At least one entity type must be specified');
  if (
    entityTypes.length > 1 &&
    !(entityTypes.length === 2 && entityTypes.includes('users') && entityTypes.includes('clients'))
  ) {
    fail("Only 'users' and 'clients' entity types may be specified together");
  }
  const usesGeneric = given(flags, 'entity-name') || given(flags, 'entity-type') || given(flags, 'entity-default');
  if (usesGeneric && [...SHORTHANDS, ...DEFAULT_SHORTHANDS].some(([flag]) => given(flags, flag))) {
    fail('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  }
  const hasEntityName = entityNames.some((n) => n !== '');
  const hasEntityDefault = entityNames.some((n) => n === '');
  if (hasEntityName && (entityTypes.includes('brokers') || entityTypes.includes('broker-loggers'))) {
    const ids = [...(flags['entity-name'] ?? []), flags.broker, flags['broker-logger']].filter(
      (v): v is string => v !== undefined,
    );
    for (const id of ids) {
      if (parseJavaInt(id) === undefined) {
        fail(`The entity name for ${entityTypes[0]} must be a valid integer broker id, but it is: ${id}`);
      }
    }
  }
  const quotaTypes = ['users', 'clients', 'brokers', 'ips'];
  if (action === 'describe') {
    if (!entityTypes.some((t) => quotaTypes.includes(t)) && flags['entity-default'] === true) {
      fail(`--entity-default must not be specified with --describe of ${entityTypes.join(',')}`);
    }
    if (entityTypes.includes('broker-loggers') && !hasEntityName)
      fail(`An entity name must be specified with --describe of ${entityTypes.join(',')}`);
  } else {
    if (entityTypes.some((t) => quotaTypes.includes(t))) {
      if (!hasEntityName && !hasEntityDefault)
        fail('An entity-name or default entity must be specified with --alter of users, clients, brokers or ips');
    } else if (!hasEntityName) {
      fail(`An entity name must be specified with --alter of ${entityTypes.join(',')}`);
    }
    const add = given(flags, 'add-config');
    const file = given(flags, 'add-config-file');
    if (add && file) fail('Only one of --add-config or --add-config-file must be specified');
    if (!add && !file && !given(flags, 'delete-config'))
      fail('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    if (entityTypes.length !== entityNames.length) fail('An entity name must be specified for every entity type');
  }
  const { parseDeleteConfig } = await import('../../ops/configs.js');
  return {
    action,
    entityTypes,
    entityNames,
    all: flags.all === true,
    addConfig: flags['add-config'],
    addConfigFile: flags['add-config-file'],
    deleteConfigs: parseDeleteConfig(flags['delete-config']),
  };
}

/** The action of the `ktool configs --<action>` form. */
export async function configsModeAction(flags: ConfigsFlagValues): Promise<ConfigsAction> {
  const chosen = (['describe', 'alter'] as const).filter((a) => flags[a] === true);
  if (chosen.length !== 1) {
    const { UsageError } = await import('../../ops/admin-errors.js');
    throw new UsageError('Command must include exactly one action: --describe, --alter');
  }
  return chosen[0]!;
}

/** The arguments as Kafka echoes them, with --add-config secrets masked. */
export async function echoedArgs(argv: readonly string[]): Promise<string> {
  const [{ MASK }, ops] = await Promise.all([import('../../connection/redact.js'), import('../../ops/configs.js')]);
  const mask = (value: string): string => {
    try {
      return ops
        .parseAddConfig(value)
        .map(([k, v]) => `${k}=${ops.isSecretConfig(k) ? MASK : v}`)
        .join(',');
    } catch {
      return MASK;
    }
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--add-config' && i + 1 < argv.length) {
      out.push(arg, mask(argv[++i]!));
    } else if (arg.startsWith('--add-config=')) {
      out.push(`--add-config=${mask(arg.slice('--add-config='.length))}`);
    } else {
      out.push(arg);
    }
  }
  return out.join(' ');
}
