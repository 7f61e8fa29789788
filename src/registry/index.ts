// An embedded Confluent-compatible Schema Registry. The host process gives it a log to
// store into (the dev broker's `_schemas` partition) and where to listen.
import type { AddressInfo } from 'node:net';
import { createRegistryServer } from './server.js';
import { RegistryService } from './service.js';
import { RegistryState, type SchemaLog } from './storage.js';
import { isCompatibilityLevel, type CompatibilityLevel } from './types.js';

export { MemoryLog, type LogRecord, type SchemaLog } from './storage.js';
export { RegistryError } from './errors.js';

export interface RegistryOptions {
  log: SchemaLog;
  host: string;
  port: number;
  /** user -> password for HTTP basic auth; none means no auth. */
  users?: Map<string, string>;
  defaultCompatibility?: string;
  logLine?: (line: string) => void;
}

export interface RunningRegistry {
  host: string;
  port: number;
  url: string;
  readonly service: RegistryService;
  close(): Promise<void>;
}

/** Parses `http://host:port` (the only scheme served). */
export function parseRegistryListener(spec: string): { host: string; port: number } {
  const m = /^http:\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/.exec(spec.trim());
  if (!m) throw new Error(`schema.registry.listeners must look like http://127.0.0.1:8081, got '${spec}'`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`schema.registry.listeners port ${port} is out of range`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** Parses `alice:secret,bob:pw` into a user map. */
export function parseUsers(spec: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error('schema.registry.authentication.users entries must be user:password');
    users.set(entry.slice(0, colon), entry.slice(colon + 1));
  }
  return users;
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  let defaultCompatibility: CompatibilityLevel | undefined;
  if (opts.defaultCompatibility !== undefined) {
    const level = opts.defaultCompatibility.toUpperCase();
    if (!isCompatibilityLevel(level))
      throw new Error(`Unknown schema compatibility level ${opts.defaultCompatibility}`);
    defaultCompatibility = level;
  }
  const state = new RegistryState(opts.log, opts.logLine);
  state.load();
  const service = new RegistryService(state, { defaultCompatibility });
  const server = createRegistryServer({ service, users: opts.users, log: opts.logLine });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port: addr.port,
    url: `http://${urlHost}:${addr.port}`,
    service,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
