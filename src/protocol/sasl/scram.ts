// SCRAM (RFC 5802, RFC 7677) as Kafka uses it, for both sides: the mechanisms and
// their wire codes, the key derivations, and the message syntax. The client's state
// machine (client/sasl.ts), the broker's (broker/security/scram.ts) and the configs
// tool's credential upserts all derive keys here.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramMechanismInfo {
  name: ScramMechanismName;
  /** Kafka's ScramMechanism type code on the wire (AlterUserScramCredentials etc.). */
  code: number;
  digest: 'sha256' | 'sha512';
  /** The hash's length, which is also the salted password's. */
  bytes: number;
}

export const SCRAM_MECHANISMS: readonly ScramMechanismInfo[] = [
  { name: 'SCRAM-SHA-256', code: 1, digest: 'sha256', bytes: 32 },
  { name: 'SCRAM-SHA-512', code: 2, digest: 'sha512', bytes: 64 },
];

/** Kafka's bounds on a credential's iterations (both client and broker enforce the minimum). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;
export const SCRAM_DEFAULT_ITERATIONS = 4096;

export function scramMechanism(name: string): ScramMechanismInfo | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}

export function scramMechanismByCode(code: number): ScramMechanismInfo | undefined {
  return SCRAM_MECHANISMS.find((m) => m.code === code);
}

export function isScramMechanism(name: string): name is ScramMechanismName {
  return scramMechanism(name) !== undefined;
}

function info(mechanism: ScramMechanismName | ScramMechanismInfo): ScramMechanismInfo {
  return typeof mechanism === 'string' ? scramMechanism(mechanism)! : mechanism;
}

export function scramHmac(
  mechanism: ScramMechanismName | ScramMechanismInfo,
  key: Buffer,
  data: Buffer | string,
): Buffer {
  return createHmac(info(mechanism).digest, key).update(data).digest();
}

export function scramHash(mechanism: ScramMechanismName | ScramMechanismInfo, data: Buffer): Buffer {
  return createHash(info(mechanism).digest).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, one hash length long. */
export function scramSaltedPassword(
  mechanism: ScramMechanismName | ScramMechanismInfo,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const m = info(mechanism);
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.bytes, m.digest);
}

export interface ScramKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** ClientKey, StoredKey and ServerKey from a salted password. */
export function scramKeys(mechanism: ScramMechanismName | ScramMechanismInfo, salted: Buffer): ScramKeys {
  const clientKey = scramHmac(mechanism, salted, 'Client Key');
  return {
    clientKey,
    storedKey: scramHash(mechanism, clientKey),
    serverKey: scramHmac(mechanism, salted, 'Server Key'),
  };
}

export function xorBuffers(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** RFC 5802 saslname: '=' and ',' are escaped. */
export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** saslname decoding: `=2C` is ',' and `=3D` is '='; any other '=' is malformed (null). */
export function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** A SCRAM message's `a=value` attributes (the first of a repeated one wins); null when malformed. */
export function parseScramAttributes(message: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) return null;
    if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}
