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
 */
import { readFile } from 'node:fs/promises'
import { resolve as resolvePath } from 'node:path'
import { parseHostPort } from '../client/errors.js'
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_CONNECT_TIMEOUT_MS } from '../client/broker-connection.js'
import type { SaslMechanismName } from '../client/sasl.js'
import { KtoolError } from '../errors.js'
import { isSecretKey, registerSecret, registerSecretProperties } from './redact.js'

export const DEFAULT_BOOTSTRAP = 'localhost:9092'
export const DEFAULT_CLIENT_ID = 'ktool'

/** The SASL mechanisms ktool implements (kept here so settings need not load the SASL code). */
export const SASL_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']

export type BootstrapSource = 'flag' | 'env' | 'config' | 'profile' | 'default'

export interface SaslSettings {
  mechanism: SaslMechanismName
  username: string
  password: string
}

export interface SslSettings {
  /** Trusted CA certificates (PEM text); Node's default roots when absent. */
  ca?: string
  /** Client certificate chain (PEM) for mutual TLS. */
  cert?: string
  /** Client private key (PEM). */
  key?: string
  /** Passphrase of an encrypted client key. */
  keyPassword?: string
  /** Verify the server certificate names the host (false when ssl.endpoint.identification.algorithm is empty). */
  verifyHostname: boolean
}

export interface ConnectionSettings {
  bootstrapServers: string[]
  bootstrapSource: BootstrapSource
  clientId: string
  requestTimeoutMs: number
  /** TCP + TLS + ApiVersions budget: socket.connection.setup.timeout.ms, else min(5000, request timeout). */
  connectTimeoutMs: number
  securityProtocol: SecurityProtocol
  sasl: SaslSettings | null
  ssl: SslSettings | null
  /** Every client property in effect (profile < file < command line). Holds secrets: never print it unmasked. */
  properties: Record<string, string>
  /** The --command-config file, if any. */
  commandConfig?: string
  /** The profile whose settings were applied, if any. */
  profile?: string
  /** True when this resolution started the embedded dev broker. */
  startedEmbedded: boolean
}

export interface SettingsInput {
  /** --bootstrap-server */
  bootstrapServer?: string
  /** --command-config */
  commandConfig?: string
  /** --profile */
  profile?: string
  /** Properties given on the command line (e.g. --producer-property), applied last. */
  properties?: Record<string, string>
  /** Where those came from, for messages (default "the command line"). */
  propertiesOrigin?: string
  env?: Record<string, string | undefined>
  /** Property names the calling command understands besides the connection ones. */
  knownKeys?: Iterable<string>
  /** One line per warning (default: stderr). */
  warn?: (line: string) => void
  /** Options for ensureEmbeddedBroker (tests). */
  embedded?: import('./embedded.js').EnsureEmbeddedOptions
}

/** Properties the connection layer reads. */
export const CONNECTION_KEYS: ReadonlySet<string> = new Set([
  'bootstrap.servers',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.ca.location',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
])

/**
 * Common Java client settings that are harmless to leave in a properties
 * file (tuning, serializers, consumer/producer knobs). ktool accepts them
 * without a warning; a command that honours one lists it in knownKeys.
 */
