#!/usr/bin/env node
// Log cleaner benchmark: compacts one partition of RECORDS records over KEYS distinct
// keys (default 10M records, 1M keys, ~100-byte values: about 1.2 GB) and prints the
// time of the clean and the process's peak RSS. Runs against the built broker storage
// (npm run build first); the partition is written straight to storage, not over TCP.
//
//   node bench/cleaner.mjs [records] [keys]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLog } from '../dist/broker/storage/partition-log.js';
import { cleanLog, mapEntriesFor } from '../dist/broker/storage/log-cleaner.js';
import { encodeRecordBatch } from '../dist/protocol/record-batch.js';
import { compress, decompress } from '../dist/codecs/index.js';

const RECORDS = Number(process.argv[2] ?? 10_000_000);
const KEYS = Number(process.argv[3] ?? 1_000_000);
const PER_BATCH = 1000;
const dir = mkdtempSync(join(tmpdir(), 'ktool-cleaner-bench-'));
try {
  const log = PartitionLog.open(dir, { segmentBytes: 128 << 20, deleteRetention: false });
  const value = 'v'.repeat(90);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < RECORDS; i += PER_BATCH) {
    const records = [];
    for (let j = 0; j < PER_BATCH && i + j < RECORDS; j++)
      records.push({ key: `key-${(i + j) % KEYS}`, value: `${value}${i + j}` });
    log.append(encodeRecordBatch({ records }));
  }
  log.roll();
  log.flush();
  const writeSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const sizeBefore = log.size;
  const rssBefore = process.resourceUsage().maxRSS;
  const start = process.hrtime.bigint();
  const r = cleanLog(
    log,
    {
      minCleanableRatio: 0,
      minCompactionLagMs: 0,
      maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
      deleteRetentionMs: 86_400_000,
      segmentBytes: 128 << 20,
      maxMapEntries: mapEntriesFor(128 << 20),
    },
    { compress, decompress },
  );
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `partition: ${RECORDS.toLocaleString()} records, ${KEYS.toLocaleString()} keys, ${(sizeBefore / 1e9).toFixed(2)} GB (written in ${writeSecs.toFixed(1)} s)`,
  );
  console.log(
    `clean: ${secs.toFixed(1)} s, ${(sizeBefore / 1e6 / secs).toFixed(0)} MB/s, ${r.recordsRemoved.toLocaleString()} records removed, ${(r.bytesBefore / 1e6).toFixed(0)} -> ${(r.bytesAfter / 1e6).toFixed(0)} MB`,
  );
  console.log(
    `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (before the clean: ${(rssBefore / 1024).toFixed(0)} MB)`,
  );
  log.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
