// SASL mechanisms on the server side: the common interface and PLAIN (RFC 4616).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A failed exchange. `clientVisible` says whether the message may be sent to the client
 * as is; otherwise the authenticator answers with Kafka's generic text for the mechanism.
 * Messages never contain secrets.
 */
export class SaslAuthError extends Error {
  constructor(
    message: string,
    readonly clientVisible: boolean,
  ) {
    super(message);
    this.name = 'SaslAuthError';
  }
}

export interface SaslServer {
  readonly mechanism: string;
  /** Consumes the client's token; returns the server's (possibly empty) answer. Throws SaslAuthError. */
  evaluate(token: Buffer): Buffer;
  readonly complete: boolean;
  /** The authenticated user, once complete. */
  readonly authorizationId: string;
}

export const INVALID_PLAIN_CREDENTIALS = 'Authentication failed: Invalid username or password';

/**
 * PLAIN users held in memory only. Passwords are kept as keyed hashes (the key is random
 * per process), so a heap dump does not show them and comparison is constant-time.
 */
export class PlainUsers {
  private readonly key = randomBytes(32);
  private readonly users = new Map<string, Buffer>();

  private digest(password: string): Buffer {
    return createHmac('sha256', this.key).update(password, 'utf8').digest();
  }

  set(user: string, password: string): void {
    this.users.set(user, this.digest(password));
  }

  get size(): number {
    return this.users.size;
  }

  names(): string[] {
    return [...this.users.keys()];
  }

  verify(user: string, password: string): boolean {
    const expected = this.users.get(user);
    const given = this.digest(password);
    // Compare even for unknown users so timing does not reveal which names exist.
    return timingSafeEqual(expected ?? this.digest('\u0000unknown'), given) && expected !== undefined;
  }
}

export class PlainServer implements SaslServer {
  readonly mechanism = 'PLAIN';
  private done = false;
  private user = '';

  constructor(private readonly users: PlainUsers) {}

  get complete(): boolean {
    return this.done;
  }

  get authorizationId(): string {
    return this.user;
  }

  evaluate(token: Buffer): Buffer {
    if (this.done) throw new SaslAuthError('PLAIN exchange already complete', false);
    // message = [authzid] NUL authcid NUL passwd
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3)
      throw new SaslAuthError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`, true);
    const [authzid, user, password] = parts;
    if (user === '') throw new SaslAuthError('Authentication failed: username not specified', true);
    if (password === '') throw new SaslAuthError('Authentication failed: password not specified', true);
    if (authzid !== '' && authzid !== user) {
      throw new SaslAuthError(
        'Authentication failed: Client requested an authorization id that is different from username',
        true,
      );
    }
    if (!this.users.verify(user, password)) throw new SaslAuthError(INVALID_PLAIN_CREDENTIALS, true);
    this.user = user;
    this.done = true;
    return Buffer.alloc(0);
  }
}