export const IGNORED_JAVA_KEYS: ReadonlySet<string> = new Set([
  // producer
  'acks', 'linger.ms', 'batch.size', 'buffer.memory', 'compression.type', 'compression.gzip.level',
  'compression.lz4.level', 'compression.zstd.level', 'retries', 'delivery.timeout.ms', 'max.block.ms',
  'max.in.flight.requests.per.connection', 'enable.idempotence', 'max.request.size', 'partitioner.class',
  'partitioner.ignore.keys', 'partitioner.adaptive.partitioning.enable', 'partitioner.availability.timeout.ms',
  'transactional.id', 'transaction.timeout.ms', 'key.serializer', 'value.serializer',
  // consumer
  'group.id', 'group.instance.id', 'group.protocol', 'group.remote.assignor', 'auto.offset.reset',
  'enable.auto.commit', 'auto.commit.interval.ms', 'session.timeout.ms', 'heartbeat.interval.ms',
  'max.poll.records', 'max.poll.interval.ms', 'fetch.min.bytes', 'fetch.max.bytes', 'fetch.max.wait.ms',
  'max.partition.fetch.bytes', 'isolation.level', 'key.deserializer', 'value.deserializer',
  'partition.assignment.strategy', 'check.crcs', 'exclude.internal.topics', 'allow.auto.create.topics',
  'client.rack', 'interceptor.classes',
  // common client tuning
  'retry.backoff.ms', 'retry.backoff.max.ms', 'reconnect.backoff.ms', 'reconnect.backoff.max.ms',
  'socket.connection.setup.timeout.max.ms', 'connections.max.idle.ms', 'metadata.max.age.ms',
  'metadata.max.idle.ms', 'default.api.timeout.ms', 'receive.buffer.bytes', 'send.buffer.bytes',
  'client.dns.lookup', 'metric.reporters', 'metrics.num.samples', 'metrics.sample.window.ms',
  'metrics.recording.level', 'auto.include.jmx.reporter', 'enable.metrics.push', 'security.providers',
  // TLS/SASL knobs with no ktool equivalent (the JVM's choices do not apply)
  'ssl.protocol', 'ssl.enabled.protocols', 'ssl.cipher.suites', 'ssl.provider', 'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm', 'ssl.secure.random.implementation', 'ssl.engine.factory.class',
  'ssl.keystore.password', 'ssl.truststore.password', 'sasl.kerberos.service.name',
  'sasl.client.callback.handler.class', 'sasl.login.callback.handler.class', 'sasl.login.class',
  'sasl.login.refresh.window.factor', 'sasl.login.refresh.window.jitter', 'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds', 'sasl.login.connect.timeout.ms', 'sasl.login.read.timeout.ms',
  'sasl.login.retry.backoff.ms', 'sasl.login.retry.backoff.max.ms',
  // Confluent schema registry clients (console-producer/-consumer's schema formats read these)
  'schema.registry.url', 'basic.auth.credentials.source', 'basic.auth.user.info', 'schema.registry.basic.auth.user.info',
  'auto.register.schemas', 'use.latest.version', 'key.subject.name.strategy', 'value.subject.name.strategy',
])

/** Where a property came from, for messages. */
interface Origin {
  source: string
  line?: number
}

function warnDefault(line: string): void {
  process.stderr.write(`${line}\n`)
}

const UNKNOWN_NAMES_SHOWN = 5

/**
 * One line for all unknown keys, however many: a file of 20,000 stray keys must not
 * bury the output. Key names come from a file and are escaped, so a binary file
 * cannot send terminal control sequences.
 */
function warnUnknown(keys: string[], known: Set<string>, where: string, warn: (line: string) => void): void {
  const unknown = keys.filter((key) => !known.has(key))
  if (unknown.length === 0) return
  const shown = unknown.slice(0, UNKNOWN_NAMES_SHOWN).map((key) => `'${printable(key)}'`)
  if (unknown.length === 1) {
    warn(`Warning: unknown property ${shown[0]} ${where} is ignored`)
    return
  }
  const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : ''
  warn(`Warning: ${unknown.length} unknown properties ${where} are ignored: ${shown.join(', ')}${more}`)
}

/** Control characters shown as escapes (\x1b), so they cannot drive a terminal. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\\]/g, (c) => {
    if (c === '\\') return '\\\\'
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

function settingsError(message: string, code = 'INVALID_CONFIG'): KtoolError {
  return new KtoolError(message, { code })
}

function splitServers(value: string | undefined): string[] {
  if (value === undefined) return []
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** The first line of a properties text that sets `key` (for messages). */
export function lineOfKey(text: string, key: string): number | undefined {
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/^[ \t\f]+/, '')
    if (l.startsWith(key) && /^[ \t\f=:]|^$/.test(l.slice(key.length))) return i + 1
  }
  return undefined
}

export interface PropertiesFile {
  path: string
  properties: Record<string, string>
  /** 1-based line of each key's first definition. */
  lines: Record<string, number>
}

/** Read and parse a Java properties file; errors name the file (and line). */
export async function readPropertiesFile(path: string): Promise<PropertiesFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message
    throw settingsError(`Cannot read properties file ${path}: ${why}`)
  }
  const { parsePropertiesWithLines } = await import('../broker/config/properties.js')
  let properties: Record<string, string>
  let lines: Record<string, number>
  try {
    ;({ properties, lines } = parsePropertiesWithLines(text))
  } catch (error) {
    const line = (error as { line?: number }).line
    const detail = (error as Error).message.replace(/^line \d+: /, '')
    throw settingsError(`Invalid properties file ${path}${line === undefined ? '' : ` (line ${line})`}: ${detail}`)
  }
  return { path, properties, lines }
}

