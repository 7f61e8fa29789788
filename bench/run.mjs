#!/usr/bin/env node
// `npm run bench`: every benchmark against a fresh dev broker, each figure beside its
// target and the same figure for kcat run in this session. Repeated runs report the
// median. Writes bench/results.json and bench/results.md.
//
// KTOOL_BENCH_QUICK=1 runs smaller sizes (for a smoke test). Naming sections runs only
// those and writes no results files: node bench/run.mjs console startup
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { comparePairs, consolePairs, median, timed } from './lib/console-pairs.mjs';
import { runClusterBench } from './lib/cluster.mjs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'run.js');
const QUICK = process.env.KTOOL_BENCH_QUICK === '1';
// KTOOL_BENCH_N / KTOOL_BENCH_REPEAT override the sizes (e.g. a shorter run on a busy machine).
const N = Number(process.env.KTOOL_BENCH_N) || (QUICK ? 200_000 : 1_000_000);
const REPEAT = Number(process.env.KTOOL_BENCH_REPEAT) || (QUICK ? 1 : 5);
// Start-up runs are short: always enough of them for a steady median.
const STARTUP_RUNS = Number(process.env.KTOOL_BENCH_STARTUP_RUNS) || 25;

if (spawnSync('kcat', ['-V']).status !== 0) {
  console.error('kcat is required (apt-get install kcat)');
  process.exit(1);
}
execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });

const work = mkdtempSync(join(tmpdir(), 'ktool-bench-'));

function startBroker(name, extra = []) {
  return new Promise((resolve, reject) => {
    const dir = join(work, name);
    // Each open partition holds a file handle: raise the soft limit to the hard one.
    const args = [
      join(ROOT, 'dist/broker/main.js'),
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      `log.dirs=${dir}`,
      ...extra.flatMap((o) => ['--override', o]),
    ];
    const child = spawn(
      'bash',
      ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'broker', process.execPath, ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m && !child.port) {
        child.port = Number(m[1]);
        child.bootstrap = `127.0.0.1:${child.port}`;
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      if (!child.port) reject(new Error(`broker exited ${code}: ${out}`));
    });
  });
}
const stopBroker = (b) =>
  new Promise((r) => {
    b.once('exit', r);
    b.kill('SIGTERM');
  });
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const hwmMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

