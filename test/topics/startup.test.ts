// Startup cost of `ktool topics --list`: what it loads and how long it takes.
// The budget is 150 ms wall on an idle machine (measure with bench/startup.sh).
// Shared test machines are noisy, so this test compares against `ktool --version`
// run alternately (oclif's own start-up) and reports the median; it enforces an
// absolute budget only when KTOOL_STARTUP_BUDGET_MS is set.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { BIN, ROOT } from '../cli/helpers.js';

function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stderr }));
  });
}

describe('ktool topics --list startup', () => {
  let broker: TestBroker;
  let dir: string;
  const env = { ...process.env, XDG_CONFIG_HOME: '/nonexistent-ktool-config' } as NodeJS.ProcessEnv;
  delete env.KAFKA_BOOTSTRAP_SERVERS;
  before(async () => {
    broker = await startTestBroker();
    dir = mkdtempSync(join(tmpdir(), 'ktool-startup-'));
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The module URLs `topics --list` loads, through oclif or through the start-up fast path. */
  async function loaded(fastPath: boolean): Promise<string[]> {
    const trace = join(dir, `imports-${fastPath}.txt`);
    const r = await timeRun(
      [
        '--import',
        join(ROOT, 'test', 'helpers', 'trace-imports.mjs'),
        BIN,
        'topics',
        '--list',
        '--bootstrap-server',
        broker.bootstrap,
      ],
      { ...env, KTOOL_TRACE_IMPORTS: trace, KTOOL_FAST_PATH: fastPath ? '1' : '0' },
    );
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  }
  const HEAVY = /\/node_modules\/(kafkajs|ink|react)\/|\/dist\/broker\/(broker|index|storage|handlers|server\/server)/;

  test('loads neither kafkajs, ink/react, nor the broker', async () => {
    const urls = await loaded(false);
    assert.ok(
      urls.some((u) => u.endsWith('/dist/commands/topics/index.js')),
      'the trace saw the command',
    );
    assert.deepEqual(
      urls.filter((u) => HEAVY.test(u)),
      [],
    );
  });

  test('the fast path loads its bundles, and neither oclif nor any ES module of ktool or node_modules', async () => {
    // bin/run.js requires dist/startup-bundle/fast-path.cjs, which runs topics-list.cjs as a
    // node:vm script from V8's code cache (script-cache.ts); a successful run leaves that cache.
    const cache = join(ROOT, 'dist', 'startup-bundle', 'topics-list.cjs.cache');
    rmSync(cache, { force: true });
    const urls = await loaded(true);
    assert.deepEqual(
      urls.filter((u) => /\/(dist|node_modules)\//.test(u)),
      [],
    );
    assert.ok(existsSync(cache), 'the run wrote the code cache of its bundle');
  });

  test('median of 10 runs, against `ktool --version` in the same conditions', async (t) => {
    // Runs alternate with `--version` (oclif's own start-up), so machine load hits both alike.
    const list: number[] = [];
    const version: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await timeRun([BIN, 'topics', '--list', '--bootstrap-server', broker.bootstrap], env);
      assert.equal(r.code, 0, r.stderr);
      const v = await timeRun([BIN, '--version'], env);
      assert.equal(v.code, 0, v.stderr);
      if (i > 0) {
        list.push(r.ms);
        version.push(v.ms);
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return (s[4]! + s[5]!) / 2;
    };
    const m = median(list);
    const base = median(version);
    t.diagnostic(
      `ktool topics --list: median ${m.toFixed(1)} ms (ktool --version: ${base.toFixed(1)} ms; ktool's own share ${(m - base).toFixed(1)} ms)`,
    );
    // The command's own cost (imports, connect, two requests) stays small next to oclif's start-up.
    assert.ok(
      m - base <= Math.max(80, base * 0.6),
      `topics --list adds ${(m - base).toFixed(1)} ms to oclif's ${base.toFixed(1)} ms`,
    );
    const budget = process.env.KTOOL_STARTUP_BUDGET_MS;
    if (budget !== undefined) assert.ok(m <= Number(budget), `median ${m.toFixed(1)} ms > ${budget} ms`);
  });
});
