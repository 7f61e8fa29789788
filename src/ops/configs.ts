/**
 * The operations behind `ktool configs` (kafka-configs.sh, Kafka 3.9's
 * ConfigCommand): describe and alter the configs of topics, brokers, broker
 * loggers and groups (DescribeConfigs / IncrementalAlterConfigs), and the
 * SCRAM credentials of users (DescribeUserScramCredentials /
 * AlterUserScramCredentials, salting and hashing the password client side as
 * Kafka's admin client does).
 *
 * Client quotas (users, clients, ips) need DescribeClientQuotas /
 * AlterClientQuotas, which ktool does not implement: asking for them is a
 * clear error naming the API. Plain data in and out; nothing here prints.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { topicNameError } from '../broker/topic-names.js';
import { MASK, isSecretKey } from '../connection/redact.js';
import { isSensitiveKey } from '../broker/config/config-defs.js';
import { javaHashMapOrder } from '../protocol/java-compat.js';
import {
  AdminCommandError,
  UsageError,
  javaExceptionText,
  responseError,
  unsupportedApiError,
} from './admin-errors.js';
import { describeCluster } from './cluster.js';
import {
  SCRAM_DEFAULT_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramMechanism,
  scramMechanismByCode,
  scramSaltedPassword,
  type ScramMechanismInfo,
} from '../protocol/sasl/scram.js';

const API = {
  LIST_GROUPS: 16,
  DESCRIBE_CONFIGS: 32,
  INCREMENTAL_ALTER_CONFIGS: 44,
  DESCRIBE_CLIENT_QUOTAS: 48,
  ALTER_CLIENT_QUOTAS: 49,
  DESCRIBE_USER_SCRAM_CREDENTIALS: 50,
  ALTER_USER_SCRAM_CREDENTIALS: 51,
  LIST_CLIENT_METRICS_RESOURCES: 74,
} as const;

/** Kafka 3.9's entity types, in the order its messages list them. */
export const ENTITY_TYPES = [
  'topics',
  'clients',
  'users',
  'brokers',
  'ips',
  'broker-loggers',
  'client-metrics',
  'groups',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Entity types whose configs are resources of DescribeConfigs / IncrementalAlterConfigs. */
export type ResourceEntityType = 'topics' | 'brokers' | 'broker-loggers' | 'client-metrics' | 'groups';

const RESOURCE_TYPE: Record<ResourceEntityType, number> = {
  topics: 2,
  brokers: 4,
  'broker-loggers': 8,
  'client-metrics': 16,
  groups: 32,
};

/** ConfigEntry.ConfigSource names by wire code. */
export const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'DYNAMIC_CLIENT_METRICS_CONFIG',
  'DYNAMIC_GROUP_CONFIG',
] as const;

const SOURCE = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  DYNAMIC_CLIENT_METRICS_CONFIG: 7,
  DYNAMIC_GROUP_CONFIG: 8,
} as const;

export function configSourceName(code: number): string {
  return CONFIG_SOURCES[code] ?? 'UNKNOWN';
}

const CLIENT_QUOTA_CONFIGS = new Set([
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
]);
const IP_QUOTA_CONFIGS = new Set(['connection_creation_rate']);

export { scramMechanism, type ScramMechanismInfo } from '../protocol/sasl/scram.js';

export function scramMechanismName(code: number): string {
  return scramMechanismByCode(code)?.name ?? 'UNKNOWN';
}

// ------------------------------------------------------------------ secrets

/** Kafka 3.9's PASSWORD-type configs that the name patterns below would miss. */
const PASSWORD_TYPE_CONFIGS = ['ssl.keystore.certificate.chain', 'ssl.truststore.certificates', 'ssl.keystore.key'];

/**
 * Config names whose values configs never prints: SCRAM credentials, Kafka's
 * PASSWORD-type configs, the dev broker's sasl.users / sasl.scram.users and
 * JAAS configs, also with a listener.name.<l>.[<mechanism>.] prefix.
 */
export function isSecretConfig(name: string): boolean {
  if (scramMechanism(name) !== undefined || isSecretKey(name) || isSensitiveKey(name)) return true;
  const k = name.toLowerCase();
  return PASSWORD_TYPE_CONFIGS.some((p) => k === p || k.endsWith(`.${p}`));
}

