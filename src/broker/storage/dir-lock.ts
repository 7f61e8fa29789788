// The data directory's lock, held the way the kernel can vouch for: an abstract
// unix socket whose name is derived from the directory. Binding is atomic (one
// winner among brokers started at once), and the kernel releases the name the
// moment its process dies, kill -9 and zombies included, so a restart right
// after a crash never finds a stale lock and a recycled pid can never hold one.
// The socket also answers "who holds this directory?" with the holder's pid.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

export interface DirLockHolder {
  pid: number;
  dataDir: string;
}

export class DirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null,
  ) {
    super(
      `data directory ${dataDir} is in use by ${holderPid === null ? 'another process' : `process ${holderPid}`}; stop that broker or choose another data directory`,
    );
    this.name = 'DirLockedError';
  }
}

export interface DirLock {
  release(): Promise<void>;
}

/** Abstract socket names exist on Linux only; elsewhere the pid file is the lock. */
export const KERNEL_DIR_LOCKS = process.platform === 'linux';

function socketName(dataDir: string): string {
  const digest = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 40);
  return `\0ktool-data-dir-${digest}`;
}

/** Takes the lock of an existing directory or throws DirLockedError naming the holder. */
export async function acquireDirLock(dataDir: string, pid = process.pid): Promise<DirLock> {
  if (!KERNEL_DIR_LOCKS) return { release: async () => {} };
  const name = socketName(dataDir);
  const answer = Buffer.from(JSON.stringify({ pid, dataDir } satisfies DirLockHolder) + '\n');
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end(answer);
  });
  server.unref();
  try {
    await listen(server, name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    const holder = await queryDirLock(dataDir);
    throw new DirLockedError(dataDir, holder?.pid ?? null);
  }
  return {
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Who holds the directory's lock right now, or null when nobody does. */
export function queryDirLock(dataDir: string, timeoutMs = 2000): Promise<DirLockHolder | null> {
  if (!KERNEL_DIR_LOCKS) return Promise.resolve(null);
  let name: string;
  try {
    name = socketName(dataDir);
  } catch {
    return Promise.resolve(null); // no such directory: nobody holds it
  }
  return new Promise((resolve) => {
    const socket = connect(name);
    let text = '';
    const done = (holder: DirLockHolder | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(holder);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      try {
        const parsed = JSON.parse(text) as DirLockHolder;
        done(Number.isSafeInteger(parsed.pid) ? parsed : null);
      } catch {
        done(null);
      }
    });
    socket.on('error', () => done(null));
  });
}

function listen(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
