/**
 * Running the dev broker as a background process, finding it again and
 * stopping it. Used by `server-start --daemon`, `server-stop` and the
 * embedded-default rule (src/connection/embedded.ts).
 *
 * Layout, for a broker whose data directory (first entry of log.dirs) is D:
 *   D            the broker's data (owned and locked by the broker)
 *   D.pid        pid of the running broker, one decimal line (like Kafka's)
 *   D.log        stdout+stderr of a daemon broker (appended to)
 * plus one small JSON entry per started broker in
 *   $XDG_STATE_HOME/ktool/brokers/ (default ~/.local/state/ktool/brokers/)
 * so that `server-stop` with no arguments can find every broker it started.
 * The files sit beside D rather than in it so the broker's storage never
 * sees foreign files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KtoolError } from '../errors.js';
import { KERNEL_DIR_LOCKS, queryDirLock } from '../broker/storage/dir-lock.js';

export const DEFAULT_START_TIMEOUT_MS = 10_000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export interface BrokerLaunch {
  /** A server.properties file, if any. */
  propertiesFile?: string;
  /** key=value overrides applied over the file (like --override). */
  overrides?: Record<string, string>;
}

export interface ResolvedBroker {
  propertiesFile?: string;
  overrides: Record<string, string>;
  /** File properties with the overrides applied. */
  properties: Record<string, string>;
  /** Absolute data directory (first entry of log.dirs, else log.dir, else the default). */
  dataDir: string;
  /** Where a client on this machine reaches the first listener. */
  listener: { host: string; port: number };
}

export interface BrokerFiles {
  pidFile: string;
  logFile: string;
}

export interface DaemonInfo extends BrokerFiles {
  pid: number;
  dataDir: string;
  /** host:port to dial the broker on from this host. */
  address: string;
  /** host:port the broker bound, as it reported it (0.0.0.0 for every interface). */
  listening: string;
}

export interface RegistryEntry {
  pid: number;
  dataDir: string;
  pidFile: string;
  logFile?: string;
  address?: string;
  startedAt: string;
}

// ---------------------------------------------------------------- config

/** Read the properties file (if any), apply overrides, and work out the data dir and listener. */
export async function resolveBroker(launch: BrokerLaunch): Promise<ResolvedBroker> {
  const { parseProperties, defaultDataDir } = await import('../broker/index.js');
  let fileProps: Record<string, string> = {};
  let propertiesFile: string | undefined;
  if (launch.propertiesFile !== undefined) {
    propertiesFile = resolve(launch.propertiesFile);
    let text: string;
    try {
      text = await readFile(propertiesFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
      throw new KtoolError(`Cannot read properties file ${launch.propertiesFile}: ${why}`, { code: 'INVALID_CONFIG' });
    }
    try {
      fileProps = parseProperties(text);
    } catch (error) {
      const line = (error as { line?: number }).line;
      const detail = error instanceof Error ? error.message : String(error);
      throw new KtoolError(
        `Invalid properties file ${launch.propertiesFile}${line === undefined || detail.includes(`line ${line}`) ? '' : ` (line ${line})`}: ${detail}`,
        { code: 'INVALID_CONFIG' },
      );
    }
  }
  const overrides = { ...(launch.overrides ?? {}) };
  const properties = { ...fileProps, ...overrides };
  const dirs = properties['log.dirs'] ?? properties['log.dir'];
  const first = dirs?.split(',')[0]?.trim();
  const dataDir = resolve(first ? first : defaultDataDir());
  return { propertiesFile, overrides, properties, dataDir, listener: firstListener(properties.listeners) };
}

/** The first listener of a `listeners` value, as a client on this host would dial it. */
export function firstListener(spec: string | undefined): { host: string; port: number } {
  const entry = (spec ?? 'PLAINTEXT://127.0.0.1:9092').split(',')[0]?.trim() ?? '';
  const m = /^[A-Za-z0-9_]+:\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
  if (!m)
    throw new KtoolError(`Invalid listeners value "${spec}": expected NAME://host:port`, { code: 'INVALID_CONFIG' });
  return { host: dialHost(m[1]), port: Number(m[2]) };
}

/** Wildcard and empty listener hosts are dialled on loopback. */
export function dialHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '' || h === '0.0.0.0') return '127.0.0.1';
  if (h === '::') return '::1';
  return h;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// ---------------------------------------------------------------- files

