/**
 * In-memory forms of a segment's sparse indexes, in Kafka's on-disk layout:
 *
 *  - offset index (`.index`), 8-byte entries: relativeOffset int32 BE,
 *    position int32 BE. The offset is the LAST offset of the batch that
 *    starts at `position` (as Kafka does), so "largest entry <= target" gives
 *    a position at or before the batch holding the target.
 *  - time index (`.timeindex`), 12-byte entries: timestamp int64 BE,
 *    relativeOffset int32 BE, with strictly increasing timestamps. An entry
 *    (T, O) means: every batch written before the entry was added has
 *    maxTimestamp <= T, and O is the last offset of the batch carrying T.
 *
 * Entries live in growable typed arrays; the segment appends the same bytes
 * to the files. Memory is per index entry, never per record.
 */
import { readInt64, writeInt64 } from '../../protocol/record-batch.js';

export const OFFSET_ENTRY_SIZE = 8;
export const TIME_ENTRY_SIZE = 12;

export class OffsetIndex {
  private rel: Int32Array;
  private pos: Int32Array;
  count = 0;

  constructor(capacity = 16) {
    this.rel = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
  }

  append(relativeOffset: number, position: number): void {
    if (this.count === this.rel.length) {
      this.rel = grow(this.rel);
      this.pos = grow(this.pos);
    }
    this.rel[this.count] = relativeOffset;
    this.pos[this.count] = position;
    this.count++;
  }

  relativeOffsetAt(i: number): number {
    return this.rel[i]!;
  }

  positionAt(i: number): number {
    return this.pos[i]!;
  }

  /** Position of the largest entry whose offset is <= relativeOffset, or 0. */
  lookup(relativeOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.pos[found]!;
  }

  static entryBytes(relativeOffset: number, position: number): Buffer {
    const b = Buffer.allocUnsafe(OFFSET_ENTRY_SIZE);
    b.writeInt32BE(relativeOffset, 0);
    b.writeInt32BE(position, 4);
    return b;
  }

  toBuffer(): Buffer {
    const b = Buffer.allocUnsafe(this.count * OFFSET_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      b.writeInt32BE(this.rel[i]!, i * OFFSET_ENTRY_SIZE);
      b.writeInt32BE(this.pos[i]!, i * OFFSET_ENTRY_SIZE + 4);
    }
    return b;
  }

  /**
   * Parse an index file. Returns null when its shape is invalid (size not a
   * multiple of 8, offsets or positions not strictly increasing, positions
   * beyond the log): the caller then rebuilds it from the log.
   */
  static fromBuffer(b: Buffer, logSize: number): OffsetIndex | null {
    if (b.length % OFFSET_ENTRY_SIZE !== 0) return null;
    const n = b.length / OFFSET_ENTRY_SIZE;
    const idx = new OffsetIndex(Math.max(16, n));
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < n; i++) {
      const rel = b.readInt32BE(i * OFFSET_ENTRY_SIZE);
      const pos = b.readInt32BE(i * OFFSET_ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return null;
      idx.append(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return idx;
  }
}

export class TimeIndex {
  private ts: Float64Array;
  private rel: Int32Array;
  count = 0;

  constructor(capacity = 16) {
    this.ts = new Float64Array(capacity);
    this.rel = new Int32Array(capacity);
  }

  get lastTimestamp(): number {
    return this.count === 0 ? -1 : this.ts[this.count - 1]!;
  }

  get lastRelativeOffset(): number {
    return this.count === 0 ? -1 : this.rel[this.count - 1]!;
  }

  /** Append only if it moves the timestamp forward (keeps entries monotonic). */
  maybeAppend(timestamp: number, relativeOffset: number): boolean {
    if (timestamp <= this.lastTimestamp || relativeOffset < this.lastRelativeOffset) return false;
    if (this.count === this.ts.length) {
      this.ts = grow(this.ts);
      this.rel = grow(this.rel);
    }
    this.ts[this.count] = timestamp;
    this.rel[this.count] = relativeOffset;
    this.count++;
    return true;
  }

  /**
   * Relative offset of the last entry with timestamp strictly below `target`,
   * or -1. Every batch before that entry has maxTimestamp < target, so a
   * search for the first batch reaching `target` can start there.
   */
  lookupBefore(target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? -1 : this.rel[found]!;
  }

  static entryBytes(timestamp: number, relativeOffset: number): Buffer {
    const b = Buffer.allocUnsafe(TIME_ENTRY_SIZE);
    writeInt64(b, 0, timestamp);
    b.writeInt32BE(relativeOffset, 8);
    return b;
  }

  toBuffer(): Buffer {
    const b = Buffer.allocUnsafe(this.count * TIME_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      writeInt64(b, i * TIME_ENTRY_SIZE, this.ts[i]!);
      b.writeInt32BE(this.rel[i]!, i * TIME_ENTRY_SIZE + 8);
    }
    return b;
  }

  /** Parse a time index file; null when invalid (see OffsetIndex.fromBuffer). */
  static fromBuffer(b: Buffer, maxRelativeOffset: number): TimeIndex | null {
    if (b.length % TIME_ENTRY_SIZE !== 0) return null;
    const n = b.length / TIME_ENTRY_SIZE;
    const idx = new TimeIndex(Math.max(16, n));
    for (let i = 0; i < n; i++) {
      const ts = readInt64(b, i * TIME_ENTRY_SIZE);
      const rel = b.readInt32BE(i * TIME_ENTRY_SIZE + 8);
      if (rel > maxRelativeOffset || !idx.maybeAppend(ts, rel)) return null;
    }
    return idx;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
