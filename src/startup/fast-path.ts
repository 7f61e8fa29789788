/**
 * The start-up fast path: `ktool --version`, `ktool --help`, `ktool topics
 * --list` and the console tools without loading @oclif/core. Loading oclif and
 * building its config from the manifest costs more than bare Node's whole
 * start-up, and these are the commands people (and scripts) run most often.
 *
 * Every answer here must be what oclif would print, byte for byte: --version's
 * user agent is computed exactly as oclif's Config does, --help prints the text
 * oclif itself rendered at build time (scripts/build-fast-path.js) for the
 * width it would use, and topics --list calls the same runTopics as the
 * command. Whatever this module does not recognise exactly (another flag, a
 * repeated flag, --json, a theme file, colour, a terminal width without a
 * rendered help, WSL, DEBUG) goes to oclif unchanged. KTOOL_FAST_PATH=0 turns it off.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch, homedir, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopicsFlagValues } from '../tools/topics/flags.js';
import type { ConsoleConsumerFlagValues } from '../tools/console-consumer/run.js';
import type { ConsoleProducerFlagValues } from '../tools/console-producer/run.js';
import {
  CONSUMER_DEFAULTS,
  CONSUMER_FLAGS,
  PRODUCER_DEFAULTS,
  PRODUCER_FLAGS,
  PRODUCER_REQUIRED,
  TOPICS_LIST_FLAGS,
  TOPICS_LIST_REQUIRED,
  parseFlags,
} from './fast-flags.js';

/** What the build stored for the fast path (dist/fast-path.json). */
export interface FastPathData {
  name: string;
  version: string;
  /** oclif's user agent when the help below was rendered. */
  userAgent: string;
  /** oclif's root help (`ktool --help`), keyed by terminal width. */
  help: Record<string, string>;
}

export type FastAction =
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'topics-list'; flags: TopicsFlagValues }
  | { kind: 'console-consumer'; flags: ConsoleConsumerFlagValues }
  | { kind: 'console-producer'; flags: ConsoleProducerFlagValues };

/** The fast action for argv, or undefined when oclif must decide. */
export function fastAction(argv: readonly string[]): FastAction | undefined {
  // oclif shows the version whatever follows --version.
  if (argv[0] === '--version') return { kind: 'version' };
  if (argv.length === 1 && argv[0] === '--help') return { kind: 'help' };
  if (argv[0] === 'topics') {
    const flags = parseFlags(argv.slice(1), TOPICS_LIST_FLAGS, {}, TOPICS_LIST_REQUIRED);
    if (flags !== undefined) return { kind: 'topics-list', flags: flags as TopicsFlagValues };
  }
  if (argv[0] === 'console-consumer') {
    const flags = parseFlags(argv.slice(1), CONSUMER_FLAGS, CONSUMER_DEFAULTS);
    if (flags !== undefined) return { kind: 'console-consumer', flags: flags as unknown as ConsoleConsumerFlagValues };
  }
  if (argv[0] === 'console-producer') {
    const flags = parseFlags(argv.slice(1), PRODUCER_FLAGS, PRODUCER_DEFAULTS, PRODUCER_REQUIRED);
    if (flags !== undefined) return { kind: 'console-producer', flags: flags as unknown as ConsoleProducerFlagValues };
  }
  return undefined;
}

/** oclif's Config.userAgent; undefined on WSL, where oclif says "wsl" (left to oclif). */
export function userAgent(name: string, version: string): string | undefined {
  if (platform() === 'linux' && onWsl()) return undefined;
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  return `${name}/${version} ${platform()}-${cpu} node-${process.version}`;
}

function onWsl(): boolean {
  if (release().toLowerCase().includes('microsoft')) return true;
  try {
    return readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft');
  } catch {
    return false;
  }
}

/** The width oclif renders help for (its screen.stdtermwidth). */
export function helpWidth(env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream): number {
  const columns =
    Number.parseInt(env.OCLIF_COLUMNS ?? '', 10) || (globalThis as { oclif?: { columns?: number } }).oclif?.columns;
  if (columns) return columns;
  if (!stdout.isTTY) return 80;
  const width = stdout.getWindowSize()[0];
  if (width < 1) return 80;
  return Math.max(width, 40);
}

