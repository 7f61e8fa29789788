// ListTransactions v0-1: transactional ids, filtered by state names, producer ids and
// (v1, KIP-994) how long they have run. Unknown state names come back in
// UnknownStateFilters, as Kafka answers them.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const listTransactions: ApiHandler = {
  apiKey: 66,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const r = ctx.broker.transactions.listTransactions(
      req.stateFilters ?? [],
      req.producerIdFilters ?? [],
      req.durationFilter ?? -1,
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...r };
  },
};
