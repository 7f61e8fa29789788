// Transaction markers on a partition: the COMMIT/ABORT control batch the coordinator
// writes when a transaction ends (Kafka's WriteTxnMarkers, done in-process), and the
// rebuild of a partition's transaction state from its log when it opens, helped by a
// checkpoint a clean shutdown leaves.
import { join } from 'node:path';
import { decodeBatches, encodeControlBatch, type BatchHeader } from '../../protocol/record-batch.js';
import type { Partition } from '../broker.js';
import { atomicWriteFile } from '../storage/fs-interface.js';
import { controlType, PartitionTxns, type PartitionTxnsSnapshot } from './partition-txns.js';

/** The coordinator epoch markers carry: a single broker's coordinator never moves. */
export const COORDINATOR_EPOCH = 0;

/**
 * Appends the marker if the producer has a transaction open in the partition (a marker
 * for a partition that got no data changes nothing, and a redo after a crash must not
 * write a second one). Returns whether one was written; storage failures throw.
 */
export function writeMarker(
  p: Partition,
  producerId: number,
  producerEpoch: number,
  commit: boolean,
  now: number,
  coordinatorEpoch = COORDINATOR_EPOCH,
): boolean {
  if (!p.txns.hasOngoing(producerId)) return false;
  const batch = encodeControlBatch({ commit, producerId, producerEpoch, coordinatorEpoch, timestamp: now });
  const appended = p.log.append(batch);
  p.txns.onBatch(
    {
      baseOffset: appended.baseOffset,
      lastOffsetDelta: 0,
      producerId,
      producerEpoch,
      baseSequence: -1,
      maxTimestamp: now,
      isTransactional: true,
      isControl: true,
    },
    appended.baseOffset,
    commit ? 'commit' : 'abort',
    coordinatorEpoch,
  );
  return true;
}

/** Written at a clean shutdown: the partition's transaction state up to `end`. */
export const CHECKPOINT_FILE = 'transactions.checkpoint';
const CHECKPOINT_VERSION = 1;

/** Stores the partition's transaction state so the next start reads only what follows. */
export function writeTxnCheckpoint(p: Partition): void {
  const { fs } = p.log.storage;
  const body = { version: CHECKPOINT_VERSION, end: p.log.logEndOffset, ...p.txns.snapshot() };
  atomicWriteFile(fs, join(p.log.dir, CHECKPOINT_FILE), JSON.stringify(body));
}

/** The checkpoint, if there is a usable one; it is removed, so a crash later cannot reuse it. */
function takeCheckpoint(p: Partition): { end: number; txns: PartitionTxns } | null {
  const { fs } = p.log.storage;
  const path = join(p.log.dir, CHECKPOINT_FILE);
  if (!fs.existsSync(path)) return null;
  let parsed: ({ version: number; end: number } & PartitionTxnsSnapshot) | null;
  try {
    parsed = JSON.parse(fs.readFileSync(path).toString('utf8'));
  } catch {
    parsed = null;
  }
  fs.rmSync(path, { force: true });
  // A log that ends before the checkpoint lost data the checkpoint counted: scan it all.
  if (!parsed || parsed.version !== CHECKPOINT_VERSION || !(parsed.end <= p.log.logEndOffset)) return null;
  return { end: parsed.end, txns: PartitionTxns.fromSnapshot(parsed) };
}

/**
 * One pass over the batch headers of the log (from the checkpoint's end when there is
 * one): open transactions, aborted ones and each producer's last batch. Control batches
 * are read whole to learn their type.
 */
export function rebuildPartitionTxns(p: Partition): void {
  const { log } = p;
  const checkpoint = takeCheckpoint(p);
  let from = 0;
  let segments = log.segmentCount;
  if (checkpoint) {
    p.txns = checkpoint.txns;
    from = checkpoint.end;
    const bases = log.segmentBaseOffsets();
    let first = 0;
    for (let i = 0; i < bases.length; i++) if (bases[i]! <= from) first = i;
    segments = bases.length - first;
  }
  for (const b of log.recentBatches(segments)) {
    if (b.producerId < 0 || b.baseOffset < from) continue;
    trackBatch(p, b, () => {
      const read = log.read(b.baseOffset, b.size, { minOneBatch: true });
      return read.chunks.length > 0 ? Buffer.concat(read.chunks) : null;
    });
  }
}

/**
 * Feeds one stored batch to the partition's transaction state: data batches open
 * transactions, control batches (read through `bytes` only when needed) close them.
 */
export function trackBatch(p: Partition, b: BatchHeader, bytes: () => Buffer | null): void {
  if (b.producerId < 0) return;
  if (!b.isControl) {
    if (b.isTransactional || b.baseSequence >= 0) p.txns.onBatch(b, b.baseOffset);
    return;
  }
  const data = bytes();
  const batch = data ? decodeBatches(data)[0] : undefined;
  const record = batch?.records[0];
  const coordinatorEpoch = record?.value && record.value.length >= 6 ? record.value.readInt32BE(2) : -1;
  p.txns.onBatch(b, b.baseOffset, controlType(record?.key ?? null), coordinatorEpoch);
}
