// InitProducerId v0-5. Without a transactional id: a fresh producer id for an idempotent
// producer. With one: the transaction coordinator bumps the id's epoch, fencing any
// older producer with the same id (and aborting its open transaction). Before v4 a fenced
// caller gets INVALID_PRODUCER_EPOCH, which older clients understand, instead of PRODUCER_FENCED.
// A cluster's brokers refuse transactional ids (see CLUSTER_HANDLERS).
import { ErrorCode } from '../../protocol/errors.js';
import { NoProducerIdsError } from '../cluster/producer-id-blocks.js';
import type { ApiHandler } from './handler.js';

export const initProducerId: ApiHandler = {
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (req.transactionalId !== null && req.transactionalId !== undefined) {
      if (ctx.broker.replicaManager) {
        ctx.broker.log(
          `Refused InitProducerId for transactional id ${req.transactionalId}: transactions are not supported on a ktool cluster yet`,
        );
        return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1, producerEpoch: -1 };
      }
      // KIP-360 (v3+): a producer id and epoch of -1 mean "none".
      const expected =
        req.producerId !== undefined && req.producerId >= 0
          ? { producerId: req.producerId, producerEpoch: req.producerEpoch }
          : null;
      const r = ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
      const errorCode =
        ctx.apiVersion < 4 && r.errorCode === ErrorCode.PRODUCER_FENCED
          ? ErrorCode.INVALID_PRODUCER_EPOCH
          : r.errorCode;
      return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
    }
    // Without a transactional id Kafka hands out a fresh id each time, even when the
    // caller asks to bump the epoch of an old one (KIP-360).
    try {
      const producerId = await ctx.broker.allocateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    } catch (err) {
      // A cluster's broker waits for the controller's next block; the client retries.
      if (!(err instanceof NoProducerIdsError)) throw err;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        producerId: -1,
        producerEpoch: -1,
      };
    }
  },
};
