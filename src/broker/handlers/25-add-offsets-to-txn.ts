// AddOffsetsToTxn v0-4: the group's __consumer_offsets partition joins the transaction,
// so TxnOffsetCommit may follow. Before v2 PRODUCER_FENCED is INVALID_PRODUCER_EPOCH.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const addOffsetsToTxn: ApiHandler = {
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const errorCode = ctx.broker.transactions.addOffsets(
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.groupId,
    );
    return {
      throttleTimeMs: 0,
      errorCode:
        ctx.apiVersion < 2 && errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode,
    };
  },
};
