// AddPartitionsToTxn v0-5. v0-3 come from producers: one transaction, its partitions.
// v4+ batch several transactions and may only verify (VerifyOnly), as brokers ask;
// they are answered the same way. Before v2 PRODUCER_FENCED is INVALID_PRODUCER_EPOCH.
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionErrors } from '../transactions/coordinator.js';
import type { ApiHandler, RequestContext } from './handler.js';

interface Topics {
  name: string;
  partitions: number[];
}

export const addPartitionsToTxn: ApiHandler = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (ctx.apiVersion <= 3) {
      const results = add(
        ctx,
        req.v3AndBelowTransactionalId,
        req.v3AndBelowProducerId,
        req.v3AndBelowProducerEpoch,
        req.v3AndBelowTopics,
        false,
      );
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: toWire(results, ctx.apiVersion) };
    }
    const resultsByTransaction = (
      req.transactions as Array<{
        transactionalId: string;
        producerId: number;
        producerEpoch: number;
        verifyOnly: boolean;
        topics: Topics[];
      }>
    ).map((t) => ({
      transactionalId: t.transactionalId,
      topicResults: toWire(
        add(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly),
        ctx.apiVersion,
      ),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
  },
};

function add(
  ctx: RequestContext,
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
  topics: Topics[],
  verifyOnly: boolean,
): PartitionErrors {
  const coordinator = ctx.broker.transactions;
  const asked = topics.map((t) => ({ topic: t.name, partitions: t.partitions }));
  if (!verifyOnly) return coordinator.addPartitions(transactionalId, producerId, producerEpoch, asked);
  return asked.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const refused = coordinator.verifyProduce(transactionalId, producerId, producerEpoch, t.topic, p);
      return { partition: p, errorCode: refused === null ? ErrorCode.NONE : ErrorCode[refused] };
    }),
  }));
}

function toWire(results: PartitionErrors, version: number) {
  return results.map((t) => ({
    name: t.topic,
    resultsByPartition: t.partitions.map((p) => ({
      partitionIndex: p.partition,
      partitionErrorCode:
        version < 2 && p.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : p.errorCode,
    })),
  }));
}
