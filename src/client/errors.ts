/**
 * Failures of the protocol client that are not Kafka error codes: the
 * network, TLS and timeouts. Kafka error codes travel as `KafkaError` (from
 * the codec's error table), so callers can switch on `errorName`.
 *
 * Messages are complete sentences that name the address; they never contain
 * credentials (the client never puts a password into a message).
 */
export { KafkaError } from '../protocol/errors.js';

export type ConnectionErrorCode =
  /** The TCP/TLS connection could not be opened. */
  | 'CONNECT_FAILED'
  /** Opening the connection took longer than the connect timeout. */
  | 'CONNECT_TIMEOUT'
  /** The TLS handshake failed (certificate, hostname, protocol). */
  | 'TLS_FAILED'
  /** An established connection closed or failed with requests in flight. */
  | 'CONNECTION_CLOSED'
  /** No response within the request timeout. */
  | 'REQUEST_TIMEOUT'
  /** The peer sent something that is not a Kafka response. */
  | 'BAD_RESPONSE'
  /** The broker supports no version of an API we need. */
  | 'UNSUPPORTED_VERSION';

export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;
  /** host:port of the peer. */
  readonly address: string;
  /** The operating system's error code (ECONNREFUSED, ENOTFOUND, ...) or TLS code, when there is one. */
  readonly sysCode?: string;

  constructor(
    code: ConnectionErrorCode,
    address: string,
    message: string,
    options: { sysCode?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectionError';
    this.code = code;
    this.address = address;
    this.sysCode = options.sysCode;
  }
}

const SYSTEM_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'temporary DNS failure',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  EPIPE: 'broken pipe',
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'permission denied',
};

/** `connection refused (ECONNREFUSED)` from a Node system error. */
export function describeSystemError(error: unknown): { reason: string; sysCode?: string } {
  const e = error as NodeJS.ErrnoException & { errors?: unknown[] };
  let code = typeof e?.code === 'string' ? e.code : undefined;
  // Happy-eyeballs (autoSelectFamily) failures arrive as an AggregateError.
  if (code === undefined && Array.isArray(e?.errors)) {
    for (const inner of e.errors) {
      const c = (inner as NodeJS.ErrnoException)?.code;
      if (typeof c === 'string') {
        code = c;
        break;
      }
    }
  }
  if (code !== undefined && SYSTEM_REASONS[code] !== undefined)
    return { reason: `${SYSTEM_REASONS[code]} (${code})`, sysCode: code };
  const message = typeof e?.message === 'string' && e.message.length > 0 ? e.message : String(error);
  return { reason: code !== undefined && !message.includes(code) ? `${message} (${code})` : message, sysCode: code };
}

/** Format host:port, bracketing IPv6 literals. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parse `host:port` / `[v6]:port`; throws on anything else. */
export function parseHostPort(value: string): { host: string; port: number } {
  const text = value.trim().replace(/^[A-Za-z0-9_]+:\/\//, '');
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new Error(`Invalid url in bootstrap.servers: ${value.trim()}`);
  }
  return { host: m[1] ?? m[2]!, port };
}
