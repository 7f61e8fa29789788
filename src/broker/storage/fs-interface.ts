/**
 * The synchronous filesystem calls the storage layer uses, behind an
 * interface so tests can inject faults (ENOSPC on write, EIO on read...).
 *
 * Synchronous on purpose: the broker is single threaded and an append must be
 * atomic with respect to every other request (offset assignment, index
 * update and the write itself happen without yielding to the event loop).
 */
import * as nodeFsModule from 'node:fs';
import { dirname } from 'node:path';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface StorageFs {
  openSync(path: string, flags: string): number;
  /** Positional read; returns bytes read (0 at end of file). */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Positional write; may write fewer bytes than asked (callers loop). */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  fstatSync(fd: number): FileStat;
  readdirSync(path: string): string[];
  mkdirSync(path: string, options?: { recursive?: boolean }): void;
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  existsSync(path: string): boolean;
  readFileSync(path: string): Buffer;
  writeFileSync(path: string, data: Uint8Array | string): void;
}

/** Alias kept for callers that use the older name. */
export type FsInterface = StorageFs;

/** The real filesystem (node:fs). */
export const nodeFs: StorageFs = {
  openSync: (path, flags) => nodeFsModule.openSync(path, flags),
  readSync: (fd, buffer, offset, length, position) => nodeFsModule.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => nodeFsModule.writeSync(fd, buffer, offset, length, position),
  fsyncSync: (fd) => nodeFsModule.fsyncSync(fd),
  ftruncateSync: (fd, length) => nodeFsModule.ftruncateSync(fd, length),
  closeSync: (fd) => nodeFsModule.closeSync(fd),
  fstatSync: (fd) => {
    const st = nodeFsModule.fstatSync(fd);
    return { size: st.size, mtimeMs: st.mtimeMs };
  },
  readdirSync: (path) => nodeFsModule.readdirSync(path),
  mkdirSync: (path, options) => {
    nodeFsModule.mkdirSync(path, options);
  },
  rmSync: (path, options) => nodeFsModule.rmSync(path, options),
  renameSync: (from, to) => nodeFsModule.renameSync(from, to),
  unlinkSync: (path) => nodeFsModule.unlinkSync(path),
  existsSync: (path) => nodeFsModule.existsSync(path),
  readFileSync: (path) => nodeFsModule.readFileSync(path),
  writeFileSync: (path, data) => nodeFsModule.writeFileSync(path, data),
};

/** Write all of `buf[offset, offset+length)` at `position`, looping over short writes. */
export function writeFully(
  fs: StorageFs,
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    const n = fs.writeSync(fd, buf, offset + done, length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

/** Read up to `length` bytes at `position`, looping over short reads; returns bytes read. */
export function readFully(
  fs: StorageFs,
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/**
 * Replace `path` with `data` atomically: write a temp file, fsync it, rename
 * over the target, then fsync the directory (best effort) so the rename
 * itself survives a crash.
 */
export function atomicWriteFile(fs: StorageFs, path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fs, fd, bytes, 0, bytes.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  fsyncDir(fs, dirname(path));
}

export function fsyncDir(fs: StorageFs, dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
