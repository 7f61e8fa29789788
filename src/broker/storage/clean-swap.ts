// How a cleaned segment replaces the segments it was made from, so that a crash
// at any point leaves either the old segments or the new one, never both and
// never neither:
//   1. the cleaned data is written and fsynced as `<base>.log.cleaned`;
//   2. `cleaner-swap.json` names the segments it replaces (the commit point);
//   3. the old segments' files are deleted;
//   4. `<base>.log.cleaned` is renamed to `<base>.log` (its indexes are rebuilt
//      when the segment is opened);
//   5. `cleaner-swap.json` is removed.
// Recovery before the commit point drops the `.cleaned` file; after it, it
// finishes steps 3 to 5.
import { join } from 'node:path';
import { atomicWriteFile, type StorageFs } from './fs-interface.js';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, segmentFileName } from './segment.js';

export const CLEANED_SUFFIX = '.cleaned';
const MANIFEST = 'cleaner-swap.json';

interface SwapManifest {
  base: number;
  replaces: number[];
}

export function cleanedLogPath(dir: string, base: number): string {
  return join(dir, segmentFileName(base, LOG_SUFFIX) + CLEANED_SUFFIX);
}

/** Step 2: after this the swap is decided and recovery completes it. */
export function commitSwap(fs: StorageFs, dir: string, base: number, replaces: readonly number[]): void {
  atomicWriteFile(fs, join(dir, MANIFEST), JSON.stringify({ base, replaces: [...replaces] } satisfies SwapManifest));
}

/** Steps 3 to 5, for a swap that was committed. */
export function completeSwap(fs: StorageFs, dir: string, base: number, replaces: readonly number[]): void {
  const cleaned = cleanedLogPath(dir, base);
  const renamePending = fs.existsSync(cleaned);
  for (const old of replaces) {
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      // Once renamed, <base>.log is the cleaned data: keep it; its old indexes must go.
      if (!renamePending && old === base && suffix === LOG_SUFFIX) continue;
      fs.rmSync(join(dir, segmentFileName(old, suffix)), { force: true });
    }
  }
  if (renamePending) fs.renameSync(cleaned, join(dir, segmentFileName(base, LOG_SUFFIX)));
  fs.rmSync(join(dir, MANIFEST), { force: true });
}

/** At start-up: finish a committed swap, or drop an uncommitted clean's output. Returns what it did. */
export function recoverInterruptedClean(fs: StorageFs, dir: string): string | null {
  const manifestPath = join(dir, MANIFEST);
  if (fs.existsSync(manifestPath)) {
    const m = JSON.parse(fs.readFileSync(manifestPath).toString('utf8')) as SwapManifest;
    completeSwap(fs, dir, m.base, m.replaces);
    return `completed an interrupted compaction of segments ${m.replaces.join(', ')}`;
  }
  let dropped = 0;
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(CLEANED_SUFFIX)) {
      fs.rmSync(join(dir, name), { force: true });
      dropped++;
    }
  }
  return dropped > 0 ? `dropped the output of an interrupted compaction` : null;
}
