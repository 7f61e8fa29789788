// SCRAM credentials, kept in `<dataDir>/scram-credentials.json` and rewritten atomically on
// every change. Only salt, iteration count, StoredKey and ServerKey are stored: neither the
// password nor the salted password (which would be as good as the password) is kept.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile, type StorageFs } from '../storage/fs-interface.js';
import { isScramMechanism, type ScramCredential, type ScramMechanism } from './scram.js';

export const SCRAM_CREDENTIALS_FILE = 'scram-credentials.json';
const FORMAT_VERSION = 1;

interface StoredCredential {
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}
interface Document {
  version: number;
  users: Record<string, Partial<Record<ScramMechanism, StoredCredential>>>;
}

export class ScramCredentialStore {
  private users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  private readonly path: string;

  constructor(
    dataDir: string,
    private readonly fs: StorageFs,
  ) {
    this.path = join(dataDir, SCRAM_CREDENTIALS_FILE);
    if (fs.existsSync(this.path)) this.users = parse(fs.readFileSync(this.path).toString('utf8'), this.path);
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Users (sorted) with their mechanisms and iteration counts. */
  list(): Array<{ user: string; credentials: Array<{ mechanism: ScramMechanism; iterations: number }> }> {
    return [...this.users.keys()].sort().map((user) => ({ user, credentials: this.describe(user)! }));
  }

  describe(user: string): Array<{ mechanism: ScramMechanism; iterations: number }> | undefined {
    const m = this.users.get(user);
    if (!m || m.size === 0) return undefined;
    return [...m.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  /**
   * Applies a set of changes as one write: persisted first, then made visible, so a failed
   * write changes nothing.
   */
  apply(changes: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential | null }>): void {
    if (changes.length === 0) return;
    const next = new Map([...this.users].map(([u, m]) => [u, new Map(m)]));
    for (const c of changes) {
      let m = next.get(c.user);
      if (c.credential) {
        if (!m) {
          m = new Map();
          next.set(c.user, m);
        }
        m.set(c.mechanism, c.credential);
      } else if (m) {
        m.delete(c.mechanism);
        if (m.size === 0) next.delete(c.user);
      }
    }
    this.save(next);
    this.users = next;
  }

  private save(users: Map<string, Map<ScramMechanism, ScramCredential>>): void {
    const doc: Document = { version: FORMAT_VERSION, users: {} };
    for (const [user, m] of [...users].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const entry: Partial<Record<ScramMechanism, StoredCredential>> = {};
      for (const [mech, c] of m) {
        entry[mech] = {
          salt: c.salt.toString('base64'),
          iterations: c.iterations,
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
        };
      }
      doc.users[user] = entry;
    }
    atomicWriteFile(this.fs, this.path, JSON.stringify(doc, null, 2) + '\n');
    try {
      chmodSync(this.path, 0o600);
    } catch {
      // best effort (an injected filesystem may not back this path)
    }
  }
}

function parse(text: string, path: string): Map<string, Map<ScramMechanism, ScramCredential>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const doc = raw as Partial<Document>;
  if (typeof doc !== 'object' || doc === null || typeof doc.users !== 'object' || doc.users === null) {
    throw new Error(`${path} is not a ktool SCRAM credentials file`);
  }
  if (typeof doc.version === 'number' && doc.version > FORMAT_VERSION) {
    throw new Error(`${path} has format version ${doc.version}; this ktool understands up to ${FORMAT_VERSION}`);
  }
  const out = new Map<string, Map<ScramMechanism, ScramCredential>>();
  for (const [user, entry] of Object.entries(doc.users)) {
    const m = new Map<ScramMechanism, ScramCredential>();
    for (const [mech, c] of Object.entries(entry ?? {})) {
      if (
        !isScramMechanism(mech) ||
        !c ||
        typeof c.salt !== 'string' ||
        typeof c.storedKey !== 'string' ||
        typeof c.serverKey !== 'string' ||
        !Number.isInteger(c.iterations)
      ) {
        throw new Error(`${path} has a malformed credential for user ${JSON.stringify(user)}`);
      }
      m.set(mech, {
        salt: Buffer.from(c.salt, 'base64'),
        iterations: c.iterations,
        storedKey: Buffer.from(c.storedKey, 'base64'),
        serverKey: Buffer.from(c.serverKey, 'base64'),
      });
    }
    if (m.size > 0) out.set(user, m);
  }
  return out;
}
