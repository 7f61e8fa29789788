/**
 * Turning any failure to reach or use a cluster into ONE line for the user
 * (a KtoolError the base command prints as `Error: <message>`), with a
 * machine-readable code for --json:
 *
 *   Cannot connect to localhost:9999: connection refused (ECONNREFUSED)      CONNECT_FAILED
 *   Cannot connect to 10.0.0.1:9092: timed out after 5000 ms (ETIMEDOUT)      CONNECT_TIMEOUT
 *   Request Metadata to b1:9092 timed out after 30000 ms                      REQUEST_TIMEOUT
 *   TLS handshake with b1:9093 failed: ...                                    TLS_FAILED
 *   Authentication failed: ... (SASL_AUTHENTICATION_FAILED)                   SASL_AUTHENTICATION_FAILED
 *   Topic 'x' already exists. (TOPIC_ALREADY_EXISTS)                          TOPIC_ALREADY_EXISTS
 *
 * Works for ktool's own client errors and for kafkajs errors (recognised by
 * their names and fields; kafkajs is never imported here). Every message is
 * redacted: no password or sasl.jaas.config content gets through.
 */
import { KtoolError } from '../errors.js';
import { describeSystemError } from '../client/errors.js';
import { redact } from './redact.js';

export {
  MASK,
  clearSecrets,
  isSecretKey,
  maskProperties,
  redact,
  registerSecret,
  registerSecretProperties,
} from './redact.js';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errorName?: unknown;
  type?: unknown;
  broker?: unknown;
  address?: unknown;
  sysCode?: unknown;
  exitCode?: unknown;
  cause?: unknown;
  originalError?: unknown;
  retryCount?: unknown;
}

function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Follow kafkajs' wrappers (retries exceeded, non-retriable) to the error that matters. */
function innermost(error: ErrorLike): ErrorLike {
  let e = error;
  for (let i = 0; i < 5; i++) {
    const name = str(e.name);
    const inner = (e.originalError ??
      (name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSNonRetriableError' ? e.cause : undefined)) as
      ErrorLike | undefined;
    if (inner === undefined || inner === null || typeof inner !== 'object') break;
    e = inner;
  }
  return e;
}

function fromKafkajs(error: ErrorLike): KtoolError | undefined {
  const e = innermost(error);
  const name = str(e.name);
  if (name === undefined || !name.startsWith('KafkaJS')) return undefined;
  const message = str(e.message) ?? name;
  const broker = str(e.broker);
  switch (name) {
    case 'KafkaJSConnectionError':
    case 'KafkaJSConnectionClosedError': {
      const m = /\b(E[A-Z]+)\b/.exec(message);
      const sys = str(e.code) ?? (m ? m[1] : undefined);
      if (broker !== undefined && sys !== undefined) {
        const { reason } = describeSystemError({ code: sys, message });
        return new KtoolError(`Cannot connect to ${broker}: ${reason}`, { code: 'CONNECT_FAILED', cause: error });
      }
      if (/timeout/i.test(message) && broker !== undefined) {
        return new KtoolError(`Cannot connect to ${broker}: timed out (ETIMEDOUT)`, {
          code: 'CONNECT_TIMEOUT',
          cause: error,
        });
      }
      return new KtoolError(broker !== undefined && !message.includes(broker) ? `${message} (${broker})` : message, {
        code: 'CONNECT_FAILED',
        cause: error,
      });
    }
    case 'KafkaJSRequestTimeoutError':
      return new KtoolError(broker !== undefined ? `${message} (broker ${broker})` : message, {
        code: 'REQUEST_TIMEOUT',
        cause: error,
      });
    case 'KafkaJSSASLAuthenticationError':
      return new KtoolError(`${message} (SASL_AUTHENTICATION_FAILED)`, {
        code: 'SASL_AUTHENTICATION_FAILED',
        cause: error,
      });
    case 'KafkaJSProtocolError': {
      const type = str(e.type) ?? 'UNKNOWN_SERVER_ERROR';
      return new KtoolError(`${message} (${type})`, { code: type, cause: error });
    }
    default:
      return new KtoolError(message, {
        code: name
          .replace(/^KafkaJS/, '')
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .toUpperCase(),
        cause: error,
      });
  }
}

/** Map any failure to a one-line, redacted KtoolError. */
export function toKtoolError(error: unknown): KtoolError {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  let mapped: KtoolError;
  if (error instanceof KtoolError) {
    mapped = error;
  } else if (str(e.name) === 'ConnectionError' && str(e.address) !== undefined) {
    mapped = new KtoolError(str(e.message) ?? 'connection failed', {
      code: str(e.code) ?? 'CONNECTION_ERROR',
      cause: error,
    });
  } else if (str(e.name) === 'KafkaError' && str(e.errorName) !== undefined) {
    const name = str(e.errorName)!;
    const message = str(e.message) ?? name;
    mapped = new KtoolError(message.includes(name) ? message : `${message} (${name})`, { code: name, cause: error });
  } else {
    mapped =
      fromKafkajs(e) ??
      new KtoolError(str(e.message) ?? String(error), {
        code: str(e.code) ?? 'ERROR',
        exitCode: typeof e.exitCode === 'number' ? e.exitCode : undefined,
        cause: error,
      });
  }
  const message = redact(oneLine(mapped.message));
  if (message === mapped.message && mapped === error) return mapped;
  const out = new KtoolError(message, { code: mapped.code, exitCode: mapped.exitCode });
  return out;
}

/** The Kafka error name carried by an error (own client or kafkajs), if any. */
export function kafkaErrorName(error: unknown): string | undefined {
  const e = innermost((typeof error === 'object' && error !== null ? error : {}) as ErrorLike);
  return str(e.errorName) ?? (str(e.name) === 'KafkaJSProtocolError' ? str(e.type) : undefined);
}
