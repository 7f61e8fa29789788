// Listener security for the dev broker: TLS contexts, SASL users and mechanisms per
// listener, SASL sessions per connection, and the SCRAM credential store.
//
// Every setting is read and checked when the broker starts, before anything binds.
// Error and log messages name properties, listeners and paths but never values that may
// be secret (passwords, JAAS text, keys).
import type { TlsOptions } from 'node:tls';
import type { BrokerConfig, Listener } from '../config/broker-config.js';
import type { ConnectionInfo } from '../server/connection.js';
import type { StorageFs } from '../storage/fs-interface.js';
import { JaasError, parseJaasConfig, plainUsersFromJaas } from './jaas.js';
import { SASL_MECHANISMS, isSaslMechanism } from '../../protocol/sasl/mechanisms.js';
import { PlainUsers } from './sasl.js';
import {
  credentialFromPassword,
  credentialMatches,
  isScramMechanism,
  SCRAM_DEFAULT_ITERATIONS,
  type ScramCredential,
  type ScramMechanism,
} from './scram.js';
import { ScramCredentialStore } from './scram-store.js';
import { SaslSession, type ListenerSasl } from './session.js';
import { loadListenerTls, type PropLookup, type ListenerTls } from './tls.js';

export { SaslSession } from './session.js';
export { ScramCredentialStore, SCRAM_CREDENTIALS_FILE } from './scram-store.js';

export const DEFAULT_SASL_MECHANISMS = SASL_MECHANISMS.join(',');
/** Kafka's sasl.server.max.receive.size default. */
export const DEFAULT_SASL_MAX_RECEIVE = 524288;

export interface ListenerSecurity {
  name: string;
  protocol: string;
  tls: ListenerTls | null;
  sasl: ListenerSasl | null;
}

export interface SecurityOptions {
  config: BrokerConfig;
  listeners: Listener[];
  dataDir: string;
  fs: StorageFs;
  log: (line: string) => void;
  /** For tests: how TLS files are read. */
  readFile?: (path: string) => Buffer;
}

export class SecurityConfigError extends Error {}

/** A listener's property: `listener.name.<name>.<key>` first, then `<key>`. */
export function listenerLookup(config: BrokerConfig, listener: string): PropLookup {
  const prefixes = [`listener.name.${listener.toLowerCase()}.`, `listener.name.${listener}.`];
  return (key) => {
    for (const p of prefixes) {
      const v = config.get(p + key);
      if (v !== null) return v;
    }
    return config.get(key);
  };
}

export class SecurityManager {
  readonly listeners = new Map<string, ListenerSecurity>();
  readonly scram: ScramCredentialStore;
  private readonly sessions = new Map<number, SaslSession>();
  private readonly log: (line: string) => void;

  constructor(opts: SecurityOptions) {
    this.log = opts.log;
    const { config } = opts;
    for (const l of opts.listeners) {
      const get = listenerLookup(config, l.name);
      const tls =
        l.protocol === 'SSL' || l.protocol === 'SASL_SSL' ? loadListenerTls(l.name, get, opts.readFile) : null;
      const sasl =
        l.protocol === 'SASL_PLAINTEXT' || l.protocol === 'SASL_SSL' ? saslSettings(config, l.name, get) : null;
      this.listeners.set(l.name, { name: l.name, protocol: l.protocol, tls, sasl });
      for (const w of tls?.warnings ?? []) this.log(w);
    }
    this.scram = new ScramCredentialStore(opts.dataDir, opts.fs);
    this.bootstrapScramUsers(config.get('sasl.scram.users'));
    for (const ls of this.listeners.values()) {
      if (ls.sasl?.mechanisms.includes('PLAIN') && ls.sasl.plainUsers.size === 0) {
        this.log(
          `WARNING: listener ${ls.name} enables SASL/PLAIN but no PLAIN users are configured (set sasl.users or listener.name.${ls.name.toLowerCase()}.plain.sasl.jaas.config)`,
        );
      }
    }
  }

  /** TLS server options by listener name (SSL and SASL_SSL listeners). */
  tlsOptions(): Map<string, TlsOptions> {
    const out = new Map<string, TlsOptions>();
    for (const [name, ls] of this.listeners) if (ls.tls) out.set(name, ls.tls.options);
    return out;
  }

  /** One line describing a listener's security, for the startup log. */
  describe(name: string): string {
    const ls = this.listeners.get(name);
    if (!ls) return 'PLAINTEXT';
    const parts = [ls.protocol];
    if (ls.tls && ls.tls.clientAuth !== 'none') parts.push(`client certificates ${ls.tls.clientAuth}`);
    if (ls.sasl) parts.push(`mechanisms ${ls.sasl.mechanisms.join(',')}`);
    return parts.join(', ');
  }

