// Durable committed offsets. Every change is appended to one log file as a checksummed
// frame before the request that made it is answered; a restart replays the file and
// stops at the first torn or corrupt frame (a crash mid-write), cutting it off so later
// appends follow good data. When the file grows well past the live data it is rewritten
// atomically (temp file + rename) holding only the current state.
//
// Frame: uint32 payload length, uint32 CRC-32C of the payload, payload = UTF-8 JSON array
// of operations. One frame is one atomic change (a whole OffsetCommit request, say).
import { join } from 'node:path';
import { crc32c } from '../../protocol/crc32c.js';
import { atomicWriteFile, writeFully, type StorageFs } from '../storage/fs-interface.js';
import type { GroupSnapshot } from './group-snapshot.js';

export interface CommittedOffset {
  offset: number;
  /** -1 when the committer gave none. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Absolute expiry from an OffsetCommit v2-4 retention time; -1 when none. */
  expireTimestamp: number;
}

/** Group-level facts kept next to a group's offsets. */
export interface StoredGroupInfo {
  /** The protocol type of the group's members (e.g. "consumer"); null for offset-only groups. */
  protocolType: string | null;
  /** When the group last became Empty; null while it had members. */
  emptySince: number | null;
  /** A Stable group's generation and members (stored on a cluster); null otherwise. */
  snapshot?: GroupSnapshot | null;
}

/** One logged change. Short keys keep the file small. */
export type StoreOp =
  | { t: 'o'; g: string; tp: string; p: number; o: number; e: number; m: string; c: number; x: number }
  | { t: 'od'; g: string; tp: string; p: number }
  | { t: 'g'; g: string; pt: string | null; es: number | null; m?: GroupSnapshot | null }
  | { t: 'gd'; g: string }
  | { t: 'td'; tp: string };

interface StoredGroup {
  info: StoredGroupInfo | null;
  offsets: Map<string, Map<number, CommittedOffset>>;
  count: number;
}

export interface OffsetStoreOptions {
  dir: string;
  fs: StorageFs;
  log?: (line: string) => void;
  /** The file is never compacted below this size. */
  compactMinBytes?: number;
  /** Compact when the file is this many times the size it had after the last compaction. */
  compactRatio?: number;
}

/**
 * Where a store without a file of its own sends its changes (a replicated partition on a
 * cluster). Throws OffsetStoreError when the change cannot be written; the store is then
 * left as it was.
 */
export type PersistOps = (ops: StoreOp[], store: OffsetStore) => void;

const FILE = 'offsets.log';
const HEADER = 8;
const MAX_FRAME = 64 * 1024 * 1024;
const OFFSETS_PER_SNAPSHOT_FRAME = 1000;

export class OffsetStoreError extends Error {
  readonly code = 'KAFKA_STORAGE_ERROR';
}

export class OffsetStore {
  readonly path: string;
  private readonly fs: StorageFs;
  private readonly log: (line: string) => void;
  private readonly compactMinBytes: number;
  private readonly compactRatio: number;
  private readonly groups = new Map<string, StoredGroup>();
  private fd: number | null = null;
  private size = 0;
  private baseSize = 0;
  private broken: string | null = null;
  private readonly persist: PersistOps | null;

  private constructor(opts: OffsetStoreOptions, persist: PersistOps | null = null) {
    this.fs = opts.fs;
    this.persist = persist;
    this.log = opts.log ?? (() => {});
    this.path = join(opts.dir, FILE);
    this.compactMinBytes = opts.compactMinBytes ?? 1024 * 1024;
    this.compactRatio = opts.compactRatio ?? 4;
  }

  /** Opens (creating if needed) the store under `dir` and replays it. */
  static open(opts: OffsetStoreOptions): OffsetStore {
    const store = new OffsetStore(opts);
    store.load(opts.dir);
    return store;
  }

  /**
   * A store that keeps its state in memory and hands every change to `persist` instead of
   * a file: what it holds is loaded with `replay` by whoever owns the durable copy.
   */
  static detached(persist: PersistOps, opts: Omit<OffsetStoreOptions, 'dir'> & { dir?: string }): OffsetStore {
    return new OffsetStore({ dir: '', ...opts }, persist);
  }

