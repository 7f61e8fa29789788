// Compression codec throughput on 4 MB of Kafka-like records (the uncompressed
// body of v2 record batches: varint-framed records with printable keys and JSON
// values). MB/s are of uncompressed bytes. Run: node --import tsx bench/codecs-bench.ts

import { spawnSync } from 'node:child_process';
import { encodeRecordBatch, BATCH_HEADER_SIZE } from '../src/protocol/record-batch.js';
import { compress, decompress, type CompressionCodec } from '../src/codecs/index.js';

const TARGET = 4 * 1024 * 1024;
const STATUSES = ['created', 'paid', 'packed', 'shipped', 'delivered', 'returned'];

function kafkaLikePayload(): Buffer {
  let x = 0x2545f491;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const parts: Buffer[] = [];
  let total = 0;
  let order = 0;
  while (total < TARGET) {
    const records = [];
    for (let i = 0; i < 500; i++, order++) {
      records.push({
        key: `customer-${rnd() % 50000}`,
        value: JSON.stringify({
          orderId: order,
          sku: `SKU-${rnd() % 4000}`,
          qty: 1 + (rnd() % 5),
          price: (rnd() % 100000) / 100,
          status: STATUSES[rnd() % STATUSES.length],
          ts: 1_700_000_000_000 + order * 13,
        }),
        headers: [{ key: 'source', value: 'bench' }],
        timestamp: 1_700_000_000_000 + order * 13,
      });
    }
    const body = encodeRecordBatch({ records, now: 1_700_000_000_000 }).subarray(BATCH_HEADER_SIZE);
    parts.push(body);
    total += body.length;
  }
  return Buffer.concat(parts).subarray(0, TARGET);
}

function timeIt(fn: () => unknown, minMs = 1500): number {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return elapsed / n;
}

const data = kafkaLikePayload();
const mb = data.length / (1024 * 1024);
console.log(`input: ${data.length} bytes of record batch bodies\n`);
console.log(
  `${'codec'.padEnd(8)} ${'ratio'.padStart(7)} ${'compress MB/s'.padStart(14)} ${'decompress MB/s'.padStart(16)}`,
);
for (const [name, codec] of [
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
  ['zstd', 4],
] as Array<[string, CompressionCodec]>) {
  const packed = compress(codec, data);
  if (!decompress(codec, packed).equals(data)) throw new Error(`${name} round trip failed`);
  const c = timeIt(() => compress(codec, data));
  const d = timeIt(() => decompress(codec, packed));
  console.log(
    `${name.padEnd(8)} ${(data.length / packed.length).toFixed(2).padStart(7)} ${(mb / (c / 1000)).toFixed(0).padStart(14)} ${(mb / (d / 1000)).toFixed(0).padStart(16)}`,
  );
}

// What real producers send: decompress frames written by the reference tools,
// when they are installed (librdkafka and the Java client use the same libraries).
const reference: Array<[string, CompressionCodec, string, string[]]> = [
  ['zstd -3', 4, 'zstd', ['-q', '-3', '-c']],
  ['zstd -3 --no-check', 4, 'zstd', ['-q', '-3', '--no-check', '-c']],
  ['lz4 -B4 (64 KB)', 3, 'lz4', ['-q', '-B4', '-c']],
];
let header = false;
for (const [label, codec, tool, args] of reference) {
  const r = spawnSync(tool, args, { input: data, maxBuffer: 64 << 20 });
  if (r.status !== 0) continue;
  if (!header) {
    console.log(`\ndecompressing reference tool output:`);
    header = true;
  }
  const packed = r.stdout;
  if (!decompress(codec, packed).equals(data)) throw new Error(`${label} round trip failed`);
  const d = timeIt(() => decompress(codec, packed));
  console.log(
    `${label.padEnd(20)} ratio ${(data.length / packed.length).toFixed(2).padStart(5)}  decompress ${(mb / (d / 1000)).toFixed(0).padStart(5)} MB/s`,
  );
}
