// CreatePartitions v0-3, with validateOnly. A KRaft broker passes it on to the active controller.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';
import { forwardCreatePartitions } from '../cluster/forward.js';

export const createPartitions: ApiHandler = {
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const { broker } = ctx;
    if (broker.controllerChannel) return forwardCreatePartitions(broker.controllerChannel, req);
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
