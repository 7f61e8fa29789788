// ApiVersions v0-4. The key table is built from the API registry (src/broker/server/api-registry.ts), so the broker never
// advertises an API or a version it does not serve. v3+ feature tags are left empty.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const apiVersions: ApiHandler = {
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  handle(_req, ctx) {
    return { errorCode: ErrorCode.NONE, apiKeys: ctx.apis.advertised(), throttleTimeMs: 0 };
  },
};
