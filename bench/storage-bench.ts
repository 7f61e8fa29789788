/**
 * Storage benchmark: append 1M 100-byte records (1000 prebuilt batches of
 * 1000 records) to a PartitionLog, read them all back, reopen (recovery of
 * the last segment with CRC checks). Prints records/s each way.
 *
 *   node --import tsx bench/storage-bench.ts [--records N] [--batch N] [--segment-bytes N] [--fetch-bytes N] [--flush]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecords, encodeRecordBatch, readBatchHeader } from '../src/protocol/record-batch.js';
import { PartitionLog } from '../src/broker/storage/partition-log.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const totalRecords = arg('records', 1_000_000);
const perBatch = arg('batch', 1000);
const segmentBytes = arg('segment-bytes', 64 * 1024 * 1024);
const fetchBytes = arg('fetch-bytes', 1024 * 1024);
const flush = process.argv.includes('--flush');

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} records/s`;
const mbps = (bytes: number, ms: number): string => `${(((bytes / ms) * 1000) / 1e6).toFixed(0)} MB/s`;

const dir = mkdtempSync(join(tmpdir(), 'ktool-storage-bench-'));
try {
  const value = Buffer.alloc(100, 0x61);
  const batches = totalRecords / perBatch;
  let t = performance.now();
  const records = Array.from({ length: perBatch }, () => ({ key: null, value }));
  const prebuilt: Buffer[] = [];
  for (let i = 0; i < batches; i++) prebuilt.push(encodeRecordBatch({ records, now: Date.now() }));
  const encodeMs = performance.now() - t;
  const totalBytes = prebuilt.reduce((a, b) => a + b.length, 0);

  const log = PartitionLog.open(join(dir, 'bench-0'), { segmentBytes });
  t = performance.now();
  for (const b of prebuilt) log.append(b);
  if (flush) log.flush();
  const appendMs = performance.now() - t;

  t = performance.now();
  let offset = 0;
  let bytesRead = 0;
  let recordsRead = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, fetchBytes, { minOneBatch: true });
    for (const c of r.chunks) {
      bytesRead += c.length;
      for (let p = 0; p < c.length;) {
        const h = readBatchHeader(c, p);
        recordsRead += h.lastOffsetDelta + 1;
        p += h.size;
      }
    }
    offset = r.nextOffset;
  }
  const readMs = performance.now() - t;

  t = performance.now();
  let decoded = 0;
  offset = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, fetchBytes, { minOneBatch: true });
    for (const c of r.chunks) decoded += decodeRecords(c).length;
    offset = r.nextOffset;
  }
  const decodeMs = performance.now() - t;
  const segments = log.segmentCount;
  log.close();

  t = performance.now();
  const reopened = PartitionLog.open(join(dir, 'bench-0'), { segmentBytes });
  const reopenMs = performance.now() - t;
  if (reopened.logEndOffset !== totalRecords) throw new Error(`reopen lost data: ${reopened.logEndOffset}`);
  reopened.close();

  if (recordsRead !== totalRecords || decoded !== totalRecords)
    throw new Error(`read ${recordsRead}/${decoded} of ${totalRecords}`);
  console.log(
    `records: ${totalRecords.toLocaleString('en-US')} x 100 B in batches of ${perBatch} (${(totalBytes / 1e6).toFixed(1)} MB), segment.bytes ${segmentBytes} -> ${segments} segments${flush ? ', fsync at end' : ''}`,
  );
  console.log(`encode (prebuild):  ${encodeMs.toFixed(0)} ms  ${rate(totalRecords, encodeMs)}`);
  console.log(
    `append:             ${appendMs.toFixed(0)} ms  ${rate(totalRecords, appendMs)}  ${mbps(totalBytes, appendMs)}`,
  );
  console.log(
    `read (raw batches): ${readMs.toFixed(0)} ms  ${rate(totalRecords, readMs)}  ${mbps(bytesRead, readMs)}  (fetch size ${fetchBytes})`,
  );
  console.log(`read + decode:      ${decodeMs.toFixed(0)} ms  ${rate(totalRecords, decodeMs)}`);
  console.log(`reopen (recovery):  ${reopenMs.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
