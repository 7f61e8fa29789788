/**
 * Opening clients from ConnectionSettings:
 *
 * - connect(settings): ktool's own protocol client (fast to load; used by
 *   the admin-style commands);
 * - kafkajs(settings): a kafkajs `Kafka` configured the same way, for the
 *   commands that use kafkajs' producer/consumer. This is the only module
 *   allowed to import kafkajs, and it does so lazily.
 *
 * Failures come back as one-line, redacted KtoolErrors (see errors.ts).
 */
import type { Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import { ClusterClient, type ClusterClientOptions } from '../client/cluster.js';
import type { ConnectionSettings } from './settings.js';

/** The protocol client options for some settings. */
export function clusterOptions(settings: ConnectionSettings): ClusterClientOptions {
  return {
    bootstrap: settings.bootstrapServers,
    clientId: settings.clientId,
    requestTimeoutMs: settings.requestTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    tls: settings.ssl,
    sasl: settings.sasl,
  };
}

/** The README's promise: an unreachable server fails within 5 seconds of the command starting. */
export const UNREACHABLE_WITHIN_MS = 5000;
/** Kept back for printing the error and exiting once the last attempt gives up. */
const EXIT_RESERVE_MS = 300;
/** A connect made late in a long command still gets this long. */
const MIN_BOOTSTRAP_MS = 1000;

/**
 * How long reaching the cluster may take in total (DNS, TCP, TLS, ApiVersions,
 * every bootstrap server): what is left of the 5 s promise since this process
 * started, or socket.connection.setup.timeout.ms per server when it is set.
 * (process.uptime() counts from the same start as performance.now(), without
 * loading perf_hooks at start-up.)
 */
export function bootstrapBudgetMs(
  settings: ConnectionSettings,
  sinceStartMs = process.uptime() * 1000,
): number | undefined {
  if (settings.properties['socket.connection.setup.timeout.ms'] !== undefined) return undefined;
  const left = Math.floor((UNREACHABLE_WITHIN_MS - EXIT_RESERVE_MS - sinceStartMs) / 100) * 100;
  return Math.min(settings.connectTimeoutMs * settings.bootstrapServers.length, Math.max(MIN_BOOTSTRAP_MS, left));
}

/** Connect ktool's own client to the cluster. */
export async function connect(
  settings: ConnectionSettings,
  /** Client options beyond the settings (e.g. a consumer's frame pool). */
  extra: Partial<ClusterClientOptions> = {},
): Promise<ClusterClient> {
  try {
    return await ClusterClient.connect({
      ...clusterOptions(settings),
      ...extra,
      bootstrapTimeoutMs: bootstrapBudgetMs(settings),
    });
  } catch (error) {
    const { toKtoolError } = await import('./errors.js');
    throw toKtoolError(error);
  }
}

export interface KafkajsOptions {
  /** --verbose: kafkajs logs at INFO level to stderr; otherwise it logs nothing. */
  verbose?: boolean;
  /** Where log lines go (default stderr). */
  write?: (line: string) => void;
}

/** A kafkajs Kafka with the same brokers, TLS, SASL and client id, failing fast. */
export async function kafkajs(settings: ConnectionSettings, options: KafkajsOptions = {}): Promise<Kafka> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const mod = await import('kafkajs');
  const { redact } = await import('./redact.js');
  const { Kafka: KafkaClass, logLevel } = mod;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const levelName = (level: number): string => {
    switch (level) {
      case logLevel.ERROR:
        return 'ERROR';
      case logLevel.WARN:
        return 'WARN';
      case logLevel.INFO:
        return 'INFO';
      case logLevel.DEBUG:
        return 'DEBUG';
      default:
        return 'LOG';
    }
  };
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.bootstrapServers,
    connectionTimeout: settings.connectTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: options.verbose === true ? logLevel.INFO : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }) => {
        const {
          message,
          timestamp: _t,
          logger: _l,
          ...rest
        } = log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        write(redact(`[kafkajs] ${levelName(level)} ${message}${extra}`));
      },
  };
  const ssl = settings.ssl;
  if (ssl !== null) {
    config.ssl = {
      ca: ssl.ca,
      cert: ssl.cert,
      key: ssl.key,
      passphrase: ssl.keyPassword,
      rejectUnauthorized: true,
      ...(ssl.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  if (settings.sasl !== null) {
    const mechanism = settings.sasl.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    config.sasl = { mechanism, username: settings.sasl.username, password: settings.sasl.password } as SASLOptions;
  }
  return new KafkaClass(config);
}
