// JoinGroup v0-9. The answer waits for the rebalance (a promise). v4+ makes a new dynamic
// member join twice (MEMBER_ID_REQUIRED); v5+ static membership; v9 lets a returning static
// leader skip the assignment. The v8+ reason is only logged.
import { clientHostOf, coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const joinGroup: ApiHandler = {
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    return coordinatorOf(ctx)
      .joinGroup({
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId ?? null,
        sessionTimeoutMs: req.sessionTimeoutMs,
        // v0 has no rebalance timeout: the session timeout serves as both.
        rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        protocolType: req.protocolType,
        // Copies: decoded bytes are views into the request frame.
        protocols: (req.protocols as Array<{ name: string; metadata: Buffer }>).map((p) => ({
          name: p.name,
          metadata: Buffer.from(p.metadata),
        })),
        clientId: ctx.clientId ?? '',
        clientHost: clientHostOf(ctx.remoteAddress),
        requireKnownMemberId: v >= 4,
        supportSkippingAssignment: v >= 9,
        reason: req.reason ?? null,
      })
      .then((r) => ({
        throttleTimeMs: 0,
        errorCode: r.errorCode,
        generationId: r.generationId,
        protocolType: r.protocolType,
        // Not nullable before v7.
        protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
        leader: r.leader,
        skipAssignment: r.skipAssignment,
        memberId: r.memberId,
        members: r.members,
      }));
  },
};
