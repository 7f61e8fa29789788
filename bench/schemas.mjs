#!/usr/bin/env node
// Schemas benchmark: console-producer encoding 1M JSON lines to Avro (Confluent wire
// format, schema registered in the dev broker's registry) and console-consumer decoding
// them back to JSON, next to the same records produced and consumed as plain strings,
// in one run against one fresh dev broker. KTOOL_BENCH_N sets the record count.
//   node bench/schemas.mjs
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'run.js');
const N = Number(process.env.KTOOL_BENCH_N ?? 1_000_000);
const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
const work = mkdtempSync(join(tmpdir(), 'ktool-bench-schemas-'));

function startBroker() {
  return new Promise((resolve, reject) => {
    const args = [
      join(ROOT, 'dist/broker/main.js'),
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      `log.dirs=${join(work, 'data')}`,
      '--override',
      'schema.registry.listeners=http://127.0.0.1:0',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const port = /listening on [^:\s]+:(\d+)\n/.exec(out);
      const registry = /Schema registry listening on (\S+)/.exec(out);
      if (port && registry && !child.bootstrap) {
        child.bootstrap = `127.0.0.1:${port[1]}`;
        child.registry = registry[1];
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      if (!child.bootstrap) reject(new Error(`broker exited ${code}: ${out}`));
    });
  });
}

function writeInput(file) {
  const fd = openSync(file, 'w');
  const statuses = ['NEW', 'PAID', 'SHIPPED'];
  for (let i = 0; i < N; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const note = j % 3 === 0 ? '{"string":"gift wrap"}' : 'null';
      chunk += `{"id":${j},"customer":"customer-${j % 5000}","amount":${(j % 10_000) / 100},"status":"${statuses[j % 3]}","note":${note}}\n`;
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function timed(args, stdinFile) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, 'pipe', 'pipe'] });
    let bytes = 0;
    let lines = 0;
    let err = '';
    child.stdout.on('data', (d) => {
      bytes += d.length;
      for (const c of d) if (c === 10) lines++;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      if (typeof stdin === 'number') closeSync(stdin);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`ktool ${args[0]} exited ${code}: ${err}`));
      else resolve({ seconds, bytes, lines });
    });
  });
}

const broker = await startBroker();
try {
  const input = join(work, 'orders.jsonl');
  writeInput(input);
  const common = ['--bootstrap-server', broker.bootstrap];
  const avro = ['--value-format', 'avro', '--schema-registry-url', broker.registry];
  const rows = [];
  const row = (name, r) => {
    rows.push({ name, seconds: r.seconds, rate: N / r.seconds });
    console.error(
      `  ${name}: ${r.seconds.toFixed(2)} s, ${Math.round(N / r.seconds).toLocaleString('en-US')} records/s`,
    );
  };
  row('console-producer, strings', await timed(['console-producer', ...common, '--topic', 'bench.strings'], input));
  row(
    'console-producer, Avro (encode + wire format)',
    await timed(['console-producer', ...common, '--topic', 'bench.avro', ...avro, '--value-schema', SCHEMA], input),
  );
  const consumeArgs = (topic) => ['console-consumer', ...common, '--topic', topic, '--from-beginning', '--until-end'];
  const s = await timed(consumeArgs('bench.strings'));
  row('console-consumer, strings', s);
  const a = await timed([...consumeArgs('bench.avro'), ...avro]);
  row('console-consumer, Avro decoded to JSON', a);
  if (s.lines !== N || a.lines !== N) throw new Error(`expected ${N} lines, got ${s.lines} and ${a.lines}`);
  console.log(`\n${N.toLocaleString('en-US')} records, one run, ${new Date().toISOString()}\n`);
  console.log('| step | seconds | records/s |\n| --- | ---: | ---: |');
  for (const r of rows)
    console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.rate).toLocaleString('en-US')} |`);
} finally {
  await new Promise((r) => {
    broker.once('exit', r);
    broker.kill('SIGTERM');
  });
  rmSync(work, { recursive: true, force: true });
}