function keyedLines(n, file) {
  const fd = openSync(file, 'w');
  for (let i = 0; i < n; i += 10000) {
    let chunk = '';
    for (let j = i; j < Math.min(n, i + 10000); j++) {
      const k = 'k' + String(j).padStart(9, '0');
      chunk += k + ':' + 'v'.repeat(90) + '\n';
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

const results = [];
const add = (name, value, unit, target, kcat, better = 'higher') => {
  const ratio = kcat ? (better === 'higher' ? value / kcat : kcat / value) : null;
  const meets = target === null ? null : better === 'higher' ? value >= target : value <= target;
  results.push({
    name,
    value: Math.round(value * 100) / 100,
    unit,
    target,
    kcat: kcat === null ? null : Math.round(kcat * 100) / 100,
    ratioVsKcat: ratio === null ? null : Math.round(ratio * 100) / 100,
    meetsTarget: meets,
  });
  console.error(`  ${name}: ${value.toFixed(1)} ${unit}${kcat ? ` (kcat ${kcat.toFixed(1)})` : ''}`);
};

const input = join(work, 'input.txt');
keyedLines(N, input);

const only = new Set(process.argv.slice(2));
const wanted = (section) => only.size === 0 || only.has(section);
const createTopicOn = (B) => (topic) => {
  const r = spawnSync(process.execPath, [
    BIN,
    'topics',
    '--create',
    '--if-not-exists',
    '--topic',
    topic,
    '--bootstrap-server',
    B,
  ]);
  if (r.status !== 0) throw new Error(`creating ${topic}: ${r.stderr}`);
};
const consoleRows = [];

// ---- the broker's ingest and fetch, measured with kcat -------------------------------
if (wanted('broker')) {
  console.error('broker ingest and fetch');
  const b = await startBroker('broker');
  const B = b.bootstrap;
  const ingest = [],
    fetch = [];
  for (let i = 0; i < REPEAT; i++) createTopicOn(B)(`kcat.in.${i}`);
  for (let i = 0; i < REPEAT; i++) {
    let t = timed('kcat', ['-b', B, '-P', '-t', `kcat.in.${i}`, '-K:'], { stdin: input });
    ingest.push((N / t.ms) * 1000);
    t = timed('kcat', ['-b', B, '-C', '-t', `kcat.in.${i}`, '-o', 'beginning', '-e', '-q', '-f', '\n'], {
      stdout: join(work, 'kcat.out'),
    });
    fetch.push((N / t.ms) * 1000);
  }
  add('broker ingest (kcat -P), 100-byte records', median(ingest), 'records/s', 450_000, null);
  add('broker fetch (kcat -C -e), 100-byte records', median(fetch), 'records/s', 650_000, null);
  add('broker peak RSS during ingest/fetch', hwmMb(b.pid), 'MB', 200, null, 'lower');
  await stopBroker(b);
}

// ---- console tools next to kcat, pair by pair (bench/lib/console-pairs.mjs) ---------
if (wanted('console')) {
  console.error('console tools next to kcat (interleaved, medians)');
  const b = await startBroker('console');
  const pairs = consolePairs({
    bin: BIN,
    bootstrap: b.bootstrap,
    input,
    n: N,
    work,
    createTopic: createTopicOn(b.bootstrap),
    repeat: REPEAT,
  });
  consoleRows.push(...comparePairs(pairs, REPEAT));
  await stopBroker(b);
}

// ---- perf tools ---------------------------------------------------------------------
if (wanted('perf')) {
  console.error('perf tests');
  const b = await startBroker('perf');
  const B = b.bootstrap;
  const perfRuns = [];
  for (let i = 0; i < REPEAT; i++) createTopicOn(B)(`perf.${i}`);
  for (let i = 0; i < REPEAT; i++) {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'producer-perf-test',
        '--topic',
        `perf.${i}`,
        '--num-records',
        String(N * 2),
        '--record-size',
        '100',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${B}`,
        'acks=1',
        '--json',
      ],
      { maxBuffer: 1 << 26 },
    );
    perfRuns.push(JSON.parse(r.stdout.toString()));
  }
  const peak = median(perfRuns.map((p) => p.recordsPerSec));
  add('producer-perf-test acks=1, 100 B', peak, 'records/s', 400_000, null);
  add('producer-perf-test MB/s', median(perfRuns.map((p) => p.mbPerSec)), 'MB/s', null, null);
  add('producer-perf-test p99 latency (unthrottled)', median(perfRuns.map((p) => p.p99)), 'ms', null, null, 'lower');
  const half = Math.round(peak / 2);
  createTopicOn(B)('perf.half');
  const paced = JSON.parse(
    spawnSync(
      process.execPath,
      [
        BIN,
        'producer-perf-test',
        '--topic',
        'perf.half',
        '--num-records',
        String(Math.min(N * 2, half * 4)),
        '--record-size',
        '100',
        '--throughput',
        String(half),
        '--producer-props',
        `bootstrap.servers=${B}`,
        'acks=1',
        '--json',
      ],
      { maxBuffer: 1 << 26 },
    ).stdout.toString(),
  );
  add(`producer-perf-test p99 at half peak (${half}/s)`, paced.p99, 'ms', 50, null, 'lower');
  const cperf = [];
  for (let i = 0; i < REPEAT; i++) {
    const r = JSON.parse(
      spawnSync(
        process.execPath,
        [
          BIN,
          'consumer-perf-test',
          '--bootstrap-server',
          B,
          '--topic',
          'perf.0',
          '--messages',
          String(N * 2),
          '--json',
        ],
        { maxBuffer: 1 << 26 },
      ).stdout.toString(),
    );
    cperf.push(r.messagesPerSec);
  }
  add('consumer-perf-test', median(cperf), 'records/s', null, null);
  await stopBroker(b);
}

// ---- startup: each command beside bare Node, interleaved after a warm-up ------------
// Wall time of the bare process (no /usr/bin/time in between, which would add the same
// exec to every side and flatten the ratios); stdout is a pipe, as in a script.
const startupRows = [];
/**
 * The requests (hex, without the size) on the connection where the Java AdminClient's
 * topics --list (in the captures) listed the topics: ApiVersions, then Metadata.
 */
function capturedListRequests() {
  const frames = readFileSync(join(ROOT, 'test/fixtures/captures/java.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((f) => f.scenario === 'topics-list');
  const last = Math.max(...frames.map((f) => f.conn));
  return frames.filter((f) => f.conn === last).map((f) => f.request);
}
if (wanted('startup')) {
  console.error('startup');
  const b = await startBroker('startup');
  createTopicOn(b.bootstrap)('startup.topic');
  const list = [BIN, 'topics', '--list', '--bootstrap-server', b.bootstrap];
  // The same commands through oclif (the fast path off): the before of the fast path.
  const oclif = { ...process.env, KTOOL_FAST_PATH: '0' };
  const cmds = {
    'node -e 0': [['-e', '0']],
    'ktool topics --list': [list],
    'ktool --help': [[BIN, '--help']],
    'ktool --version': [[BIN, '--version']],
    // ktool's codec, connect, ApiVersions, Metadata, as an ES module (bench/lib/startup-floor.mjs).
    'codec + connect + ApiVersions + Metadata, nothing else (an ES module)': [
      [join(ROOT, 'bench/lib/startup-floor.mjs'), b.bootstrap],
    ],
    // What no Node client goes under: node:net and two round trips, no codec (startup-floor-net.cjs).
    'connect + ApiVersions + Metadata as captured bytes (CommonJS, no codec)': [
      [join(ROOT, 'bench/lib/startup-floor-net.cjs'), b.bootstrap, ...capturedListRequests()],
    ],
    'ktool topics --list, through oclif': [list, oclif],
    'ktool --help, through oclif': [[BIN, '--help'], oclif],
    'ktool --version, through oclif': [[BIN, '--version'], oclif],
  };
  const once = ([args, env = process.env]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return { ms, out: r.stdout.toString() };
  };
  if (!once([list]).out.split('\n').includes('startup.topic'))
    throw new Error('topics --list did not list startup.topic');
  const runs = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let i = -1; i < STARTUP_RUNS; i++) {
    for (const [k, cmd] of Object.entries(cmds)) {
      const t = once(cmd).ms;
      if (i >= 0) runs[k].push(t);
    }
  }
  const floor = median(runs['node -e 0']);
  for (const [k, times] of Object.entries(runs)) {
    const ms = median(times);
    startupRows.push({ name: k, ms, ratio: ms / floor });
    if (k.endsWith('through oclif') || k.includes('nothing else') || k.includes('no codec')) continue;
    const bare = k === 'node -e 0';
    add(`startup: ${k}${bare ? ' (floor)' : ''}`, ms, 'ms', bare ? null : Math.round(floor * 1.3), null, 'lower');
  }
  await stopBroker(b);
}

// ---- scale: 1,000 topics x 10 partitions -------------------------------------------
if (wanted('scale')) {
  console.error('1,000 topics x 10 partitions');
  const b = await startBroker('scale');
  const topics = QUICK ? 100 : 1000;
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  for (let i = 0; i < topics; i += 100) {
    await admin.createTopics({
      topics: Array.from({ length: Math.min(100, topics - i) }, (_, j) => ({
        topic: `scale.${String(i + j).padStart(4, '0')}`,
        numPartitions: 10,
      })),
    });
  }
  await admin.disconnect();
  await new Promise((r) => setTimeout(r, 1000));
  add(`broker RSS idle with ${topics * 10} partitions`, rssMb(b.pid), 'MB', null, null, 'lower');
  const md = [],
    mdK = [];
  for (let i = 0; i < 5; i++) {
    md.push(timed(process.execPath, [BIN, 'topics', '--describe', '--bootstrap-server', b.bootstrap]).ms);
    mdK.push(timed('kcat', ['-b', b.bootstrap, '-L']).ms);
  }
  add(`metadata: topics --describe, ${topics} topics x 10 partitions`, median(md), 'ms', null, median(mdK), 'lower');
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'producer-perf-test',
      '--topic',
      'volume',
      '--num-records',
      String(QUICK ? 1_000_000 : 10_000_000),
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${b.bootstrap}`,
      'acks=1',
      '--json',
    ],
    { maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(r.stderr.toString());
  add(`broker RSS after ${QUICK ? '1M' : '10M'} records`, rssMb(b.pid), 'MB', 200, null, 'lower');
  await stopBroker(b);
}

// ---- a 3-node KRaft cluster: RF 3 next to RF 1, RSS per node, failover (bench/lib/cluster.mjs)
if (wanted('cluster')) {
  console.error('cluster of three nodes');
  await runClusterBench({ bin: BIN, work, input, n: N, repeat: REPEAT, add });
}

// ---- groups at scale (bench/groups.sh prints its own figure) -----------------------
if (wanted('groups')) {
  const r = spawnSync('bash', [join(ROOT, 'bench/groups.sh')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /(\d+(?:\.\d+)?)\s*ms/.exec(r.stdout ?? '');
  if (r.status === 0 && m)
    add('consumer-groups --describe, 100 groups over 1,000 partitions', Number(m[1]), 'ms', 2000, null, 'lower');
  else console.error(`  groups bench skipped: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`);
}

rmSync(work, { recursive: true, force: true });
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const fmt = (v) => (v === null ? '' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const x = (v) => `${v.toFixed(2)}x`;
const md = [
  `Machine: ${machine}. ${new Date().toISOString().slice(0, 10)}. Median of ${REPEAT} run(s)${QUICK ? ' (quick sizes)' : ''}.`,
  '',
  '| figure | ktool | unit | target | meets target |',
  '| --- | ---: | --- | ---: | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.target)} | ${r.meetsTarget === null ? '' : r.meetsTarget ? 'yes' : 'NO'} |`,
  ),
  ...(startupRows.length === 0
    ? []
    : [
        '',
        `Start-up next to bare Node, ${STARTUP_RUNS} interleaved runs of each after a warm-up, medians (goal: at most 1.30x \`node -e 0\`).`,
        '',
        '| command | median ms | ratio to node -e 0 |',
        '| --- | ---: | ---: |',
        ...startupRows.map((r) => `| \`${r.name}\` | ${r.ms.toFixed(1)} | ${x(r.ratio)} |`),
      ]),
  ...(consoleRows.length === 0
    ? []
    : [
        '',
        `Console tools next to kcat, ${N.toLocaleString('en-US')} records of 100 bytes: topics created first, one warm-up each, runs interleaved, medians. Rate ratio above 1 means ktool is faster; CPU and RSS ratios below 1 mean ktool uses less.`,
        '',
        '| work | ktool records/s | kcat records/s | rate ktool/kcat | CPU s ktool / kcat | CPU ratio | RSS MB ktool / kcat | RSS ratio |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...consoleRows.map(
          (r) =>
            `| ${r.name} | ${fmt(Math.round(r.ktool.recordsPerSec))} | ${fmt(Math.round(r.kcat.recordsPerSec))} | ${x(r.rateRatio)} | ${r.ktool.cpuSeconds.toFixed(2)} / ${r.kcat.cpuSeconds.toFixed(2)} | ${x(r.cpuRatio)} | ${Math.round(r.ktool.rssMb)} / ${Math.round(r.kcat.rssMb)} | ${x(r.rssRatio)} |`,
        ),
      ]),
].join('\n');
if (only.size === 0) {
  writeFileSync(
    join(ROOT, 'bench/results.json'),
    JSON.stringify(
      { machine, date: new Date().toISOString(), quick: QUICK, results, console: consoleRows, startup: startupRows },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(join(ROOT, 'bench/results.md'), md + '\n');
}
console.log(md);
