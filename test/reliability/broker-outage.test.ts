// A broker that goes away in the middle of a console-producer run. Paused (SIGSTOP) for
// longer than request.timeout.ms, then resumed: the requests that timed out were still in
// its socket buffers and get written when it resumes, while the producer has already
// re-sent them. Killed (kill -9) and restarted: batches it wrote without answering come
// again, and it must know them from its log. The idempotent producer (the default, as in
// Kafka since 3.0) must end with exit 0 and every line exactly once, in order per partition.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/broker.js';
import { requireTool, run } from '../helpers/tools.js';
import { readPartition } from '../helpers/read-log.js';
import { BIN } from '../cli/helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
const LINES = 300_000;
const PARTITIONS = 3;
const KEYS = 7;

function startBroker(dataDir: string, port = 0): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [MAIN, '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dataDir}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${out}`));
    }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
  });
}

/** A port nothing listens on now, so a restarted broker can take the same one. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
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

type Outage = (broker: ChildProcess) => Promise<ChildProcess>;

describe('a broker that goes away during console-producer', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children)
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGCONT');
        c.kill('SIGKILL');
      }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function produceThrough(t: TestContext, topic: string, outage: Outage, port = 0): Promise<void> {
    const dataDir = tempDir('ktool-outage-');
    dirs.push(dataDir);
    const started = await startBroker(dataDir, port);
    let broker = started.child;
    const brokerPort = started.port;
    children.push(broker);
    const bootstrap = `127.0.0.1:${brokerPort}`;
    const env = {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: '',
      XDG_CONFIG_HOME: '/nonexistent-ktool-config',
      KTOOL_NO_EMBEDDED: '1',
    };
    const created = await run(
      process.execPath,
      [
        BIN,
        'topics',
        '--create',
        '--topic',
        topic,
        '--partitions',
        String(PARTITIONS),
        '--bootstrap-server',
        bootstrap,
      ],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);

    const producer = spawn(
      process.execPath,
      [
        BIN,
        'console-producer',
        '--topic',
        topic,
        '--bootstrap-server',
        bootstrap,
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--producer-property',
        'request.timeout.ms=3000',
        '--timeout',
        '5',
      ],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.push(producer);
    let stderr = '';
    producer.stderr!.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => producer.on('close', (code) => resolve(code)));
    // Feed the lines as fast as the producer takes them, so requests are in flight when the broker goes.
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

    // The outage comes once a good part of the input has landed.
    const deadline = Date.now() + 60_000;
    while (topicBytes(dataDir, topic) < 2_000_000) {
      assert.ok(Date.now() < deadline, `the produce did not get going: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    broker = await outage(broker);
    children.push(broker);
    await feeding;
    const code = await exited;
    assert.equal(code, 0, stderr);

    const partitions: string[][] = [];
    for (let p = 0; p < PARTITIONS; p++) partitions.push((await readPartition(brokerPort, topic, p)).values);
    assertExactlyOnceInOrder(partitions);

    // A real client's view of the same topic.
    if (requireTool(t, 'kcat')) {
      const r = await run(
        'kcat',
        ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %s\n'],
        { timeoutMs: 60_000 },
      );
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
  }

  test(
    'paused (SIGSTOP) past request.timeout.ms, then resumed: exit 0, every line exactly once and in order',
    { timeout: 180_000 },
    async (t) => {
      await produceThrough(t, 'paused', async (broker) => {
        broker.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, 12_000));
        broker.kill('SIGCONT');
        return broker;
      });
    },
  );

  test(
    'killed and not coming back: the first SIGINT ends console-producer promptly, naming what was not delivered',
    { timeout: 60_000 },
    async () => {
      const dataDir = tempDir('ktool-outage-');
      dirs.push(dataDir);
      const { child: broker, port } = await startBroker(dataDir);
      children.push(broker);
      const env = {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVERS: '',
        XDG_CONFIG_HOME: '/nonexistent-ktool-config',
        KTOOL_NO_EMBEDDED: '1',
      };
      const producer = spawn(
        process.execPath,
        [
          BIN,
          'console-producer',
          '--topic',
          'gone',
          '--bootstrap-server',
          `127.0.0.1:${port}`,
          '--producer-property',
          'request.timeout.ms=3000',
        ],
        { env, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      children.push(producer);
      let stderr = '';
      producer.stderr!.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => producer.on('close', (code) => resolve(code)));
      producer.stdin!.on('error', () => {});
      producer.stdin!.write('first\n');
      const deadline = Date.now() + 30_000;
      while (topicBytes(dataDir, 'gone') === 0) {
        assert.ok(Date.now() < deadline, `nothing was produced: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise<void>((resolve) => {
        broker.once('exit', () => resolve());
        broker.kill('SIGKILL');
      });
      // Lines the dead broker can never take; stdin stays open, as at a terminal.
      producer.stdin!.write('second\nthird\n');
      await new Promise((r) => setTimeout(r, 1500));
      const signalledAt = Date.now();
      producer.kill('SIGINT');
      const code = await exited;
      assert.ok(Date.now() - signalledAt < 3000 + 2000, `exit took ${Date.now() - signalledAt} ms`);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^ERROR line 2 was not delivered to gone-0: /m);
      assert.match(stderr, /^ERROR line 3 was not delivered to gone-0: /m);
      assert.match(stderr, /^2 of 3 records failed$/m);
    },
  );

  test(
    'killed (kill -9) and restarted on the same port: exit 0, every line exactly once and in order',
    { timeout: 180_000 },
    async (t) => {
      const port = await freePort();
      const dataDir = () => dirs[dirs.length - 1]!;
      await produceThrough(
        t,
        'killed',
        async (broker) => {
          await new Promise<void>((resolve) => {
            broker.once('exit', () => resolve());
            broker.kill('SIGKILL');
          });
          await new Promise((r) => setTimeout(r, 1500));
          return (await startBroker(dataDir(), port)).child;
        },
        port,
      );
    },
  );
});