function where(origin: Origin | undefined): string {
  if (origin === undefined) return ''
  return origin.line === undefined ? ` in ${origin.source}` : ` in ${origin.source} (line ${origin.line})`
}

function invalidValue(key: string, value: string, origin: Origin | undefined, why: string): KtoolError {
  const shown = isSecretKey(key) ? '(hidden)' : value
  return settingsError(`Invalid value ${shown} for configuration ${key}${where(origin)}: ${why}`)
}

async function readPem(path: string, key: string, origin: Origin | undefined): Promise<string> {
  const full = path
  let text: string
  try {
    text = await readFile(full, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message
    throw settingsError(`Cannot read ${key} file ${path}${where(origin)}: ${why}`)
  }
  if (!text.includes('-----BEGIN ')) {
    throw settingsError(`${key} file ${path}${where(origin)} is not PEM; ktool reads PEM certificates and keys only (convert JKS/PKCS12 with keytool/openssl)`)
  }
  return text
}

function pemBlocks(text: string, kind: 'key' | 'cert'): string {
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? []
  const wanted = blocks.filter((b) => (kind === 'key' ? /PRIVATE KEY-----/.test(b.split('\n')[0]!) : /CERTIFICATE-----/.test(b.split('\n')[0]!)))
  return wanted.join('\n')
}

/** Build the TLS settings from ssl.* properties. */
async function sslFromProperties(props: Record<string, string>, origins: Map<string, Origin>): Promise<SslSettings> {
  const o = (k: string) => origins.get(k)
  const ssl: SslSettings = { verifyHostname: true }

  const algorithm = props['ssl.endpoint.identification.algorithm']
  if (algorithm !== undefined) {
    const a = algorithm.trim().toLowerCase()
    if (a === '') ssl.verifyHostname = false
    else if (a !== 'https') throw invalidValue('ssl.endpoint.identification.algorithm', algorithm, o('ssl.endpoint.identification.algorithm'), 'only "https" or an empty value (no hostname check) is supported')
  }

  // Trust: ssl.ca.location (librdkafka style), ssl.truststore.location with type PEM, or inline certificates.
  const cas: string[] = []
  if (props['ssl.ca.location'] !== undefined) cas.push(await readPem(props['ssl.ca.location'], 'ssl.ca.location', o('ssl.ca.location')))
  const truststoreType = props['ssl.truststore.type']?.trim().toUpperCase()
  if (truststoreType !== undefined && truststoreType !== 'PEM') {
    throw invalidValue('ssl.truststore.type', props['ssl.truststore.type']!, o('ssl.truststore.type'), 'ktool supports PEM trust stores only (ssl.truststore.type=PEM)')
  }
  if (props['ssl.truststore.location'] !== undefined) {
    cas.push(await readPem(props['ssl.truststore.location'], 'ssl.truststore.location', o('ssl.truststore.location')))
  }
  if (props['ssl.truststore.certificates'] !== undefined) cas.push(props['ssl.truststore.certificates'])
  if (cas.length > 0) ssl.ca = cas.join('\n')

  // Client certificate: a PEM keystore (key + chain in one file), inline PEM, or separate files.
  const keystoreType = props['ssl.keystore.type']?.trim().toUpperCase()
  if (keystoreType !== undefined && keystoreType !== 'PEM') {
    throw invalidValue('ssl.keystore.type', props['ssl.keystore.type']!, o('ssl.keystore.type'), 'ktool supports PEM key stores only (ssl.keystore.type=PEM)')
  }
  if (props['ssl.keystore.location'] !== undefined) {
    const text = await readPem(props['ssl.keystore.location'], 'ssl.keystore.location', o('ssl.keystore.location'))
    ssl.key = pemBlocks(text, 'key') || undefined
    ssl.cert = pemBlocks(text, 'cert') || undefined
    if (ssl.key === undefined || ssl.cert === undefined) {
      throw settingsError(`ssl.keystore.location file ${props['ssl.keystore.location']}${where(o('ssl.keystore.location'))} must hold a private key and a certificate (PEM)`)
    }
  }
  if (props['ssl.keystore.key'] !== undefined) ssl.key = props['ssl.keystore.key']
  if (props['ssl.keystore.certificate.chain'] !== undefined) ssl.cert = props['ssl.keystore.certificate.chain']
  if (props['ssl.certificate.location'] !== undefined) {
    ssl.cert = await readPem(props['ssl.certificate.location'], 'ssl.certificate.location', o('ssl.certificate.location'))
  }
  if (props['ssl.key.location'] !== undefined) {
    ssl.key = await readPem(props['ssl.key.location'], 'ssl.key.location', o('ssl.key.location'))
  }
  if ((ssl.key === undefined) !== (ssl.cert === undefined)) {
    throw settingsError('A client certificate needs both a certificate and a private key (ssl.certificate.location + ssl.key.location, or ssl.keystore.location with ssl.keystore.type=PEM)')
  }
  if (props['ssl.key.password'] !== undefined) {
    ssl.keyPassword = props['ssl.key.password']
    registerSecret(ssl.keyPassword)
  }
  if (ssl.key !== undefined) registerSecret(ssl.key)
  return ssl
}

async function saslFromProperties(props: Record<string, string>, origins: Map<string, Origin>): Promise<SaslSettings> {
  const { JaasError, impliedMechanism, parseJaasConfig } = await import('./jaas.js')
  const jaas = props['sasl.jaas.config']
  const jaasOrigin = origins.get('sasl.jaas.config')
  if (jaas === undefined || jaas.trim() === '') {
    throw settingsError(`SASL needs credentials: set sasl.jaas.config (e.g. ${'org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";'})`)
  }
  registerSecret(jaas)
  let parsed
  try {
    parsed = parseJaasConfig(jaas)
  } catch (error) {
    const detail = error instanceof JaasError ? error.message : 'cannot parse it'
    throw settingsError(`Invalid sasl.jaas.config${where(jaasOrigin)}: ${detail}`)
  }
  const username = parsed.options.username
  const password = parsed.options.password
  if (password !== undefined) registerSecret(password)
  if (username === undefined || password === undefined) {
    throw settingsError(`Invalid sasl.jaas.config${where(jaasOrigin)}: it must set username and password`)
  }
  const rawMechanism = props['sasl.mechanism']?.trim()
  let mechanism: SaslMechanismName | undefined
  if (rawMechanism === undefined || rawMechanism === '') {
    mechanism = impliedMechanism(parsed.loginModule)
    if (mechanism === undefined) {
      throw settingsError(`sasl.mechanism is not set; ktool supports ${SASL_MECHANISMS.join(', ')}`)
    }
  } else {
    const upper = rawMechanism.toUpperCase() as SaslMechanismName
    if (!SASL_MECHANISMS.includes(upper)) {
      throw invalidValue('sasl.mechanism', rawMechanism, origins.get('sasl.mechanism'), `ktool supports ${SASL_MECHANISMS.join(', ')}`)
    }
    mechanism = upper
  }
  return { mechanism, username, password }
}

function intProperty(props: Record<string, string>, key: string, origins: Map<string, Origin>, min: number): number | undefined {
  const raw = props[key]
  if (raw === undefined) return undefined
  const text = raw.trim()
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidValue(key, raw, origins.get(key), 'Not a number of type INT')
  }
  const n = Number(text)
  if (n < min) throw invalidValue(key, raw, origins.get(key), `Value must be at least ${min}`)
  return n
}

