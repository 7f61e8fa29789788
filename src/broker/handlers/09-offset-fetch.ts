// OffsetFetch v0-9, including the v8+ form naming several groups. Null topics (v2+) means
// every committed offset of the group. RequireStable (v7+) has nothing to wait for: the dev
// broker has no transactional offset commits. v9's member id and epoch are ignored, as Kafka
// does for classic groups.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

type RequestTopics = Array<{ name: string; partitionIndexes: number[] }> | null;

export const offsetFetch: ApiHandler = {
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const { apiVersion } = ctx;
    if (apiVersion >= 8) {
      const groups = (req.groups as Array<{ groupId: string; topics: RequestTopics }>).map((g) => {
        const r = coordinator.fetchOffsets(g.groupId, g.topics);
        return { groupId: g.groupId, topics: r.topics, errorCode: r.errorCode };
      });
      return { throttleTimeMs: 0, groups };
    }
    const topics = req.topics as RequestTopics;
    const r = coordinator.fetchOffsets(req.groupId, apiVersion < 2 ? (topics ?? []) : topics);
    if (r.errorCode !== ErrorCode.NONE && apiVersion < 2) {
      // No top-level error code before v2: every asked partition carries it.
      const failed = (topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })),
      }));
      return { throttleTimeMs: 0, topics: failed, errorCode: r.errorCode };
    }
    return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
  },
};
