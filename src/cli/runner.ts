/**
 * The one runner every Kafka tool runs through (BaseCommand.runTool): it
 * connects only when the tool asks for a client (argument checks come first),
 * connects once, closes the client whatever happens, and turns failures into
 * the tool's own wording:
 *
 * - a UsageError (a mistake in the arguments or input) and an
 *   CommandError or KafkaError (the operation failed on the cluster) are
 *   handed to the tool's `wording`, which says on which stream the line goes
 *   and with which exit status (Kafka's tools differ: kafka-topics.sh prints
 *   "Error while executing topic command" on stdout and exits 1,
 *   kafka-consumer-groups.sh prints on stdout and exits 0);
 * - anything else (cannot connect, a bad properties file), and whatever the
 *   wording declines, becomes the base command's one-line `Error: ...`.
 * With --json every failure is the base command's JSON error document.
 * Every message is redacted: no secret reaches the terminal.
 *
 * Heavy modules load lazily, so `--help` stays fast.
 */
import type { ClusterClient } from '../client/cluster.js';
import type { ConnectionSettings } from '../connection/settings.js';
import { settingsInput, type ConnectionFlagValues } from './connection-input.js';
import { KtoolError } from '../errors.js';

/** The command the runner prints through (a BaseCommand). */
export interface ToolHost {
  jsonEnabled(): boolean;
  exit(code?: number): never;
}

export interface ToolSession {
  /** Resolve the connection settings once (may start the embedded dev broker); connect() uses them. */
  resolveSettings(): Promise<ConnectionSettings>;
  /** Resolve the connection settings (may start the embedded dev broker) and connect, once. */
  connect(): Promise<ClusterClient>;
  /** The settings used by connect() (undefined before it). */
  readonly settings: ConnectionSettings | undefined;
}

export type FailureKind = 'usage' | 'command';

export interface Failure {
  kind: FailureKind;
  /** The error's message, already redacted. */
  message: string;
  error: Error;
}

/** Where a tool prints a failure it words itself, and the exit status that follows. */
export interface FailureOutput {
  stream: 'stdout' | 'stderr';
  /** The text to print, with its newline. */
  text: string;
  exitCode: number;
}

/** A tool's wording of a failure; undefined leaves it to the base command's `Error: ...` line. */
export type Wording = (failure: Failure) => FailureOutput | undefined;

export function writeOut(text: string): void {
  if (text.length > 0) process.stdout.write(text);
}

export function writeErr(text: string): void {
  if (text.length > 0) process.stderr.write(text);
}

/** Most of Kafka's tools print the bare message on stderr and exit 1. */
export const bareMessage: Wording = ({ message }) => ({ stream: 'stderr', text: `${message}\n`, exitCode: 1 });

/** A wording that prints `line(message, kind)` on stderr with exit 1. */
export function stderrLine(line: (message: string, kind: FailureKind) => string): Wording {
  return ({ message, kind }) => ({ stream: 'stderr', text: line(message, kind), exitCode: 1 });
}

/**
 * Runs a tool's body. Returns the body's --json value, or undefined when a
 * failure was printed in the tool's wording and its exit status is 0.
 */
export async function runTool<T>(
  host: ToolHost,
  flags: ConnectionFlagValues,
  body: (session: ToolSession) => Promise<T>,
  wording: Wording = bareMessage,
): Promise<T | undefined> {
  const json = host.jsonEnabled();
  const [{ UsageError, CommandError }, { KafkaError }] = await Promise.all([
    import('../ops/tool-errors.js'),
    import('../protocol/errors.js'),
  ]);
  let client: ClusterClient | undefined;
  let settings: ConnectionSettings | undefined;
  const session: ToolSession = {
    async resolveSettings() {
      if (settings === undefined) {
        const { resolveSettings } = await import('../connection/settings.js');
        settings = await resolveSettings(settingsInput(flags));
      }
      return settings;
    },
    async connect() {
      if (client === undefined) {
        const [resolved, { connect }] = await Promise.all([this.resolveSettings(), import('../connection/client.js')]);
        client = await connect(resolved);
      }
      return client;
    },
    get settings() {
      return settings;
    },
  };
  try {
    return await body(session);
  } catch (error) {
    let kind: FailureKind | undefined;
    let code = 'ERROR';
    if (error instanceof UsageError) {
      kind = 'usage';
      code = error.code;
    } else if (error instanceof CommandError) {
      kind = 'command';
      code = error.code;
    } else if (error instanceof KafkaError) {
      kind = 'command';
      code = error.errorName;
    }
    if (kind !== undefined) {
      const { redact } = await import('../connection/redact.js');
      const message = redact((error as Error).message);
      const output = wording({ kind, message, error: error as Error });
      if (output !== undefined) {
        if (json) throw new KtoolError(message, { code });
        (output.stream === 'stdout' ? writeOut : writeErr)(redact(output.text));
        if (output.exitCode !== 0) host.exit(output.exitCode);
        return undefined;
      }
    }
    const { toKtoolError } = await import('../connection/errors.js');
    throw toKtoolError(error);
  } finally {
    client?.close();
  }
}
