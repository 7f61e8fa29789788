import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StorageError } from '../../../src/broker/storage/errors.js';
import { nodeFs, type StorageFs } from '../../../src/broker/storage/fs-interface.js';
import { PartitionLog } from '../../../src/broker/storage/partition-log.js';
import { batch, tempDir, values } from './helpers.js';

/** node:fs with switchable faults on writes to `.log` files and on truncation. */
function faultyFs() {
  const paths = new Map<number, string>();
  const state = { failLogWrites: false, partialFirst: true, failTruncate: false, failReads: false };
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const fs: StorageFs = {
    ...nodeFs,
    openSync(path, flags) {
      const fd = nodeFs.openSync(path, flags);
      paths.set(fd, path);
      return fd;
    },
    writeSync(fd, buf, off, len, pos) {
      if (state.failLogWrites && paths.get(fd)?.endsWith('.log')) {
        // Like a real full disk: part of the data may land before the error.
        if (state.partialFirst && len > 1) {
          state.partialFirst = false;
          return nodeFs.writeSync(fd, buf, off, Math.floor(len / 2), pos);
        }
        throw enospc();
      }
      return nodeFs.writeSync(fd, buf, off, len, pos);
    },
    ftruncateSync(fd, len) {
      if (state.failTruncate) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      nodeFs.ftruncateSync(fd, len);
    },
    readSync(fd, buf, off, len, pos) {
      if (state.failReads) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return nodeFs.readSync(fd, buf, off, len, pos);
    },
  };
  return { fs, state };
}

function isStorage(code: string) {
  return (e: unknown) => e instanceof StorageError && e.code === code;
}

test('ENOSPC during append: KAFKA_STORAGE_ERROR, partial write removed, log still usable', () => {
  const dir = tempDir();
  const { fs, state } = faultyFs();
  const log = PartitionLog.open(dir, {}, fs);
  log.append(batch(3, { tag: 'a' }));
  const file = join(dir, '00000000000000000000.log');
  const sizeBefore = statSync(file).size;
  const contentBefore = readFileSync(file);

  state.failLogWrites = true;
  let caught: unknown;
  try {
    log.append(batch(4, { tag: 'b', valueSize: 200 }));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StorageError, String(caught));
  assert.equal((caught as StorageError).code, 'KAFKA_STORAGE_ERROR');
  assert.match((caught as StorageError).message, /ENOSPC/);
  assert.equal(((caught as StorageError).cause as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.equal(statSync(file).size, sizeBefore, 'partial write truncated');
  assert.ok(readFileSync(file).equals(contentBefore));
  assert.equal(log.logEndOffset, 3);
  assert.deepEqual(values(log.read(0, 1 << 20)), ['a0', 'a1', 'a2']);

  state.failLogWrites = false;
  assert.equal(log.append(batch(1, { tag: 'c' })).baseOffset, 3);
  log.close();
  const again = PartitionLog.open(dir);
  assert.equal(again.logEndOffset, 4);
  assert.deepEqual(values(again.read(0, 1 << 20)), ['a0', 'a1', 'a2', 'c0']);
  again.close();
});

test('ENOSPC when the partial write cannot be undone takes the partition offline', () => {
  const dir = tempDir();
  const { fs, state } = faultyFs();
  const log = PartitionLog.open(dir, {}, fs);
  log.append(batch(2));
  state.failLogWrites = true;
  state.failTruncate = true;
  assert.throws(() => log.append(batch(2, { valueSize: 100 })), isStorage('KAFKA_STORAGE_ERROR'));
  assert.equal(log.isOffline, true);
  state.failLogWrites = false;
  state.failTruncate = false;
  assert.throws(() => log.append(batch(1)), isStorage('KAFKA_STORAGE_ERROR'));
  assert.throws(() => log.read(0, 100), isStorage('KAFKA_STORAGE_ERROR'));
  log.close();
  // on restart, recovery cuts the half-written batch
  const logs: string[] = [];
  const again = PartitionLog.open(dir, {}, undefined, Date.now, (m) => logs.push(m));
  assert.equal(again.logEndOffset, 2);
  assert.ok(logs.some((m) => /truncating/.test(m)));
  again.close();
});

test('ENOSPC when rolling a new segment leaves the log as it was', () => {
  const dir = tempDir();
  const { fs, state } = faultyFs();
  const log = PartitionLog.open(dir, { segmentBytes: 300 }, fs);
  log.append(batch(2, { valueSize: 100 }));
  state.failLogWrites = true;
  state.partialFirst = false;
  assert.throws(() => log.append(batch(2, { valueSize: 100 })), isStorage('KAFKA_STORAGE_ERROR'));
  // the roll happened (file creation succeeded) but the write failed: nothing was stored
  assert.equal(log.logEndOffset, 2);
  state.failLogWrites = false;
  assert.equal(log.append(batch(2, { valueSize: 100 })).baseOffset, 2);
  log.close();
  const again = PartitionLog.open(dir, { segmentBytes: 300 });
  assert.equal(again.logEndOffset, 4);
  again.close();
});

test('read failures surface as KAFKA_STORAGE_ERROR', () => {
  const { fs, state } = faultyFs();
  const log = PartitionLog.open(tempDir(), {}, fs);
  log.append(batch(2));
  state.failReads = true;
  assert.throws(() => log.read(0, 1000), isStorage('KAFKA_STORAGE_ERROR'));
  state.failReads = false;
  assert.equal(log.read(0, 1000).nextOffset, 2);
  log.close();
});

test('appended data survives kill -9 of the writing process', async () => {
  const { spawnSync } = await import('node:child_process');
  const dir = tempDir();
  const src = (p: string): string => new URL(`../../../${p}`, import.meta.url).href;
  const script = `
    import { PartitionLog } from ${JSON.stringify(src('src/broker/storage/partition-log.ts'))};
    import { encodeRecordBatch } from ${JSON.stringify(src('src/protocol/record-batch.ts'))};
    const log = PartitionLog.open(${JSON.stringify(dir)}, { segmentBytes: 4096 });
    for (let i = 0; i < 50; i++) log.append(encodeRecordBatch({ records: [{ value: 'x'.repeat(100) }, { value: 'y' }] }));
    process.kill(process.pid, 'SIGKILL');
  `;
  const { fileURLToPath } = await import('node:url');
  const cwd = fileURLToPath(new URL('../../../', import.meta.url)); // where tsx resolves
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd,
  });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const log = PartitionLog.open(dir, { segmentBytes: 4096 });
  assert.equal(log.logEndOffset, 100);
  assert.equal(values(log.read(98, 1 << 20)).at(-1), 'y');
  log.close();
});
