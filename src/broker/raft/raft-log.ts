// The replicated log of one Raft partition (__cluster_metadata-0): record batches v2 back to back,
// exactly as a Kafka log segment holds them, each stamped with the epoch of the leader that wrote
// it. The epochs double as the epoch cache: log matching and divergence are answered from them.
// Bytes live in a LogStore (a file in production, memory in unit tests); the metadata log is
// small, so its batches are also kept in memory.
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  batchCrcMatches,
  batchSize,
  MAGIC_V2,
  OFF_LEADER_EPOCH,
  readBaseOffset,
  readLastOffsetDelta,
  readMagic,
} from '../../protocol/record-batch.js';

/** Where the log's bytes persist. */
export interface LogStore {
  /** The offset the stored bytes start at (0 until a snapshot lets the prefix go). */
  readonly baseOffset: number;
  readAll(): Buffer;
  /** Replaces everything with `bytes`, which start at `baseOffset`; durable before it returns. */
  replace(bytes: Buffer, baseOffset: number): void;
  /** Appends and makes durable before returning: a vote or entry acknowledged is never lost. */
  append(bytes: Buffer): void;
  truncate(size: number): void;
  close(): void;
}

export class MemoryLogStore implements LogStore {
  private bytes = Buffer.alloc(0);
  baseOffset = 0;
  replace(bytes: Buffer, baseOffset: number): void {
    this.bytes = Buffer.from(bytes);
    this.baseOffset = baseOffset;
  }
  readAll(): Buffer {
    return this.bytes;
  }
  append(bytes: Buffer): void {
    this.bytes = Buffer.concat([this.bytes, bytes]);
  }
  truncate(size: number): void {
    this.bytes = this.bytes.subarray(0, size);
  }
  close(): void {}
}

const segmentName = (baseOffset: number) => `${String(baseOffset).padStart(20, '0')}.log`;

/**
 * One segment file, named after its base offset as Kafka names segments. Dropping the prefix
 * writes a new segment and then removes the old one, so a crash in between leaves both and the
 * newest (highest base offset) wins on the next start.
 */