/**
 * True when oclif's help would come out without colour, as the stored help
 * is. oclif makes headers bold only when supports-color finds colour on both
 * stdout and stderr (on a pipe only FORCE_COLOR does that), and ansis, which
 * draws the bold, draws nothing under NO_COLOR.
 */
export function helpIsPlain(env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream): boolean {
  if (env.NO_COLOR) return true;
  if ('FORCE_COLOR' in env) return false;
  return !stdout.isTTY || !process.stderr.isTTY;
}

/** A user theme changes oclif's help; the stored help has none. */
function hasUserTheme(name: string, env: NodeJS.ProcessEnv): boolean {
  const scoped = name.toUpperCase().replace(/[-@/]/g, '_');
  const disabled = env[`${scoped}_DISABLE_THEME`];
  if (disabled === 'true' || disabled === '1') return false;
  const configDir = env[`${scoped}_CONFIG_DIR`] ?? join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), name);
  return existsSync(join(configDir, 'theme.json'));
}

function readData(): FastPathData | undefined {
  try {
    return JSON.parse(readFileSync(new URL('../fast-path.json', import.meta.url), 'utf8')) as FastPathData;
  } catch {
    return undefined;
  }
}

type TopicsListModule = typeof import('./topics-list.js');

/**
 * topics-list.js as bundled by the build (scripts/build-fast-path.js) and
 * compiled with V8's code cache (script-cache.ts), unless the compiler has
 * written dist/ since: then the bundle may be stale. (A full tsc run rewrites
 * every file; `tsc --watch` rewrites only what changed, so after it run
 * `npm run build`.) saveCache is called once the command has succeeded.
 */
async function topicsList(): Promise<{ module: TopicsListModule; saveCache(): void }> {
  const bundle = new URL('../startup-bundle/topics-list.cjs', import.meta.url);
  const plain = new URL('./topics-list.js', import.meta.url);
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (built !== undefined && built.mtimeMs >= statSync(plain).mtimeMs) {
    const { loadCachedScript } = await import('./script-cache.js');
    const loaded = loadCachedScript<TopicsListModule>(fileURLToPath(bundle));
    return { module: loaded.exports, saveCache: () => loaded.saveCache() };
  }
  return { module: await import('./topics-list.js'), saveCache: () => undefined };
}

/** True when everything written to the stream was written, without error. */
function quietlyDone(stream: NodeJS.WriteStream): boolean {
  return stream.writableLength === 0 && !stream.errored;
}

/** Runs argv on the fast path; false when oclif must run it instead. */
export async function runFastPath(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.KTOOL_FAST_PATH === '0' || env.DEBUG) return false;
  const action = fastAction(argv);
  if (action === undefined) return false;
  if (action.kind === 'console-consumer' || action.kind === 'console-producer') {
    const tools = await import('./console-tools.js');
    if (action.kind === 'console-consumer') await tools.runConsoleConsumerFast(action.flags);
    else await tools.runConsoleProducerFast(action.flags);
    return true;
  }
  if (action.kind === 'topics-list') {
    const { module, saveCache } = await topicsList();
    await module.runTopicsList(action.flags);
    if (!process.exitCode) saveCache();
    // All done (the client is closed). Left to end by itself, the process would first
    // run the young-generation GC V8 scheduled during start-up (~3 ms, a tenth of the
    // fast path's own time). Not when a write failed (a full disk, a closed pipe: the
    // error is still to surface, as it would through oclif) or is still queued (pipes
    // are asynchronous on some systems).
    if (quietlyDone(process.stdout) && quietlyDone(process.stderr)) process.exit();
    return true;
  }
  const data = readData();
  if (data === undefined) return false;
  const agent = userAgent(data.name, data.version);
  if (agent === undefined) return false;
  if (action.kind === 'version') {
    process.stdout.write(`${agent}\n`);
    return true;
  }
  const help = data.help[String(helpWidth(env, process.stdout))];
  if (help === undefined || agent !== data.userAgent) return false;
  if (!helpIsPlain(env, process.stdout) || hasUserTheme(data.name, env)) return false;
  process.stdout.write(help);
  return true;
}
