// Transaction markers on a partition: the COMMIT/ABORT control batch the coordinator
// writes when a transaction ends (Kafka's WriteTxnMarkers, done in-process), and the
// rebuild of a partition's transaction state from its log when it opens.
import { decodeBatches, encodeControlBatch } from '../../protocol/record-batch.js';
import type { Partition } from '../broker.js';
import { controlType } from './partition-txns.js';

/** The coordinator epoch markers carry: a single broker's coordinator never moves. */
export const COORDINATOR_EPOCH = 0;

/**
 * Appends the marker if the producer has a transaction open in the partition (a marker
 * for a partition that got no data changes nothing, and a redo after a crash must not
 * write a second one). Returns whether one was written; storage failures throw.
 */
export function writeMarker(p: Partition, producerId: number, producerEpoch: number, commit: boolean, now: number, coordinatorEpoch = COORDINATOR_EPOCH): boolean {
  if (!p.txns.hasOngoing(producerId)) return false;
  const batch = encodeControlBatch({ commit, producerId, producerEpoch, coordinatorEpoch, timestamp: now });
  const appended = p.log.append(batch);
  p.txns.onBatch({
    baseOffset: appended.baseOffset, lastOffsetDelta: 0, producerId, producerEpoch, baseSequence: -1, maxTimestamp: now,
    isTransactional: true, isControl: true,
  }, appended.baseOffset, commit ? 'commit' : 'abort', coordinatorEpoch);
  return true;
}

/**
 * One pass over the batch headers of the whole log: open transactions, aborted ones and
 * each producer's last batch. Control batches are read whole to learn their type.
 */
export function rebuildPartitionTxns(p: Partition): void {
  const { log } = p;
  for (const b of log.recentBatches(log.segmentCount)) {
    if (b.producerId < 0) continue;
    if (!b.isControl) {
      if (b.isTransactional || b.baseSequence >= 0) p.txns.onBatch(b, b.baseOffset);
      continue;
    }
    const read = log.read(b.baseOffset, b.size, { minOneBatch: true });
    const batch = read.chunks.length > 0 ? decodeBatches(Buffer.concat(read.chunks))[0] : undefined;
    const record = batch?.records[0];
    const coordinatorEpoch = record?.value && record.value.length >= 6 ? record.value.readInt32BE(2) : -1;
    p.txns.onBatch(b, b.baseOffset, controlType(record?.key ?? null), coordinatorEpoch);
  }
}
