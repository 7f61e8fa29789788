// WriteTxnMarkers v0-1. Kafka's coordinator sends it to partition leaders; here the
// coordinator writes its markers in-process, and this API serves what else sends it:
// the admin client's abortTransaction (kafka-transactions.sh abort), which ends a
// transaction left hanging in a partition. A marker with an epoch older than the
// producer's is refused with INVALID_PRODUCER_EPOCH, one with an older coordinator
// epoch with TRANSACTION_COORDINATOR_FENCED.
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import { writeMarker } from '../transactions/markers.js';
import type { ApiHandler, RequestContext } from './handler.js';

interface Marker {
  producerId: number;
  producerEpoch: number;
  transactionResult: boolean;
  topics: Array<{ name: string; partitionIndexes: number[] }>;
  coordinatorEpoch: number;
}

export const writeTxnMarkers: ApiHandler = {
  apiKey: 27,
  name: 'WriteTxnMarkers',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const markers = (req.markers as Marker[]).map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((index) => ({
          partitionIndex: index,
          errorCode: ErrorCode[write(ctx, m, t.name, index) ?? 'NONE'],
        })),
      })),
    }));
    return { markers };
  },
};

function write(ctx: RequestContext, m: Marker, topic: string, index: number): ErrorName | null {
  const partition = ctx.broker.topic(topic)?.partitions[index];
  if (!partition) return 'UNKNOWN_TOPIC_OR_PARTITION';
  const known = partition.txns.producer(m.producerId);
  if (known && m.producerEpoch < known.producerEpoch) return 'INVALID_PRODUCER_EPOCH';
  if (known && m.coordinatorEpoch < known.coordinatorEpoch) return 'TRANSACTION_COORDINATOR_FENCED';
  try {
    if (writeMarker(partition, m.producerId, m.producerEpoch, m.transactionResult, Date.now(), m.coordinatorEpoch))
      ctx.broker.wakePartition(partition);
  } catch (err) {
    ctx.broker.log(`Writing a transaction marker to ${topic}-${index} failed: ${(err as Error).message}`);
    return 'KAFKA_STORAGE_ERROR';
  }
  return null;
}
