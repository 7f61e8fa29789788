// LeaveGroup v0-5. v3+ removes a batch of members (by member id, or by group instance id
// alone for admin removal of static members) with a result per member; before v3 the one
// member's error is the top-level error. The v5 reason is only logged.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const leaveGroup: ApiHandler = {
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const leaving =
      v >= 3
        ? (req.members as Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>).map(
            (m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId ?? null,
              reason: m.reason ?? null,
            }),
          )
        : [{ memberId: req.memberId as string, groupInstanceId: null, reason: null }];
    const r = coordinatorOf(ctx).leaveGroup(req.groupId, leaving);
    if (v < 3) {
      const memberError = r.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
      return { throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : memberError };
    }
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
  },
};