export function brokerFiles(dataDir: string): BrokerFiles {
  const dir = resolve(dataDir);
  if (basename(dir) === '') throw new KtoolError(`Refusing to use ${dir} as a broker data directory`);
  return { pidFile: `${dir}.pid`, logFile: `${dir}.log` };
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'ktool');
}

function registryDir(): string {
  return join(stateDir(), 'brokers');
}

function registryPath(dataDir: string): string {
  const key = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(registryDir(), `${key}.json`);
}

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const text = (await readFile(pidFile, 'utf8')).trim();
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Record a running broker: its pid file beside the data dir and a registry entry. */
export async function recordBroker(entry: Omit<RegistryEntry, 'startedAt' | 'pidFile'>): Promise<void> {
  const { pidFile } = brokerFiles(entry.dataDir);
  await mkdir(dirname(pidFile), { recursive: true });
  await writeFile(pidFile, `${entry.pid}\n`);
  const full: RegistryEntry = { ...entry, pidFile, startedAt: new Date().toISOString() };
  try {
    await mkdir(registryDir(), { recursive: true });
    await writeFile(registryPath(entry.dataDir), `${JSON.stringify(full, null, 2)}\n`);
  } catch {
    // The registry only helps `server-stop` without arguments; never fail a start over it.
  }
}

/** Remove a broker's pid file and registry entry, if they still name this pid. */
export async function forgetBroker(dataDir: string, pid: number): Promise<void> {
  const { pidFile } = brokerFiles(dataDir);
  if ((await readPid(pidFile)) === pid) await rm(pidFile, { force: true });
  const reg = registryPath(dataDir);
  try {
    const entry = JSON.parse(await readFile(reg, 'utf8')) as RegistryEntry;
    if (entry.pid === pid) await rm(reg, { force: true });
  } catch {
    // missing or unreadable: nothing to forget
  }
}

/** Synchronous variant for process 'exit' handlers. */
export function forgetBrokerSync(dataDir: string, pid: number): void {
  try {
    const { pidFile } = brokerFiles(dataDir);
    if (Number(readFileSync(pidFile, 'utf8').trim()) === pid) rmSync(pidFile);
  } catch {
    // ignore
  }
  try {
    const reg = registryPath(dataDir);
    const entry = JSON.parse(readFileSync(reg, 'utf8')) as RegistryEntry;
    if (entry.pid === pid) rmSync(reg);
  } catch {
    // ignore
  }
}

function rmSync(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // ignore
  }
}

// ---------------------------------------------------------------- processes

/** Is the process running (a zombie counts as gone)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Guard against pid reuse: on Linux, a pid from a pid file only counts if
 * that process looks like a ktool broker.
 */
export function looksLikeBroker(pid: number): boolean {
  if (process.platform !== 'linux') return true;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return true;
  }
  return /broker[\\/]main\.[jt]s|server-start|ktool/.test(cmdline);
}

/**
 * The pid of the live broker holding this data dir. On Linux the broker's own
 * lock socket answers, so neither a stale pid file nor a recycled pid can
 * point at an unrelated process; elsewhere the pid file is checked.
 */
export async function runningPid(dataDir: string): Promise<number | undefined> {
  if (KERNEL_DIR_LOCKS) {
    const holder = await queryDirLock(resolve(dataDir));
    return holder === null || holder.pid === process.pid ? undefined : holder.pid;
  }
  const pid = await readPid(brokerFiles(dataDir).pidFile);
  if (pid === undefined || pid === process.pid) return undefined;
  return isAlive(pid) && looksLikeBroker(pid) ? pid : undefined;
}