/** The pairs as they may be shown: secret values masked, SCRAM credentials kept for their iterations. */
export function shownPairs(pairs: ReadonlyArray<[string, string]>): Array<[string, string]> {
  return pairs.map(([k, v]) => [k, scramMechanism(k) === undefined && isSecretConfig(k) ? MASK : v]);
}

/** A secret value and its user:password entries (sasl.users), so an error quoting one entry is masked too. */
export function secretParts(value: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  return [value, ...entries, ...entries.filter((e) => e.includes(':')).map((e) => e.slice(e.indexOf(':') + 1))];
}

// ------------------------------------------------------------------ --add-config parsing

/** Not inside [...]: what follows has no ']' before the next '[' or the end. */
const OUTSIDE_BRACKETS = '(?=[^\\]]*(?:\\[|$))';
const PAIR_SEPARATOR = new RegExp(`,${OUTSIDE_BRACKETS}`);
const KEY_VALUE_SEPARATOR = new RegExp(`\\s*=\\s*${OUTSIDE_BRACKETS}`);
const VALID_KEY = /^[a-zA-Z0-9._-]*$/;

/**
 * Kafka's --add-config syntax: `k1=v1,k2=[v1,v2],k3=v3`. Commas and '='
 * inside square brackets belong to the value; the brackets are dropped.
 * Returns the pairs in order (a later duplicate replaces the earlier value).
 */
export function parseAddConfig(text: string): Array<[string, string]> {
  const items = text.split(PAIR_SEPARATOR);
  while (items.length > 1 && items[items.length - 1] === '') items.pop();
  const pairs = items.map((item) => item.split(KEY_VALUE_SEPARATOR));
  if (!pairs.every((p) => p.length === 2)) {
    throw new UsageError(
      'Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.',
    );
  }
  return dedupe(pairs.map(([k, v]) => [k!.trim(), v!.replace(/[[\]]/g, '').trim()]));
}

function dedupe(pairs: Array<[string, string]>): Array<[string, string]> {
  return [...new Map(pairs)];
}

/** Kafka's validatePropsKey. */
export function checkConfigKeys(pairs: ReadonlyArray<[string, string]>): void {
  for (const [key] of pairs)
    if (!VALID_KEY.test(key)) throw new UsageError(`Invalid character found for config key: ${key}`);
}

/** --add-config-file: a Java properties file, values taken as they are. */
export async function readAddConfigFile(path: string): Promise<Array<[string, string]>> {
  const { readPropertiesFile } = await import('../connection/settings.js');
  const file = await readPropertiesFile(path);
  return Object.entries(file.properties);
}

/** --delete-config values: comma-separated, repeatable, trimmed. */
export function parseDeleteConfig(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) for (const name of v.split(',')) if (name.trim() !== '') out.push(name.trim());
  return out;
}

// ------------------------------------------------------------------ describe

