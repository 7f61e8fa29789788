// Snapshots of the metadata log, as Kafka writes them: a file named <endOffset>-<epoch>.checkpoint in
// the partition directory holding record batches: a SNAPSHOT_HEADER control record, the metadata
// records that rebuild the state as of endOffset, and a SNAPSHOT_FOOTER control record. With a
// snapshot the log before endOffset can go, so the log stays small and a restart replays little.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { encodeData, decodeData } from '../../protocol/codec.js';
import { decodeBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import { concatChunks } from '../../protocol/writer.js';

export interface SnapshotId {
  endOffset: number;
  epoch: number;
}

export interface Snapshot {
  id: SnapshotId;
  bytes: Buffer;
}

/** ControlRecordType SNAPSHOT_HEADER and SNAPSHOT_FOOTER. */
const SNAPSHOT_HEADER = 3;
const SNAPSHOT_FOOTER = 4;
const RECORDS_PER_BATCH = 1000;

function controlKey(type: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`;
}

export function parseSnapshotFileName(name: string): SnapshotId | null {
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  return m ? { endOffset: Number(m[1]), epoch: Number(m[2]) } : null;
}

/** The snapshot's bytes: header, the records in batches, footer. */
export function encodeSnapshot(id: SnapshotId, values: readonly Buffer[], now: number): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  const header = concatChunks(encodeData('SnapshotHeaderRecord', 0, { version: 0, lastContainedLogTimestamp: now }));
  out.push(
    encodeRecordBatch({
      records: [{ key: controlKey(SNAPSHOT_HEADER), value: header }],
      baseOffset: offset++,
      partitionLeaderEpoch: id.epoch,
      isControl: true,
      now,
    }),
  );
  for (let i = 0; i < values.length; i += RECORDS_PER_BATCH) {
    const chunk = values.slice(i, i + RECORDS_PER_BATCH);
    out.push(
      encodeRecordBatch({
        records: chunk.map((value) => ({ key: null, value })),
        baseOffset: offset,
        partitionLeaderEpoch: id.epoch,
        now,
      }),
    );
    offset += chunk.length;
  }
  const footer = concatChunks(encodeData('SnapshotFooterRecord', 0, { version: 0 }));
  out.push(
    encodeRecordBatch({
      records: [{ key: controlKey(SNAPSHOT_FOOTER), value: footer }],
      baseOffset: offset,
      partitionLeaderEpoch: id.epoch,
      isControl: true,
      now,
    }),
  );
  return Buffer.concat(out);
}

/** The metadata records of a snapshot; throws unless it is whole (header first, footer last). */
export function decodeSnapshot(bytes: Buffer): Buffer[] {
  const batches = decodeBatches(bytes, undefined, { verifyCrc: true });
  const first = batches[0];
  const last = batches[batches.length - 1];
  const typeOf = (b: typeof first) => (b?.header.isControl ? b.records[0]?.key?.readInt16BE(2) : undefined);
  if (typeOf(first) !== SNAPSHOT_HEADER) throw new Error('snapshot does not start with a SnapshotHeaderRecord');
  if (batches.length < 2 || typeOf(last) !== SNAPSHOT_FOOTER)
    throw new Error('snapshot does not end with a SnapshotFooterRecord');
  decodeData('SnapshotHeaderRecord', 0, first!.records[0]!.value!);
  return batches
    .slice(1, -1)
    .flatMap((b) => (b.header.isControl ? [] : b.records.map((r) => r.value ?? Buffer.alloc(0))));
}

export interface SnapshotStore {
  latest(): Snapshot | null;
  read(id: SnapshotId): Buffer | null;
  /** Durable before it returns; older snapshots are removed. */
  write(snapshot: Snapshot): void;
}

export class MemorySnapshotStore implements SnapshotStore {
  private snapshot: Snapshot | null = null;
  latest(): Snapshot | null {
    return this.snapshot;
  }
  read(id: SnapshotId): Buffer | null {
    return this.snapshot && this.snapshot.id.endOffset === id.endOffset && this.snapshot.id.epoch === id.epoch
      ? this.snapshot.bytes
      : null;
  }
  write(snapshot: Snapshot): void {
    this.snapshot = snapshot;
  }
}

export class FileSnapshotStore implements SnapshotStore {
  constructor(private readonly dir: string) {}

  private ids(): SnapshotId[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map(parseSnapshotFileName)
      .filter((id): id is SnapshotId => id !== null)
      .sort((a, b) => a.endOffset - b.endOffset);
  }

  latest(): Snapshot | null {
    // A snapshot that does not decode (a crash mid-write left no rename, but be safe) is skipped.
    for (const id of this.ids().reverse()) {
      const bytes = this.read(id);
      if (!bytes) continue;
      try {
        decodeSnapshot(bytes);
        return { id, bytes };
      } catch {
        continue;
      }
    }
    return null;
  }

  read(id: SnapshotId): Buffer | null {
    try {
      return readFileSync(join(this.dir, snapshotFileName(id)));
    } catch {
      return null;
    }
  }

  write(snapshot: Snapshot): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, snapshotFileName(snapshot.id));
    const fd = openSync(`${path}.part`, 'w');
    try {
      let done = 0;
      while (done < snapshot.bytes.length) done += writeSync(fd, snapshot.bytes, done, snapshot.bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.part`, path);
    for (const id of this.ids()) {
      if (id.endOffset < snapshot.id.endOffset) rmSync(join(this.dir, snapshotFileName(id)), { force: true });
    }
  }
}
