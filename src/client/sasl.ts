/**
 * SASL client mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512
 * (RFC 5802, RFC 7677), as Kafka brokers speak them inside SaslAuthenticate.
 *
 * A mechanism is a small state machine: `first()` gives the initial client
 * message, `next(serverMessage)` the following one (or null when the client
 * has nothing more to send), `done()` checks the exchange finished properly.
 * Errors never include the password.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslMechanismName } from '../protocol/sasl/mechanisms.js';
import {
  SCRAM_MIN_ITERATIONS,
  encodeSaslName,
  parseScramAttributes,
  scramHmac,
  scramKeys,
  scramMechanism,
  scramSaltedPassword,
  xorBuffers,
  type ScramMechanismInfo,
} from '../protocol/sasl/scram.js';

export { SASL_MECHANISMS, type SaslMechanismName } from '../protocol/sasl/mechanisms.js';

/** What a client authenticates with (the connection layer's `sasl` settings). */
export interface SaslCredentials {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

export interface SaslMechanism {
  first(): Buffer;
  next(server: Buffer): Buffer | null;
  /** Throws unless the exchange completed (and, for SCRAM, the server proved itself). */
  done(): void;
}

export class SaslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslError';
  }
}

export function createMechanism(credentials: SaslCredentials, nonce?: string): SaslMechanism {
  switch (credentials.mechanism) {
    case 'PLAIN':
      return new PlainMechanism(credentials.username, credentials.password);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return new ScramMechanism(
        scramMechanism(credentials.mechanism)!,
        credentials.username,
        credentials.password,
        nonce,
      );
    default:
      throw new SaslError(`Unsupported SASL mechanism ${String((credentials as { mechanism: unknown }).mechanism)}`);
  }
}

class PlainMechanism implements SaslMechanism {
  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  first(): Buffer {
    // authzid (empty), authcid, password, separated by NUL.
    return Buffer.from(`\u0000${this.username}\u0000${this.password}`, 'utf8');
  }

  next(): Buffer | null {
    return null;
  }

  done(): void {}
}

/** The server's attributes, or a SaslError naming the message (it holds no secret). */
function serverAttributes(message: string): Map<string, string> {
  const attrs = parseScramAttributes(message);
  if (attrs === null)
    throw new SaslError(`Invalid SCRAM message from the server: ${JSON.stringify(message.slice(0, 80))}`);
  return attrs;
}

class ScramMechanism implements SaslMechanism {
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | undefined;
  private state: 'initial' | 'first-sent' | 'final-sent' | 'complete' = 'initial';

  constructor(
    private readonly mechanism: ScramMechanismInfo,
    private readonly username: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.clientNonce = nonce ?? randomBytes(24).toString('base64url');
  }

  first(): Buffer {
    this.clientFirstBare = `n=${encodeSaslName(this.username)},r=${this.clientNonce}`;
    this.state = 'first-sent';
    // gs2 header "n,," : no channel binding, no authzid.
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  next(server: Buffer): Buffer | null {
    const text = server.toString('utf8');
    if (this.state === 'first-sent') {
      const attrs = serverAttributes(text);
      if (attrs.has('e')) throw new SaslError(`SCRAM authentication failed: ${attrs.get('e')}`);
      const nonce = attrs.get('r');
      const salt = attrs.get('s');
      const iterations = Number(attrs.get('i'));
      if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
        throw new SaslError('Invalid SCRAM server-first message');
      }
      if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
        throw new SaslError('Invalid SCRAM server nonce: it does not extend the client nonce');
      }
      if (iterations < SCRAM_MIN_ITERATIONS) {
        throw new SaslError(
          `Requested iterations ${iterations} is less than the minimum ${SCRAM_MIN_ITERATIONS} for ${this.name}`,
        );
      }
      const salted = scramSaltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
      const keys = scramKeys(this.mechanism, salted);
      const finalWithoutProof = `c=biws,r=${nonce}`;
      const authMessage = `${this.clientFirstBare},${text},${finalWithoutProof}`;
      const clientSignature = scramHmac(this.mechanism, keys.storedKey, authMessage);
      const proof = xorBuffers(keys.clientKey, clientSignature);
      this.expectedServerSignature = scramHmac(this.mechanism, keys.serverKey, authMessage);
      this.state = 'final-sent';
      return Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`, 'utf8');
    }
    if (this.state === 'final-sent') {
      const attrs = serverAttributes(text);
      if (attrs.has('e')) throw new SaslError(`SCRAM authentication failed: ${attrs.get('e')}`);
      const verifier = attrs.get('v');
      if (verifier === undefined) throw new SaslError('Invalid SCRAM server-final message');
      const got = Buffer.from(verifier, 'base64');
      const want = this.expectedServerSignature!;
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        throw new SaslError('Invalid SCRAM server signature: the server could not prove it knows the password');
      }
      this.state = 'complete';
      return null;
    }
    throw new SaslError('Unexpected SCRAM message from the server');
  }

  done(): void {
    if (this.state !== 'complete') throw new SaslError('SCRAM authentication did not complete');
  }

  private get name(): string {
    return this.mechanism.name;
  }
}
