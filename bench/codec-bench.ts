// Codec microbenchmark: Produce v7 request with a 1 MB record set, and a Fetch v11
// response, each encoded and decoded in a loop. Run: node --import tsx bench/codec-bench.ts

import { concatChunks, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../src/protocol/index.js';

const ITERATIONS = 10_000;

function bench(label: string, fn: () => unknown): void {
  for (let i = 0; i < 1000; i++) fn(); // warm up the compiled closures and the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  const ns = Number(process.hrtime.bigint() - start);
  const opsPerSec = (ITERATIONS / ns) * 1e9;
  console.log(
    `${label.padEnd(44)} ${Math.round(opsPerSec).toLocaleString('en-US').padStart(12)} ops/s  ${(ns / ITERATIONS / 1000).toFixed(2).padStart(8)} us/op`,
  );
}

const records = Buffer.alloc(1024 * 1024, 7);
const produce = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 'bench-topic', partitionData: [{ index: 0, records }] }],
};
const produceFrame = concatChunks(encodeRequest(0, 7, produce));

// A Fetch response shaped like a busy consumer's: 4 topics x 8 partitions, 16 KB of records each.
const partitionRecords = Buffer.alloc(16 * 1024, 3);
const fetchResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 12345,
  responses: Array.from({ length: 4 }, (_, t) => ({
    topic: `topic-${t}`,
    partitions: Array.from({ length: 8 }, (_, p) => ({
      partitionIndex: p,
      errorCode: 0,
      highWatermark: 1_000_000 + p,
      lastStableOffset: 1_000_000 + p,
      logStartOffset: 0,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: partitionRecords,
    })),
  })),
};
const fetchFrame = concatChunks(encodeResponse(1, 11, fetchResponse));

console.log(
  `Produce v7 request: ${produceFrame.length} bytes; Fetch v11 response: ${fetchFrame.length} bytes (4x8 partitions)`,
);
bench('encode Produce v7 request (1 MB records)', () => encodeRequest(0, 7, produce));
bench('decode Produce v7 request (1 MB records)', () => decodeRequest(0, 7, produceFrame));
bench('encode Fetch v11 response (32 partitions)', () => encodeResponse(1, 11, fetchResponse));
bench('decode Fetch v11 response (32 partitions)', () => decodeResponse(1, 11, fetchFrame));
