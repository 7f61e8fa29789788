// Throughput of ktool's transactional producer (a commit every 1,000 records) next to the
// plain idempotent one, in one run, against a dev broker in its own process (so the broker
// does not share the client's event loop). 100-byte values, acks=all, linger.ms=5.
// Run: npm run build && node --import tsx bench/transactions-bench.ts [records]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../src/client/cluster.js';
import { Producer } from '../src/client/producer.js';
import { TransactionalProducer } from '../src/client/transactions.js';

const N = Number(process.argv[2] ?? 200_000);
const COMMIT_EVERY = 1000;
const value = Buffer.alloc(100, 65);

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'ktool-txn-bench-'));
const broker = spawn(
  process.execPath,
  [
    'bin/run.js',
    'server-start',
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    '--override',
    `log.dirs=${dir}`,
  ],
  { stdio: 'ignore' },
);
const bootstrap = `127.0.0.1:${port}`;

async function connectWhenUp(): Promise<ClusterClient> {
  for (let i = 0; ; i++) {
    try {
      return await ClusterClient.connect({ bootstrap: [bootstrap] });
    } catch (err) {
      if (i > 100) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(label: string, transactional: boolean, quiet = false): Promise<void> {
  const cluster = await connectWhenUp();
  const topic = `bench.${transactional ? 'txn' : 'idem'}.${Date.now()}`;
  const producer = new Producer(cluster, { acks: -1, lingerMs: 5 });
  const txn = transactional
    ? new TransactionalProducer(cluster, producer, {
        transactionalId: topic,
        transactionTimeoutMs: 60000,
        requestTimeoutMs: 30000,
        retryBackoffMs: 100,
        maxBlockMs: 60000,
      })
    : undefined;
  await txn?.init();
  await producer.prepare([topic]);
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    if (txn && !txn.inTransaction) txn.begin();
    const room = producer.append({ topic, key: null, value, seq: i });
    if (txn && (i + 1) % COMMIT_EVERY === 0) await txn.commit();
    else if (!room) await producer.drained();
    else if ((i & 1023) === 1023) await new Promise((r) => setImmediate(r));
  }
  await txn?.commit();
  await producer.flush();
  const secs = (performance.now() - start) / 1000;
  producer.close();
  cluster.close();
  if (!quiet)
    console.log(
      `${label.padEnd(34)} ${Math.round(N / secs)
        .toLocaleString('en-US')
        .padStart(
          10,
        )} records/s  ${((N * value.length) / 1048576 / secs).toFixed(1).padStart(6)} MB/s  failed ${producer.failed}${txn ? `  commits ${txn.committed}` : ''}`,
    );
}

try {
  // Warms up the JIT on both sides first.
  await run('warm-up', true, true);
  await run('idempotent', false);
  await run(`transactional, commit every ${COMMIT_EVERY}`, true);
  await run('idempotent', false);
  await run(`transactional, commit every ${COMMIT_EVERY}`, true);
} finally {
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('close', r));
  rmSync(dir, { recursive: true, force: true });
}
