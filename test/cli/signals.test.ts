// Every long-running tool ends within a second of its first SIGINT or SIGTERM, having
// written what it owes. Tools whose normal end is a signal (console tools, --watch,
// server-start) stop cleanly with status 0; the perf tests, which Kafka runs without a
// shutdown hook, end at once as the JVM does (by the signal).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';
import { BIN, freePort, runCli, sandbox } from './helpers.js';

const box = sandbox('ktool-signals-');
const env = { ...process.env, ...box.env, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '' };

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal to the exit. */
  tookMs: number;
}

/** Starts a tool, waits until its output shows it is running, signals it, and waits for the exit. */
async function signalWhenReady(args: string[], ready: RegExp, signal: NodeJS.Signals, stdin?: string): Promise<Ended> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (stdin !== undefined) child.stdin.write(stdin);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, sig) => resolve({ code, signal: sig })),
  );
  const deadline = Date.now() + 60_000;
  while (!ready.test(stdout + stderr)) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`never ready: ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const sentAt = Date.now();
  child.kill(signal);
  const end = await exited;
  return { ...end, stdout, stderr, tookMs: Date.now() - sentAt };
}

describe('signals end every long-running tool', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
    const r = await runCli(['topics', '--create', '--topic', 'sig', '--bootstrap-server', broker.bootstrap], { env });
    assert.equal(r.code, 0, r.stderr);
    // The perf test writes elsewhere, so the consumers above read exactly a, b, c.
    const rp = await runCli(['topics', '--create', '--topic', 'sig-perf', '--bootstrap-server', broker.bootstrap], {
      env,
    });
    assert.equal(rp.code, 0, rp.stderr);
    const p = await run(
      process.execPath,
      [BIN, 'console-producer', '--topic', 'sig', '--bootstrap-server', broker.bootstrap],
      { env, input: 'a\nb\nc\n', timeoutMs: 30_000 },
    );
    assert.equal(p.code, 0, p.stderr);
  });
  after(async () => {
    await broker?.destroy();
    box.cleanup();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`console-consumer --group: ${signal} writes what was read, reports, exits 0`, async () => {
      const e = await signalWhenReady(
        [
          'console-consumer',
          '--topic',
          'sig',
          '--group',
          `g-${signal}`,
          '--from-beginning',
          '--bootstrap-server',
          broker.bootstrap,
        ],
        /^a\nb\nc\n$/,
        signal,
      );
      assert.equal(e.code, 0, e.stderr);
      assert.equal(e.stdout, 'a\nb\nc\n');
      assert.match(e.stderr, /Processed a total of 3 messages/);
      assert.ok(e.tookMs < 1000, `took ${e.tookMs} ms`);
    });

    test(`console-producer on an idle pipe: ${signal} delivers what was read, exits 0`, async () => {
      const topic = `sigp-${signal}`;
      await runCli(['topics', '--create', '--topic', topic, '--bootstrap-server', broker.bootstrap], { env });
      const child = spawn(
        process.execPath,
        [BIN, 'console-producer', '--topic', topic, '--bootstrap-server', broker.bootstrap],
        { env },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      child.stdin.write('x\ny\n');
      // Ready when the lines are on the broker.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const seen = await runCli(
          [
            'console-consumer',
            '--topic',
            topic,
            '--from-beginning',
            '--max-messages',
            '2',
            '--timeout-ms',
            '1000',
            '--bootstrap-server',
            broker.bootstrap,
          ],
          { env },
        );
        if (seen.stdout === 'x\ny\n') break;
      }
      const sentAt = Date.now();
      child.kill(signal);
      const code = await exited;
      const took = Date.now() - sentAt;
      assert.equal(code, 0, stderr);
      assert.ok(took < 1000, `took ${took} ms`);
    });

    test(`consumer-groups --describe --watch: ${signal} ends the watch with status 0`, async () => {
      const group = `gw-${signal}`;
      const c = await runCli(
        [
          'console-consumer',
          '--topic',
          'sig',
          '--group',
          group,
          '--from-beginning',
          '--max-messages',
          '3',
          '--bootstrap-server',
          broker.bootstrap,
        ],
        { env },
      );
      assert.equal(c.code, 0, c.stderr);
      const e = await signalWhenReady(
        ['consumer-groups', '--describe', '--group', group, '--watch', '--bootstrap-server', broker.bootstrap],
        /Every 1s/,
        signal,
      );
      assert.equal(e.code, 0, e.stderr);
      assert.ok(e.tookMs < 1000, `took ${e.tookMs} ms`);
    });

    test(`consumer-perf-test: ${signal} ends it at once, as the JVM does without a shutdown hook`, async () => {
      const e = await signalWhenReady(
        [
          'consumer-perf-test',
          '--topic',
          'sig',
          '--messages',
          '1000000',
          '--timeout',
          '60000',
          '--bootstrap-server',
          broker.bootstrap,
        ],
        /start\.time/,
        signal,
      );
      assert.equal(e.signal, signal);
      assert.match(e.stdout, /^start\.time, end\.time/, 'the header it printed is out');
      assert.ok(e.tookMs < 1000, `took ${e.tookMs} ms`);
    });

    test(`producer-perf-test: ${signal} ends it at once, after the progress lines it printed`, async () => {
      const e = await signalWhenReady(
        [
          'producer-perf-test',
          '--topic',
          'sig-perf',
          '--num-records',
          '100000000',
          '--record-size',
          '10',
          '--throughput',
          '200',
          '--producer-props',
          `bootstrap.servers=${broker.bootstrap}`,
        ],
        /records sent/,
        signal,
      );
      assert.equal(e.signal, signal);
      assert.match(e.stdout, /records sent, .* records\/sec/);
      assert.ok(e.tookMs < 1000, `took ${e.tookMs} ms`);
    });

    test(`server-start in the foreground: ${signal} stops the broker cleanly with status 0`, async () => {
      const port = await freePort();
      const e = await signalWhenReady(
        [
          'server-start',
          '--override',
          `listeners=PLAINTEXT://127.0.0.1:${port}`,
          '--override',
          `log.dirs=${tempDir('ktool-sig-server-')}`,
          '--override',
          'schema.registry.enable=false',
        ],
        /ktool broker started/,
        signal,
      );
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout + e.stderr, /ktool broker stopped/);
      assert.ok(e.tookMs < 1000, `took ${e.tookMs} ms`);
    });
  }
});
