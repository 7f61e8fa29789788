// The high watermarks a broker last knew, kept across restarts in Kafka's
// `replication-offset-checkpoint` file (version 0, the entry count, then one
// "topic partition offset" line each). Without it a restarted leader would hide
// everything from consumers until its followers fetched again, and ListOffsets
// "latest" would answer 0 in the meantime.
import { join } from 'node:path';
import { atomicWriteFile, type StorageFs } from '../storage/fs-interface.js';

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const VERSION = 0;

export type Checkpointed = Map<string, number>;

export function checkpointKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Kafka's text format; entries sorted so the file is the same for the same state. */
export function formatCheckpoint(entries: Array<{ topic: string; partition: number; offset: number }>): string {
  const sorted = [...entries].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  return `${VERSION}\n${sorted.length}\n${sorted.map((e) => `${e.topic} ${e.partition} ${e.offset}\n`).join('')}`;
}

/**
 * Reads a checkpoint; a missing, torn or unknown-version file reads as empty, which only
 * costs the wait for followers' fetches, never a record.
 */
export function parseCheckpoint(text: string): Checkpointed {
  const out: Checkpointed = new Map();
  const lines = text.split('\n');
  if (lines[0] !== String(VERSION)) return out;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) return out;
  const entries: Array<[string, number]> = [];
  for (let i = 0; i < count; i++) {
    const m = /^(\S+) (\d+) (\d+)$/.exec(lines[2 + i] ?? '');
    if (!m) return out;
    entries.push([checkpointKey(m[1]!, Number(m[2])), Number(m[3])]);
  }
  for (const [k, v] of entries) out.set(k, v);
  return out;
}

export class HighWatermarkCheckpoint {
  private readonly path: string;
  private last = '';

  constructor(
    private readonly fs: StorageFs,
    dataDir: string,
  ) {
    this.path = join(dataDir, HW_CHECKPOINT_FILE);
  }

  read(): Checkpointed {
    if (!this.fs.existsSync(this.path)) return new Map();
    try {
      return parseCheckpoint(this.fs.readFileSync(this.path).toString('utf8'));
    } catch {
      return new Map();
    }
  }

  /** Writes only when something changed: an idle cluster does not touch the disk. */
  write(entries: Array<{ topic: string; partition: number; offset: number }>): void {
    const text = formatCheckpoint(entries);
    if (text === this.last) return;
    atomicWriteFile(this.fs, this.path, text);
    this.last = text;
  }
}
