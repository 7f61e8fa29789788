/**
 * The broker's log lines on their way out. Two jobs, kept apart:
 *
 * - `rateLimitedLog` bounds how fast lines reach the file: lines of one kind (the same
 *   text once numbers are blanked, so every "closing connection from <ip>:<port>" is one
 *   kind) pass at most `perKind` times per window, all kinds together at most `total`;
 *   the rest are counted and summed up in one line per kind when the window ends. One
 *   misbehaving client (or a full disk failing every write) then costs a few lines, not
 *   a disk's worth.
 * - `lineWriter` writes to a file descriptor and never throws: a line that cannot be
 *   written (ENOSPC on the log's own disk, EPIPE, EAGAIN) is dropped and counted, and the
 *   first line written afterwards says how many were lost. The broker outlives its log.
 */
import { writeSync } from 'node:fs';

export type LogFn = (line: string) => void;

export interface RateLimitOptions {
  /** Length of a window in ms (default 10 s). */
  windowMs?: number;
  /** Lines of one kind let through per window (default 20). */
  perKind?: number;
  /** Lines of all kinds let through per window (default 1000). */
  total?: number;
  now?: () => number;
}

export interface RateLimitedLog {
  log: LogFn;
  /** Writes the summaries of the current window now (at shutdown). */
  flush(): void;
}

/** Up to this many kinds get their own summary line; the rest share one. */
const MAX_SUMMARY_LINES = 10;

/** Lines differing only in numbers (ports, offsets, sizes, ids) are one kind. */
export function lineKind(line: string): string {
  return line.replace(/\d+/g, '#').slice(0, 200);
}

export function rateLimitedLog(out: LogFn, options: RateLimitOptions = {}): RateLimitedLog {
  const windowMs = options.windowMs ?? 10_000;
  const perKind = options.perKind ?? 20;
  const total = options.total ?? 1000;
  const now = options.now ?? Date.now;
  let windowStart = now();
  let passed = 0;
  const counts = new Map<string, number>();
  const suppressed = new Map<string, { count: number; example: string }>();
  let timer: NodeJS.Timeout | undefined;

  const summarize = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const seconds = Math.max(1, Math.round((now() - windowStart) / 1000));
    const kinds = [...suppressed.values()];
    for (const s of kinds.slice(0, MAX_SUMMARY_LINES)) {
      out(`Suppressed ${s.count} more log line(s) like this in the last ${seconds} s: ${s.example}`);
    }
    const rest = kinds.slice(MAX_SUMMARY_LINES);
    if (rest.length > 0) {
      out(
        `Suppressed ${rest.reduce((n, s) => n + s.count, 0)} more log line(s) of ${rest.length} other kind(s) in the last ${seconds} s`,
      );
    }
    suppressed.clear();
  };

  const roll = (t: number): void => {
    if (suppressed.size > 0) summarize();
    windowStart = t;
    passed = 0;
    counts.clear();
  };

  const log = (line: string): void => {
    const t = now();
    if (t - windowStart >= windowMs || t < windowStart) roll(t);
    const kind = lineKind(line);
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    if (n <= perKind && passed < total) {
      passed++;
      out(line);
      return;
    }
    const s = suppressed.get(kind);
    if (s) {
      s.count++;
      s.example = line;
    } else {
      suppressed.set(kind, { count: 1, example: line });
    }
    // The summary must come even if the flood stops and nothing else is logged.
    if (timer === undefined) {
      timer = setTimeout(() => roll(now()), Math.max(0, windowStart + windowMs - t));
      timer.unref();
    }
  };

  return { log, flush: () => roll(now()) };
}

export interface LineWriterOptions {
  /** Stands in for fs.writeSync (tests inject ENOSPC here). */
  write?: (fd: number, data: Uint8Array) => number;
  now?: () => number;
}

/** A log function writing `[ISO time] line` to `fd`, which never throws. */
export function lineWriter(fd: number, options: LineWriterOptions = {}): LogFn {
  const write = options.write ?? ((f: number, data: Uint8Array) => writeSync(f, data, 0, data.length));
  const now = options.now ?? Date.now;
  let lost = 0;
  let lostReason = '';
  return (line: string): void => {
    const stamp = `[${new Date(now()).toISOString()}] `;
    const notice = lost > 0 ? `${stamp}(${lost} log line(s) could not be written: ${lostReason})\n` : '';
    const text = `${notice}${stamp}${line}\n`;
    try {
      writeAll(write, fd, text);
      lost = 0;
    } catch (err) {
      lost++;
      lostReason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
  };
}

function writeAll(write: (fd: number, data: Uint8Array) => number, fd: number, text: string): void {
  let rest = Buffer.from(text, 'utf8');
  while (rest.length > 0) {
    const n = write(fd, rest);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    rest = rest.subarray(n);
  }
}
