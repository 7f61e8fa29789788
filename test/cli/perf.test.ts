// producer-perf-test and consumer-perf-test: flags and Kafka's output formats.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const NUM = '\\d+\\.\\d';

describe('perf tools', () => {
  let broker: TestBroker;
  const ktool = (args: string[]) => run(process.execPath, [BIN, ...args], { timeoutMs: 60_000 });
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  test("producer-perf-test prints Kafka's summary line", async () => {
    const r = await ktool([
      'producer-perf-test',
      '--topic',
      'perf.a',
      '--num-records',
      '20000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${broker.bootstrap}`,
      'acks=1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trim().split('\n');
    assert.match(
      lines[lines.length - 1],
      new RegExp(
        `^20000 records sent, \\d+\\.\\d{6} records/sec \\(\\d+\\.\\d{2} MB/sec\\), \\d+\\.\\d{2} ms avg latency, \\d+\\.\\d{2} ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.$`,
      ),
    );
    assert.equal(broker.broker.topic('perf.a')!.partitions[0].log.logEndOffset, 20000);
  });

  test('window lines, pacing, payload files and --json', async () => {
    const dir = tempDir();
    const file = join(dir, 'payloads.txt');
    writeFileSync(file, 'alpha\nbeta\ngamma\n');
    const started = Date.now();
    const r = await ktool([
      'producer-perf-test',
      '--topic',
      'perf.b',
      '--num-records',
      '1500',
      '--payload-file',
      file,
      '--throughput',
      '1000',
      '--reporting-interval',
      '500',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    const took = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), [`Reading payloads from: ${file}`, 'Number of messages read: 3']);
    assert.ok(lines.slice(2, -1).length >= 1, 'at least one window line');
    for (const w of lines.slice(2, -1))
      assert.match(
        w,
        new RegExp(
          `^\\d+ records sent, ${NUM} records/sec \\(\\d+\\.\\d{2} MB/sec\\), ${NUM} ms avg latency, ${NUM} ms max latency\\.$`,
        ),
      );
    assert.ok(took >= 1400, `1500 records at 1000/s took only ${took} ms`);
    const values = broker.broker.topic('perf.b')!.partitions[0].log;
    assert.equal(values.logEndOffset, 1500);
    const j = await ktool([
      'producer-perf-test',
      '--topic',
      'perf.b',
      '--num-records',
      '10',
      '--record-size',
      '10',
      '--throughput',
      '-1',
      '--bootstrap-server',
      broker.bootstrap,
      '--json',
    ]);
    const doc = JSON.parse(j.stdout.toString());
    assert.equal(doc.count, 10);
    assert.equal(typeof doc.p99, 'number');
  });

  test('producer-perf-test argument errors', async () => {
    const r = await ktool([
      'producer-perf-test',
      '--topic',
      'x',
      '--num-records',
      '1',
      '--throughput',
      '-1',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error: Either --record-size or --payload-file must be specified but not both.');
    const missing = await ktool(['producer-perf-test', '--topic', 'x', '--record-size', '1', '--throughput', '-1']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /num-records/);
  });

  test("consumer-perf-test prints Kafka's header and row", async () => {
    await ktool([
      'producer-perf-test',
      '--topic',
      'perf.c',
      '--num-records',
      '5000',
      '--record-size',
      '50',
      '--throughput',
      '-1',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    const r = await ktool([
      'consumer-perf-test',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'perf.c',
      '--messages',
      '5000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.toString().trim().split('\n');
    assert.equal(
      header,
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const d = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d:\\d{3}';
    assert.match(
      row,
      new RegExp(`^${d}, ${d}, 0\\.2384, \\d+\\.\\d{4}, 5000, \\d+\\.\\d{4}, 0, \\d+, \\d+\\.\\d{4}, \\d+\\.\\d{4}$`),
    );
    const hidden = await ktool([
      'consumer-perf-test',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'perf.c',
      '--messages',
      '10',
      '--hide-header',
      '--date-format',
      'HH:mm',
    ]);
    assert.match(hidden.stdout.toString(), /^\d\d:\d\d, \d\d:\d\d, 0\.0005, /);
    const short = await ktool([
      'consumer-perf-test',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'perf.c',
      '--messages',
      '6000',
      '--timeout',
      '1000',
    ]);
    assert.match(
      short.stderr,
      /WARNING: Exiting before consuming the expected number of messages: timeout \(1000 ms\) exceeded\./,
    );
    assert.match(short.stdout.toString().split('\n')[1], /, 5000, /);
  });
});
