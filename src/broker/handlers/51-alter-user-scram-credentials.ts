// AlterUserScramCredentials v0: deletions and upsertions. The client sends the salt and
// the salted password (Hi(password, salt, i)); the broker keeps only StoredKey and
// ServerKey derived from them. A user whose changes contain any error gets none applied.
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import {
  credentialFromSaltedPassword,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramMechanismByCode,
  type ScramCredential,
  type ScramMechanism,
} from '../security/scram.js';
import type { ApiHandler } from './handler.js';

interface Deletion {
  name: string;
  mechanism: number;
}
interface Upsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export const alterUserScramCredentials: ApiHandler = {
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  handle(req: { deletions: Deletion[]; upsertions: Upsertion[] }, ctx) {
    const store = ctx.broker.security?.scram;
    const users: string[] = [];
    const errors = new Map<string, { error: ErrorName; message: string }>();
    const seen = new Set<string>();
    const changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential | null }> = [];
    const note = (user: string) => {
      if (!users.includes(user)) users.push(user);
    };
    const reject = (user: string, error: ErrorName, message: string) => {
      if (!errors.has(user)) errors.set(user, { error, message });
    };
    const check = (user: string, code: number): ScramMechanism | null => {
      note(user);
      if (user === '') {
        reject(user, 'UNACCEPTABLE_CREDENTIAL', 'Username must not be empty');
        return null;
      }
      const mech = scramMechanismByCode(code);
      if (!mech) {
        reject(user, 'UNSUPPORTED_SASL_MECHANISM', 'Unknown SCRAM mechanism');
        return null;
      }
      const key = `${mech.name}\u0000${user}`;
      if (seen.has(key)) {
        reject(user, 'DUPLICATE_RESOURCE', 'A user credential cannot be altered twice in the same request');
        return null;
      }
      seen.add(key);
      return mech.name;
    };
    for (const d of req.deletions) {
      const mech = check(d.name, d.mechanism);
      if (!mech) continue;
      if (!store?.get(d.name, mech)) {
        reject(d.name, 'RESOURCE_NOT_FOUND', 'Attempt to delete a user credential that does not exist');
        continue;
      }
      changes.push({ user: d.name, mechanism: mech, credential: null });
    }
    for (const u of req.upsertions) {
      const mech = check(u.name, u.mechanism);
      if (!mech) continue;
      if (u.iterations < SCRAM_MIN_ITERATIONS) {
        reject(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Too few iterations');
        continue;
      }
      if (u.iterations > SCRAM_MAX_ITERATIONS) {
        reject(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Too many iterations');
        continue;
      }
      if (u.salt.length === 0 || u.saltedPassword.length === 0) {
        reject(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Salt and salted password must not be empty');
        continue;
      }
      changes.push({
        user: u.name,
        mechanism: mech,
        credential: credentialFromSaltedPassword(mech, u.saltedPassword, u.salt, u.iterations),
      });
    }
    const accepted = changes.filter((c) => !errors.has(c.user));
    if (!store && accepted.length > 0) {
      for (const c of accepted)
        reject(c.user, 'UNKNOWN_SERVER_ERROR', 'SCRAM credentials are not available on this broker');
    } else if (store) {
      try {
        store.apply(accepted);
      } catch (err) {
        ctx.broker.log(`Storing SCRAM credentials failed: ${(err as Error).message}`);
        for (const c of accepted) reject(c.user, 'KAFKA_STORAGE_ERROR', 'Storing the SCRAM credentials failed');
      }
    }
    if (accepted.length > 0 && store) {
      const changed = [...new Set(accepted.map((c) => c.user))].filter((u) => !errors.has(u));
      if (changed.length > 0) ctx.broker.log(`Altered SCRAM credentials of ${changed.length} user(s)`);
    }
    return {
      throttleTimeMs: 0,
      results: users.map((user) => {
        const e = errors.get(user);
        return { user, errorCode: e ? ErrorCode[e.error] : ErrorCode.NONE, errorMessage: e ? e.message : null };
      }),
    };
  },
};
