// console-producer and console-consumer, run as the built CLI against the embedded broker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requireTool, run } from '../helpers/tools.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

describe('console tools', () => {
  let broker: TestBroker;
  let B: string;
  const ktool = (args: string[], input?: string | Buffer, timeoutMs = 60_000) =>
    run(process.execPath, [BIN, ...args], { input, timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  const produce = (topic: string, input: string | Buffer, extra: string[] = []) =>
    ktool(['console-producer', '--bootstrap-server', B, '--topic', topic, ...extra], input);
  const consume = (topic: string, extra: string[] = []) =>
    ktool(['console-consumer', '--bootstrap-server', B, '--topic', topic, '--from-beginning', '--until-end', ...extra]);

  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
    B = broker.bootstrap;
  });
  after(async () => {
    await broker?.destroy();
  });

  test("keys with a custom separator, printed with Kafka's formatter", async () => {
    const p = await produce('c.keys', 'user1:hello\nuser2:wor:ld\n', [
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=:',
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout.toString(), '');
    const c = await consume('c.keys', [
      '--property',
      'print.key=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.partition=true',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.toString(), 'Partition:0\tOffset:0\tuser1\thello\nPartition:0\tOffset:1\tuser2\twor:ld\n');
    assert.equal(c.stderr, 'Processed a total of 2 messages\n');
  });

  test("a line without the key separator stops the producer with Kafka's message; earlier lines are kept", async () => {
    const p = await produce('c.bad', 'a:1\nb:2\nbad\nc:3\n', [
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=:',
    ]);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /No key separator found on line number 3: 'bad'/);
    const c = await consume('c.bad', ['--property', 'print.key=true']);
    assert.equal(c.stdout.toString(), 'a\t1\nb\t2\n');
  });

  test('ignore.error keeps the bad line as a value with no key', async () => {
    const p = await produce('c.ignore', 'a:1\nbad\n', [
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=:',
      '--property',
      'ignore.error=true',
    ]);
    assert.equal(p.code, 0, p.stderr);
    const c = await consume('c.ignore', ['--property', 'print.key=true']);
    assert.equal(c.stdout.toString(), 'a\t1\nnull\tbad\n');
  });

  test('headers, null markers, tombstones and every print option', async () => {
    const input = 'h1:v1,h2:v2\tk1\tval\n\tk2\tNULL\nh3:NULL\tNULL\tv3\n';
    const p = await produce('c.headers', input, [
      '--property',
      'parse.headers=true',
      '--property',
      'parse.key=true',
      '--property',
      'null.marker=NULL',
    ]);
    assert.equal(p.code, 0, p.stderr);
    const c = await consume('c.headers', [
      '--property',
      'print.headers=true',
      '--property',
      'print.key=true',
      '--property',
      'null.literal=<nil>',
      '--property',
      'headers.separator=;',
      '--property',
      'key.separator=|',
    ]);
    assert.equal(c.stdout.toString(), 'h1:v1;h2:v2|k1|val\nNO_HEADERS|k2|<nil>\nh3:<nil>|<nil>|v3\n');
    const ts = await consume('c.headers', [
      '--property',
      'print.timestamp=true',
      '--property',
      'print.value=false',
      '--max-messages',
      '1',
    ]);
    assert.match(ts.stdout.toString(), /^CreateTime:\d{13}\n$/);
    const iso = await consume('c.headers', [
      '--property',
      'print.timestamp=true',
      '--print-time',
      'iso',
      '--max-messages',
      '1',
    ]);
    assert.match(iso.stdout.toString(), /^CreateTime:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tval\n$/);
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    test(`--compression-codec ${codec}: ktool and kcat read it back`, async (t) => {
      const lines =
        Array.from({ length: 2000 }, (_, i) => `key${i}:value-${i}-${'z'.repeat(i % 40)}`).join('\n') + '\n';
      const p = await produce(`c.${codec}`, lines, [
        '--compression-codec',
        codec,
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ]);
      assert.equal(p.code, 0, p.stderr);
      const c = await consume(`c.${codec}`, ['--property', 'print.key=true', '--property', 'key.separator=:']);
      assert.equal(c.stdout.toString(), lines);
      if (!requireTool(t, 'kcat')) return;
      const k = await run('kcat', ['-b', B, '-C', '-t', `c.${codec}`, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n']);
      assert.equal(k.stdout.toString(), lines);
    });

    test(`ktool reads what kcat wrote with ${codec}`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const lines = Array.from({ length: 2000 }, (_, i) => `kk${i}:vv-${i}`).join('\n') + '\n';
      const k = await run('kcat', ['-b', B, '-P', '-t', `c.kcat.${codec}`, '-K:', '-z', codec], { input: lines });
      assert.equal(k.code, 0, k.stderr);
      const c = await consume(`c.kcat.${codec}`, ['--property', 'print.key=true', '--property', 'key.separator=:']);
      assert.equal(c.stdout.toString(), lines);
    });
  }

  test("kafka-python reads ktool's records and ktool reads kafka-python's", async (t) => {
    if (!requireTool(t, 'kafka-python')) return;
    const p = await produce('c.kp', 'a:1\nb:2\n', ['--property', 'parse.key=true', '--property', 'key.separator=:']);
    assert.equal(p.code, 0, p.stderr);
    const script = `
import sys, json
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1], consumer_timeout_ms=5000)
tp = TopicPartition('c.kp', 0); c.assign([tp]); c.seek_to_beginning(tp)
got = [(m.key.decode(), m.value.decode()) for m in c]
c.close()
p = KafkaProducer(bootstrap_servers=sys.argv[1])
p.send('c.kp2', key=b'x', value=b'from-python'); p.send('c.kp2', key=b't', value=None); p.flush(); p.close()
print(json.dumps(got))`;
    const r = await run(PYTHON, ['-c', script, B], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), [
      ['a', '1'],
      ['b', '2'],
    ]);
    const c = await consume('c.kp2', ['--property', 'print.key=true']);
    assert.equal(c.stdout.toString(), 'x\tfrom-python\nt\tnull\n');
  });

  test('--output jsonl round-trips binary data through --input jsonl', async () => {
    const bin = Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x0d]);
    const input =
      [
        JSON.stringify({
          key: 'text',
          value: { base64: bin.toString('base64') },
          headers: [{ key: 'h', value: { hex: '00ff' } }],
        }),
        JSON.stringify({ key: null, value: null, partition: 0, timestamp: '2020-01-02T03:04:05.006Z' }),
      ].join('\n') + '\n';
    const p = await produce('c.jsonl', input, ['--input', 'jsonl']);
    assert.equal(p.code, 0, p.stderr);
    const c = await consume('c.jsonl', ['--output', 'jsonl']);
    const lines = c.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(lines[0].value, { base64: bin.toString('base64') });
    assert.deepEqual(lines[0].headers, [{ key: 'h', value: { base64: Buffer.from([0, 0xff]).toString('base64') } }]);
    assert.deepEqual(
      [lines[1].key, lines[1].value, lines[1].timestamp, lines[1].offset],
      [null, null, '2020-01-02T03:04:05.006Z', 1],
    );
    const copy = await produce('c.jsonl.copy', c.stdout.toString(), ['--input', 'jsonl']);
    assert.equal(copy.code, 0, copy.stderr);
    const again = await consume('c.jsonl.copy', ['--output', 'jsonl', '--binary', 'hex']);
    const second = again.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(second[0].value, { hex: bin.toString('hex') });
    assert.equal(second[1].timestamp, '2020-01-02T03:04:05.006Z');
  });

  test('filters: --grep, --key and --header', async () => {
    await produce('c.filter', 'h=1\tk1\tapple\nh=2\tk2\tbanana\nh=1\tk1\tcherry\n', [
      '--property',
      'parse.headers=true',
      '--property',
      'parse.key=true',
      '--property',
      'headers.key.separator==',
    ]);
    assert.equal((await consume('c.filter', ['--grep', 'an'])).stdout.toString(), 'banana\n');
    assert.equal((await consume('c.filter', ['--key', 'k1'])).stdout.toString(), 'apple\ncherry\n');
    const h = await consume('c.filter', ['--header', 'h=2']);
    assert.equal(h.stdout.toString(), 'banana\n');
    assert.equal(h.stderr, 'Processed a total of 1 messages\n');
  });

  test('--partition and --offset, --max-messages, --timeout-ms, --from-time', async () => {
    await produce('c.pos', Array.from({ length: 10 }, (_, i) => `m${i}`).join('\n') + '\n');
    const at = await ktool([
      'console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      'c.pos',
      '--partition',
      '0',
      '--offset',
      '7',
      '--timeout-ms',
      '1500',
    ]);
    assert.equal(at.stdout.toString(), 'm7\nm8\nm9\n');
    assert.equal(at.code, 0);
    const max = await consume('c.pos', ['--max-messages', '2']);
    assert.equal(max.stdout.toString(), 'm0\nm1\n');
    const future = await ktool([
      'console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      'c.pos',
      '--from-time',
      String(Date.now() + 60_000),
      '--until-end',
    ]);
    assert.equal(future.stdout.toString(), '');
    const recent = await ktool([
      'console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      'c.pos',
      '--from-time',
      '-1h',
      '--until-end',
    ]);
    assert.equal(recent.stdout.toString().split('\n').length, 11);
  });

  test("argument errors use Kafka's messages and exit 1", async () => {
    const none = await ktool(['console-consumer', '--bootstrap-server', B]);
    assert.deepEqual([none.code, none.stderr.trim()], [1, 'Error: Exactly one of include/topic is required.']);
    const off = await ktool(['console-consumer', '--bootstrap-server', B, '--topic', 'x', '--offset', '3']);
    assert.deepEqual([off.code, off.stderr.trim()], [1, 'Error: The partition is required when offset is specified.']);
    const bad = await ktool([
      'console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      'x',
      '--partition',
      '0',
      '--offset',
      '-4',
    ]);
    assert.match(bad.stderr, /The provided offset value '-4' is incorrect/);
    const grp = await ktool([
      'console-consumer',
      '--bootstrap-server',
      B,
      '--topic',
      'x',
      '--partition',
      '0',
      '--group',
      'g',
    ]);
    assert.match(grp.stderr, /Options group and partition cannot be specified together\./);
    const sep = await produce('x', 'a\n', ['--property', 'null.marker=\t', '--property', 'parse.key=true']);
    assert.match(sep.stderr, /null.marker and key.separator may not be equal/);
    assert.equal(sep.code, 1);
  });

  test('a record over the size limit fails, naming the limit and the line', async () => {
    await ktool([
      'topics',
      '--create',
      '--bootstrap-server',
      B,
      '--topic',
      'c.small',
      '--config',
      'max.message.bytes=200',
    ]);
    const p = await produce('c.small', `ok\n${'x'.repeat(500)}\nok2\n`, ['--sync']);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /line 2 was not delivered to c\.small-0: MESSAGE_TOO_LARGE.*max\.message\.bytes \(200\)/);
    assert.match(p.stderr, /1 of 3 records failed/);
    const c = await consume('c.small');
    assert.equal(c.stdout.toString(), 'ok\nok2\n');
  });

  test(
    'the seed walkthrough: one producer, two consumers from the beginning, a group sharing partitions',
    { timeout: 120_000 },
    async () => {
      await ktool(['topics', '--create', '--bootstrap-server', B, '--topic', 'c.seed', '--partitions', '2']);
      const lines = Array.from({ length: 20 }, (_, i) => `k${i}:msg${i}`).join('\n') + '\n';
      assert.equal(
        (await produce('c.seed', lines, ['--property', 'parse.key=true', '--property', 'key.separator=:'])).code,
        0,
      );
      const [a, b] = await Promise.all([consume('c.seed'), consume('c.seed')]);
      assert.equal(a.stdout.toString().split('\n').length - 1, 20);
      assert.equal(b.stdout.toString().split('\n').length - 1, 20);
      // Two members of one group split the partitions; together they read everything once.
      const member = () =>
        ktool([
          'console-consumer',
          '--bootstrap-server',
          B,
          '--topic',
          'c.seed',
          '--from-beginning',
          '--group',
          'seed-group',
          '--timeout-ms',
          '6000',
        ]);
      const [m1, m2] = await Promise.all([member(), member()]);
      const all = [...m1.stdout.toString().split('\n'), ...m2.stdout.toString().split('\n')].filter(Boolean).sort();
      assert.equal(all.length, 20);
      assert.equal(new Set(all).size, 20);
    },
  );

  test('a large piped input streams through in bounded memory', { timeout: 300_000 }, async () => {
    const mb = Number(process.env.KTOOL_BIG_INPUT_MB ?? 1024);
    const gen = fileURLToPath(new URL('./fixtures/gen-lines.mjs', import.meta.url));
    const result = await new Promise<{ code: number | null; rssKb: number; stderr: string }>((resolve, reject) => {
      const source = spawn(process.execPath, [gen, String(mb)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const sink = spawn(
        process.execPath,
        [BIN, 'console-producer', '--bootstrap-server', B, '--topic', 'c.big', '--request-required-acks', '1'],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      source.stdout.pipe(sink.stdin);
      // The kernel's high-water mark of the producer's resident memory, read while it runs.
      let peakKb = 0;
      const sample = () => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${sink.pid}/status`, 'utf8'));
          if (m) peakKb = Math.max(peakKb, Number(m[1]));
        } catch {
          /* exited */
        }
      };
      const timer = setInterval(sample, 50);
      let stderr = '';
      sink.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      sink.on('error', reject);
      sink.on('exit', () => {
        sample();
        clearInterval(timer);
      });
      sink.on('close', (code) => resolve({ code, rssKb: peakKb, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    const expected = Math.floor((mb * 1024 * 1024) / 1000);
    assert.equal(broker.broker.topic('c.big')!.partitions[0].log.logEndOffset, expected);
    assert.ok(result.rssKb > 0, "the producer's memory was sampled");
    assert.ok(result.rssKb < 250 * 1024, `peak RSS ${Math.round(result.rssKb / 1024)} MB for ${mb} MB of input`);
  });
});
