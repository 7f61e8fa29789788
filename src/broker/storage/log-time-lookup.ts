// Lookups by time over a log's segments (ListOffsets by timestamp, and the max-timestamp
// offset): the segments' time indexes find the batch, and an uncompressed CreateTime batch
// is decoded to find the exact record.
import { recordTimestamps, type BatchHeader } from '../../protocol/record-batch.js';
import type { LogSegment } from './segment.js';

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

/**
 * First offset (>= logStartOffset) whose record timestamp is >= `timestamp`
 * (ListOffsets by time). Uncompressed CreateTime batches are decoded to find
 * the exact record; compressed batches answer at batch granularity
 * (their first offset and maxTimestamp). Null if no record qualifies.
 */
export function offsetForTimestamp(
  segments: readonly LogSegment[],
  logStartOffset: number,
  timestamp: number,
): TimestampOffset | null {
  for (const seg of segments) {
    if (seg.nextOffset <= logStartOffset || seg.maxTimestamp < timestamp) continue;
    const found = seg.findBatchByTimestamp(timestamp);
    if (!found) continue;
    for (const { position, header } of seg.batches(found.position)) {
      if (header.maxTimestamp < timestamp || header.lastOffset < logStartOffset) continue;
      const exact = firstRecordAtOrAfter(seg, position, header, timestamp, logStartOffset);
      if (exact) return exact;
    }
  }
  return null;
}

function firstRecordAtOrAfter(
  seg: LogSegment,
  position: number,
  header: BatchHeader,
  timestamp: number,
  logStartOffset: number,
): TimestampOffset | null {
  if (header.compression !== 0 || header.timestampType === 1) {
    return { offset: Math.max(header.baseOffset, logStartOffset), timestamp: header.maxTimestamp };
  }
  const rt = recordTimestamps(seg.read(position, header.size), 0);
  if (!rt) return { offset: Math.max(header.baseOffset, logStartOffset), timestamp: header.maxTimestamp };
  for (let i = 0; i < rt.offsets.length; i++) {
    if (rt.timestamps[i]! >= timestamp && rt.offsets[i]! >= logStartOffset) {
      return { offset: rt.offsets[i]!, timestamp: rt.timestamps[i]! };
    }
  }
  return null;
}

/**
 * Offset and timestamp of the record with the largest timestamp (first
 * one on ties). Exact for uncompressed batches; for compressed ones the
 * batch's last offset. Null when no batch carries a timestamp.
 */
export function maxTimestampOffset(segments: readonly LogSegment[]): TimestampOffset | null {
  let best: LogSegment | null = null;
  for (const seg of segments) {
    if (seg.maxTimestamp >= 0 && (best === null || seg.maxTimestamp > best.maxTimestamp)) best = seg;
  }
  if (!best) return null;
  const ts = best.maxTimestamp;
  const located = best.findBatch(best.offsetOfMaxTimestamp);
  if (!located || located.header.compression !== 0 || located.header.timestampType === 1) {
    return { offset: best.offsetOfMaxTimestamp, timestamp: ts };
  }
  const rt = recordTimestamps(best.read(located.position, located.header.size), 0);
  const i = rt ? rt.timestamps.indexOf(ts) : -1;
  return { offset: i >= 0 ? rt!.offsets[i]! : best.offsetOfMaxTimestamp, timestamp: ts };
}