  /** Applies changes read back from the durable copy (no write). */
  replay(ops: readonly StoreOp[]): void {
    for (const op of ops) this.applyOp(op);
  }

  /** Forgets groups whose durable copy another owner has now (no write). */
  forget(groupIds: Iterable<string>): void {
    for (const g of groupIds) this.groups.delete(g);
  }

  private load(dir: string): void {
    const { fs } = this;
    fs.mkdirSync(dir, { recursive: true });
    // A leftover temp file is an unfinished compaction; the log itself is still whole.
    if (fs.existsSync(`${this.path}.tmp`)) fs.rmSync(`${this.path}.tmp`, { force: true });
    if (!fs.existsSync(this.path)) fs.writeFileSync(this.path, new Uint8Array(0));
    const data = fs.readFileSync(this.path);
    let pos = 0;
    let frames = 0;
    let reason: string | null = null;
    while (pos < data.length) {
      if (data.length - pos < HEADER) {
        reason = 'a truncated frame header';
        break;
      }
      const len = data.readUInt32BE(pos);
      const crc = data.readUInt32BE(pos + 4);
      if (len === 0 || len > MAX_FRAME) {
        reason = `an invalid frame length ${len}`;
        break;
      }
      if (pos + HEADER + len > data.length) {
        reason = 'a truncated frame';
        break;
      }
      if (crc32c(data, pos + HEADER, pos + HEADER + len) !== crc) {
        reason = 'a checksum mismatch';
        break;
      }
      let ops: unknown;
      try {
        ops = JSON.parse(data.toString('utf8', pos + HEADER, pos + HEADER + len));
      } catch {
        reason = 'an unreadable frame';
        break;
      }
      if (!Array.isArray(ops)) {
        reason = 'an unreadable frame';
        break;
      }
      for (const op of ops as StoreOp[]) this.applyOp(op);
      frames++;
      pos += HEADER + len;
    }
    this.fd = fs.openSync(this.path, 'r+');
    if (reason !== null) {
      this.log(
        `Committed offsets file ${this.path}: dropping ${data.length - pos} bytes after offset ${pos} (${reason}); ${frames} frame(s) recovered`,
      );
      fs.ftruncateSync(this.fd, pos);
    }
    this.size = pos;
    this.baseSize = pos;
  }

  // ---- reads -----------------------------------------------------------------------

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  info(groupId: string): StoredGroupInfo | null {
    return this.groups.get(groupId)?.info ?? null;
  }

