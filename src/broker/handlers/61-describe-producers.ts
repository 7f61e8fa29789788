// DescribeProducers v0: the producers a partition has seen, with their epoch, last
// sequence and timestamp, the coordinator epoch of their last marker, and where their
// open transaction began (-1 when none): what kafka-transactions.sh describe-producers
// prints and find-hanging looks for.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const describeProducers: ApiHandler = {
  apiKey: 61,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const topics = (req.topics as Array<{ name: string; partitionIndexes: number[] }>).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((index) => {
        const partition = ctx.broker.topic(t.name)?.partitions[index];
        if (!partition) {
          return {
            partitionIndex: index,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: null,
            activeProducers: [],
          };
        }
        const activeProducers = partition.txns.activeProducers().map((p) => ({ ...p }));
        return { partitionIndex: index, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
