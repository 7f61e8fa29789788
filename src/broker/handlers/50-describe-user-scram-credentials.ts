// DescribeUserScramCredentials v0: mechanisms and iteration counts per user, never keys.
// A null or empty user list describes every user.
import { ErrorCode } from '../../protocol/errors.js';
import { scramMechanism } from '../security/scram.js';
import type { ApiHandler } from './handler.js';

interface Result {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentialInfos: Array<{ mechanism: number; iterations: number }>;
}

export const describeUserScramCredentials: ApiHandler = {
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  handle(req: { users: Array<{ name: string }> | null }, ctx) {
    const store = ctx.broker.security?.scram;
    const base = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null as string | null,
      results: [] as Result[],
    };
    if (!store) return base;
    const asked = req.users ?? [];
    const names: string[] = asked.length === 0 ? store.list().map((u) => u.user) : [];
    const counts = new Map<string, number>();
    for (const u of asked) {
      if (!counts.has(u.name)) names.push(u.name);
      counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    }
    base.results = names.map((user) => {
      if ((counts.get(user) ?? 0) > 1) {
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          credentialInfos: [],
        };
      }
      const creds = store.describe(user);
      if (!creds) {
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
          credentialInfos: [],
        };
      }
      return {
        user,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        credentialInfos: creds.map((c) => ({ mechanism: scramMechanism(c.mechanism)!.code, iterations: c.iterations })),
      };
    });
    return base;
  },
};
