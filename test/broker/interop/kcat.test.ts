// kcat (librdkafka) against the embedded broker over TCP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { requireTool, run } from '../../helpers/tools.js';

const COUNT = 100_000;

function keyedLines(n: number, tag: string): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`k${i}:${tag}-value-${i}-${'x'.repeat(i % 50)}`);
  return lines.join('\n') + '\n';
}

describe('kcat interop', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  test('kcat -L lists the broker and topics', async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const p = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'listed', '-K:'], { input: 'a:1\n' });
    assert.equal(p.code, 0, p.stderr);
    const r = await run('kcat', ['-b', broker.bootstrap, '-L']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, new RegExp(`1 brokers:\\n\\s+broker 0 at 127\\.0\\.0\\.1:${broker.port} \\(controller\\)`));
    assert.match(out, /topic "listed" with 1 partitions:\n\s+partition 0, leader 0, replicas: 0, isrs: 0/);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    test(`kcat -P / -C round trip of ${COUNT} keyed records with ${codec}`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const topic = `kcat.${codec}`;
      const input = keyedLines(COUNT, codec);
      const p = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec], {
        input,
        timeoutMs: 120_000,
      });
      assert.equal(p.code, 0, p.stderr);
      const c = await run(
        'kcat',
        ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'],
        { timeoutMs: 120_000 },
      );
      assert.equal(c.code, 0, c.stderr);
      const got = c.stdout.toString();
      assert.equal(got.length, input.length);
      assert.equal(got, input);
      const t0 = broker.broker.topic(topic)!;
      assert.equal(t0.partitions[0].log.logEndOffset, COUNT);
    });
  }

  test('kcat -Q finds offsets by timestamp', async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const topic = 'kcat.query';
    const before = Date.now() - 1000;
    const p = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:'], { input: keyedLines(10, 'q') });
    assert.equal(p.code, 0, p.stderr);
    const ahead = Date.now() + 3_600_000;
    // kcat merges -t arguments naming the same partition, so ask one at a time.
    const query = async (ts: number) => {
      const q = await run('kcat', ['-b', broker.bootstrap, '-Q', '-t', `${topic}:0:${ts}`]);
      assert.equal(q.code, 0, q.stderr);
      return q.stdout.toString();
    };
    assert.equal(await query(before), 'kcat.query [0] offset 0\n');
    assert.equal(await query(-1), 'kcat.query [0] offset 10\n');
    assert.equal(await query(-2), 'kcat.query [0] offset 0\n');
    assert.equal(await query(ahead), 'kcat.query [0] offset -1\n');
  });
});
