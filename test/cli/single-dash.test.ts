// Kafka's scripts (jopt-simple) take `-topic` for `--topic`; the seeds type them so.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { singleDashLongFlags } from '../../src/cli/base-command.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { runCli } from './helpers.js';

describe('single-dash long options', () => {
  const names = new Set(['topic', 'list', 'partitions', 'bootstrap-server', 'no-color', 'color']);

  test('a known multi-letter name after one dash becomes a long flag', () => {
    assert.deepEqual(singleDashLongFlags(['-topic', 't', '-list', '-bootstrap-server', 'h:1'], names), [
      '--topic',
      't',
      '--list',
      '--bootstrap-server',
      'h:1',
    ]);
    assert.deepEqual(singleDashLongFlags(['-topic=t', '-no-color'], names), ['--topic=t', '--no-color']);
  });

  test('short flags, negative numbers, unknown names and anything after -- stay as they are', () => {
    assert.deepEqual(singleDashLongFlags(['-t', 'x', '-1', '-unknown', '--', '-topic'], names), [
      '-t',
      'x',
      '-1',
      '-unknown',
      '--',
      '-topic',
    ]);
    assert.deepEqual(singleDashLongFlags(['--partitions', '-1'], names), ['--partitions', '-1']);
  });

  describe('against a broker', () => {
    let broker: TestBroker;
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: undefined,
      XDG_CONFIG_HOME: '/nonexistent-ktool-config',
      KTOOL_NO_EMBEDDED: '1',
    };
    before(async () => {
      broker = await startTestBroker();
    });
    after(async () => {
      await broker?.destroy();
    });

    test("seed 004's kafka-topics.sh line runs as typed", async () => {
      const created = await runCli(
        [
          'topics',
          '--bootstrap-server',
          broker.bootstrap,
          '--create',
          '-topic',
          'quickstart-events',
          '--partitions',
          '1',
        ],
        { env },
      );
      assert.equal(created.stderr, '');
      assert.equal(created.stdout, 'Created topic quickstart-events.\n');
      assert.equal(created.code, 0);
      const listed = await runCli(['topics', '-bootstrap-server', broker.bootstrap, '-list'], { env });
      assert.equal(listed.stdout, 'quickstart-events\n');
      const described = await runCli(
        ['topics', '-bootstrap-server', broker.bootstrap, '-describe', '-topic', 'quickstart-events'],
        { env },
      );
      assert.equal(described.code, 0);
      assert.match(described.stdout, /^Topic: quickstart-events\tTopicId: /);
    });

    test('other tools take the single-dash form too', async () => {
      const groups = await runCli(['consumer-groups', '-bootstrap-server', broker.bootstrap, '-list'], { env });
      assert.equal(groups.code, 0);
      assert.equal(groups.stderr, '');
      const offsets = await runCli(
        ['get-offsets', '-bootstrap-server', broker.bootstrap, '-topic', 'quickstart-events'],
        { env },
      );
      assert.equal(offsets.stdout, 'quickstart-events:0:0\n');
    });
  });
});
