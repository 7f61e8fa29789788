/**
 * Rendering `ktool configs`: text exactly as Kafka 3.9's kafka-configs.sh
 * prints it, and the --json shapes (the types below are the contract).
 *
 *   Dynamic configs for topic orders are:
 *     retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}
 *   Default configs for brokers in the cluster are:
 *   SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192
 *   Completed updating config for topic orders.
 *
 * Sensitive values are null on the wire and print as "null".
 */
import type { ConfigEntryData, EntityConfigs, UserScramData } from '../ops/configs.js';
import { configSourceName, scramMechanism } from '../ops/configs.js';
import { MASK, isSecretKey } from '../connection/redact.js';

export interface ConfigSynonymJson {
  name: string;
  value: string | null;
  /** Kafka's ConfigSource name, e.g. DEFAULT_CONFIG. */
  source: string;
}

export interface ConfigEntryJson {
  name: string;
  /** null when sensitive. */
  value: string | null;
  source: string;
  sensitive: boolean;
  readOnly: boolean;
  synonyms: ConfigSynonymJson[];
}

export interface EntityConfigsJson {
  /** null for the cluster-wide default entity. */
  entityName: string | null;
  configs: ConfigEntryJson[];
}

export interface ConfigsDescribeJson {
  entityType: string;
  /** True with --all (every config), false for the dynamic ones only. */
  all: boolean;
  entities: EntityConfigsJson[];
}

export interface ScramCredentialJson {
  mechanism: string;
  iterations: number;
}

export interface UserScramJson {
  user: string;
  credentials: ScramCredentialJson[];
  /** Why this user's credentials could not be read, else null. */
  error: string | null;
}

export interface UsersDescribeJson {
  entityType: 'users';
  users: UserScramJson[];
}

export interface ConfigsAlterJson {
  entityType: string;
  /** null for the cluster-wide default entity. */
  entityName: string | null;
  /** The configs set; secrets masked, SCRAM credentials shown as "iterations=<n>". */
  set: Record<string, string>;
  deleted: string[];
}

/** entityType without its plural "s", as Kafka's dropRight(1). */
function singular(entityType: string): string {
  return entityType.slice(0, -1);
}

export function configsHeader(entityType: string, entityName: string, all: boolean): string {
  if (entityName === '') return `Default configs for ${entityType} in the cluster are:`;
  return `${all ? 'All' : 'Dynamic'} configs for ${singular(entityType)} ${entityName} are:`;
}

export function renderConfigEntry(e: ConfigEntryData): string {
  const synonyms = e.synonyms.map((s) => `${configSourceName(s.source)}:${s.name}=${s.value ?? 'null'}`).join(', ');
  return `  ${e.name}=${e.value ?? 'null'} sensitive=${e.sensitive} synonyms={${synonyms}}`;
}

export function renderEntityConfigs(entityType: string, entities: readonly EntityConfigs[], all: boolean): string {
  let out = '';
  for (const entity of entities) {
    out += `${configsHeader(entityType, entity.entityName, all)}\n`;
    for (const e of entity.configs) out += `${renderConfigEntry(e)}\n`;
  }
  return out;
}

export function entityConfigsJson(
  entityType: string,
  entities: readonly EntityConfigs[],
  all: boolean,
): ConfigsDescribeJson {
  return {
    entityType,
    all,
    entities: entities.map((entity) => ({
      entityName: entity.entityName === '' ? null : entity.entityName,
      configs: entity.configs.map((e) => ({
        name: e.name,
        value: e.value,
        source: configSourceName(e.source),
        sensitive: e.sensitive,
        readOnly: e.readOnly,
        synonyms: e.synonyms.map((s) => ({ name: s.name, value: s.value, source: configSourceName(s.source) })),
      })),
    })),
  };
}

export function renderUserScram(users: readonly UserScramData[]): string {
  return users
    .map((u) =>
      u.error !== null
        ? `Error retrieving SCRAM credential configs for user-principal '${u.user}': ${u.error}\n`
        : `SCRAM credential configs for user-principal '${u.user}' are ${u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}\n`,
    )
    .join('');
}

export function userScramJson(users: readonly UserScramData[]): UsersDescribeJson {
  return {
    entityType: 'users',
    users: users.map((u) => ({ user: u.user, credentials: u.credentials.map((c) => ({ ...c })), error: u.error })),
  };
}

export function renderAltered(entityType: string, entityName: string): string {
  return entityName !== ''
    ? `Completed updating config for ${singular(entityType)} ${entityName}.\n`
    : `Completed updating default config for ${entityType} in the cluster.\n`;
}

/** The value shown for a set config: never a secret. */
function shownValue(name: string, value: string): string {
  if (scramMechanism(name) !== undefined) {
    const m = /^iterations=(-?[0-9]+),/.exec(value);
    return `iterations=${m === null || m[1] === '-1' ? 4096 : Number(m[1])}`;
  }
  return isSecretKey(name) ? MASK : value;
}

export function alterJson(
  entityType: string,
  entityName: string,
  set: ReadonlyArray<[string, string]>,
  deleted: readonly string[],
): ConfigsAlterJson {
  return {
    entityType,
    entityName: entityName === '' ? null : entityName,
    set: Object.fromEntries(set.map(([k, v]) => [k, shownValue(k, v)])),
    deleted: [...deleted],
  };
}

/** Scala's Set toString, as Kafka's messages print a set of names. */
export function scalaSet(names: readonly string[]): string {
  return `Set(${[...new Set(names)].join(', ')})`;
}

/** Scala's ArrayBuffer toString. */
export function scalaBuffer(names: readonly string[]): string {
  return `ArrayBuffer(${names.join(', ')})`;
}
