// DescribeTransactions v0: a transactional id's state, producer id and epoch, timeout,
// start time and partitions. Unknown ids get TRANSACTIONAL_ID_NOT_FOUND.
import type { ApiHandler } from './handler.js';

export const describeTransactions: ApiHandler = {
  apiKey: 65,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const transactionStates = (req.transactionalIds as string[]).map((id) => ctx.broker.transactions.describe(id));
    return { throttleTimeMs: 0, transactionStates };
  },
};
