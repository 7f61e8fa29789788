// CreatePartitions v0-3, with validateOnly.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const createPartitions: ApiHandler = {
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const { broker } = ctx;
    const results = (
      req.topics as Array<{ name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null }>
    ).map((t) => {
      const r = broker.createPartitions(
        t.name,
        t.count,
        t.assignments?.map((a) => a.brokerIds) ?? null,
        req.validateOnly,
      );
      return r.ok
        ? { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
        : { name: t.name, errorCode: ErrorCode[r.error], errorMessage: r.message };
    });
    return { throttleTimeMs: 0, results };
  },
};
