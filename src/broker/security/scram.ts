// SCRAM (RFC 5802, RFC 7677) for the broker side: credential derivation and the server's
// half of the exchange. Only the `n,,` / `y,,` channel-binding headers are accepted (no
// channel binding), as Kafka does.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  SCRAM_DEFAULT_ITERATIONS,
  decodeSaslName,
  parseScramAttributes,
  scramHash,
  scramHmac,
  scramKeys,
  scramMechanism,
  scramSaltedPassword,
  xorBuffers,
  type ScramMechanismInfo,
  type ScramMechanismName,
} from '../../protocol/sasl/scram.js';
import { SaslAuthError, type SaslServer } from './sasl.js';

// The mechanism table and iteration bounds are shared with the client: protocol/sasl/scram.ts.
export {
  SCRAM_DEFAULT_ITERATIONS,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  isScramMechanism,
  scramMechanism,
  scramMechanismByCode,
} from '../../protocol/sasl/scram.js';
export type ScramMechanism = ScramMechanismName;

/** What the broker keeps per user and mechanism: never the password or the salted password. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** StoredKey and ServerKey from a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSaltedPassword(
  mechanism: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const { storedKey, serverKey } = scramKeys(mechanism, salted);
  return { salt: Buffer.from(salt), iterations, storedKey, serverKey };
}

export function credentialFromPassword(
  mechanism: ScramMechanism,
  password: string,
  iterations = SCRAM_DEFAULT_ITERATIONS,
  salt: Buffer = randomBytes(32),
): ScramCredential {
  return credentialFromSaltedPassword(
    mechanism,
    scramSaltedPassword(mechanism, password, salt, iterations),
    salt,
    iterations,
  );
}

/** True when `password` yields this credential (used to skip re-hashing unchanged users). */
export function credentialMatches(mechanism: ScramMechanism, cred: ScramCredential, password: string): boolean {
  const fresh = credentialFromPassword(mechanism, password, cred.iterations, cred.salt);
  return fresh.storedKey.length === cred.storedKey.length && timingSafeEqual(fresh.storedKey, cred.storedKey);
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

export type CredentialLookup = (user: string) => ScramCredential | undefined;

/**
 * One SCRAM exchange. Every failure is a SaslAuthError without a client-visible detail:
 * the authenticator answers Kafka's generic "invalid credentials" message, so a client
 * cannot tell an unknown user from a wrong password by the text.
 */
export class ScramServer implements SaslServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private cred: ScramCredential | undefined;
  private user = '';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private readonly info: ScramMechanismInfo;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: CredentialLookup,
    /** The server's nonce part (tests pin it to check published vectors). */
    private readonly serverNonce: () => string = () => randomBytes(18).toString('base64'),
  ) {
    this.info = scramMechanism(mechanism)!;
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  get authorizationId(): string {
    return this.user;
  }

  evaluate(token: Buffer): Buffer {
    switch (this.state) {
      case 'first':
        return this.clientFirst(token.toString('utf8'));
      case 'final':
        return this.clientFinal(token.toString('utf8'));
      default:
        throw new SaslAuthError('SCRAM exchange already complete', false);
    }
  }

  private clientFirst(msg: string): Buffer {
    // gs2-header: cbind-flag "," [authzid] ","
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) throw new SaslAuthError('Invalid SCRAM client first message', false);
    if (m[1].startsWith('p=')) throw new SaslAuthError('SCRAM channel binding is not supported', false);
    const bare = m[3];
    const attrs = parseScramAttributes(bare);
    if (!attrs || bare.startsWith('m=')) throw new SaslAuthError('Invalid SCRAM client first message', false);
    const rawUser = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (rawUser === undefined || clientNonce === undefined || !bare.startsWith('n='))
      throw new SaslAuthError('Invalid SCRAM client first message', false);
    if (!PRINTABLE_NONCE.test(clientNonce)) throw new SaslAuthError('Invalid SCRAM client nonce', false);
    const user = decodeSaslName(rawUser);
    if (user === null || user === '') throw new SaslAuthError('Invalid SCRAM user name', false);
    if (m[2] !== undefined) {
      const authzid = decodeSaslName(m[2].slice(2));
      if (authzid !== user)
        throw new SaslAuthError(
          'Authentication failed: Client requested an authorization id that is different from username',
          true,
        );
    }
    // Delegation tokens are not served here.
    if (attrs.get('t') !== undefined || /(^|,)tokenauth=true(,|$)/i.test(bare))
      throw new SaslAuthError('Delegation token authentication is not supported', false);
    const cred = this.lookup(user);
    if (!cred) throw new SaslAuthError('Unknown SCRAM user', false);
    this.cred = cred;
    this.user = user;
    this.gs2Header = msg.slice(0, msg.length - bare.length);
    this.clientFirstBare = bare;
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${cred.salt.toString('base64')},i=${cred.iterations}`;
    this.state = 'final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private clientFinal(msg: string): Buffer {
    const cred = this.cred!;
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) throw new SaslAuthError('Invalid SCRAM client final message', false);
    const withoutProof = msg.slice(0, proofAt);
    const attrs = parseScramAttributes(withoutProof);
    const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
    if (!attrs || !withoutProof.startsWith('c=')) throw new SaslAuthError('Invalid SCRAM client final message', false);
    const binding = Buffer.from(attrs.get('c') ?? '', 'base64').toString('utf8');
    if (binding !== this.gs2Header) throw new SaslAuthError('SCRAM channel binding does not match', false);
    // Kafka accepts any nonce that ends with the combined nonce it sent: librdkafka puts its
    // client nonce in front of the combined one. The server's fresh part is still required
    // and the proof covers the message as sent.
    const nonce = attrs.get('r');
    if (nonce === undefined || !nonce.endsWith(this.nonce)) throw new SaslAuthError('SCRAM nonce mismatch', false);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = scramHmac(this.info, cred.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new SaslAuthError('Invalid SCRAM client proof', false);
    const clientKey = xorBuffers(proof, clientSignature);
    if (!timingSafeEqual(scramHash(this.info, clientKey), cred.storedKey))
      throw new SaslAuthError('Invalid SCRAM client proof', false);
    const serverSignature = scramHmac(this.info, cred.serverKey, authMessage);
    this.state = 'done';
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}
