// The durable transaction log (Kafka's __transaction_state): every state change of a
// transactional id is appended as Kafka's TransactionLogKey/TransactionLogValue record
// pair before the request that made it is answered. Offsets committed inside a
// transaction ride along as OffsetCommitKey/OffsetCommitValue pairs tagged with the
// producer id, so a commit that was prepared before a crash can still apply them.
//
// Framing follows the committed-offsets store: uint32 payload length, uint32 CRC-32C,
// payload. Replay stops at the first torn or corrupt frame and cuts it off. A payload is
// one or more entries; one frame is one atomic change.
//   entry 0 (state):  int8 0, int32 len + TransactionLogKey, int32 len (-1 = tombstone) + TransactionLogValue
//   entry 1 (offset): int8 1, int32 len + TransactionLogKey, int64 producerId,
//                     int32 len + OffsetCommitKey, int32 len + OffsetCommitValue
import { join } from 'node:path';
import { crc32c } from '../../protocol/crc32c.js';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../protocol/log-records.js';
import { Reader } from '../../protocol/reader.js';
import { Writer, concatChunks } from '../../protocol/writer.js';
import { atomicWriteFile, writeFully, type StorageFs } from '../storage/fs-interface.js';
import { isIdle, pendingKey, TxnStatus, type PendingOffset, type TxnMetadata } from './state.js';

export const TXN_STATE_DIR = '__transaction_state-state';
const FILE = 'transactions.log';
const HEADER = 8;
const MAX_FRAME = 64 * 1024 * 1024;
const VALUE_VERSION = 0;
const OFFSET_KEY_VERSION = 1;
const OFFSET_VALUE_VERSION = 3;

export type TxnLogEntry =
  | { kind: 'state'; meta: TxnMetadata }
  | { kind: 'tombstone'; transactionalId: string }
  | { kind: 'offset'; transactionalId: string; producerId: number; offset: PendingOffset };

export class TxnLogError extends Error {
  readonly code = 'KAFKA_STORAGE_ERROR';
}

export interface TxnLogOptions {
  dataDir: string;
  fs: StorageFs;
  log: (line: string) => void;
  compactMinBytes?: number;
  compactRatio?: number;
}

export class TxnLog {
  readonly path: string;
  private readonly fs: StorageFs;
  private readonly log: (line: string) => void;
  private readonly compactMinBytes: number;
  private readonly compactRatio: number;
  private fd: number | null = null;
  private size = 0;
  private baseSize = 0;

  private constructor(opts: TxnLogOptions) {
    this.fs = opts.fs;
    this.log = opts.log;
    this.path = join(opts.dataDir, TXN_STATE_DIR, FILE);
    this.compactMinBytes = opts.compactMinBytes ?? 1024 * 1024;
    this.compactRatio = opts.compactRatio ?? 4;
  }

  /** Opens the log and replays it into the returned states (by transactional id). */
  static open(opts: TxnLogOptions): { log: TxnLog; states: Map<string, TxnMetadata> } {
    const log = new TxnLog(opts);
    const states = log.load(join(opts.dataDir, TXN_STATE_DIR));
    return { log, states };
  }

