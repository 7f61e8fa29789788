// "An unreachable server fails within 5 seconds" (README), measured as a user would: the
// wall time from spawning ktool to its exit. The blackhole is local: a listening socket
// whose accept queue is full drops every further SYN, as a firewalled address would
// (tests here must not send traffic off this machine).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { freePort, runCli, sandbox } from './helpers.js';

// Listens with a backlog of 1 and then blocks its event loop, so nothing is ever accepted.
const BLACKHOLE = `
const srv = require('node:net').createServer()
srv.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  process.stdout.write(srv.address().port + '\\n')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000)
})`;

async function blackhole(): Promise<{ port: number; child: ChildProcess; fillers: Socket[] }> {
  const child = spawn(process.execPath, ['-e', BLACKHOLE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
    child.once('exit', () => reject(new Error('blackhole exited')));
  });
  // Fill the accept queue; from then on SYNs are dropped.
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    await new Promise((r) => s.once('connect', r));
  }
  return { port, child, fillers };
}

/** Does a TCP connect to the port stay pending for `ms`? */
function hangs(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      s.destroy();
      resolve(true);
    }, ms);
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(false);
    };
    s.once('connect', done);
    s.once('error', done);
  });
}

describe('an unreachable server fails within 5 s, wall time', { timeout: 120_000 }, () => {
  let hole: Awaited<ReturnType<typeof blackhole>>;
  let silent: Server;
  let silentPort = 0;
  let broker: TestBroker;
  const box = sandbox('ktool-deadline-');

  before(async () => {
    hole = await blackhole();
    assert.ok(await hangs(hole.port, 500), 'the local blackhole drops connections');
    silent = createServer(() => {
      /* accepts and never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    broker = await startTestBroker();
  });
  after(async () => {
    for (const s of hole?.fillers ?? []) s.destroy();
    hole?.child.kill('SIGKILL');
    silent?.close();
    await broker?.destroy();
    box.cleanup();
  });

  const timed = async (args: string[]) => {
    const started = performance.now();
    const r = await runCli(args, { env: { ...box.env, KTOOL_NO_EMBEDDED: '1' }, timeoutMs: 20_000 });
    return { ...r, ms: performance.now() - started };
  };

  const cases: Array<[string, () => string[]]> = [
    ['topics --list, blackholed', () => ['topics', '--list', '--bootstrap-server', `127.0.0.1:${hole.port}`]],
    [
      'consumer-groups --list, blackholed',
      () => ['consumer-groups', '--list', '--bootstrap-server', `127.0.0.1:${hole.port}`],
    ],
    [
      'producer-perf-test, blackholed',
      () => [
        'producer-perf-test',
        '--topic',
        't',
        '--num-records',
        '1',
        '--record-size',
        '1',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=127.0.0.1:${hole.port}`,
      ],
    ],
    [
      'two blackholed bootstrap servers',
      () => ['topics', '--list', '--bootstrap-server', `127.0.0.1:${hole.port},127.0.0.1:${hole.port}`],
    ],
    [
      'a port that accepts and never answers',
      () => ['topics', '--list', '--bootstrap-server', `127.0.0.1:${silentPort}`],
    ],
  ];
  for (const [name, args] of cases) {
    test(name, async (t) => {
      const r = await timed(args());
      t.diagnostic(`${Math.round(r.ms)} ms`);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^Error: (Cannot connect to .*|Request ApiVersions to .*)timed out after \d+ ms.*\n$/);
      assert.ok(r.ms < 5000, `took ${Math.round(r.ms)} ms`);
    });
  }

  test('an unused port fails at once', async () => {
    const port = await freePort();
    const r = await timed(['topics', '--list', '--bootstrap-server', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.ok(r.ms < 3000, `took ${Math.round(r.ms)} ms`);
  });

  test('a blackholed first bootstrap server leaves time for a live second one', async () => {
    const r = await timed(['topics', '--list', '--bootstrap-server', `127.0.0.1:${hole.port},${broker.bootstrap}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.ms < 5000, `took ${Math.round(r.ms)} ms`);
  });
});