/** Fail early, with one clear line, when a broker already runs on this data dir. */
export async function assertDataDirFree(dataDir: string): Promise<void> {
  const pid = await runningPid(dataDir);
  if (pid !== undefined) {
    throw new KtoolError(
      `A ktool broker (pid ${pid}) is already running with data directory ${dataDir}; stop it with "ktool server-stop --data-dir ${dataDir}"`,
      { code: 'BROKER_RUNNING' },
    );
  }
}

/** Does something accept TCP connections at host:port within timeoutMs? */
export function probe(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the broker's process entry is: dist/broker/main.js, or src/broker/main.ts under tsx. */
export function brokerEntry(): string[] {
  const js = fileURLToPath(new URL('../broker/main.js', import.meta.url));
  if (existsSync(js)) return [js];
  const ts = fileURLToPath(new URL('../broker/main.ts', import.meta.url));
  if (existsSync(ts)) return ['--import', import.meta.resolve('tsx'), ts];
  throw new KtoolError(`Cannot find the broker entry point (${js}); run "npm run build"`, { code: 'NOT_BUILT' });
}

// The line the broker prints once it accepts connections.
const STARTED_RE = /ktool broker started\b.*?\blistening on (\S+?):(\d+)\s*$/m;

/** Parse `ktool broker started (...) listening on HOST:PORT` from log text. */
export function parseStartedLine(text: string): { host: string; port: number } | undefined {
  const m = STARTED_RE.exec(text);
  if (!m) return undefined;
  return { host: dialHost(m[1]), port: Number(m[2]) };
}

function lastLines(text: string, n: number): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0)
    .slice(-n);
}

async function readFrom(path: string, offset: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

export interface StartDaemonOptions {
  timeoutMs?: number;
  /** Called with the last lines of the log when the start fails (for --verbose). */
  onFailureLog?: (lines: string[]) => void;
}

/**
 * Start the broker as a detached background process and resolve once it
 * accepts TCP connections on its listener. Its output is appended to the log
 * file beside the data dir; the pid file is written once it is up.
 */
export async function startDaemon(broker: ResolvedBroker, options: StartDaemonOptions = {}): Promise<DaemonInfo> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  await assertDataDirFree(broker.dataDir);
  const files = brokerFiles(broker.dataDir);
  await mkdir(dirname(files.logFile), { recursive: true });

  const args = [...brokerEntry()];
  if (broker.propertiesFile !== undefined) args.push(broker.propertiesFile);
  // Overrides may hold secrets (sasl.users, passwords): they go over IPC, not argv.
  args.push('--overrides-from-parent');

  const log = await open(files.logFile, 'a');
  let offset: number;
  let child: ReturnType<typeof spawn>;
  try {
    offset = (await log.stat()).size;
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'ipc'],
    });
  } finally {
    await log.close();
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  let started: { host: string; port: number; boundHost: string } | undefined;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.once('error', (error) => {
    spawnError = error;
  });
  child.on('message', (msg: { type?: string; host?: string; port?: number }) => {
    if (msg?.type === 'started' && typeof msg.host === 'string' && typeof msg.port === 'number') {
      started = { host: dialHost(msg.host), port: msg.port, boundHost: msg.host };
    }
  });
  child.send({ type: 'overrides', overrides: broker.overrides }, () => {});

  const fail = async (reason: string, kill: boolean): Promise<never> => {
    if (kill && exited === undefined && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    detach(child);
    const lines = lastLines(await readFrom(files.logFile, offset).catch(() => ''), 20);
    options.onFailureLog?.(lines);
    // Another broker may share the log file: only this child's own failure line counts.
    const own = lines.filter((l) => /^ERROR\b/.test(l)).at(-1) ?? lines.at(-1);
    const last = own?.replace(/^(\[[^\]]*\]\s*)?(error|fatal)\b[:\s]*/i, '');
    const detail = last ? `: ${last}` : '';
    throw new KtoolError(`${reason}${detail} (log: ${files.logFile})`, { code: 'BROKER_START_FAILED' });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError !== undefined) return fail(`Could not start the broker: ${spawnError.message}`, false);
    if (started !== undefined && (await probe(started.host, started.port, 300))) break;
    if (exited !== undefined) {
      const holder = await queryDirLock(broker.dataDir);
      if (holder !== null) {
        detach(child);
        throw new KtoolError(
          `A ktool broker (pid ${holder.pid}) is already running with data directory ${broker.dataDir}; stop it with "ktool server-stop --data-dir ${broker.dataDir}"`,
          { code: 'BROKER_RUNNING' },
        );
      }
      const how = exited.signal ? `was killed by ${exited.signal}` : `exited with status ${exited.code}`;
      return fail(`The broker ${how} before accepting connections`, false);
    }
    if (Date.now() >= deadline) {
      const where = started ?? broker.listener;
      return fail(
        `The broker did not accept connections on ${formatAddress(where.host, where.port)} within ${Math.round(timeoutMs / 1000)} s`,
        true,
      );
    }
    await sleep(50);
  }
  detach(child);

  const pid = child.pid as number;
  const addr = formatAddress(started.host, started.port);
  await recordBroker({ pid, dataDir: broker.dataDir, logFile: files.logFile, address: addr });
  // `listening` is what the broker bound (0.0.0.0:9092 for every interface); `address` is how to dial it here.
  return {
    pid,
    dataDir: broker.dataDir,
    address: addr,
    listening: formatAddress(started.boundHost, started.port),
    ...files,
  };
}

