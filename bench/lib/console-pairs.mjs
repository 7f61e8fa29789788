// ktool's console tools next to kcat doing the same work, measured fairly:
// every topic exists before the first timed run (librdkafka waits on auto-created
// topics), one untimed warm-up of each side, then ktool and kcat alternate (A B A B),
// and each pair reports medians and the ratio ktool/kcat. Both sides produce with
// acks=all and idempotence (ktool's default, as Kafka's since 3.0; kcat is told), no
// compression, the same input file; both consumers print the same bytes per record.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall ms, CPU seconds (user + sys) and peak RSS (MB) of one command, via GNU time. */
export function timed(cmd, args, { stdin, stdout } = {}) {
  const inFd = stdin ? openSync(stdin, 'r') : 'ignore';
  const outFd = stdout ? openSync(stdout, 'w') : 'ignore';
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], {
    stdio: [inFd, outFd, 'pipe'],
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (typeof inFd === 'number') closeSync(inFd);
  if (typeof outFd === 'number') closeSync(outFd);
  const err = r.stderr.toString().trim().split('\n');
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${err.join('\n')}`);
  const [rssKb, user, sys] = err[err.length - 1].split(' ').map(Number);
  return { ms, cpu: user + sys, rss: rssKb / 1024 };
}

const lineCount = (file) => {
  const b = readFileSync(file);
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
};

/**
 * Runs each pair `repeat` times interleaved after one warm-up of each side.
 * A pair: { name, records, ktool: () => [cmd, args, io], kcat: () => [cmd, args, io], check? }.
 * `run` is called with the round number so producers can target fresh, pre-created topics.
 */
export function comparePairs(pairs, repeat, log = console.error) {
  const out = [];
  for (const pair of pairs) {
    const sides = { ktool: [], kcat: [] };
    for (let round = -1; round < repeat; round++) {
      for (const side of ['ktool', 'kcat']) {
        const [cmd, args, io] = pair[side](round);
        const t = timed(cmd, args, io);
        if (pair.check) pair.check(side, io);
        if (round >= 0) sides[side].push(t);
      }
    }
    const stat = (runs) => ({
      recordsPerSec: pair.records / (median(runs.map((r) => r.ms)) / 1000),
      ms: median(runs.map((r) => r.ms)),
      cpuSeconds: median(runs.map((r) => r.cpu)),
      rssMb: median(runs.map((r) => r.rss)),
    });
    const k = stat(sides.ktool);
    const c = stat(sides.kcat);
    const row = {
      name: pair.name,
      ktool: k,
      kcat: c,
      rateRatio: k.recordsPerSec / c.recordsPerSec,
      cpuRatio: k.cpuSeconds / c.cpuSeconds,
      rssRatio: k.rssMb / c.rssMb,
    };
    log(
      `  ${pair.name}: ktool ${Math.round(k.recordsPerSec)}/s, kcat ${Math.round(c.recordsPerSec)}/s, rate ${row.rateRatio.toFixed(2)}x, CPU ${row.cpuRatio.toFixed(2)}x, RSS ${row.rssRatio.toFixed(2)}x`,
    );
    out.push(row);
  }
  return out;
}

/** The console pairs for one broker at `bootstrap`, with `input` holding `n` keyed lines. */
export function consolePairs({ bin, bootstrap: B, input, n, work, createTopic, repeat }) {
  const node = process.execPath;
  const ktool = (...args) => [node, [bin, ...args, '--bootstrap-server', B]];
  const kcatP = ['-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'compression.codec=none'];
  // Producers write into a fresh topic each run, created beforehand.
  const rounds = repeat + 1;
  for (const prefix of ['pk', 'pc', 'lk', 'lc']) for (let r = 0; r < rounds; r++) createTopic(`${prefix}.${r}`);
  const outFile = join(work, 'consumed.out');
  const expectLines = (side, io) => {
    if (io?.stdout && lineCount(io.stdout) !== n)
      throw new Error(`${side} printed ${lineCount(io.stdout)} lines, expected ${n}`);
  };
  const pairs = [
    {
      name: 'console-producer, keyed lines (parse.key) vs kcat -P -K:',
      records: n,
      ktool: (r) => [
        ...ktool(
          'console-producer',
          '--topic',
          `pk.${r + 1}`,
          '--property',
          'parse.key=true',
          '--property',
          'key.separator=:',
        ),
        { stdin: input },
      ],
      kcat: (r) => ['kcat', ['-b', B, '-P', '-t', `pc.${r + 1}`, '-K:', ...kcatP], { stdin: input }],
    },
    {
      name: 'console-producer, plain lines vs kcat -P',
      records: n,
      ktool: (r) => [...ktool('console-producer', '--topic', `lk.${r + 1}`), { stdin: input }],
      kcat: (r) => ['kcat', ['-b', B, '-P', '-t', `lc.${r + 1}`, ...kcatP], { stdin: input }],
    },
  ];
  // Consumers read one topic both sides share, so the work is identical.
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  for (const codec of codecs) {
    const topic = `read.${codec}`;
    createTopic(topic);
    const r = spawnSync(
      'kcat',
      ['-b', B, '-P', '-t', topic, '-K:', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=50'],
      { stdin: 'pipe', input: readFileSync(input) },
    );
    if (r.status !== 0) throw new Error(`filling ${topic}: ${r.stderr}`);
  }
  pairs.push({
    name: 'console-consumer, values vs kcat -C -e -f %s\\n',
    records: n,
    ktool: () => [
      ...ktool('console-consumer', '--topic', 'read.none', '--from-beginning', '--until-end'),
      { stdout: outFile },
    ],
    kcat: () => [
      'kcat',
      ['-b', B, '-C', '-t', 'read.none', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
      { stdout: outFile },
    ],
    check: expectLines,
  });
  for (const codec of codecs) {
    pairs.push({
      name: `console-consumer, print.key, ${codec} topic vs kcat -f %k\\t%s\\n`,
      records: n,
      ktool: () => [
        ...ktool(
          'console-consumer',
          '--topic',
          `read.${codec}`,
          '--from-beginning',
          '--until-end',
          '--property',
          'print.key=true',
        ),
        { stdout: outFile },
      ],
      kcat: () => [
        'kcat',
        ['-b', B, '-C', '-t', `read.${codec}`, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n'],
        { stdout: outFile },
      ],
      check: expectLines,
    });
  }
  return pairs;
}

export const fileBytes = (f) => statSync(f).size;
