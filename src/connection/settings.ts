/**
 * Where a command connects and how: bootstrap servers, client id, timeouts,
 * TLS and SASL, resolved from (in this order) the --bootstrap-server flag,
 * $KAFKA_BOOTSTRAP_SERVERS, bootstrap.servers in the --command-config file,
 * a profile (--profile NAME, or the current profile), and finally the
 * default localhost:9092 -- the only case that may start the embedded dev
 * broker.
 *
 * Client properties (security, timeouts) come from the profile, overridden
 * by the --command-config file, overridden by properties given on the
 * command line. The *current* profile is only used when no bootstrap server
 * was given by flag, environment or file: its credentials are never sent to
 * a server it does not describe. An explicit --profile always applies.
 *
 * This module holds the precedence only; properties files, the key tables,
 * and the TLS and SASL mappings each have their own module.
 */
import { parseHostPort } from '../client/errors.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_CONNECT_TIMEOUT_MS } from '../client/broker-connection.js';
import { CONNECTION_KEYS, IGNORED_JAVA_KEYS } from './config-keys.js';
import { readPropertiesFile, warnUnknown, type PropertiesFile } from './properties-file.js';
import { invalidValue, settingsError, where, type Origins } from './property-origin.js';
import { registerSecret, registerSecretProperties } from './redact.js';
import { saslFromProperties, type SaslSettings } from './sasl-settings.js';
import type { TlsSettings } from '../client/tls-settings.js';
import { sslFromProperties } from './ssl-settings.js';

// Callers import these from here; their homes are the modules named.
export { CONNECTION_KEYS, IGNORED_JAVA_KEYS } from './config-keys.js';
export { lineOfKey, printable, readPropertiesFile, type PropertiesFile } from './properties-file.js';
export { SASL_MECHANISMS, type SaslSettings } from './sasl-settings.js';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';
export const DEFAULT_CLIENT_ID = 'ktool';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export type BootstrapSource = 'flag' | 'env' | 'config' | 'profile' | 'default';

export interface ConnectionSettings {
  bootstrapServers: string[];
  bootstrapSource: BootstrapSource;
  clientId: string;
  requestTimeoutMs: number;
  /** TCP + TLS + ApiVersions budget: socket.connection.setup.timeout.ms, else min(5000, request timeout). */
  connectTimeoutMs: number;
  securityProtocol: SecurityProtocol;
  sasl: SaslSettings | null;
  ssl: TlsSettings | null;
  /** Every client property in effect (profile < file < command line). Holds secrets: never print it unmasked. */
  properties: Record<string, string>;
  /** The --command-config file, if any. */
  commandConfig?: string;
  /** The profile whose settings were applied, if any. */
  profile?: string;
  /** True when this resolution started the embedded dev broker. */
  startedEmbedded: boolean;
}

export interface SettingsInput {
  /** --bootstrap-server */
  bootstrapServer?: string;
  /** --command-config */
  commandConfig?: string;
  /** --profile */
  profile?: string;
  /** Properties given on the command line (e.g. --producer-property), applied last. */
  properties?: Record<string, string>;
  /** Where those came from, for messages (default "the command line"). */
  propertiesOrigin?: string;
  env?: Record<string, string | undefined>;
  /** Property names the calling command understands besides the connection ones. */
  knownKeys?: Iterable<string>;
  /** One line per warning (default: stderr). */
  warn?: (line: string) => void;
  /** Options for ensureEmbeddedBroker (tests). */
  embedded?: import('./embedded.js').EnsureEmbeddedOptions;
}

function warnDefault(line: string): void {
  process.stderr.write(`${line}\n`);
}

function splitServers(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function intProperty(props: Record<string, string>, key: string, origins: Origins, min: number): number | undefined {
  const raw = props[key];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidValue(key, raw, origins.get(key), 'Not a number of type INT');
  }
  const n = Number(text);
  if (n < min) throw invalidValue(key, raw, origins.get(key), `Value must be at least ${min}`);
  return n;
}