export class FileLogStore implements LogStore {
  private fd: number;
  baseOffset = 0;
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const bases = readdirSync(dir)
      .map((n) => /^(\d{20})\.log$/.exec(n))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    this.baseOffset = bases[bases.length - 1] ?? 0;
    for (const b of bases) if (b !== this.baseOffset) rmSync(join(dir, segmentName(b)), { force: true });
    this.fd = openSync(join(dir, segmentName(this.baseOffset)), 'a+');
  }
  replace(bytes: Buffer, baseOffset: number): void {
    const path = join(this.dir, segmentName(baseOffset));
    const fd = openSync(`${path}.swap`, 'w');
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.swap`, path);
    closeSync(this.fd);
    if (baseOffset !== this.baseOffset) rmSync(join(this.dir, segmentName(this.baseOffset)), { force: true });
    this.baseOffset = baseOffset;
    this.fd = openSync(path, 'a+');
  }
  readAll(): Buffer {
    const size = fstatSync(this.fd).size;
    const buf = Buffer.alloc(size);
    let done = 0;
    while (done < size) done += readSync(this.fd, buf, done, size - done, done);
    return buf;
  }
  append(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    fdatasyncSync(this.fd);
  }
  truncate(size: number): void {
    ftruncateSync(this.fd, size);
    fdatasyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

export interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  bytes: Buffer;
}

export interface OffsetAndEpoch {
  offset: number;
  epoch: number;
}

export class RaftLog {
  private batches: LogBatch[] = [];
  private size = 0;
  /** The first offset the log holds; everything before it is in the snapshot it starts from. */
  startOffset: number;
  /** The epoch of the record just before startOffset (the snapshot's epoch); 0 for a log from scratch. */
  startEpoch = 0;

  constructor(private readonly store: LogStore) {
    this.startOffset = store.baseOffset;
    const all = store.readAll();
    let pos = 0;
    // A torn or corrupt tail (a crash mid-append) ends the log: everything before it was synced.
    while (all.length - pos >= BATCH_HEADER_SIZE) {
      const size = batchSize(all, pos);
      if (
        size < BATCH_HEADER_SIZE ||
        pos + size > all.length ||
        readMagic(all, pos) !== MAGIC_V2 ||
        !batchCrcMatches(all, pos, size)
      )
        break;
      const baseOffset = readBaseOffset(all, pos);
      if (baseOffset !== this.endOffset) break;
      this.batches.push(this.entry(Buffer.from(all.subarray(pos, pos + size))));
      pos += size;
    }
    this.size = pos;
    if (pos !== all.length) store.truncate(pos);
  }

  private entry(bytes: Buffer): LogBatch {
    const baseOffset = readBaseOffset(bytes, 0);
    return {
      baseOffset,
      lastOffset: baseOffset + readLastOffsetDelta(bytes, 0),
      epoch: bytes.readInt32BE(OFF_LEADER_EPOCH),
      bytes,
    };
  }

  /** The offset the next record gets (log end offset). */
  get endOffset(): number {
    const last = this.batches[this.batches.length - 1];
    return last === undefined ? this.startOffset : last.lastOffset + 1;
  }

  /** The epoch of the last batch; the start epoch for an empty log. */
  get lastEpoch(): number {
    return this.batches[this.batches.length - 1]?.epoch ?? this.startEpoch;
  }

  get endOffsetAndEpoch(): OffsetAndEpoch {
    return { offset: this.endOffset, epoch: this.lastEpoch };
  }

  /** Appends whole batches whose offsets continue the log; throws on a gap or overlap. */
  append(bytes: Buffer): LogBatch[] {
    const added: LogBatch[] = [];
    let pos = 0;
    let next = this.endOffset;
    while (pos < bytes.length) {
      if (bytes.length - pos < BATCH_HEADER_SIZE) throw new Error(`partial record batch at byte ${pos}`);
      const size = batchSize(bytes, pos);
      if (size < BATCH_HEADER_SIZE || pos + size > bytes.length) throw new Error(`partial record batch at byte ${pos}`);
      if (!batchCrcMatches(bytes, pos, size)) throw new Error(`record batch at byte ${pos} failed its CRC check`);
      const e = this.entry(Buffer.from(bytes.subarray(pos, pos + size)));
      if (e.baseOffset !== next)
        throw new Error(`batch at offset ${e.baseOffset} does not continue the log at ${next}`);
      added.push(e);
      next = e.lastOffset + 1;
      pos += size;
    }
    if (added.length === 0) return added;
    this.store.append(bytes.subarray(0, pos));
    this.batches.push(...added);
    this.size += pos;
    return added;
  }

  /** Drops every batch at or past `offset` (whole batches: a batch is written and removed atomically). */
  truncateTo(offset: number): void {
    let keep = this.batches.length;
    while (keep > 0 && this.batches[keep - 1]!.lastOffset >= offset) keep--;
    if (keep === this.batches.length) return;
    const removed = this.batches.splice(keep);
    this.size -= removed.reduce((n, b) => n + b.bytes.length, 0);
    this.store.truncate(this.size);
  }

  /**
   * The largest epoch in the log not above `epoch`, and the offset where it ends (the first
   * offset of the next epoch, or the log end). Kafka's endOffsetForEpoch.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    let found = -1;
    for (let i = this.batches.length - 1; i >= 0; i--) {
      if (this.batches[i]!.epoch <= epoch) {
        found = i;
        break;
      }
    }
    if (found < 0) return { epoch: this.startEpoch, offset: this.startOffset };
    const e = this.batches[found]!.epoch;
    return { epoch: e, offset: this.batches[found + 1]?.baseOffset ?? this.endOffset };
  }

  /** Batches from the one holding `offset` onwards, at most about `maxBytes` (always one whole batch). */
  read(offset: number, maxBytes: number): Buffer {
    const out: Buffer[] = [];
    let bytes = 0;
    for (const b of this.batches) {
      if (b.lastOffset < offset) continue;
      if (out.length > 0 && bytes + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      bytes += b.bytes.length;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Batches whose offsets lie in [from, to). */
  batchesBetween(from: number, to: number): LogBatch[] {
    return this.batches.filter((b) => b.baseOffset >= from && b.lastOffset < to);
  }

  /** Everything before `offset` is in a snapshot of epoch `epoch`: the log now starts there. */
  dropPrefix(offset: number, epoch: number): void {
    if (offset <= this.startOffset) return;
    const kept = this.batches.filter((b) => b.baseOffset >= offset);
    if (offset > this.endOffset || (kept.length > 0 && kept[0]!.baseOffset !== offset))
      throw new Error(`offset ${offset} is not a batch boundary of the log`);
    const bytes = Buffer.concat(kept.map((b) => b.bytes));
    this.store.replace(bytes, offset);
    this.batches = kept;
    this.size = bytes.length;
    this.startOffset = offset;
    this.startEpoch = epoch;
  }

  /** Drops the whole log for a snapshot that ends at `offset`: the follower starts over from it. */
  resetTo(offset: number, epoch: number): void {
    this.store.replace(Buffer.alloc(0), offset);
    this.batches = [];
    this.size = 0;
    this.startOffset = offset;
    this.startEpoch = epoch;
  }

  close(): void {
    this.store.close();
  }
}
