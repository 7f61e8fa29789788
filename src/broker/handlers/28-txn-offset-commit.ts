// TxnOffsetCommit v0-4: offsets committed inside a transaction. They are stored with the
// transaction and reach the group's committed offsets only when it commits. v3+ carry
// the consumer's generation and member id, checked as OffsetCommit checks them.
import type { ApiHandler } from './handler.js';

interface Partition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch?: number;
  committedMetadata: string | null;
}

export const txnOffsetCommit: ApiHandler = {
  apiKey: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const results = ctx.broker.transactions.txnOffsetCommit({
      transactionalId: req.transactionalId,
      groupId: req.groupId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      generationId: req.generationId ?? -1,
      memberId: req.memberId ?? '',
      groupInstanceId: req.groupInstanceId ?? null,
      topics: (req.topics as Array<{ name: string; partitions: Partition[] }>).map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, committedLeaderEpoch: p.committedLeaderEpoch ?? -1 })),
      })),
    });
    return {
      throttleTimeMs: 0,
      topics: results.map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
      })),
    };
  },
};