  private load(dir: string): Map<string, TxnMetadata> {
    const { fs } = this;
    fs.mkdirSync(dir, { recursive: true });
    if (fs.existsSync(`${this.path}.tmp`)) fs.rmSync(`${this.path}.tmp`, { force: true });
    if (!fs.existsSync(this.path)) fs.writeFileSync(this.path, new Uint8Array(0));
    const data = fs.readFileSync(this.path);
    const states = new Map<string, TxnMetadata>();
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
      let entries: TxnLogEntry[];
      try {
        entries = decodeEntries(data.subarray(pos + HEADER, pos + HEADER + len));
      } catch (err) {
        reason = `an unreadable frame (${(err as Error).message})`;
        break;
      }
      for (const e of entries) applyEntry(states, e);
      frames++;
      pos += HEADER + len;
    }
    this.fd = fs.openSync(this.path, 'r+');
    if (reason !== null) {
      this.log(
        `Transaction log ${this.path}: dropping ${data.length - pos} bytes after offset ${pos} (${reason}); ${frames} frame(s) recovered`,
      );
      fs.ftruncateSync(this.fd, pos);
    }
    this.size = pos;
    this.baseSize = pos;
    return states;
  }

  /**
   * Appends the entries as one frame; throws TxnLogError (and changes nothing) on failure.
   * The caller applies them to its states, then calls maybeCompact with the result.
   */
  write(entries: TxnLogEntry[]): void {
    if (entries.length === 0) return;
    if (this.fd === null) throw new TxnLogError('the transaction log is closed');
    const frame = encodeFrame(entries);
    try {
      writeFully(this.fs, this.fd, frame, 0, frame.length, this.size);
    } catch (err) {
      try {
        this.fs.ftruncateSync(this.fd, this.size);
      } catch {
        /* the next write fails the same way */
      }
      throw new TxnLogError(`writing the transaction log failed: ${(err as Error).message}`);
    }
    this.size += frame.length;
  }

  /** Rewrites the file when it has grown well past the live states (which must include every write). */
  maybeCompact(states: Iterable<TxnMetadata>): void {
    if (this.size >= this.compactMinBytes && this.size > this.compactRatio * this.baseSize) this.compact(states);
  }

  /** Rewrites the file holding only the live states and their pending offsets. */
  compact(states: Iterable<TxnMetadata>): void {
    if (this.fd === null) return;
    const frames: Buffer[] = [];
    for (const meta of states) frames.push(encodeFrame(snapshotEntries(meta)));
    const data = Buffer.concat(frames);
    try {
      atomicWriteFile(this.fs, this.path, data);
    } catch (err) {
      this.log(`Compacting transaction log ${this.path} failed: ${(err as Error).message}`);
      this.baseSize = this.size;
      return;
    }
    const old = this.fd;
    this.fd = this.fs.openSync(this.path, 'r+');
    try {
      this.fs.closeSync(old);
    } catch {
      /* the old file is already replaced */
    }
    this.size = data.length;
    this.baseSize = data.length;
  }

  get fileSize(): number {
    return this.size;
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.fs.fsyncSync(this.fd);
    } catch (err) {
      this.log(`Syncing transaction log ${this.path} failed: ${(err as Error).message}`);
    }
    this.fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** The entries that rebuild `meta` exactly: its state, then its pending offsets. */
export function snapshotEntries(meta: TxnMetadata): TxnLogEntry[] {
  const out: TxnLogEntry[] = [{ kind: 'state', meta }];
  for (const o of meta.pendingOffsets.values())
    out.push({ kind: 'offset', transactionalId: meta.transactionalId, producerId: meta.producerId, offset: o });
  return out;
}

function applyEntry(states: Map<string, TxnMetadata>, e: TxnLogEntry): void {
  switch (e.kind) {
    case 'state': {
      const prev = states.get(e.meta.transactionalId);
      const meta = e.meta;
      // Offsets stay pending while the transaction they belong to is open or being committed.
      if (prev && !isIdle(meta.status) && prev.producerId === meta.producerId) {
        meta.pendingOffsets = prev.pendingOffsets;
        meta.groups = prev.groups;
      }
      states.set(meta.transactionalId, meta);
      break;
    }
    case 'tombstone':
      states.delete(e.transactionalId);
      break;
    case 'offset': {
      const meta = states.get(e.transactionalId);
      if (!meta || meta.producerId !== e.producerId) break;
      meta.groups.add(e.offset.group);
      meta.pendingOffsets.set(pendingKey(e.offset.group, e.offset.topic, e.offset.partition), e.offset);
      break;
    }
  }
}

