// Producers that meet errors end with one line per failure, a count and exit 1: never a
// silent exit (Node's status 13), a hang or a lost record reported as sent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { BIN, hasStack, lines, runCli } from './helpers.js';

describe('producer failures', () => {
  let broker: TestBroker;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };
  before(async () => {
    broker = await startTestBroker();
    const created = await runCli(
      [
        'topics',
        '--create',
        '--topic',
        'isr2',
        '--config',
        'min.insync.replicas=2',
        '--bootstrap-server',
        broker.bootstrap,
      ],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);
    await runCli(['topics', '--create', '--topic', 'plain', '--bootstrap-server', broker.bootstrap], { env });
  });
  after(async () => {
    await broker?.destroy();
  });

  function produce(
    args: string[],
    input: string,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, 'console-producer', '--bootstrap-server', broker.bootstrap, ...args],
        { env: { ...process.env, ...env, KAFKA_BOOTSTRAP_SERVERS: '' } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  test('acks=all below min.insync.replicas: retried, then every line reported, a count, exit 1 (was a silent exit 13)', async () => {
    const r = await produce(['--topic', 'isr2'], 'a\nb\nc\n');
    assert.equal(r.code, 1, r.stderr);
    const err = lines(r.stderr);
    assert.equal(
      err.filter((l) =>
        /^ERROR line \d was not delivered to isr2-0: NOT_ENOUGH_REPLICAS: The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of 2 for partition isr2-0$/.test(
          l,
        ),
      ).length,
      3,
      r.stderr,
    );
    assert.equal(err.at(-1), '3 of 3 records failed');
    assert.ok(!hasStack(r.stderr));
  });

  test('the same failure with --json is one JSON document naming what was not delivered', async () => {
    const r = await produce(['--topic', 'isr2', '--json'], 'a\nb\n');
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.failed, 2);
    assert.equal(doc.sent, 0);
    assert.equal(doc.failures[0].error, 'NOT_ENOUGH_REPLICAS');
  });

  test('acks=1 is not bound by min.insync.replicas', async () => {
    const r = await produce(['--topic', 'isr2', '--request-required-acks', '1'], 'a\nb\n');
    assert.equal(r.code, 0, r.stderr);
  });

  test('SIGTERM does what SIGINT does: delivers what was read, then exits', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'console-producer', '--topic', 'plain', '--bootstrap-server', broker.bootstrap],
      { env: { ...process.env, ...env, KAFKA_BOOTSTRAP_SERVERS: '' } },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.write('one\ntwo\nthree\n');
    // Signal once the lines are on the broker: the tool is then surely past its start-up.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const seen = await runCli(
        [
          'console-consumer',
          '--topic',
          'plain',
          '--from-beginning',
          '--max-messages',
          '3',
          '--bootstrap-server',
          broker.bootstrap,
          '--timeout-ms',
          '1000',
        ],
        { env },
      );
      if (seen.stdout === 'one\ntwo\nthree\n' || Date.now() > deadline) break;
    }
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.ok(Date.now() - sentAt < 2000, 'stops within a second or two');
    assert.equal(code, 0, stderr);
    const consumed = await runCli(
      [
        'console-consumer',
        '--topic',
        'plain',
        '--from-beginning',
        '--max-messages',
        '3',
        '--bootstrap-server',
        broker.bootstrap,
        '--timeout-ms',
        '5000',
      ],
      { env },
    );
    assert.equal(consumed.stdout, 'one\ntwo\nthree\n');
  });

  test('producer-perf-test refuses an absurd record size up front, as Kafka does', async () => {
    const started = Date.now();
    const r = await runCli(
      [
        'producer-perf-test',
        '--topic',
        'plain',
        '--num-records',
        '1',
        '--record-size',
        '2000000000',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${broker.bootstrap}`,
      ],
      { env },
    );
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      'Error: The message is 2000000089 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.',
    ]);
    assert.ok(Date.now() - started < 5000);
  });
});
