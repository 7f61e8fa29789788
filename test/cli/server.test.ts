// server-start / server-stop against the built CLI and the real dev broker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, freePort, hasStack, lines, ROOT, runCli, sandbox } from './helpers.js';

function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Is the process running? (A zombie waiting to be reaped counts as gone.) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform !== 'linux';
  }
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe('server-start / server-stop', () => {
  const box = sandbox('ktool-server-');
  const dataDir = join(box.dir, 'data');
  const pidFile = `${dataDir}.pid`;
  const logFile = `${dataDir}.log`;
  let port = 0;
  const started: number[] = [];

  before(async () => {
    port = await freePort();
  });

  after(() => {
    // Never leave a broker behind, whatever failed.
    for (const file of [pidFile, `${join(box.dir, 'props-data')}.pid`]) {
      const pid = pidIn(file);
      if (pid !== undefined) started.push(pid);
    }
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    box.cleanup();
  });

  const startArgs = (p: number, dir = dataDir) => [
    'server-start',
    '--daemon',
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${p}`,
    '--override',
    `log.dirs=${dir}`,
  ];

  test('server-stop with nothing running says so and exits 1', async () => {
    const r = await runCli(['server-stop'], { env: box.env });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, 'No kafka server to stop\n');
    const d = await runCli(['server-stop', '--data-dir', dataDir], { env: box.env });
    assert.equal(d.code, 1);
    assert.equal(d.stdout, 'No kafka server to stop\n');
  });

  test('server-start --daemon returns once the port accepts connections', async () => {
    const r = await runCli(startArgs(port), { env: box.env, timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await accepts(port), 'broker accepts connections as soon as server-start returns');
    const pid = pidIn(pidFile);
    assert.ok(pid !== undefined, 'pid file written beside the data dir');
    started.push(pid);
    assert.ok(alive(pid));
    assert.ok(existsSync(logFile), 'log file beside the data dir');
    assert.match(readFileSync(logFile, 'utf8'), /ktool broker started .*listening on 127\.0\.0\.1:\d+/);
    assert.match(r.stdout, new RegExp(`pid ${pid}\\b.*127\\.0\\.0\\.1:${port}`));
  });

  test('a second server-start on the same data dir fails with one clear line', async () => {
    const other = await freePort();
    const r = await runCli(startArgs(other), { env: box.env, timeoutMs: 20_000 });
    assert.equal(r.code, 1);
    const errLines = lines(r.stderr);
    assert.equal(errLines.length, 1, r.stderr);
    assert.match(errLines[0], /^Error: .*already running.*data/);
    assert.ok(!hasStack(r.stderr));
    assert.ok(await accepts(port), 'the first broker is untouched');
  });

  test("the broker's own data-dir lock surfaces as one line too", async () => {
    // Hide the pid file so only the broker's lock stands in the way.
    renameSync(pidFile, `${pidFile}.hidden`);
    try {
      const other = await freePort();
      const r = await runCli(startArgs(other), { env: box.env, timeoutMs: 20_000 });
      assert.equal(r.code, 1);
      const errLines = lines(r.stderr);
      assert.equal(errLines.length, 1, r.stderr);
      // The lock answers for the broker even without its pid file, naming its pid.
      assert.match(errLines[0], /^Error: A ktool broker \(pid \d+\) is already running with data directory /);
      assert.ok(!hasStack(r.stderr));
      assert.ok(!(await accepts(other)), 'no second broker');
    } finally {
      // Had a second broker started after all, make sure after() kills it.
      const stray = pidIn(pidFile);
      if (stray !== undefined) started.push(stray);
      renameSync(`${pidFile}.hidden`, pidFile);
    }
    assert.ok(await accepts(port));
  });

  test('server-stop stops it, silently', async () => {
    const pid = pidIn(pidFile);
    assert.ok(pid !== undefined);
    const r = await runCli(['server-stop', '--data-dir', dataDir], { env: box.env, timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.ok(!alive(pid), 'broker process exited');
    assert.ok(!(await accepts(port)), 'port closed');
    assert.ok(!existsSync(pidFile), 'pid file removed');
    const again = await runCli(['server-stop', '--data-dir', dataDir], { env: box.env });
    assert.equal(again.code, 1);
    assert.equal(again.stdout, 'No kafka server to stop\n');
  });

  test('Kafka-style: -daemon with a properties file; server-stop with no argument finds it', async () => {
    const p = await freePort();
    const propsDir = join(box.dir, 'props-data');
    const props = join(box.dir, 'server.properties');
    writeFileSync(props, `# test broker\nlisteners=PLAINTEXT://127.0.0.1:${p}\nlog.dirs=${propsDir}\n`);
    const r = await runCli(['server-start', '-daemon', props], { env: box.env, timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    const pid = pidIn(`${propsDir}.pid`);
    assert.ok(pid !== undefined);
    started.push(pid);
    assert.ok(await accepts(p));

    const stop = await runCli(['server-stop', '--verbose'], { env: box.env, timeoutMs: 20_000 });
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(
      stop.stdout,
      new RegExp(`^Stopped ktool broker \\(pid ${pid}, data ${propsDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\\n$`),
    );
    assert.ok(!(await accepts(p)));
  });

  test('foreground server-start logs to stdout and stops cleanly on SIGTERM', async () => {
    const p = await freePort();
    const dir = join(box.dir, 'fg-data');
    const child = spawn(
      process.execPath,
      [BIN, 'server-start', '--override', `listeners=PLAINTEXT://127.0.0.1:${p}`, '--override', `log.dirs=${dir}`],
      { cwd: ROOT, env: { ...process.env, ...box.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (child.pid !== undefined) started.push(child.pid);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line; stderr: ${stderr}`)), 15_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (/listening on/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('close', () => reject(new Error(`exited early; stderr: ${stderr}`)));
    });
    assert.ok(await accepts(p));
    assert.ok(await eventually(() => pidIn(`${dir}.pid`) === child.pid), 'foreground broker records its pid');

    // server-stop finds a foreground broker too.
    const stop = await runCli(['server-stop', '--data-dir', dir], { env: box.env, timeoutMs: 20_000 });
    assert.equal(stop.code, 0, stop.stderr);
    const { code, signal } = await exited;
    assert.equal(signal, null);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.ok(!existsSync(`${dir}.pid`), 'pid file removed on exit');
    assert.ok(!(await accepts(p)));
  });
});