  /** Whether clients of this listener must prove who they are. */
  authenticates(name: string): boolean {
    const ls = this.listeners.get(name);
    return !!ls && (ls.sasl !== null || ls.tls?.clientAuth === 'required');
  }

  openSession(conn: ConnectionInfo): void {
    const sasl = this.listeners.get(conn.listenerName)?.sasl;
    if (!sasl) return;
    this.sessions.set(
      conn.id,
      new SaslSession(conn, sasl, {
        scramLookup: (mechanism) => (user) => this.scram.get(user, mechanism),
        log: this.log,
      }),
    );
  }

  closeSession(conn: ConnectionInfo): void {
    this.sessions.delete(conn.id);
  }

  /** The SASL session of a connection on a SASL listener; undefined elsewhere. */
  session(connectionId: number): SaslSession | undefined {
    return this.sessions.get(connectionId);
  }

  private bootstrapScramUsers(spec: string | null): void {
    if (!spec || !spec.trim()) return;
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const wanted: Array<{ user: string; mechanism: ScramMechanism; password: string }> = [];
    entries.forEach((entry, i) => {
      const first = entry.indexOf(':');
      const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
      const mechanism = first < 0 ? '' : entry.slice(0, first).trim().toUpperCase();
      if (!isScramMechanism(mechanism)) {
        throw new SecurityConfigError(
          `sasl.scram.users: entry ${i + 1} must look like SCRAM-SHA-256:user:password or SCRAM-SHA-512:user:password`,
        );
      }
      if (second < 0 || second === first + 1 || second === entry.length - 1) {
        throw new SecurityConfigError(
          `sasl.scram.users: entry ${i + 1} must look like ${mechanism}:user:password (user and password not empty)`,
        );
      }
      wanted.push({ mechanism, user: entry.slice(first + 1, second), password: entry.slice(second + 1) });
    });
    const changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential }> = [];
    for (const w of wanted) {
      const existing = this.scram.get(w.user, w.mechanism);
      // Re-hash only when the password changed, so restarts do not rewrite the file.
      if (existing && credentialMatches(w.mechanism, existing, w.password)) continue;
      changes.push({
        user: w.user,
        mechanism: w.mechanism,
        credential: credentialFromPassword(w.mechanism, w.password, SCRAM_DEFAULT_ITERATIONS),
      });
    }
    this.scram.apply(changes);
    if (changes.length > 0)
      this.log(
        `Stored SCRAM credentials from sasl.scram.users for ${[...new Set(changes.map((c) => c.user))].length} user(s)`,
      );
  }
}

function saslSettings(config: BrokerConfig, listener: string, get: PropLookup): ListenerSasl {
  const fail = (msg: string): never => {
    throw new SecurityConfigError(`Listener ${listener}: ${msg}`);
  };
  const mechanisms: string[] = [];
  for (const m of (get('sasl.enabled.mechanisms') ?? DEFAULT_SASL_MECHANISMS)
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)) {
    if (!isSaslMechanism(m)) {
      fail(
        `sasl.enabled.mechanisms lists ${m}, which the dev broker does not support (supported: ${SASL_MECHANISMS.join(', ')})`,
      );
    }
    if (!mechanisms.includes(m)) mechanisms.push(m);
  }
  if (mechanisms.length === 0) fail('sasl.enabled.mechanisms is empty');

  const plainUsers = new PlainUsers();
  const lower = listener.toLowerCase();
  const jaasKeys = [
    `listener.name.${lower}.plain.sasl.jaas.config`,
    `listener.name.${listener}.plain.sasl.jaas.config`,
    `listener.name.${lower}.sasl.jaas.config`,
    'sasl.jaas.config',
  ];
  const jaasKey = jaasKeys.find((k) => config.get(k) !== null);
  if (jaasKey) {
    try {
      for (const [user, password] of plainUsersFromJaas(parseJaasConfig(config.get(jaasKey)!)))
        plainUsers.set(user, password);
    } catch (err) {
      if (err instanceof JaasError) fail(`invalid ${jaasKey}: ${err.message}`);
      throw err;
    }
  }
  const users = get('sasl.users');
  if (users) {
    users
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .forEach((entry, i) => {
        const colon = entry.indexOf(':');
        if (colon <= 0 || colon === entry.length - 1)
          fail(`sasl.users: entry ${i + 1} must look like user:password (user and password not empty)`);
        plainUsers.set(entry.slice(0, colon), entry.slice(colon + 1));
      });
  }

  const maxRaw = get('sasl.server.max.receive.size');
  const maxReceiveBytes = maxRaw === null ? DEFAULT_SASL_MAX_RECEIVE : Number(maxRaw);
  if (!Number.isInteger(maxReceiveBytes) || maxReceiveBytes <= 0)
    fail(`invalid sasl.server.max.receive.size '${maxRaw}'`);
  return { mechanisms, plainUsers, maxReceiveBytes };
}
