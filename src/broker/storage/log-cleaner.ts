// Kafka's log cleaner for `cleanup.policy=compact`: closed segments are rewritten
// keeping, for every key, only its latest record. Offsets never change (a compacted
// log has gaps), batches keep their producer id, epoch, base sequence and leader
// epoch, and a batch a producer's state depends on survives empty. Memory is
// bounded: the key map holds at most `maxMapEntries` keys (the dedupe buffer), and
// segments are read one batch at a time. The swap is crash-safe (clean-swap.ts).
//
// Left as Kafka does it: control batches (transaction markers) are kept; records
// without a key are dropped (a compacted topic refuses them at produce time).
// Transactions, as Kafka's cleaner treats them: nothing at or past the first unstable
// offset is cleaned, and records of aborted transactions neither count as a key's
// latest value nor survive a clean.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  decodeBatches,
  encodeRecordBatch,
  type BatchHeader,
  type CompressFn,
  type DecompressFn,
  type RecordInput,
} from '../../protocol/record-batch.js';
import { cleanedLogPath } from './clean-swap.js';
import { atomicWriteFile, writeFully, type StorageFs } from './fs-interface.js';
import type { PartitionLog } from './partition-log.js';
import type { LogSegment } from './segment.js';

export interface CleanerSettings {
  /** min.cleanable.dirty.ratio */
  minCleanableRatio: number;
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a dirty segment older than this is cleaned whatever the ratio. */
  maxCompactionLagMs: number;
  /** delete.retention.ms: how long a tombstone outlives the values it deletes. */
  deleteRetentionMs: number;
  /** segment.bytes: cleaned segments are merged up to this size. */
  segmentBytes: number;
  /** From log.cleaner.dedupe.buffer.size: how many keys one pass may remember. */
  maxMapEntries: number;
}

export interface CleanResult {
  cleaned: boolean;
  /** Why nothing was cleaned, when nothing was. */
  reason?: string;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
  /** The new cleaner checkpoint: offsets below it have been cleaned. */
  cleanedUpTo: number;
}

export interface Codecs {
  compress: CompressFn;
  decompress: DecompressFn;
}

/** What the cleaner needs to know of the partition's transactions. */
export interface TxnView {
  /** The last stable offset: segments reaching it are not cleaned. */
  firstUnstableOffset: number;
  isAborted(producerId: number, offset: number): boolean;
}

const NO_TXNS: TxnView = { firstUnstableOffset: Number.MAX_SAFE_INTEGER, isAborted: () => false };

const CHECKPOINT_FILE = 'cleaner-offset-checkpoint';
/** Kafka's SkimpyOffsetMap spends 24 bytes per entry of the dedupe buffer, loaded to 90%. */
export function mapEntriesFor(dedupeBufferBytes: number): number {
  return Math.max(1, Math.floor((dedupeBufferBytes * 0.9) / 24));
}

