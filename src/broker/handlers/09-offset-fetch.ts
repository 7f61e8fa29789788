// OffsetFetch v0-9, including the v8+ form naming several groups. Null topics (v2+) means
// every committed offset of the group. With RequireStable (v7+) a partition whose offset an
// open transaction has committed answers UNSTABLE_OFFSET_COMMIT, so the client retries once
// the transaction ends. v9's member id and epoch are ignored, as Kafka does for classic groups.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler, RequestContext } from './handler.js';

type RequestTopics = Array<{ name: string; partitionIndexes: number[] }> | null;
type Fetched = ReturnType<ReturnType<typeof coordinatorOf>['fetchOffsets']>;

function markUnstable(ctx: RequestContext, groupId: string, r: Fetched): Fetched {
  for (const t of r.topics) {
    for (const p of t.partitions) {
      if (ctx.broker.transactions.hasPendingOffsets(groupId, t.name, p.partitionIndex)) {
        Object.assign(p, {
          errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
        });
      }
    }
  }
  return r;
}

export const offsetFetch: ApiHandler = {
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const { apiVersion } = ctx;
    if (apiVersion >= 8) {
      const stable = req.requireStable === true;
      const groups = (req.groups as Array<{ groupId: string; topics: RequestTopics }>).map((g) => {
        const fetched = coordinator.fetchOffsets(g.groupId, g.topics);
        const r = stable ? markUnstable(ctx, g.groupId, fetched) : fetched;
        return { groupId: g.groupId, topics: r.topics, errorCode: r.errorCode };
      });
      return { throttleTimeMs: 0, groups };
    }
    const topics = req.topics as RequestTopics;
    let r = coordinator.fetchOffsets(req.groupId, apiVersion < 2 ? (topics ?? []) : topics);
    if (apiVersion >= 7 && req.requireStable === true) r = markUnstable(ctx, req.groupId, r);
    if (r.errorCode !== ErrorCode.NONE && apiVersion < 2) {
      // No top-level error code before v2: every asked partition carries it.
      const failed = (topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({
          partitionIndex: p,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: r.errorCode,
        })),
      }));
      return { throttleTimeMs: 0, topics: failed, errorCode: r.errorCode };
    }
    return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
  },
};
