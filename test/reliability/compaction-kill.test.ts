// kill -9 the broker while its log cleaner rewrites a compacted partition, restart at
// once, and check that nothing was lost or duplicated: every key still has its latest
// value, offsets only grow, and no half-swapped segment is left behind.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/broker.js';
import { requireTool } from '../helpers/tools.js';

const execFileP = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
const ROUNDS = 6;
const KEYS = 3000;
const VERSIONS = 40;
/** Every broker run's output, to see what recovery found after each kill. */
let brokerLog = '';

function start(dataDir: string, cleaner = true): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--override',
        'listeners=PLAINTEXT://127.0.0.1:0',
        '--override',
        `log.dirs=${dataDir}`,
        '--override',
        'log.cleaner.backoff.ms=10',
        '--override',
        `log.cleaner.enable=${cleaner}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      brokerLog += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${out}`));
    }, 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

function kill9(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

describe('kill -9 during log cleaning', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  test(`${ROUNDS} kills mid-clean lose nothing and duplicate nothing`, async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const dataDir = join(dir, 'data');
    // The data goes in with the cleaner off, so that every later run has a long clean to die in.
    let broker = await start(dataDir, false);
    const bootstrap = () => `127.0.0.1:${broker.port}`;
    await execFileP(
      process.execPath,
      [
        fileURLToPath(new URL('../../bin/run.js', import.meta.url)),
        'topics',
        '--create',
        '--topic',
        'ledger',
        '--bootstrap-server',
        bootstrap(),
        '--config',
        'cleanup.policy=compact',
        '--config',
        'segment.bytes=16384',
        '--config',
        'min.cleanable.dirty.ratio=0.01',
      ],
      { env: { ...process.env, KTOOL_NO_EMBEDDED: '1' } },
    );
    // Versions of every key, spread over many small segments, so each clean has real work.
    const lines: string[] = [];
    for (let v = 0; v < VERSIONS; v++) for (let k = 0; k < KEYS; k++) lines.push(`key-${k}:value-${k}-${v}`);
    const input = join(dir, 'input.txt');
    writeFileSync(input, lines.join('\n') + '\n');
    await execFileP('kcat', ['-P', '-b', bootstrap(), '-t', 'ledger', '-K:', '-X', 'acks=all', '-l', input]);

    await kill9(broker.child);
    broker = await start(dataDir);
    for (let round = 0; round < ROUNDS; round++) {
      // The cleaner starts 10 ms after start-up and swaps segment after segment; die somewhere in there.
      await new Promise((r) => setTimeout(r, 10 + Math.floor(Math.random() * 150)));
      await kill9(broker.child);
      broker = await start(dataDir);
    }
    await new Promise((r) => setTimeout(r, 300));
    const { stdout } = await execFileP(
      'kcat',
      ['-C', '-b', bootstrap(), '-t', 'ledger', '-o', 'beginning', '-e', '-q', '-f', '%o %k %s\\n'],
      { maxBuffer: 64 << 20 },
    );
    await kill9(broker.child);

    const latest = new Map<string, string>();
    let lastOffset = -1;
    for (const line of stdout.trim().split('\n')) {
      const [offset, key, value] = line.split(' ');
      assert.ok(Number(offset) > lastOffset, `offsets only grow (${offset} after ${lastOffset})`);
      lastOffset = Number(offset);
      latest.set(key!, value!);
    }
    assert.equal(latest.size, KEYS, 'every key is still there');
    for (let k = 0; k < KEYS; k++) assert.equal(latest.get(`key-${k}`), `value-${k}-${VERSIONS - 1}`);
    assert.equal(lastOffset, KEYS * VERSIONS - 1, 'the last record keeps its offset');
    const leftovers = readdirSync(join(dataDir, 'ledger-0')).filter(
      (n) => n.endsWith('.cleaned') || n === 'cleaner-swap.json',
    );
    assert.deepEqual(leftovers, []);
    if (process.env.KTOOL_TEST_LOG)
      process.stderr.write(
        brokerLog
          .split('\n')
          .filter((l) => /compaction|Cleaner/.test(l))
          .join('\n') + '\n',
      );
    const lineCount = stdout.trim().split('\n').length;
    assert.ok(
      lineCount < KEYS * VERSIONS,
      `the cleaner made progress (${lineCount} of ${KEYS * VERSIONS} records left)`,
    );
  });
});
