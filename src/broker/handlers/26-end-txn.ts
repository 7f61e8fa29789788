// EndTxn v0-4: commit or abort. The markers and the transaction's offsets are written
// before the answer. Before v2 PRODUCER_FENCED is INVALID_PRODUCER_EPOCH.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const endTxn: ApiHandler = {
  apiKey: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const errorCode = ctx.broker.transactions.endTxn(
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.committed,
    );
    return {
      throttleTimeMs: 0,
      errorCode:
        ctx.apiVersion < 2 && errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode,
    };
  },
};
