// console-consumer's delivery promises, run as the built CLI against in-process brokers:
// output reaches a file or pipe as records arrive, a group commits only what was written
// (a kill -9 loses nothing that was committed), the first SIGINT/SIGTERM ends it within a
// second even when the broker is gone, and every flag means the same with and without --group.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { fetchCommittedOffsets } from '../../src/ops/consumer-groups.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';
import { BIN, runCli, sandbox } from './helpers.js';

const box = sandbox('ktool-ccd-');
const env = { ...process.env, ...box.env, NO_COLOR: '1' };
let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function produce(bootstrap: string, topic: string, input: string, extra: string[] = []): Promise<void> {
  const r = await run(
    process.execPath,
    [BIN, 'console-producer', '--bootstrap-server', bootstrap, '--topic', topic, ...extra],
    { input, env, timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
}

async function createTopic(bootstrap: string, topic: string, extra: string[] = []): Promise<void> {
  const r = await runCli(['topics', '--create', '--bootstrap-server', bootstrap, '--topic', topic, ...extra], { env });
  assert.equal(r.code, 0, r.stderr);
}

const values = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

interface Running {
  child: ChildProcess;
  /** What the consumer wrote so far (the file, or what came through the pipe). */
  output(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts console-consumer with stdout to a file (sync writes in Node) or a pipe (async). */
function startConsumer(args: string[], out: 'file' | 'pipe', dir = box.dir): Running {
  let stderr = '';
  let piped = '';
  let child: ChildProcess;
  const file = join(dir, `${unique('out')}.txt`);
  if (out === 'file') {
    const fd = openSync(file, 'w');
    child = spawn(process.execPath, [BIN, 'console-consumer', ...args], { env, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
  } else {
    child = spawn(process.execPath, [BIN, 'console-consumer', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      piped += d;
    });
  }
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return {
    child,
    output: () => (out === 'file' ? (existsSync(file) ? readFileSync(file, 'utf8') : '') : piped),
    stderr: () => stderr,
    exited,
  };
}

/** Committed offsets of a group, partition -> offset, read in-process over TCP. */
async function committed(bootstrap: string, group: string, topic: string): Promise<Map<number, number>> {
  const client = await ClusterClient.connect({ bootstrap: [bootstrap] });
  try {
    const all = await fetchCommittedOffsets(client, [group]);
    const out = new Map<number, number>();
    for (const o of all.get(group)?.values() ?? []) if (o.topic === topic) out.set(o.partition, o.offset);
    return out;
  } finally {
    client.close();
  }
}

/** CURRENT-OFFSET per partition from `consumer-groups --describe`, as a user would read it. */
async function describedOffsets(bootstrap: string, group: string, topic: string): Promise<Map<number, number>> {
  const r = await runCli(['consumer-groups', '--describe', '--group', group, '--bootstrap-server', bootstrap], { env });
  assert.equal(r.code, 0, r.stderr);
  const out = new Map<number, number>();
  for (const line of r.stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] === group && cols[1] === topic && /^\d+$/.test(cols[3] ?? ''))
      out.set(Number(cols[2]), Number(cols[3]));
  }
  return out;
}

describe('console-consumer delivery', { timeout: 300_000 }, () => {
  let broker: TestBroker;
  let B: string;

  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
    B = broker.bootstrap;
  });
  after(async () => {
    await broker?.destroy();
    box.cleanup();
  });

  for (const out of ['file', 'pipe'] as const) {
    for (const grouped of [false, true]) {
      test(`records reach a ${out} within 2 s of arriving${grouped ? ', with --group' : ''}`, async () => {
        const topic = unique('prompt');
        await produce(B, topic, 'ready\n');
        const c = startConsumer(
          ['--bootstrap-server', B, '--topic', topic, '--from-beginning', ...(grouped ? ['--group', unique('g')] : [])],
          out,
        );
        try {
          await waitFor(
            () => c.output() === 'ready\n',
            15_000,
            `the first record in the ${out}; got ${JSON.stringify(c.output())}`,
          );
          await produce(B, topic, text(values('r', 10)));
          const producedAt = Date.now();
          await waitFor(
            () => c.output() === text(['ready', ...values('r', 10)]) || Date.now() - producedAt > 2000,
            3000,
            'output',
          );
          assert.equal(c.output(), text(['ready', ...values('r', 10)]), `after ${Date.now() - producedAt} ms`);
        } finally {
          c.child.kill('SIGKILL');
          await c.exited;
        }
      });
    }
  }

  test('kill -9: every record the group committed is in the output file (10 records)', async () => {
    const topic = unique('kill');
    const group = unique('gk');
    await produce(B, topic, text(values('k', 10)));
    const c = startConsumer(
      [
        '--bootstrap-server',
        B,
        '--topic',
        topic,
        '--from-beginning',
        '--group',
        group,
        '--consumer-property',
        'auto.commit.interval.ms=100',
      ],
      'file',
    );
    await waitFor(async () => ((await committed(B, group, topic)).get(0) ?? 0) > 0, 15_000, 'a commit');
    c.child.kill('SIGKILL');
    await c.exited;
    const done = (await describedOffsets(B, group, topic)).get(0)!;
    assert.ok(done > 0);
    assert.deepEqual(c.output().split('\n').slice(0, done), values('k', done), `committed ${done}`);
  });

  test('kill -9 mid-stream: a large topic, killed after a few commits, loses nothing committed', async () => {
    const topic = unique('killbig');
    const group = unique('gkb');
    const n = 200_000;
    await produce(B, topic, text(values('big-', n)), ['--batch-size', '65536']);
    const c = startConsumer(
      [
        '--bootstrap-server',
        B,
        '--topic',
        topic,
        '--from-beginning',
        '--group',
        group,
        '--consumer-property',
        'auto.commit.interval.ms=50',
      ],
      'file',
    );
    await waitFor(async () => ((await committed(B, group, topic)).get(0) ?? 0) > 0, 20_000, 'a commit');
    await new Promise((r) => setTimeout(r, 150));
    c.child.kill('SIGKILL');
    await c.exited;
    const done = (await describedOffsets(B, group, topic)).get(0)!;
    const lines = c.output().split('\n');
    assert.ok(lines.length - 1 >= done, `committed ${done} but only ${lines.length - 1} lines written`);
    assert.deepEqual(lines.slice(0, done), values('big-', done));
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const grouped of [false, true]) {
      const label = `${signal}${grouped ? ' with --group' : ''}`;

      test(`the first ${label} ends it within a second, output written${grouped ? ' and committed' : ''}`, async (t) => {
        const topic = unique('sig');
        const group = unique('gs');
        await produce(B, topic, text(values('s', 5)));
        const c = startConsumer(
          ['--bootstrap-server', B, '--topic', topic, '--from-beginning', ...(grouped ? ['--group', group] : [])],
          'file',
        );
        await waitFor(() => c.output() === text(values('s', 5)), 15_000, 'the records');
        const sentAt = Date.now();
        c.child.kill(signal);
        const { code, at } = await c.exited;
        t.diagnostic(`exited ${at - sentAt} ms after ${signal}`);
        assert.ok(at - sentAt < 1000, `exited ${at - sentAt} ms after ${signal}`);
        assert.equal(code, 0, c.stderr());
        assert.equal(c.stderr(), 'Processed a total of 5 messages\n');
        if (grouped) assert.equal((await committed(B, group, topic)).get(0), 5);
      });

      test(`the first ${label} ends it within a second when the broker has gone away`, async (t) => {
        const lonely = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
        let destroyed = false;
        try {
          const topic = unique('gone');
          await produce(lonely.bootstrap, topic, text(values('g', 3)));
          const c = startConsumer(
            [
              '--bootstrap-server',
              lonely.bootstrap,
              '--topic',
              topic,
              '--from-beginning',
              ...(grouped ? ['--group', unique('gg')] : []),
            ],
            'file',
          );
          await waitFor(() => c.output() === text(values('g', 3)), 15_000, 'the records');
          // Give the member time to commit and heartbeat, then take the broker away under it.
          await new Promise((r) => setTimeout(r, 500));
          await lonely.destroy();
          destroyed = true;
          await new Promise((r) => setTimeout(r, 1500));
          assert.equal(c.child.exitCode, null, `still running before the signal; stderr: ${c.stderr()}`);
          const sentAt = Date.now();
          c.child.kill(signal);
          const { at } = await Promise.race([
            c.exited,
            new Promise<never>((_, reject) =>
              setTimeout(() => {
                c.child.kill('SIGKILL');
                reject(new Error(`still running 5 s after ${signal}; stderr: ${c.stderr()}`));
              }, 5000),
            ),
          ]);
          t.diagnostic(`exited ${at - sentAt} ms after ${signal}`);
          assert.ok(at - sentAt < 1000, `exited ${at - sentAt} ms after ${signal}`);
          assert.equal(c.output(), text(values('g', 3)));
          assert.match(c.stderr(), /Processed a total of 3 messages\n$/);
        } finally {
          if (!destroyed) await lonely.destroy();
        }
      });
    }
  }

  describe('flags behave the same with and without --group', () => {
    const consume = (args: string[], grouped: boolean, timeoutMs = 20_000) =>
      runCli(['console-consumer', '--bootstrap-server', B, ...args, ...(grouped ? ['--group', unique('gp')] : [])], {
        env,
        timeoutMs,
      });

    for (const grouped of [false, true]) {
      const tag = grouped ? ' (--group)' : '';

      test(`--max-messages 0 reads nothing and exits${tag}`, async () => {
        const topic = unique('zero');
        await produce(B, topic, text(values('z', 3)));
        const r = await consume(['--topic', topic, '--from-beginning', '--max-messages', '0'], grouped);
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'Processed a total of 0 messages\n']);
      });

      test(`--until-end stops at the end offsets read at start${tag}`, async () => {
        const topic = unique('ue');
        await createTopic(B, topic, ['--partitions', '2']);
        await produce(B, topic, text(values('u', 6)));
        const r = await consume(['--topic', topic, '--from-beginning', '--until-end'], grouped);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), values('u', 6).sort());
        assert.equal(r.stderr, 'Processed a total of 6 messages\n');
      });

      test(`--from-time starts at the first record at or after the time${tag}`, async () => {
        const topic = unique('ft');
        const at = (iso: string, v: string) => JSON.stringify({ value: v, timestamp: iso });
        await produce(
          B,
          topic,
          [
            at('2020-01-01T00:00:00Z', 'old1'),
            at('2020-01-02T00:00:00Z', 'old2'),
            at('2021-01-01T00:00:00Z', 'new1'),
            at('2021-01-02T00:00:00Z', 'new2'),
          ].join('\n') + '\n',
          ['--input', 'jsonl'],
        );
        const r = await consume(['--topic', topic, '--from-time', '2020-06-01T00:00:00Z', '--until-end'], grouped);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'new1\nnew2\n');
      });

      test(`--max-messages 2 prints two${grouped ? ' and commits exactly those' : ''}${tag}`, async () => {
        const topic = unique('mm');
        const group = unique('gmm');
        await produce(B, topic, text(values('m', 5)));
        const r = await runCli(
          [
            'console-consumer',
            '--bootstrap-server',
            B,
            '--topic',
            topic,
            '--from-beginning',
            '--max-messages',
            '2',
            ...(grouped ? ['--group', group] : []),
          ],
          { env, timeoutMs: 20_000 },
        );
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'm0\nm1\n', 'Processed a total of 2 messages\n']);
        if (grouped) assert.equal((await committed(B, group, topic)).get(0), 2);
      });

      test(`--timeout-ms ends it after that long without a record${tag}`, async () => {
        const topic = unique('to');
        await produce(B, topic, text(values('t', 4)));
        const started = Date.now();
        const r = await consume(['--topic', topic, '--from-beginning', '--timeout-ms', '1500'], grouped);
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, text(values('t', 4)), 'Processed a total of 4 messages\n']);
        assert.ok(Date.now() - started < 15_000);
      });

      test(`print.timestamp says LogAppendTime on a LogAppendTime topic${tag}`, async () => {
        const topic = unique('lat');
        await createTopic(B, topic, ['--config', 'message.timestamp.type=LogAppendTime']);
        const before = Date.now();
        await produce(B, topic, JSON.stringify({ value: 'v', timestamp: '2020-01-01T00:00:00Z' }) + '\n', [
          '--input',
          'jsonl',
        ]);
        const r = await consume(
          ['--topic', topic, '--from-beginning', '--max-messages', '1', '--property', 'print.timestamp=true'],
          grouped,
        );
        assert.equal(r.code, 0, r.stderr);
        const m = /^LogAppendTime:(\d{13})\tv\n$/.exec(r.stdout);
        assert.ok(m, `got ${JSON.stringify(r.stdout)}`);
        assert.ok(
          Number(m[1]) >= before - 1000 && Number(m[1]) <= Date.now(),
          `timestamp ${m[1]} is the broker's append time`,
        );
      });
    }
  });
});