/** Let this process exit while the daemon runs on. */
function detach(child: ReturnType<typeof spawn>): void {
  if (child.connected) child.disconnect();
  child.unref();
}

// ---------------------------------------------------------------- stopping

export interface KnownBroker {
  pid: number;
  dataDir: string;
  address?: string;
}

/**
 * Live brokers: those whose pid files sit beside the given data dirs, or,
 * with no data dirs given, every broker in the registry plus the default
 * data dir's.
 */
export async function findRunningBrokers(dataDirs?: string[]): Promise<KnownBroker[]> {
  const found = new Map<string, KnownBroker>();
  const consider = async (dataDir: string, address?: string) => {
    const dir = resolve(dataDir);
    if (found.has(dir)) return;
    const pid = await runningPid(dir);
    if (pid !== undefined) found.set(dir, { pid, dataDir: dir, address });
  };
  if (dataDirs !== undefined) {
    for (const dir of dataDirs) await consider(dir);
    return [...found.values()];
  }
  let names: string[] = [];
  try {
    names = (await readdir(registryDir())).filter((n) => n.endsWith('.json'));
  } catch {
    // no registry yet
  }
  const { defaultDataDir } = await import('../broker/index.js');
  await consider(defaultDataDir());
  for (const name of names) {
    const path = join(registryDir(), name);
    try {
      const entry = JSON.parse(await readFile(path, 'utf8')) as RegistryEntry;
      await consider(entry.dataDir, entry.address);
      if (!found.has(resolve(entry.dataDir))) await rm(path, { force: true });
    } catch {
      await rm(path, { force: true }).catch(() => undefined);
    }
  }
  return [...found.values()];
}

/** SIGTERM a broker and wait for it to exit; clean up its pid file. */
export async function stopBroker(broker: KnownBroker, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
  try {
    process.kill(broker.pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') {
      throw new KtoolError(`Not permitted to stop the broker (pid ${broker.pid})`, { code: 'EPERM' });
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(broker.pid)) {
    if (Date.now() >= deadline) {
      throw new KtoolError(
        `The broker (pid ${broker.pid}, data ${broker.dataDir}) did not stop within ${Math.round(timeoutMs / 1000)} s`,
        { code: 'STOP_TIMEOUT' },
      );
    }
    await sleep(50);
  }
  await forgetBroker(broker.dataDir, broker.pid);
}
