/**
 * The runner shared by the admin tools (configs, get-offsets,
 * delete-records, broker-api-versions, cluster, log-dirs): it connects only
 * when the operation asks for a client (argument checks come first), closes
 * the client, and turns failures into the tool's own wording:
 *
 * - UsageError / AdminCommandError (and Kafka errors raised by the
 *   client, e.g. an unsupported API version) are printed as the line the
 *   tool's `failureLine` makes, on stderr, with exit status 1;
 * - anything else (cannot connect, a bad properties file) becomes the base
 *   command's one-line `Error: ...`.
 * With --json every failure is the base command's JSON error document.
 * Every message is redacted: no secret reaches the terminal.
 *
 * Heavy modules load lazily, so `--help` stays fast.
 */
import type { ClusterClient } from '../client/cluster.js'
import type { ConnectionSettings } from '../connection/settings.js'
import { settingsInput, type ConnectionFlagValues } from './connection-flags.js'
import { KtoolError } from '../errors.js'

/** The command the runner prints through (a BaseCommand). */
export interface ToolHost {
  jsonEnabled(): boolean
  exit(code?: number): never
}

export interface ToolSession {
  /** Resolve the connection settings (may start the embedded dev broker) and connect, once. */
  connect(): Promise<ClusterClient>
  /** The settings used by connect() (undefined before it). */
  readonly settings: ConnectionSettings | undefined
}

export type FailureKind = 'usage' | 'command'

/** The text (with its newline) a tool prints on stderr for a failure. */
export type FailureLine = (message: string, kind: FailureKind) => string

export function writeOut(text: string): void {
  if (text.length > 0) process.stdout.write(text)
}

export function writeErr(text: string): void {
  if (text.length > 0) process.stderr.write(text)
}

/** Kafka's tools mostly print the bare message. */
export const bareMessage: FailureLine = (message) => `${message}\n`

export async function runAdminTool<T>(
  host: ToolHost,
  flags: ConnectionFlagValues,
  body: (session: ToolSession) => Promise<T>,
  failureLine: FailureLine = bareMessage,
): Promise<T> {
  const json = host.jsonEnabled()
  const [errors, { KafkaError }] = await Promise.all([import('../ops/admin-errors.js'), import('../protocol/errors.js')])
  let client: ClusterClient | undefined
  let settings: ConnectionSettings | undefined
  const session: ToolSession = {
    async connect() {
      if (client === undefined) {
        const [{ resolveSettings }, { connect }] = await Promise.all([import('../connection/settings.js'), import('../connection/client.js')])
        settings = await resolveSettings(settingsInput(flags))
        client = await connect(settings)
      }
      return client
    },
    get settings() {
      return settings
    },
  }
  try {
    return await body(session)
  } catch (error) {
    let kind: FailureKind | undefined
    let code = 'ERROR'
    if (error instanceof errors.UsageError) {
      kind = 'usage'
      code = error.code
    } else if (error instanceof errors.AdminCommandError) {
      kind = 'command'
      code = error.code
    } else if (error instanceof KafkaError) {
      kind = 'command'
      code = error.errorName
    }
    if (kind !== undefined) {
      const { redact } = await import('../connection/redact.js')
      const message = redact((error as Error).message)
      if (json) throw new KtoolError(message, { code })
      writeErr(redact(failureLine(message, kind)))
      host.exit(1)
    }
    const { toKtoolError } = await import('../connection/errors.js')
    throw toKtoolError(error)
  } finally {
    client?.close()
  }
}