  hasOffsets(groupId: string): boolean {
    return (this.groups.get(groupId)?.count ?? 0) > 0;
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /** A group's offsets by topic, then partition (live maps: do not modify). */
  offsets(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.groups.get(groupId)?.offsets ?? new Map();
  }

  /** Bytes in the log file now. */
  get fileSize(): number {
    return this.size;
  }

  // ---- writes ----------------------------------------------------------------------

  /**
   * Appends `ops` as one frame and then applies them. Throws OffsetStoreError (and
   * changes nothing) when the write fails.
   */
  write(ops: StoreOp[]): void {
    if (ops.length === 0) return;
    if (this.persist !== null) {
      this.persist(ops, this);
      for (const op of ops) this.applyOp(op);
      return;
    }
    if (this.broken !== null) throw new OffsetStoreError(`committed offsets store unavailable: ${this.broken}`);
    if (this.fd === null) throw new OffsetStoreError('committed offsets store is closed');
    const frame = encodeFrame(ops);
    try {
      writeFully(this.fs, this.fd, frame, 0, frame.length, this.size);
    } catch (err) {
      const message = (err as Error).message;
      // Cut off whatever part of the frame reached the file, so the next append does not
      // land behind a torn frame that replay would stop at.
      try {
        this.fs.ftruncateSync(this.fd, this.size);
      } catch (e) {
        this.broken = (e as Error).message;
      }
      throw new OffsetStoreError(`writing committed offsets failed: ${message}`);
    }
    this.size += frame.length;
    for (const op of ops) this.applyOp(op);
    if (this.size >= this.compactMinBytes && this.size > this.compactRatio * this.baseSize) this.compact();
  }

  /** Rewrites the file with only the live state. */
  compact(): void {
    if (this.fd === null || this.broken !== null) return;
    const frames: Buffer[] = [];
    for (const [g, group] of this.groups) {
      let ops: StoreOp[] = [];
      if (group.info) ops.push(groupOp(g, group.info));
      for (const [tp, parts] of group.offsets) {
        for (const [p, c] of parts) {
          ops.push(offsetOp(g, tp, p, c));
          if (ops.length >= OFFSETS_PER_SNAPSHOT_FRAME) {
            frames.push(encodeFrame(ops));
            ops = [];
          }
        }
      }
      if (ops.length > 0) frames.push(encodeFrame(ops));
    }
    const data = Buffer.concat(frames);
    const before = this.size;
    try {
      atomicWriteFile(this.fs, this.path, data);
    } catch (err) {
      this.log(`Compacting committed offsets file ${this.path} failed: ${(err as Error).message}`);
      this.baseSize = this.size;
      return;
    }
    const old = this.fd;
    try {
      this.fd = this.fs.openSync(this.path, 'r+');
    } catch (err) {
      this.fd = null;
      this.broken = (err as Error).message;
    }
    try {
      this.fs.closeSync(old);
    } catch {
      // The old file is gone already; nothing to release beyond the descriptor.
    }
    this.size = data.length;
    this.baseSize = data.length;
    this.log(`Compacted committed offsets file ${this.path} from ${before} to ${data.length} bytes`);
  }

  /** Forces written frames to disk. */
  flush(): void {
    if (this.fd === null) return;
    try {
      this.fs.fsyncSync(this.fd);
    } catch (err) {
      this.log(`Syncing committed offsets file ${this.path} failed: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fd = null;
    }
  }

  private applyOp(op: StoreOp): void {
    switch (op.t) {
      case 'o': {
        const group = this.entry(op.g);
        let parts = group.offsets.get(op.tp);
        if (!parts) {
          parts = new Map();
          group.offsets.set(op.tp, parts);
        }
        if (!parts.has(op.p)) group.count++;
        parts.set(op.p, committedOf(op));
        break;
      }
      case 'od': {
        const group = this.groups.get(op.g);
        const parts = group?.offsets.get(op.tp);
        if (!group || !parts || !parts.delete(op.p)) break;
        group.count--;
        if (parts.size === 0) group.offsets.delete(op.tp);
        if (group.count === 0) this.groups.delete(op.g);
        break;
      }
      case 'g':
        this.entry(op.g).info = { protocolType: op.pt, emptySince: op.es, snapshot: op.m ?? null };
        break;
      case 'gd':
        this.groups.delete(op.g);
        break;
      case 'td':
        for (const [g, group] of this.groups) {
          const parts = group.offsets.get(op.tp);
          if (!parts) continue;
          group.count -= parts.size;
          group.offsets.delete(op.tp);
          if (group.count === 0) this.groups.delete(g);
        }
        break;
      default:
        // An operation from a newer format: nothing this version can apply.
        break;
    }
  }

  private entry(groupId: string): StoredGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { info: null, offsets: new Map(), count: 0 };
      this.groups.set(groupId, group);
    }
    return group;
  }
}

/** The change that stores a group's info (and, on a cluster, its members). */
export function groupOp(g: string, info: StoredGroupInfo): StoreOp {
  return info.snapshot
    ? { t: 'g', g, pt: info.protocolType, es: info.emptySince, m: info.snapshot }
    : { t: 'g', g, pt: info.protocolType, es: info.emptySince };
}

/** The committed offset an 'o' change records (the inverse of offsetOp). */
export function committedOf(op: Extract<StoreOp, { t: 'o' }>): CommittedOffset {
  return { offset: op.o, leaderEpoch: op.e, metadata: op.m, commitTimestamp: op.c, expireTimestamp: op.x };
}

export function offsetOp(g: string, tp: string, p: number, c: CommittedOffset): StoreOp {
  return { t: 'o', g, tp, p, o: c.offset, e: c.leaderEpoch, m: c.metadata, c: c.commitTimestamp, x: c.expireTimestamp };
}

function encodeFrame(ops: StoreOp[]): Buffer {
  const payload = Buffer.from(JSON.stringify(ops), 'utf8');
  if (payload.length > MAX_FRAME)
    throw new OffsetStoreError(`a change of ${payload.length} bytes is too large to store`);
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, HEADER);
  return frame;
}
