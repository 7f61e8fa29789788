// confluent-kafka-python's AdminClient and ktool topics see each other's work.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requireTool, run } from '../helpers/tools.js';
import { runCli } from '../cli/helpers.js';

const script = join(fileURLToPath(new URL('.', import.meta.url)), 'python', 'topics_interop.py');

describe('ktool topics and confluent-kafka AdminClient', () => {
  let broker: TestBroker;
  const env = { KAFKA_BOOTSTRAP_SERVERS: undefined, XDG_CONFIG_HOME: '/nonexistent-ktool-config' };
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  const py = async (...args: string[]) => {
    const r = await run(PYTHON, [script, broker.bootstrap, ...args], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.toString());
  };
  const kt = async (...args: string[]) => {
    const r = await runCli(['topics', ...args, '--bootstrap-server', broker.bootstrap], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return r.stdout;
  };

  test('topics created and altered by ktool', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    await kt('--create', '--topic', 'made-by-ktool', '--partitions', '3', '--config', 'retention.ms=3600000');
    assert.deepEqual(await py('check', 'made-by-ktool'), {
      exists: true,
      partitions: 3,
      overrides: { 'retention.ms': '3600000' },
    });
    await kt('--alter', '--topic', 'made-by-ktool', '--partitions', '5');
    assert.deepEqual(await py('check', 'made-by-ktool'), {
      exists: true,
      partitions: 5,
      overrides: { 'retention.ms': '3600000' },
    });
    await py('delete', 'made-by-ktool');
    assert.equal(await kt('--list'), '\n');
  });

  test('topics created and altered by confluent-kafka', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    await py('create', 'made-by-python', '4', 'cleanup.policy=compact');
    const id = broker.broker.topic('made-by-python')!.topicId;
    const line = (p: number) =>
      `\tTopic: made-by-python\tPartition: ${p}\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A\n`;
    assert.equal(
      await kt('--describe', '--topic', 'made-by-python'),
      `Topic: made-by-python\tTopicId: ${id}\tPartitionCount: 4\tReplicationFactor: 1\tConfigs: cleanup.policy=compact\n` +
        [0, 1, 2, 3].map(line).join(''),
    );
    await py('partitions', 'made-by-python', '6');
    const described = JSON.parse(await kt('describe', '--topic', 'made-by-python', '--json'));
    assert.equal(described.topics[0].partitionCount, 6);
    await kt('--delete', '--topic', 'made-by-python');
    assert.deepEqual(await py('check', 'made-by-python'), { exists: false });
  });
});
