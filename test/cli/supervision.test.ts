// Starting and stopping brokers under pressure: a restart right after kill -9,
// several starts at once, a pid file naming someone else, secrets kept out of argv.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, freePort, lines, runCli, sandbox, type CliResult } from './helpers.js';

const box = sandbox('ktool-supervision-');
const children: ChildProcess[] = [];
after(async () => {
  for (const dir of ['fg', 'race', 'secret', 'wild'])
    await runCli(['server-stop', '--data-dir', join(box.dir, dir)], { env: box.env });
  for (const c of children) c.kill('SIGKILL');
  box.cleanup();
});

/** A foreground broker as a child process; resolves once it logs that it started. */
function startForeground(dataDir: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'server-start',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
      ],
      {
        env: { ...process.env, ...box.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/ktool broker started/.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

describe('broker supervision', () => {
  test('a restart right after kill -9 succeeds, with no sleep in between, even while the dead broker is a zombie', async () => {
    const dataDir = join(box.dir, 'fg');
    // A parent that never reaps: the killed broker stays a zombie with its pid on show.
    const holder = spawn(
      '/usr/bin/python3',
      [
        '-c',
        `
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
for line in p.stdout:
    if b'ktool broker started' in line:
        print(p.pid, flush=True)
        break
time.sleep(60)
`,
        process.execPath,
        BIN,
        'server-start',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${await freePort()}`,
      ],
      { env: { ...process.env, ...box.env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(holder);
    const pid = await new Promise<number>((resolve) =>
      holder.stdout!.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.match(readFileSync(`/proc/${pid}/stat`, 'utf8'), /\) Z /, 'the dead broker is a zombie');
    const restarted = await startForeground(dataDir, await freePort());
    restarted.kill('SIGKILL');
    await exited(restarted);
    holder.kill('SIGKILL');
  });

  test('a .lock naming a live, unrelated process (a recycled pid) does not lock the user out', async () => {
    const dataDir = join(box.dir, 'fg');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(other);
    writeFileSync(join(dataDir, '.lock'), `${other.pid}\n`);
    const broker = await startForeground(dataDir, await freePort());
    // A live broker still keeps a second one out, naming its pid.
    const second = await runCli(
      [
        'server-start',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${await freePort()}`,
      ],
      { env: box.env },
    );
    assert.equal(second.code, 1);
    assert.equal(lines(second.stderr).length, 1, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`^Error: A ktool broker \\(pid ${broker.pid}\\) is already running with data directory `),
    );
    broker.kill('SIGKILL');
    await exited(broker);
  });

  test('three daemons started at once on one data directory: one wins, the others say so, the pid file names the winner', async () => {
    const dataDir = join(box.dir, 'race');
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const results: CliResult[] = await Promise.all(
      ports.map((port) =>
        runCli(
          [
            'server-start',
            '--daemon',
            '--override',
            `log.dirs=${dataDir}`,
            '--override',
            `listeners=PLAINTEXT://127.0.0.1:${port}`,
          ],
          { env: box.env, timeoutMs: 30_000 },
        ),
      ),
    );
    const winners = results.filter((r) => r.code === 0);
    assert.equal(winners.length, 1, results.map((r) => r.stdout + r.stderr).join('\n'));
    const pid = Number(/\(pid (\d+)\)/.exec(winners[0]!.stdout)![1]);
    for (const loser of results.filter((r) => r.code !== 0)) {
      assert.equal(loser.code, 1);
      assert.equal(lines(loser.stderr).length, 1, loser.stderr);
      assert.match(
        loser.stderr,
        new RegExp(`^Error: A ktool broker \\(pid ${pid}\\) is already running with data directory `),
      );
      assert.equal(loser.stdout, '');
    }
    assert.equal(Number(readFileSync(`${dataDir}.pid`, 'utf8').trim()), pid);
    const stop = await runCli(['server-stop', '--data-dir', dataDir], { env: box.env });
    assert.equal(stop.code, 0, stop.stderr);
  });

  test('four commands that need the embedded broker at once: exactly one starts it', async () => {
    const port = await freePort();
    const script = `
      const { ensureEmbeddedBroker } = await import(${JSON.stringify(new URL('../../dist/connection/embedded.js', import.meta.url).href)})
      const r = await ensureEmbeddedBroker({ port: ${port}, notify: (l) => process.stdout.write(l + '\\n') })
      process.stdout.write(JSON.stringify(r) + '\\n')`;
    const run = () =>
      new Promise<string>((resolve) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { ...process.env, ...box.env },
        });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (out += d));
        c.once('exit', () => resolve(out));
      });
    const outs = await Promise.all([run(), run(), run(), run()]);
    const started = outs.filter((o) => /started the embedded dev broker/.test(o));
    assert.equal(started.length, 1, outs.join('\n---\n'));
    for (const o of outs) assert.match(o, new RegExp(`"address":"localhost:${port}"`), o);
    const stop = await runCli(['server-stop'], { env: box.env });
    assert.equal(stop.code, 0, stop.stderr);
  });

  test('server-stop never signals a process that merely names itself ktool', async () => {
    const dataDir = join(box.dir, 'impostor');
    const fake = spawn('bash', ['-c', 'exec -a ktool-server-start sleep 60'], { stdio: 'ignore' });
    children.push(fake);
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(`${dataDir}.pid`, `${fake.pid}\n`);
    const r = await runCli(['server-stop', '--data-dir', dataDir], { env: box.env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'No kafka server to stop\n');
    assert.equal(fake.exitCode, null, 'the impostor is untouched');
    assert.equal(fake.signalCode, null);
  });

  test('overrides reach the daemon without passing through its command line', async () => {
    const dataDir = join(box.dir, 'secret');
    const port = await freePort();
    const r = await runCli(
      [
        'server-start',
        '--daemon',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override',
        'sasl.users=alice:hunter2-not-in-argv',
      ],
      { env: box.env },
    );
    assert.equal(r.code, 0, r.stderr);
    const pid = Number(/\(pid (\d+)\)/.exec(r.stdout)![1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes('hunter2'), cmdline);
    assert.ok(cmdline.includes(dataDir) === false, 'no override in argv at all');
    assert.ok(!r.stdout.includes('hunter2') && !r.stderr.includes('hunter2'));
  });

  test('a listener on every interface is announced as such', async () => {
    const dataDir = join(box.dir, 'wild');
    const port = await freePort();
    const r = await runCli(
      ['server-start', '--daemon', '--override', `log.dirs=${dataDir}`, '--override', `listeners=PLAINTEXT://:${port}`],
      { env: box.env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`listening on (0\\.0\\.0\\.0|\\[::\\]):${port};`));
  });
});
