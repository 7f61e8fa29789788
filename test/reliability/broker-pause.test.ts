// A broker that stops answering for longer than request.timeout.ms (SIGSTOP, then
// SIGCONT) in the middle of a console-producer run: the requests that timed out were
// still in the broker's socket buffers and get written when it resumes, while the
// producer has already re-sent them. The idempotent producer (the default, as in Kafka
// since 3.0) must end with exit 0 and every line exactly once, in order per partition.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeBatches } from '../../src/protocol/record-batch.js';
import { tempDir } from '../helpers/broker.js';
import { requireTool, run } from '../helpers/tools.js';
import { WireClient } from '../helpers/wire.js';
import { BIN } from '../cli/helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
const LINES = 300_000;
const PARTITIONS = 3;
const KEYS = 7;

function startBroker(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dataDir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`broker did not start: ${out}`)); }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  });
}

/** Bytes in the topic's partition directories: how far the produce has got. */
function topicBytes(dataDir: string, topic: string): number {
  let n = 0;
  for (const d of readdirSync(dataDir)) {
    if (!d.startsWith(`${topic}-`)) continue;
    for (const f of readdirSync(join(dataDir, d))) if (f.endsWith('.log')) n += statSync(join(dataDir, d, f)).size;
  }
  return n;
}

async function readPartition(client: WireClient, topic: string, partition: number): Promise<string[]> {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await client.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 8 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, 0);
    if (!p.records || p.records.length === 0) return values;
    for (const b of decodeBatches(p.records, undefined, { verifyCrc: true })) {
      for (const rec of b.records) {
        if (rec.offset < offset) continue;
        values.push(rec.value!.toString());
        offset = rec.offset + 1;
      }
    }
  }
}

/** Each line once, and per key (so per partition) in the order it was read. */
function assertExactlyOnceInOrder(partitions: string[][]): void {
  const seen = new Uint8Array(LINES);
  let dups = 0;
  let disorder = 0;
  for (const values of partitions) {
    const lastOfKey = new Map<number, number>();
    for (const v of values) {
      const i = Number(v.slice(1));
      if (seen[i]) dups++;
      seen[i] = 1;
      const prev = lastOfKey.get(i % KEYS);
      if (prev !== undefined && prev > i) disorder++;
      lastOfKey.set(i % KEYS, i);
    }
  }
  const missing = seen.reduce((n, s) => n + (s ? 0 : 1), 0);
  assert.deepEqual({ duplicates: dups, missing, outOfOrder: disorder }, { duplicates: 0, missing: 0, outOfOrder: 0 });
}

describe('a paused broker (SIGSTOP longer than request.timeout.ms)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) { c.kill('SIGCONT'); c.kill('SIGKILL'); }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('console-producer: exit 0, every line exactly once and in order', { timeout: 180_000 }, async (t) => {
    const dataDir = tempDir('ktool-pause-');
    dirs.push(dataDir);
    const { child: broker, port } = await startBroker(dataDir);
    children.push(broker);
    const bootstrap = `127.0.0.1:${port}`;
    const env = { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '', XDG_CONFIG_HOME: '/nonexistent-ktool-config', KTOOL_NO_EMBEDDED: '1' };
    const created = await run(process.execPath, [BIN, 'topics', '--create', '--topic', 'paused', '--partitions', String(PARTITIONS), '--bootstrap-server', bootstrap], { env });
    assert.equal(created.code, 0, created.stderr);

    const producer = spawn(process.execPath, [BIN, 'console-producer', '--topic', 'paused', '--bootstrap-server', bootstrap,
      '--property', 'parse.key=true', '--property', 'key.separator=:',
      '--producer-property', 'request.timeout.ms=3000', '--timeout', '5'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(producer);
    let stderr = '';
    producer.stderr!.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => producer.on('close', (code) => resolve(code)));
    // Feed the lines as fast as the producer takes them, so requests are in flight when the broker stops.
    const input = producer.stdin!;
    input.on('error', () => {});
    const feeding = (async () => {
      const chunk = 5000;
      for (let i = 0; i < LINES; i += chunk) {
        let text = '';
        for (let j = i; j < Math.min(LINES, i + chunk); j++) text += `k${j % KEYS}:v${j}\n`;
        if (!input.write(text)) await new Promise((r) => input.once('drain', r));
      }
      input.end();
    })();

    // Stop the broker once a good part of the input has landed.
    const deadline = Date.now() + 60_000;
    while (topicBytes(dataDir, 'paused') < 2_000_000) {
      assert.ok(Date.now() < deadline, `the produce did not get going: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    broker.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 12_000));
    broker.kill('SIGCONT');
    await feeding;
    const code = await exited;
    assert.equal(code, 0, stderr);

    const client = await WireClient.open(port);
    const partitions: string[][] = [];
    try {
      for (let p = 0; p < PARTITIONS; p++) partitions.push(await readPartition(client, 'paused', p));
    } finally {
      client.close();
    }
    assertExactlyOnceInOrder(partitions);

    // A real client's view of the same topic.
    if (requireTool(t, 'kcat')) {
      const r = await run('kcat', ['-b', bootstrap, '-C', '-t', 'paused', '-o', 'beginning', '-e', '-q', '-f', '%p %s\n'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      const byPartition: string[][] = Array.from({ length: PARTITIONS }, () => []);
      for (const line of r.stdout.toString().split('\n')) {
        if (line === '') continue;
        const [p, v] = line.split(' ');
        byPartition[Number(p)]!.push(v!);
      }
      assertExactlyOnceInOrder(byPartition);
    }
    broker.kill('SIGTERM');
  });
});