export interface ConfigSynonymData {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntryData {
  name: string;
  /** null for sensitive values. */
  value: string | null;
  source: number;
  sensitive: boolean;
  readOnly: boolean;
  synonyms: ConfigSynonymData[];
}

export interface EntityConfigs {
  /** '' is the cluster-wide default entity (brokers). */
  entityName: string;
  /** Sorted by name; only the dynamic entries unless --all. */
  configs: ConfigEntryData[];
}

function resourceTypeOf(entityType: ResourceEntityType): number {
  return RESOURCE_TYPE[entityType];
}

/** The source of the entries that count as "dynamic" for an entity (null: every entry). */
function dynamicSource(entityType: ResourceEntityType, entityName: string): number | null {
  switch (entityType) {
    case 'topics':
      return SOURCE.DYNAMIC_TOPIC_CONFIG;
    case 'brokers':
      return entityName === '' ? SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG : SOURCE.DYNAMIC_BROKER_CONFIG;
    case 'broker-loggers':
      return null;
    case 'client-metrics':
      return SOURCE.DYNAMIC_CLIENT_METRICS_CONFIG;
    case 'groups':
      return SOURCE.DYNAMIC_GROUP_CONFIG;
  }
}

/** DescribeConfigs v0 has no source: Kafka's admin client infers one. */
function inferredSource(resourceType: number, isDefault: boolean): number {
  if (isDefault) return SOURCE.DEFAULT_CONFIG;
  if (resourceType === RESOURCE_TYPE.brokers) return SOURCE.STATIC_BROKER_CONFIG;
  if (resourceType === RESOURCE_TYPE.topics) return SOURCE.DYNAMIC_TOPIC_CONFIG;
  if (resourceType === RESOURCE_TYPE['broker-loggers']) return SOURCE.DYNAMIC_BROKER_LOGGER_CONFIG;
  return SOURCE.UNKNOWN;
}

/** Kafka's validation of an entity name before asking the cluster. */
function checkEntityName(entityType: ResourceEntityType, entityName: string): void {
  if (entityType === 'topics' && entityName !== '') {
    const problem = topicNameError(entityName);
    if (problem !== null) throw new AdminCommandError(problem, 'INVALID_TOPIC_EXCEPTION');
  }
  if (
    (entityType === 'brokers' || entityType === 'broker-loggers') &&
    entityName !== '' &&
    !/^[+-]?\d+$/.test(entityName)
  ) {
    throw new UsageError(`The entity name for ${entityType} must be a valid integer broker id, found: ${entityName}`);
  }
}

/** The broker a resource must be asked on: its own for per-broker resources. */
function nodeFor(entityType: ResourceEntityType, entityName: string): number | 'any' {
  return (entityType === 'brokers' || entityType === 'broker-loggers') && entityName !== ''
    ? Number(entityName)
    : 'any';
}

/** One DescribeConfigs; every entry, in the broker's order. */
async function describeResource(
  client: ClusterClient,
  entityType: ResourceEntityType,
  entityName: string,
  includeSynonyms: boolean,
): Promise<ConfigEntryData[]> {
  checkEntityName(entityType, entityName);
  const resourceType = resourceTypeOf(entityType);
  const response = await client.send(
    API.DESCRIBE_CONFIGS,
    {
      resources: [{ resourceType, resourceName: entityName, configurationKeys: null }],
      includeSynonyms,
      includeDocumentation: false,
    },
    { node: nodeFor(entityType, entityName) },
  );
  const result = (response.results as MessageBody[])[0];
  if (result === undefined) throw new AdminCommandError(`The broker did not describe ${entityType} ${entityName}`);
  if (result.errorCode !== ErrorCode.NONE) throw responseError(result.errorCode, result.errorMessage);
  // A broker that does not flag a secret as sensitive still never gets it printed.
  const shown = (name: string, value: string | null | undefined): string | null =>
    value != null && isSecretConfig(name) ? MASK : (value ?? null);
  return (result.configs as MessageBody[]).map((c) => ({
    name: c.name,
    value: shown(c.name, c.value),
    source:
      typeof c.configSource === 'number' && c.configSource >= 0
        ? c.configSource
        : inferredSource(resourceType, c.isDefault === true),
    sensitive: c.isSensitive === true,
    readOnly: c.readOnly === true,
    synonyms: ((c.synonyms as MessageBody[] | undefined) ?? []).map((s) => ({
      name: s.name,
      value: shown(s.name, s.value),
      source: s.source,
    })),
  }));
}

/** Kafka's getResourceConfig: the entity's entries, dynamic ones only unless `all`, sorted by name. */
export async function resourceConfig(
  client: ClusterClient,
  entityType: ResourceEntityType,
  entityName: string,
  options: { includeSynonyms: boolean; all: boolean },
): Promise<ConfigEntryData[]> {
  const entries = await describeResource(client, entityType, entityName, options.includeSynonyms);
  const source = options.all ? null : dynamicSource(entityType, entityName);
  return entries
    .filter((e) => source === null || e.source === source)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The entities described when no --entity-name is given, in Kafka's order. */
async function allEntities(client: ClusterClient, entityType: ResourceEntityType): Promise<string[]> {
  switch (entityType) {
    case 'topics': {
      const md = await client.refreshMetadata(null);
      const names = [...md.topics.values()].filter((t) => t.errorCode === ErrorCode.NONE).map((t) => t.name);
      return javaHashMapOrder(names, (n) => n);
    }
    case 'brokers':
    case 'broker-loggers': {
      const desc = await describeCluster(client);
      return [...desc.brokers.map((b) => String(b.id)), ''];
    }
    case 'groups': {
      if (!client.supports(API.LIST_GROUPS)) throw unsupportedApiError(API.LIST_GROUPS, 'list the groups');
      const md = await client.refreshMetadata([]);
      const ids: string[] = [];
      for (const id of md.brokers.keys()) {
        const body = await client.send(API.LIST_GROUPS, { statesFilter: [], typesFilter: [] }, { node: id });
        if (body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode, null);
        for (const g of body.groups as MessageBody[]) if (!ids.includes(g.groupId)) ids.push(g.groupId);
      }
      return ids;
    }
    case 'client-metrics':
      if (!client.supports(API.LIST_CLIENT_METRICS_RESOURCES))
        throw unsupportedApiError(API.LIST_CLIENT_METRICS_RESOURCES, 'list the client metrics resources');
      throw new UsageError('ktool cannot list client metrics resources yet; give --entity-name', 'UNSUPPORTED');
  }
}

/** Kafka's describeResourceConfig: the named entity, or every entity of the type. */
export async function describeConfigs(
  client: ClusterClient,
  entityType: ResourceEntityType,
  entityName: string | undefined,
  all: boolean,
): Promise<EntityConfigs[]> {
  const names = entityName !== undefined ? [entityName] : await allEntities(client, entityType);
  const out: EntityConfigs[] = [];
  for (const name of names)
    out.push({
      entityName: name,
      configs: await resourceConfig(client, entityType, name, { includeSynonyms: true, all }),
    });
  return out;
}

// ------------------------------------------------------------------ users (SCRAM) and quotas

/** The error for client quota configs, which need APIs ktool does not implement. */
export function clientQuotasError(client: ClusterClient, alter: boolean): UsageError {
  const apiKey = alter ? API.ALTER_CLIENT_QUOTAS : API.DESCRIBE_CLIENT_QUOTAS;
  const what = alter ? 'alter client quotas' : 'describe client quotas';
  if (!client.supports(apiKey)) return unsupportedApiError(apiKey, what);
  const name = alter ? 'AlterClientQuotas' : 'DescribeClientQuotas';
  return new UsageError(
    `ktool does not implement the ${name} API (key ${apiKey}) yet, needed to ${what}.`,
    'UNSUPPORTED',
  );
}

export interface UserScramData {
  user: string;
  /** In the broker's order; empty when `error` is set. */
  credentials: Array<{ mechanism: string; iterations: number }>;
  /** Java's text of the per-user failure (Kafka prints it), or null. */
  error: string | null;
}

/**
 * DescribeUserScramCredentials for the named users (all users when none).
 * Like Kafka's admin client, users without credentials are left out.
 */
export async function describeUserScram(client: ClusterClient, users: readonly string[]): Promise<UserScramData[]> {
  if (!client.supports(API.DESCRIBE_USER_SCRAM_CREDENTIALS))
    throw unsupportedApiError(API.DESCRIBE_USER_SCRAM_CREDENTIALS, 'describe SCRAM credentials');
  const body = await client.send(API.DESCRIBE_USER_SCRAM_CREDENTIALS, {
    users: users.length === 0 ? null : users.map((name) => ({ name })),
  });
  if (body.errorCode !== ErrorCode.NONE) throw responseError(body.errorCode, body.errorMessage);
  return (body.results as MessageBody[])
    .filter((r) => r.errorCode !== ErrorCode.RESOURCE_NOT_FOUND)
    .map((r) => ({
      user: r.user,
      credentials:
        r.errorCode === ErrorCode.NONE
          ? (r.credentialInfos as MessageBody[]).map((c) => ({
              mechanism: scramMechanismName(c.mechanism),
              iterations: c.iterations,
            }))
          : [],
      error:
        r.errorCode === ErrorCode.NONE ? null : `ExecutionException: ${javaExceptionText(r.errorCode, r.errorMessage)}`,
    }));
}

export interface ScramUpsert {
  mechanism: ScramMechanismInfo;
  iterations: number;
  password: string;
}

/** Kafka's `[iterations=N,]password=P` credential value (brackets already removed). */
export function parseScramCredential(mechanism: ScramMechanismInfo, value: string): ScramUpsert {
  const m = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/.exec(value);
  const iterationsText = m?.[1];
  if (m === null || iterationsText === '') {
    // Kafka echoes the value, which holds the password: ktool masks it.
    throw new UsageError(`Invalid credential property ${mechanism.name}=${MASK}`);
  }
  const iterations =
    iterationsText === undefined || iterationsText === '-1' ? SCRAM_DEFAULT_ITERATIONS : Number(iterationsText);
  if (iterations < SCRAM_MIN_ITERATIONS) {
    throw new UsageError(
      `Iterations ${iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS} required for ${mechanism.name}`,
    );
  }
  return { mechanism, iterations, password: m[2]! };
}

/** Kafka's ScramFormatter.secureRandomBytes: a 130-bit random number in base 36, as bytes. */
export function scramSalt(): Buffer {
  const n = BigInt(`0x${randomBytes(17).toString('hex')}`) & ((1n << 130n) - 1n);
  return Buffer.from(n.toString(36), 'ascii');
}

/** ScramFormatter.hi: PBKDF2 with the mechanism's HMAC, one block. */
export function saltedPassword(upsert: ScramUpsert, salt: Buffer): Buffer {
  return scramSaltedPassword(upsert.mechanism, upsert.password, salt, upsert.iterations);
}

export async function alterUserScram(
  client: ClusterClient,
  user: string,
  upserts: readonly ScramUpsert[],
  deletions: readonly ScramMechanismInfo[],
): Promise<void> {
  if (!client.supports(API.ALTER_USER_SCRAM_CREDENTIALS))
    throw unsupportedApiError(API.ALTER_USER_SCRAM_CREDENTIALS, 'alter SCRAM credentials');
  const body = await client.send(API.ALTER_USER_SCRAM_CREDENTIALS, {
    deletions: deletions.map((m) => ({ name: user, mechanism: m.code })),
    upsertions: upserts.map((u) => {
      const salt = scramSalt();
      return {
        name: user,
        mechanism: u.mechanism.code,
        iterations: u.iterations,
        salt,
        saltedPassword: saltedPassword(u, salt),
      };
    }),
  });
  for (const r of body.results as MessageBody[])
    if (r.errorCode !== ErrorCode.NONE) throw responseError(r.errorCode, r.errorMessage);
}

// ------------------------------------------------------------------ alter

const SET = 0;
const DELETE = 1;

/** Kafka's alterResourceConfig / broker-logger alter: incremental and atomic per resource. */
export async function alterResourceConfigs(
  client: ClusterClient,
  entityType: ResourceEntityType,
  entityName: string,
  add: ReadonlyArray<[string, string]>,
  deletions: readonly string[],
): Promise<void> {
  if (entityType === 'broker-loggers') {
    const valid = new Set(
      (await resourceConfig(client, entityType, entityName, { includeSynonyms: true, all: false })).map((e) => e.name),
    );
    const invalid = [...deletions.filter((d) => !valid.has(d)), ...add.map(([k]) => k).filter((k) => !valid.has(k))];
    if (invalid.length > 0) throw new UsageError(`Invalid broker logger(s): ${invalid.join(',')}`, 'INVALID_CONFIG');
  } else {
    const current = new Set(
      (await resourceConfig(client, entityType, entityName, { includeSynonyms: false, all: false })).map((e) => e.name),
    );
    const invalid = deletions.filter((d) => !current.has(d));
    if (invalid.length > 0) throw new UsageError(`Invalid config(s): ${invalid.join(',')}`, 'INVALID_CONFIG');
  }
  const configs = [
    ...deletions.map((name) => ({ name, configOperation: DELETE, value: '' })),
    ...add.map(([name, value]) => ({ name, configOperation: SET, value })),
  ];
  let body: MessageBody;
  try {
    body = await client.send(
      API.INCREMENTAL_ALTER_CONFIGS,
      {
        resources: [{ resourceType: resourceTypeOf(entityType), resourceName: entityName, configs }],
        validateOnly: false,
      },
      { node: nodeFor(entityType, entityName) },
    );
  } catch (error) {
    if (error instanceof KafkaError && error.errorName === 'UNSUPPORTED_VERSION' && entityType !== 'broker-loggers') {
      throw new UsageError(
        'The INCREMENTAL_ALTER_CONFIGS API is not supported by the cluster. The API is supported starting from version 2.3.0. You may want to use an older version of this tool to interact with your cluster, or upgrade your brokers to version 2.3.0 or newer to avoid this error.',
        'UNSUPPORTED_VERSION',
      );
    }
    throw error;
  }
  for (const r of body.responses as MessageBody[])
    if (r.errorCode !== ErrorCode.NONE) throw responseError(r.errorCode, r.errorMessage);
}

/** Names that are client or user quota configs. */
export function isClientQuotaConfig(name: string): boolean {
  return CLIENT_QUOTA_CONFIGS.has(name);
}

export function isIpQuotaConfig(name: string): boolean {
  return IP_QUOTA_CONFIGS.has(name);
}