function encodeFrame(entries: TxnLogEntry[]): Buffer {
  const w = new Writer(256);
  for (const e of entries) {
    const id = e.kind === 'state' ? e.meta.transactionalId : e.transactionalId;
    w.int8(e.kind === 'offset' ? 1 : 0);
    lengthPrefixed(w, encodeCoordinatorRecord('TransactionLogKey', 0, { transactionalId: id }));
    if (e.kind === 'state')
      lengthPrefixed(w, encodeCoordinatorRecord('TransactionLogValue', VALUE_VERSION, valueOf(e.meta)));
    else if (e.kind === 'tombstone') w.int32(-1);
    else {
      const o = e.offset;
      w.int64(e.producerId);
      lengthPrefixed(
        w,
        encodeCoordinatorRecord('OffsetCommitKey', OFFSET_KEY_VERSION, {
          group: o.group,
          topic: o.topic,
          partition: o.partition,
        }),
      );
      lengthPrefixed(
        w,
        encodeCoordinatorRecord('OffsetCommitValue', OFFSET_VALUE_VERSION, {
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          commitTimestamp: o.commitTimestamp,
        }),
      );
    }
  }
  const payload = concatChunks(w.finish());
  if (payload.length > MAX_FRAME) throw new TxnLogError(`a change of ${payload.length} bytes is too large to store`);
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, HEADER);
  return frame;
}

function lengthPrefixed(w: Writer, buf: Buffer): void {
  w.int32(buf.length).raw(buf);
}

function valueOf(meta: TxnMetadata): object {
  return {
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    transactionTimeoutMs: meta.timeoutMs,
    transactionStatus: meta.status,
    transactionPartitions: [...meta.partitions].map(([topic, set]) => ({
      topic,
      partitionIds: [...set].sort((a, b) => a - b),
    })),
    transactionLastUpdateTimestampMs: meta.lastUpdateMs,
    transactionStartTimestampMs: meta.startMs,
  };
}

function decodeEntries(payload: Buffer): TxnLogEntry[] {
  const r = new Reader(payload);
  const out: TxnLogEntry[] = [];
  const slice = () => {
    const len = r.int32();
    if (len < 0) return null;
    const start = r.pos;
    r.skip(len);
    return payload.subarray(start, start + len);
  };
  while (r.remaining > 0) {
    const kind = r.int8();
    const key = slice();
    if (key === null) throw new Error('missing record key');
    const transactionalId = decodeCoordinatorRecord('TransactionLogKey', key).body.transactionalId as string;
    if (kind === 0) {
      const value = slice();
      if (value === null) {
        out.push({ kind: 'tombstone', transactionalId });
        continue;
      }
      const v = decodeCoordinatorRecord('TransactionLogValue', value).body as Record<string, unknown>;
      const partitions = new Map<string, Set<number>>();
      for (const p of (v.transactionPartitions as Array<{ topic: string; partitionIds: number[] }> | null) ?? []) {
        partitions.set(p.topic, new Set(p.partitionIds));
      }
      out.push({
        kind: 'state',
        meta: {
          transactionalId,
          producerId: v.producerId as number,
          producerEpoch: v.producerEpoch as number,
          lastProducerEpoch: -1,
          timeoutMs: v.transactionTimeoutMs as number,
          status: v.transactionStatus as TxnStatus,
          partitions,
          lastUpdateMs: v.transactionLastUpdateTimestampMs as number,
          startMs: v.transactionStartTimestampMs as number,
          groups: new Set(),
          pendingOffsets: new Map(),
        },
      });
    } else if (kind === 1) {
      const producerId = r.int64();
      const k = slice();
      const v = slice();
      if (k === null || v === null) throw new Error('missing offset record');
      const key = decodeCoordinatorRecord('OffsetCommitKey', k).body as {
        group: string;
        topic: string;
        partition: number;
      };
      const value = decodeCoordinatorRecord('OffsetCommitValue', v).body as {
        offset: number;
        leaderEpoch: number;
        metadata: string;
        commitTimestamp: number;
      };
      out.push({
        kind: 'offset',
        transactionalId,
        producerId,
        offset: {
          group: key.group,
          topic: key.topic,
          partition: key.partition,
          offset: value.offset,
          leaderEpoch: value.leaderEpoch,
          metadata: value.metadata,
          commitTimestamp: value.commitTimestamp,
        },
      });
    } else {
      throw new Error(`unknown entry kind ${kind}`);
    }
  }
  return out;
}

export { TxnStatus };
