// console-consumer's limits as Kafka's tool applies them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { runCli } from './helpers.js';

describe('console-consumer limits', () => {
  let broker: TestBroker;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };
  before(async () => {
    broker = await startTestBroker();
    const created = await runCli(['topics', '--create', '--topic', 'limits', '--bootstrap-server', broker.bootstrap], {
      env,
    });
    assert.equal(created.code, 0, created.stderr);
    // Asynchronously: the test broker answers from this very process.
    const kcat = spawn('kcat', ['-b', broker.bootstrap, '-P', '-t', 'limits'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    kcat.stdin.end('a\nb\nc\n');
    assert.equal(await new Promise((resolve) => kcat.on('close', resolve)), 0);
  });
  after(async () => {
    await broker?.destroy();
  });

  test('--max-messages 0 reads nothing (it used to read everything)', async () => {
    const r = await runCli(
      [
        'console-consumer',
        '--topic',
        'limits',
        '--from-beginning',
        '--max-messages',
        '0',
        '--timeout-ms',
        '3000',
        '--bootstrap-server',
        broker.bootstrap,
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Processed a total of 0 messages\n');
  });

  test('--max-messages 2 reads two', async () => {
    const r = await runCli(
      [
        'console-consumer',
        '--topic',
        'limits',
        '--from-beginning',
        '--max-messages',
        '2',
        '--timeout-ms',
        '5000',
        '--bootstrap-server',
        broker.bootstrap,
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a\nb\n');
  });
});
