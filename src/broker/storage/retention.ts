// Time and size retention (retention.ms, retention.bytes): how many of a log's oldest
// segments are due for deletion. The active segment always stays.

export interface RetainedSegment {
  /** The newest record timestamp in the segment. */
  largestTimestamp: number;
  size: number;
}

/** The number of oldest segments retention expires, given the log's settings and the time. */
export function expiredSegmentCount(
  segments: readonly RetainedSegment[],
  config: { retentionMs: number; retentionBytes: number },
  now: number,
): number {
  const last = segments.length - 1;
  let n = 0;
  if (config.retentionMs >= 0) while (n < last && now - segments[n]!.largestTimestamp > config.retentionMs) n++;
  if (config.retentionBytes >= 0) {
    let excess = -config.retentionBytes;
    for (let i = n; i < segments.length; i++) excess += segments[i]!.size;
    while (n < last && excess - segments[n]!.size >= 0) {
      excess -= segments[n]!.size;
      n++;
    }
  }
  return n;
}
