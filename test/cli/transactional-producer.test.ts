// The CLI's transactional producers over TCP against the embedded broker: console-producer
// --transactional-id lands a file completely or not at all (read_committed readers, ktool's
// and librdkafka's, see exactly the committed lines), an interrupt or a bad line aborts,
// --transaction-size commits in pieces, producer-perf-test commits as Kafka 3.9's does,
// and a second producer with the same id fences the first with Kafka's message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requireTool, run } from '../helpers/tools.js';
import { BIN, runCli } from './helpers.js';

const cli = (args: string[], input: string) => run(process.execPath, [BIN, ...args], { input, timeoutMs: 60_000 });

const READ_PY = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, isolation = sys.argv[1], sys.argv[2], sys.argv[3]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-' + isolation, 'isolation.level': isolation,
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
md = c.list_topics(topic, timeout=10)
c.assign([TopicPartition(topic, p, 0) for p in md.topics[topic].partitions])
out, idle = [], 0
while idle < 6:
    m = c.poll(0.5)
    if m is None:
        idle += 1
        continue
    if m.error():
        continue
    idle = 0
    out.append(m.value().decode())
c.close()
print(json.dumps(out))
`;

describe('transactional console-producer and producer-perf-test', () => {
  let broker: TestBroker;
  let bs: string[];
  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
    bs = ['--bootstrap-server', broker.bootstrap];
  });
  after(async () => {
    await broker?.destroy();
  });

  const consume = async (topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> => {
    const r = await runCli([
      'console-consumer',
      ...bs,
      '--topic',
      topic,
      '--from-beginning',
      '--until-end',
      '--isolation-level',
      isolation,
      '--timeout-ms',
      '5000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  };
  const states = async (): Promise<Map<string, string>> => {
    const r = await runCli(['transactions', 'list', ...bs]);
    assert.equal(r.code, 0, r.stderr);
    return new Map(
      r.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t').map((c) => c.trim()))
        .map((c) => [c[0]!, c[3]!]),
    );
  };

  test("a committed file is visible to read_committed readers, ktool's and librdkafka's", async (t) => {
    const lines = Array.from({ length: 50 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    const r = await cli(
      ['console-producer', ...bs, '--topic', 'tx.commit', '--transactional-id', 'cp-commit'],
      `${lines.join('\n')}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await consume('tx.commit', 'read_committed'), lines);
    assert.equal((await states()).get('cp-commit'), 'CompleteCommit');
    if (!requireTool(t, 'confluent-kafka')) return;
    const py = await run(PYTHON, ['-c', READ_PY, broker.bootstrap, 'tx.commit', 'read_committed'], {
      timeoutMs: 60_000,
    });
    assert.equal(py.code, 0, py.stderr);
    assert.deepEqual(JSON.parse(py.stdout.toString()).sort(), lines);
  });

  test('a bad line aborts the whole transaction: its records are in the log but not committed', async () => {
    const r = await cli(
      [
        'console-producer',
        ...bs,
        '--topic',
        'tx.bad',
        '--transactional-id',
        'cp-bad',
        '--property',
        'parse.key=true',
        '--timeout',
        '0',
        '--sync',
      ],
      'k1\ta\nk2\tb\nno separator here\nk3\tc\n',
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "Error: No key separator found on line number 3: 'no separator here'; aborted the transaction of transactional id 'cp-bad' (lines 1-3 not committed)\n",
    );
    assert.deepEqual(await consume('tx.bad', 'read_committed'), []);
    assert.deepEqual(await consume('tx.bad', 'read_uncommitted'), ['a', 'b']);
    assert.equal((await states()).get('cp-bad'), 'CompleteAbort');
    const json = await cli(
      [
        'console-producer',
        ...bs,
        '--topic',
        'tx.bad',
        '--transactional-id',
        'cp-bad',
        '--property',
        'parse.key=true',
        '--json',
      ],
      'k\tv\nbad\n',
    );
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout.toString()).error.code, 'INVALID_RECORD');
  });

  test('a record the broker refuses aborts the transaction; the same id commits again afterwards', async () => {
    const created = await runCli([
      'topics',
      '--create',
      '--topic',
      'tx.small',
      '--partitions',
      '1',
      '--config',
      'max.message.bytes=300',
      ...bs,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const r = await cli(
      ['console-producer', ...bs, '--topic', 'tx.small', '--transactional-id', 'cp-small', '--sync'],
      `fits\n${'y'.repeat(400)}\nlater\n`,
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error: 1 record\(s\) could not be sent \(MESSAGE_TOO_LARGE: [^\n]*\); aborted the transaction of transactional id 'cp-small' \(lines 1-2 not committed\)\n$/,
    );
    assert.deepEqual(await consume('tx.small', 'read_committed'), []);
    assert.deepEqual(await consume('tx.small', 'read_uncommitted'), ['fits']);
    const again = await cli(
      ['console-producer', ...bs, '--topic', 'tx.small', '--transactional-id', 'cp-small'],
      'second\n',
    );
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await consume('tx.small', 'read_committed'), ['second']);
  });

  test('SIGTERM mid-input aborts the open transaction and exits non-zero', async (t) => {
    const child = spawn(
      process.execPath,
      [BIN, 'console-producer', ...bs, '--topic', 'tx.term', '--transactional-id', 'cp-term', '--sync'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.stdin.write('one\ntwo\nthree\n');
    // Stdin stays open: wait until the records are in the log, then interrupt.
    const deadline = Date.now() + 20_000;
    while ((await consume('tx.term', 'read_uncommitted').catch(() => [])).length < 3) {
      assert.ok(Date.now() < deadline, `records never reached the log: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 1);
    assert.equal(
      stderr,
      "Error: Interrupted; aborted the transaction of transactional id 'cp-term' (lines 1-3 not committed)\n",
    );
    assert.deepEqual(await consume('tx.term', 'read_committed'), []);
    assert.deepEqual(await consume('tx.term', 'read_uncommitted'), ['one', 'three', 'two']);
    assert.equal((await states()).get('cp-term'), 'CompleteAbort');
    if (!requireTool(t, 'confluent-kafka')) return;
    for (const [isolation, expected] of [
      ['read_committed', []],
      ['read_uncommitted', ['one', 'three', 'two']],
    ] as const) {
      const py = await run(PYTHON, ['-c', READ_PY, broker.bootstrap, 'tx.term', isolation], { timeoutMs: 60_000 });
      assert.equal(py.code, 0, py.stderr);
      assert.deepEqual(JSON.parse(py.stdout.toString()).sort(), expected, isolation);
    }
  });

  test('--transaction-size commits every N lines; transactional.id also comes from --producer-property', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const r = await cli(
      [
        'console-producer',
        ...bs,
        '--topic',
        'tx.size',
        '--producer-property',
        'transactional.id=cp-size',
        '--transaction-size',
        '10',
        '--json',
      ],
      `${lines.join('\n')}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.deepEqual(out.transaction, {
      transactionalId: 'cp-size',
      committed: 3,
      linesCommitted: 25,
      error: null,
      code: null,
    });
    assert.deepEqual(await consume('tx.size', 'read_committed'), lines);
    // Three commits: three COMMIT markers after the 25 records.
    const log = broker.broker.topic('tx.size')!.partitions.reduce((n, p) => n + p.log.highWatermark, 0);
    assert.equal(log, 25 + 3);
  });

  test('transactional.id and transaction.timeout.ms from --producer.config', async () => {
    const file = join(tempDir(), 'producer.properties');
    writeFileSync(file, 'transactional.id=cp-file\ntransaction.timeout.ms=45000\n');
    const r = await cli(['console-producer', ...bs, '--topic', 'tx.file', '--producer.config', file], 'from-file\n');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await consume('tx.file', 'read_committed'), ['from-file']);
    const d = await runCli(['transactions', 'describe', '--transactional-id', 'cp-file', ...bs, '--json']);
    assert.equal(d.code, 0, d.stderr);
    const desc = JSON.parse(d.stdout);
    assert.equal(desc.state, 'CompleteCommit');
    assert.equal(desc.transactionTimeoutMs, 45000);
  });

  test('producer-perf-test --transactional-id commits every --transaction-duration-ms', async () => {
    const r = await runCli(
      [
        'producer-perf-test',
        '--topic',
        'tx.perf',
        '--num-records',
        '3000',
        '--record-size',
        '50',
        '--throughput',
        '3000',
        '--transactional-id',
        'perf-txn',
        '--transaction-duration-ms',
        '200',
        '--producer-props',
        `bootstrap.servers=${broker.bootstrap}`,
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.count, 3000);
    // About a second at 3000/s with a commit every 200 ms.
    assert.ok(out.transactionsCommitted >= 3 && out.transactionsCommitted <= 10, String(out.transactionsCommitted));
    assert.equal((await states()).get('perf-txn'), 'CompleteCommit');
    const d = await runCli(['transactions', 'describe', '--transactional-id', 'perf-txn', ...bs]);
    assert.match(d.stdout, /\tperf-txn\s*\t\d+\s*\t\d+\s*\tCompleteCommit\s*\t/);
    assert.equal((await consume('tx.perf', 'read_committed')).length, 3000);
  });

  test('producer-perf-test takes transactional.id from --producer-props, with the 3000 ms default duration', async () => {
    const r = await runCli(
      [
        'producer-perf-test',
        '--topic',
        'tx.perf2',
        '--num-records',
        '500',
        '--record-size',
        '10',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${broker.bootstrap}`,
        'transactional.id=perf-props',
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).transactionsCommitted, 1);
    assert.equal((await states()).get('perf-props'), 'CompleteCommit');
  });

  test('a second producer with the same transactional id fences the first', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'console-producer', ...bs, '--topic', 'tx.zombie', '--transactional-id', 'cp-zombie', '--sync'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.stdin.write('zombie-1\n');
    const deadline = Date.now() + 20_000;
    while ((await consume('tx.zombie', 'read_uncommitted').catch(() => [])).length < 1) {
      assert.ok(Date.now() < deadline, `record never reached the log: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const successor = await cli(
      ['console-producer', ...bs, '--topic', 'tx.zombie', '--transactional-id', 'cp-zombie'],
      'successor\n',
    );
    assert.equal(successor.code, 0, successor.stderr);
    child.stdin.end('zombie-2\n');
    assert.equal(await exited, 1);
    assert.match(
      stderr,
      /^Error: Producer with transactionalId 'cp-zombie' and ProducerIdAndEpoch\(producerId=\d+, epoch=0\) (has been fenced by another producer with the same transactionalId|attempted to produce with an old epoch)\n$/,
    );
    assert.deepEqual(await consume('tx.zombie', 'read_committed'), ['successor']);
  });
});
