// OffsetCommit v0-9. Offsets go to the group coordinator's durable store; partitions of
// unknown topics get UNKNOWN_TOPIC_OR_PARTITION. v0 (Kafka stored it in ZooKeeper) is served
// as a commit from outside group management; v1's commit timestamp and v2-4's retention time
// are honoured. v9 is v8 for classic groups (KIP-848 member epochs are not implemented).
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

interface RequestPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  commitTimestamp: number;
  committedMetadata: string | null;
}

export const offsetCommit: ApiHandler = {
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const topics = coordinator.commitOffsets({
      groupId: req.groupId,
      generationId: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      retentionTimeMs: req.retentionTimeMs,
      topics: (req.topics as Array<{ name: string; partitions: RequestPartition[] }>).map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch,
          commitTimestamp: p.commitTimestamp,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    // On a cluster the commit is answered once the in-sync replicas hold it.
    const durable = await coordinator.awaitDurable(req.groupId);
    if (durable !== ErrorCode.NONE)
      for (const t of topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = durable;
    return { throttleTimeMs: 0, topics };
  },
};
