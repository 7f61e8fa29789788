// DeleteRecords v0-2: moves a partition's log start offset forward. Offset -1 means the
// high watermark.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const deleteRecords: ApiHandler = {
  apiKey: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { broker } = ctx;
    const topics = (
      req.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: number }> }>
    ).map((t) => {
      const topic = broker.topic(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const partition = topic?.partitions[p.partitionIndex];
          if (!partition)
            return {
              partitionIndex: p.partitionIndex,
              lowWatermark: -1,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            };
          const result = broker.deleteRecords(partition, p.offset);
          return { partitionIndex: p.partitionIndex, lowWatermark: result.lowWatermark, errorCode: result.errorCode };
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};
