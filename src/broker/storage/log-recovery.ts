// Opening a partition's directory after a stop or a crash: leftover temp files and orphan
// indexes go, every segment is loaded (the last one, unless the stop was clean, validated
// batch by batch and cut at the first bad one), and segments after a cut or an overlap are
// dropped so offsets stay contiguous. Also the log-start-offset checkpoint.
import { join } from 'node:path';
import { recoverInterruptedClean } from './clean-swap.js';
import { atomicWriteFile, type StorageFs } from './fs-interface.js';
import { LOG_SUFFIX, LogSegment, parseSegmentFileName } from './segment.js';

export const LOG_START_OFFSET_FILE = 'log-start-offset';

export interface LoadOptions {
  now: number;
  indexIntervalBytes: number;
  /** The broker stopped cleanly: the last segment is loaded like the others. */
  cleanShutdown: boolean;
  log: (msg: string) => void;
}

/** The segments of `dir`, oldest first, recovered (one empty one for a new log); and the log-start-offset checkpoint. */
export function loadSegments(
  fs: StorageFs,
  dir: string,
  opts: LoadOptions,
): { segments: LogSegment[]; checkpoint: number | null } {
  const segments: LogSegment[] = [];
  const interrupted = recoverInterruptedClean(fs, dir);
  if (interrupted !== null) opts.log(`${dir}: ${interrupted}`);
  const bases = new Set<number>();
  const indexOnly = new Set<string>();
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.tmp') || name.endsWith('.deleted')) {
      fs.rmSync(join(dir, name), { force: true });
      continue;
    }
    const parsed = parseSegmentFileName(name);
    if (!parsed) continue;
    if (parsed.suffix === LOG_SUFFIX) bases.add(parsed.baseOffset);
    else indexOnly.add(name);
  }
  for (const name of indexOnly) {
    if (!bases.has(parseSegmentFileName(name)!.baseOffset)) {
      opts.log(`${join(dir, name)}: removing index file without a log segment`);
      fs.unlinkSync(join(dir, name));
    }
  }
  const checkpoint = readLogStartCheckpoint(fs, dir, opts.log);
  const sorted = [...bases].sort((a, b) => a - b);
  const now = opts.now;
  for (let i = 0; i < sorted.length; i++) {
    const base = sorted[i]!;
    const prev = segments[segments.length - 1];
    if (prev && base < prev.nextOffset) {
      opts.log(
        `${dir}: segment ${base} overlaps the previous one (ends at ${prev.nextOffset}); removing it and all later segments`,
      );
      deleteSegmentFiles(fs, dir, sorted.slice(i));
      break;
    }
    const isLast = i === sorted.length - 1;
    const { segment, recovery } = LogSegment.open(fs, dir, base, {
      now,
      indexIntervalBytes: opts.indexIntervalBytes,
      fullRecovery: isLast && !opts.cleanShutdown,
      log: opts.log,
    });
    if (prev && base > prev.nextOffset)
      opts.log(`${dir}: offsets ${prev.nextOffset}..${base - 1} are missing between segments`);
    if (segment.isEmpty && !isLast) {
      opts.log(`${segment.logPath}: removing empty non-final segment`);
      segment.deleteFiles();
      continue;
    }
    segments.push(segment);
    if (recovery.truncatedBytes > 0 && !isLast) {
      opts.log(
        `${dir}: segment ${base} was truncated during recovery; removing the ${sorted.length - 1 - i} later segment(s)`,
      );
      deleteSegmentFiles(fs, dir, sorted.slice(i + 1));
      break;
    }
  }
  for (let i = 0; i < segments.length - 1; i++) segments[i]!.onBecomeInactive();
  if (segments.length === 0) segments.push(LogSegment.create(fs, dir, checkpoint ?? 0, now));
  return { segments, checkpoint };
}

/** Remove the files of segments that were never opened (dropped during recovery). */
export function deleteSegmentFiles(fs: StorageFs, dir: string, bases: number[]): void {
  for (const base of bases) {
    for (const name of fs.readdirSync(dir)) {
      const parsed = parseSegmentFileName(name);
      if (parsed && parsed.baseOffset === base) fs.unlinkSync(join(dir, name));
    }
  }
}

/** The log-start-offset checkpoint, or null when there is none or it cannot be read. */
export function readLogStartCheckpoint(fs: StorageFs, dir: string, log: (msg: string) => void): number | null {
  const p = join(dir, LOG_START_OFFSET_FILE);
  if (!fs.existsSync(p)) return null;
  const text = fs.readFileSync(p).toString('utf8').trim();
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    log(`${p}: ignoring unreadable checkpoint ${JSON.stringify(text)}`);
    return null;
  }
  return n;
}

export function writeLogStartCheckpoint(fs: StorageFs, dir: string, offset: number): void {
  atomicWriteFile(fs, join(dir, LOG_START_OFFSET_FILE), `${offset}\n`);
}
