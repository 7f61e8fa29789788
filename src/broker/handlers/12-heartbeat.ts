// Heartbeat v0-4 (v3+ carries the group instance id of static members). Nothing left out.
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const heartbeat: ApiHandler = {
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const errorCode = coordinatorOf(ctx).heartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
    });
    return { throttleTimeMs: 0, errorCode };
  },
};
