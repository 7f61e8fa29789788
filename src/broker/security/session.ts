// One connection's SASL state on a SASL_PLAINTEXT or SASL_SSL listener, following Kafka's
// server authenticator:
//   handshake    ApiVersions and SaslHandshake are served; nothing else
//   authenticate after SaslHandshake v1: only SaslAuthenticate; after v0: raw tokens, each
//                framed by an int32 length outside the Kafka protocol
//   complete     every API is served
//   failed       the connection is closing
import { ErrorCode } from '../../protocol/errors.js';
import type { ConnectionInfo } from '../server/connection.js';
import { INVALID_PLAIN_CREDENTIALS, PlainServer, SaslAuthError, type PlainUsers, type SaslServer } from './sasl.js';
import { ScramServer, type CredentialLookup, type ScramMechanism } from './scram.js';

export const API_VERSIONS_KEY = 18;
export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;

export interface ListenerSasl {
  mechanisms: string[];
  plainUsers: PlainUsers;
  /** Frames larger than this are refused until authentication completes. */
  maxReceiveBytes: number;
}

export interface SessionDeps {
  scramLookup: (mechanism: ScramMechanism) => CredentialLookup;
  log: (line: string) => void;
}

export type SaslState = 'handshake' | 'authenticate' | 'complete' | 'failed';

export interface SaslAuthenticateBody {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

const EMPTY: Buffer = Buffer.alloc(0);

export class SaslSession {
  state: SaslState = 'handshake';
  /** True after a v0 handshake: tokens arrive as raw size-prefixed frames. */
  rawTokens = false;
  /** `User:<name>` once authenticated. */
  principal: string | null = null;
  private server: SaslServer | undefined;
  private readonly fullFrameLimit: number;

  constructor(
    readonly conn: ConnectionInfo,
    readonly listener: ListenerSasl,
    private readonly deps: SessionDeps,
  ) {
    this.fullFrameLimit = conn.maxFrameBytes;
    conn.maxFrameBytes = Math.min(conn.maxFrameBytes, listener.maxReceiveBytes);
  }

  get authenticated(): boolean {
    return this.state === 'complete';
  }

  /** Whether a Kafka request with this key may be served in the current state. */
  accepts(apiKey: number): boolean {
    switch (this.state) {
      case 'complete':
        return true;
      case 'handshake':
        return apiKey === API_VERSIONS_KEY || apiKey === SASL_HANDSHAKE_KEY || apiKey === SASL_AUTHENTICATE_KEY;
      case 'authenticate':
        return apiKey === SASL_AUTHENTICATE_KEY;
      default:
        return false;
    }
  }

  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    if (this.state === 'complete') return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    if (this.state !== 'handshake') {
      this.fail('SaslHandshake received out of order');
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: this.listener.mechanisms };
    }
    if (!this.listener.mechanisms.includes(mechanism)) {
      this.fail(`unsupported SASL mechanism ${printable(mechanism)}`);
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: this.listener.mechanisms };
    }
    this.server =
      mechanism === 'PLAIN'
        ? new PlainServer(this.listener.plainUsers)
        : new ScramServer(mechanism as ScramMechanism, this.deps.scramLookup(mechanism as ScramMechanism));
    this.state = 'authenticate';
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms: this.listener.mechanisms };
  }

  /** SaslAuthenticate (handshake v1). On failure the connection closes after the answer. */
  authenticate(token: Buffer): SaslAuthenticateBody {
    const reply = (errorCode: number, errorMessage: string | null, authBytes: Buffer = EMPTY) => ({
      errorCode,
      errorMessage,
      authBytes,
      sessionLifetimeMs: 0,
    });
    if (this.state === 'complete')
      return reply(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate request received after successful authentication');
    if (this.state !== 'authenticate' || !this.server || this.rawTokens) {
      this.fail('SaslAuthenticate before SaslHandshake');
      return reply(
        ErrorCode.ILLEGAL_SASL_STATE,
        'Unexpected SaslAuthenticate request: no SASL mechanism was chosen with SaslHandshake',
      );
    }
    try {
      const answer = this.step(token);
      return reply(ErrorCode.NONE, null, answer);
    } catch (err) {
      if (!(err instanceof SaslAuthError)) throw err;
      const message = this.clientMessage(err);
      this.fail(err.clientVisible ? err.message : `${message}: ${err.message}`);
      return reply(ErrorCode.SASL_AUTHENTICATION_FAILED, message);
    }
  }

  /** A raw token after a v0 handshake; returns the size-prefixed answer or throws to close. */
  rawToken(frame: Buffer): Buffer[] {
    try {
      const answer = this.step(frame);
      const size = Buffer.alloc(4);
      size.writeInt32BE(answer.length, 0);
      return [size, answer];
    } catch (err) {
      if (!(err instanceof SaslAuthError)) throw err;
      this.state = 'failed';
      throw new Error(
        `authentication failed on listener ${this.conn.listenerName} (${this.server?.mechanism ?? 'SASL'}, handshake v0): ${err.clientVisible ? err.message : this.clientMessage(err)}`,
        { cause: err },
      );
    }
  }

  private step(token: Buffer): Buffer {
    const server = this.server!;
    const answer = server.evaluate(token);
    if (server.complete) {
      this.state = 'complete';
      this.principal = `User:${server.authorizationId}`;
      this.conn.maxFrameBytes = this.fullFrameLimit;
    }
    return answer;
  }

  private clientMessage(err: SaslAuthError): string {
    if (err.clientVisible) return err.message;
    const mechanism = this.server?.mechanism ?? 'SASL';
    return mechanism === 'PLAIN'
      ? INVALID_PLAIN_CREDENTIALS
      : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
  }

  private fail(reason: string): void {
    this.state = 'failed';
    this.conn.closeAfterResponse = true;
    this.deps.log(
      `Failed authentication with ${this.conn.remoteAddress} on listener ${this.conn.listenerName} (${reason})`,
    );
  }
}

/** Mechanism names come from the client: keep log lines short and printable. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