export function readCleanerCheckpoint(fs: StorageFs, dir: string): number | null {
  try {
    const n = Number(fs.readFileSync(join(dir, CHECKPOINT_FILE)).toString('utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/** Short keys are used as they are; long ones by digest, as Kafka's map does. */
function keyId(key: Buffer): string {
  return key.length <= 32 ? `k${key.toString('latin1')}` : `h${createHash('md5').update(key).digest('base64')}`;
}

/** Every batch of a segment, one at a time (header plus its bytes). */
function* batchesOf(seg: LogSegment): Generator<{ header: BatchHeader; bytes: Buffer }> {
  let pos = 0;
  while (pos < seg.size) {
    const header = seg.headerAt(pos);
    yield { header, bytes: seg.read(pos, header.size) };
    pos += header.size;
  }
}

/** Compact one partition's log if it is due, in one go (tests, benchmarks). */
export function cleanLog(
  log: PartitionLog,
  settings: CleanerSettings,
  codecs: Codecs,
  now = log.storage.now(),
): CleanResult {
  const steps = cleaningSteps(log, settings, codecs, now);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Bytes of log read between two yields, so a large clean never stalls the broker for long. */
const STEP_BYTES = 4 << 20;

/**
 * The clean as steps: the broker runs one step, serves requests, runs the next.
 * Every step leaves the log consistent (a swap is one synchronous step), and a
 * swap whose segments changed in between (retention, DeleteRecords) is abandoned.
 */
export function* cleaningSteps(
  log: PartitionLog,
  settings: CleanerSettings,
  codecs: Codecs,
  now = log.storage.now(),
  txns: TxnView = NO_TXNS,
): Generator<void, CleanResult> {
  const { fs } = log.storage;
  const closed = log.closedSegments();
  const result: CleanResult = {
    cleaned: false,
    segmentsBefore: closed.length,
    segmentsAfter: closed.length,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRemoved: 0,
    cleanedUpTo: readCleanerCheckpoint(fs, log.dir) ?? log.logStartOffset,
  };
  // Only segments entirely older than min.compaction.lag.ms may be touched.
  const eligible: LogSegment[] = [];
  for (const seg of closed) {
    if (now - seg.largestTimestamp < settings.minCompactionLagMs || seg.nextOffset > txns.firstUnstableOffset) break;
    eligible.push(seg);
  }
  if (eligible.length === 0) return { ...result, reason: 'no closed segment is past min.compaction.lag.ms' };
  const firstDirty = Math.max(result.cleanedUpTo, eligible[0]!.baseOffset);
  const dirty = eligible.filter((seg) => seg.nextOffset > firstDirty);
  if (dirty.length === 0) return { ...result, reason: 'nothing dirty' };
  const total = eligible.reduce((n, seg) => n + seg.size, 0);
  const dirtyBytes = dirty.reduce((n, seg) => n + seg.size, 0);
  const overdue = dirty.some((seg) => now - seg.largestTimestamp >= settings.maxCompactionLagMs);
  if (dirtyBytes / total < settings.minCleanableRatio && !overdue) {
    return { ...result, reason: `dirty ratio ${(dirtyBytes / total).toFixed(2)} below min.cleanable.dirty.ratio` };
  }

  // Pass 1: the latest offset of every key in the dirty part, a whole segment at a time.
  const latest = new Map<string, number>();
  let mapEnd = firstDirty;
  let sinceYield = 0;
  for (const seg of dirty) {
    const before = latest.size;
    for (const { header, bytes } of batchesOf(seg)) {
      if ((sinceYield += header.size) > STEP_BYTES) {
        sinceYield = 0;
        yield;
      }
      if (header.isControl || (header.isTransactional && txns.isAborted(header.producerId, header.baseOffset)))
        continue;
      for (const r of decodeBatches(bytes, codecs.decompress)[0]!.records) {
        if (r.key !== null && r.offset >= firstDirty) latest.set(keyId(r.key), r.offset);
      }
    }
    if (latest.size > settings.maxMapEntries && before > 0) {
      // This segment overflowed the map: clean up to the previous one; it comes next time.
      for (const [k, off] of latest) if (off >= seg.baseOffset) latest.delete(k);
      break;
    }
    mapEnd = seg.nextOffset;
  }

  // Each producer's last batch carries its state (epoch, sequence): it survives, even empty.
  const toClean = eligible.filter((seg) => seg.baseOffset < mapEnd);
  const lastOfProducer = new Map<number, number>();
  for (const seg of toClean) {
    for (const { header } of batchesOf(seg))
      if (header.producerId >= 0) lastOfProducer.set(header.producerId, header.lastOffset);
  }

  // Pass 2: rewrite, merging consecutive segments up to segment.bytes.
  const groups: LogSegment[][] = [];
  for (const seg of toClean) {
    const group = groups.at(-1);
    if (group !== undefined && group.reduce((n, s) => n + s.size, 0) + seg.size <= settings.segmentBytes)
      group.push(seg);
    else groups.push([seg]);
  }
  for (const group of groups) {
    result.bytesBefore += group.reduce((n, s) => n + s.size, 0);
    const base = group[0]!.baseOffset;
    const path = cleanedLogPath(log.dir, base);
    const fd = fs.openSync(path, 'w');
    let written = 0;
    try {
      for (const seg of group) {
        const oldEnough = now - seg.largestTimestamp > settings.deleteRetentionMs;
        for (const { header, bytes } of batchesOf(seg)) {
          if ((sinceYield += header.size) > STEP_BYTES) {
            sinceYield = 0;
            yield;
            if (!log.hasSegments(group)) {
              fs.rmSync(path, { force: true });
              return { ...result, reason: 'the log changed during the clean; it is retried on the next pass' };
            }
          }
          const aborted =
            header.isTransactional && !header.isControl && txns.isAborted(header.producerId, header.baseOffset);
          const out = cleanBatch(header, bytes, latest, oldEnough, lastOfProducer, codecs, aborted);
          result.recordsRemoved += out.removed;
          if (out.bytes === null) continue;
          writeFully(fs, fd, out.bytes, 0, out.bytes.length, written);
          written += out.bytes.length;
        }
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    result.bytesAfter += written;
    log.replaceSegments(group, base);
  }
  atomicWriteFile(fs, join(log.dir, CHECKPOINT_FILE), `${mapEnd}\n`);
  result.cleaned = true;
  result.cleanedUpTo = mapEnd;
  result.segmentsAfter = log.closedSegments().length;
  return result;
}

function cleanBatch(
  header: BatchHeader,
  bytes: Buffer,
  latest: Map<string, number>,
  tombstonesExpired: boolean,
  lastOfProducer: Map<number, number>,
  codecs: Codecs,
  aborted = false,
): { bytes: Buffer | null; removed: number } {
  if (header.isControl) return { bytes, removed: 0 };
  const records = decodeBatches(bytes, codecs.decompress)[0]!.records;
  const kept: RecordInput[] = [];
  for (const r of records) {
    if (r.key === null || aborted) continue;
    const newest = latest.get(keyId(r.key));
    if (newest !== undefined && newest > r.offset) continue;
    if (r.value === null && tombstonesExpired) continue;
    kept.push({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: r.offset - header.baseOffset,
    });
  }
  const removed = records.length - kept.length;
  if (removed === 0) return { bytes, removed };
  const keepEmpty = header.producerId >= 0 && lastOfProducer.get(header.producerId) === header.lastOffset;
  if (kept.length === 0 && !keepEmpty) return { bytes: null, removed };
  const out = encodeRecordBatch({
    records: kept,
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    firstTimestamp: header.baseTimestamp,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: kept.length === 0 ? 0 : header.compression,
    compress: codecs.compress,
    timestampType: header.timestampType,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    isTransactional: header.isTransactional,
  });
  return { bytes: out, removed };
}
