// SyncGroup v0-5. The answer waits for the leader's assignment (a promise). v5 requests must
// name the protocol type and name, and both must match the group's.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const syncGroup: ApiHandler = {
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    if (v >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    }
    return coordinatorOf(ctx)
      .syncGroup({
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId ?? null,
        protocolType: v >= 5 ? req.protocolType : null,
        protocolName: v >= 5 ? req.protocolName : null,
        assignments: req.assignments as Array<{ memberId: string; assignment: Buffer }>,
      })
      .then((r) => ({ throttleTimeMs: 0, ...r }));
  },
};