/** The connection settings for a command (see the module comment for the precedence). */
export async function resolveSettings(input: SettingsInput = {}): Promise<ConnectionSettings> {
  const env = input.env ?? process.env
  const warn = input.warn ?? warnDefault
  const known = new Set<string>([...CONNECTION_KEYS, ...IGNORED_JAVA_KEYS, ...(input.knownKeys ?? [])])
  const origins = new Map<string, Origin>()

  // The --command-config file.
  let file: PropertiesFile | undefined
  if (input.commandConfig !== undefined) {
    file = await readPropertiesFile(input.commandConfig)
    warnUnknown(Object.keys(file.properties), known, `in ${input.commandConfig}`, warn)
  }

  const flagServers = splitServers(input.bootstrapServer)
  const envServers = splitServers(env.KAFKA_BOOTSTRAP_SERVERS)
  const fileServers = splitServers(file?.properties['bootstrap.servers'])

  // Profiles: an explicit one always applies; the current one only when nothing else names a server.
  let profileName: string | undefined
  let profile: import('./profiles.js').Profile | undefined
  if (input.profile !== undefined) {
    const { getProfile } = await import('./profiles.js')
    profile = await getProfile(input.profile, env)
    profileName = input.profile
  } else if (flagServers.length === 0 && envServers.length === 0 && fileServers.length === 0) {
    const { currentProfile } = await import('./profiles.js')
    const current = await currentProfile(env)
    if (current !== undefined) {
      profileName = current.name
      profile = current.profile
    }
  }

  const props: Record<string, string> = {}
  if (profile !== undefined) {
    for (const [key, value] of Object.entries(profile.properties)) {
      props[key] = value
      origins.set(key, { source: `profile ${profileName}` })
    }
  }
  if (file !== undefined) {
    for (const [key, value] of Object.entries(file.properties)) {
      props[key] = value
      origins.set(key, { source: file.path, line: file.lines[key] })
    }
  }
  const cliOrigin = input.propertiesOrigin ?? 'the command line'
  warnUnknown(Object.keys(input.properties ?? {}), known, `given on ${cliOrigin}`, warn)
  for (const [key, value] of Object.entries(input.properties ?? {})) {
    props[key] = value
    origins.set(key, { source: cliOrigin })
  }
  registerSecretProperties(props)

  // Bootstrap servers, by precedence.
  const profileServers = splitServers(profile?.bootstrapServers ?? profile?.properties['bootstrap.servers'])
  let bootstrapServers: string[]
  let bootstrapSource: BootstrapSource
  if (flagServers.length > 0) [bootstrapServers, bootstrapSource] = [flagServers, 'flag']
  else if (envServers.length > 0) [bootstrapServers, bootstrapSource] = [envServers, 'env']
  else if (fileServers.length > 0) [bootstrapServers, bootstrapSource] = [fileServers, 'config']
  else if (profileServers.length > 0) [bootstrapServers, bootstrapSource] = [profileServers, 'profile']
  else [bootstrapServers, bootstrapSource] = [[DEFAULT_BOOTSTRAP], 'default']
  for (const server of bootstrapServers) {
    try {
      parseHostPort(server)
    } catch (error) {
      const origin =
        bootstrapSource === 'flag' ? ' (--bootstrap-server)' : bootstrapSource === 'env' ? ' ($KAFKA_BOOTSTRAP_SERVERS)' : bootstrapSource === 'config' ? where(origins.get('bootstrap.servers')) : ''
      throw settingsError(`${(error as Error).message}${origin}: expected host:port`)
    }
  }

  // Security.
  const rawProtocol = props['security.protocol']
  let securityProtocol: SecurityProtocol = 'PLAINTEXT'
  if (rawProtocol !== undefined) {
    const upper = rawProtocol.trim().toUpperCase() as SecurityProtocol
    if (!SECURITY_PROTOCOLS.includes(upper)) {
      throw invalidValue('security.protocol', rawProtocol, origins.get('security.protocol'), `String must be one of: ${SECURITY_PROTOCOLS.join(', ')}`)
    }
    securityProtocol = upper
  }
  const useTls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL'
  const useSasl = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL'
  const ssl = useTls ? await sslFromProperties(props, origins) : null
  const sasl = useSasl ? await saslFromProperties(props, origins) : null
  if (!useSasl && props['sasl.jaas.config'] !== undefined) registerSecret(props['sasl.jaas.config'])

  const requestTimeoutMs = intProperty(props, 'request.timeout.ms', origins, 0) ?? DEFAULT_REQUEST_TIMEOUT_MS
  const setupTimeout = intProperty(props, 'socket.connection.setup.timeout.ms', origins, 0)
  const connectTimeoutMs = setupTimeout ?? Math.min(MAX_CONNECT_TIMEOUT_MS, Math.max(1, requestTimeoutMs))
  const clientId = props['client.id']?.trim() || DEFAULT_CLIENT_ID

  // Only the default may start the embedded broker.
  let startedEmbedded = false
  if (bootstrapSource === 'default') {
    const { ensureEmbeddedBroker } = await import('./embedded.js')
    const embedded = await ensureEmbeddedBroker(input.embedded)
    bootstrapServers = [embedded.address]
    startedEmbedded = embedded.started
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
  }
}

/** Resolve a path the way properties files are read: relative to the current directory. */
export function absolutePath(path: string, base = process.cwd()): string {
  return resolvePath(base, path)
}
