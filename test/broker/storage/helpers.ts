// Shared fixtures for the storage tests: temp dirs, batch builders, a fake clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { decodeRecords, encodeRecordBatch, type RecordInput } from '../../../src/protocol/record-batch.js';
import type { ReadResult } from '../../../src/broker/storage/partition-log.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'ktool-storage-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export const T0 = 1_700_000_000_000;

/** A batch of `count` records whose values encode their index: `v<i>` padded to `valueSize`. */
export function batch(
  count: number,
  opts: { ts?: number; tsStep?: number; valueSize?: number; tag?: string } = {},
): Buffer {
  const ts = opts.ts ?? T0;
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const v = `${opts.tag ?? 'v'}${i}`;
    records.push({
      key: null,
      value: opts.valueSize ? v.padEnd(opts.valueSize, '.') : v,
      timestamp: ts + i * (opts.tsStep ?? 0),
    });
  }
  return encodeRecordBatch({ records, now: ts });
}

export function values(r: ReadResult): string[] {
  return decodeRecords(Buffer.concat(r.chunks)).map((x) => x.value!.toString().replace(/\.+$/, ''));
}

export function offsets(r: ReadResult): number[] {
  return decodeRecords(Buffer.concat(r.chunks)).map((x) => x.offset);
}

export class FakeClock {
  constructor(public t = T0) {}
  now = (): number => this.t;
}