/** The connection settings for a command (see the module comment for the precedence). */
export async function resolveSettings(input: SettingsInput = {}): Promise<ConnectionSettings> {
  const env = input.env ?? process.env;
  const warn = input.warn ?? warnDefault;
  const known = new Set<string>([...CONNECTION_KEYS, ...IGNORED_JAVA_KEYS, ...(input.knownKeys ?? [])]);
  const origins: Origins = new Map();

  // The --command-config file.
  let file: PropertiesFile | undefined;
  if (input.commandConfig !== undefined) {
    file = await readPropertiesFile(input.commandConfig);
    warnUnknown(Object.keys(file.properties), known, `in ${input.commandConfig}`, warn);
  }

  const flagServers = splitServers(input.bootstrapServer);
  const envServers = splitServers(env.KAFKA_BOOTSTRAP_SERVERS);
  const fileServers = splitServers(file?.properties['bootstrap.servers']);

  // Profiles: an explicit one always applies; the current one only when nothing else names a server.
  let profileName: string | undefined;
  let profile: import('./profiles.js').Profile | undefined;
  if (input.profile !== undefined) {
    const { getProfile } = await import('./profiles.js');
    profile = await getProfile(input.profile, env);
    profileName = input.profile;
  } else if (flagServers.length === 0 && envServers.length === 0 && fileServers.length === 0) {
    const { currentProfile } = await import('./profiles.js');
    const current = await currentProfile(env);
    if (current !== undefined) {
      profileName = current.name;
      profile = current.profile;
    }
  }

  const props: Record<string, string> = {};
  if (profile !== undefined) {
    for (const [key, value] of Object.entries(profile.properties)) {
      props[key] = value;
      origins.set(key, { source: `profile ${profileName}` });
    }
  }
  if (file !== undefined) {
    for (const [key, value] of Object.entries(file.properties)) {
      props[key] = value;
      origins.set(key, { source: file.path, line: file.lines[key] });
    }
  }
  const cliOrigin = input.propertiesOrigin ?? 'the command line';
  warnUnknown(Object.keys(input.properties ?? {}), known, `given on ${cliOrigin}`, warn);
  for (const [key, value] of Object.entries(input.properties ?? {})) {
    props[key] = value;
    origins.set(key, { source: cliOrigin });
  }
  registerSecretProperties(props);

  // Bootstrap servers, by precedence.
  const profileServers = splitServers(profile?.bootstrapServers ?? profile?.properties['bootstrap.servers']);
  let bootstrapServers: string[];
  let bootstrapSource: BootstrapSource;
  if (flagServers.length > 0) [bootstrapServers, bootstrapSource] = [flagServers, 'flag'];
  else if (envServers.length > 0) [bootstrapServers, bootstrapSource] = [envServers, 'env'];
  else if (fileServers.length > 0) [bootstrapServers, bootstrapSource] = [fileServers, 'config'];
  else if (profileServers.length > 0) [bootstrapServers, bootstrapSource] = [profileServers, 'profile'];
  else [bootstrapServers, bootstrapSource] = [[DEFAULT_BOOTSTRAP], 'default'];
  for (const server of bootstrapServers) {
    try {
      parseHostPort(server);
    } catch (error) {
      const origin =
        bootstrapSource === 'flag'
          ? ' (--bootstrap-server)'
          : bootstrapSource === 'env'
            ? ' ($KAFKA_BOOTSTRAP_SERVERS)'
            : bootstrapSource === 'config'
              ? where(origins.get('bootstrap.servers'))
              : '';
      throw settingsError(`${(error as Error).message}${origin}: expected host:port`);
    }
  }

  // Security.
  const rawProtocol = props['security.protocol'];
  let securityProtocol: SecurityProtocol = 'PLAINTEXT';
  if (rawProtocol !== undefined) {
    const upper = rawProtocol.trim().toUpperCase() as SecurityProtocol;
    if (!SECURITY_PROTOCOLS.includes(upper)) {
      throw invalidValue(
        'security.protocol',
        rawProtocol,
        origins.get('security.protocol'),
        `String must be one of: ${SECURITY_PROTOCOLS.join(', ')}`,
      );
    }
    securityProtocol = upper;
  }
  const useTls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
  const useSasl = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL';
  const ssl = useTls ? await sslFromProperties(props, origins) : null;
  const sasl = useSasl ? await saslFromProperties(props, origins) : null;
  if (!useSasl && props['sasl.jaas.config'] !== undefined) registerSecret(props['sasl.jaas.config']);

  const requestTimeoutMs = intProperty(props, 'request.timeout.ms', origins, 0) ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const setupTimeout = intProperty(props, 'socket.connection.setup.timeout.ms', origins, 0);
  const connectTimeoutMs = setupTimeout ?? Math.min(MAX_CONNECT_TIMEOUT_MS, Math.max(1, requestTimeoutMs));
  const clientId = props['client.id']?.trim() || DEFAULT_CLIENT_ID;

  // Only the default may start the embedded broker.
  let startedEmbedded = false;
  if (bootstrapSource === 'default') {
    const { ensureEmbeddedBroker } = await import('./embedded.js');
    const embedded = await ensureEmbeddedBroker(input.embedded);
    bootstrapServers = [embedded.address];
    startedEmbedded = embedded.started;
  }

  return {
    bootstrapServers,
    bootstrapSource,
    clientId,
    requestTimeoutMs,
    connectTimeoutMs,
    securityProtocol,
    sasl,
    ssl,
    properties: props,
    commandConfig: input.commandConfig,
    profile: profileName,
    startedEmbedded,
  };
}
