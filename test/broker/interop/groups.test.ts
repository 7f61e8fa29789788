// Consumer groups on the embedded broker with real clients: kafkajs, kcat -G,
// confluent-kafka-python and the seed document's kafka-python consumer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { PYTHON, requireTool, run } from '../../helpers/tools.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const script = (name: string) => join(here, 'python', name);

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('consumer groups interop', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
    kafka = new Kafka({ clientId: 'groups-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => {
    await broker?.destroy();
  });

  test(
    'kafkajs: three members share six partitions, nothing lost or read twice across rebalances',
    { timeout: 120_000 },
    async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'grp.kjs', numPartitions: 6 }] });
      const producer = kafka.producer();
      await producer.connect();
      const send = (from: number, n: number) =>
        producer.send({
          topic: 'grp.kjs',
          messages: Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `m${from + i}` })),
        });

      const seen: string[] = [];
      const byMember = new Map<string, Set<number>>();
      const consumers: Consumer[] = [];
      const start = async (name: string) => {
        const c = kafka.consumer({
          groupId: 'kjs-group',
          sessionTimeout: 10_000,
          heartbeatInterval: 500,
          rebalanceTimeout: 10_000,
        });
        await c.connect();
        await c.subscribe({ topic: 'grp.kjs', fromBeginning: true });
        // Commit after every message, so a rebalance never hands out work already done.
        await c.run({
          autoCommitThreshold: 1,
          eachMessage: async ({ partition, message }) => {
            seen.push(message.value!.toString());
            let s = byMember.get(name);
            if (!s) {
              s = new Set();
              byMember.set(name, s);
            }
            s.add(partition);
          },
        });
        consumers.push(c);
      };
      try {
        await start('a');
        await send(0, 300);
        await waitFor(() => seen.length >= 300, 30_000, 'the first member to read 300 records');
        await start('b');
        await start('c');
        await send(300, 300);
        await waitFor(() => seen.length >= 600, 60_000, 'all 600 records');
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(seen.length, 600, 'no record read twice');
        assert.equal(new Set(seen).size, 600);
        const desc = await admin.describeGroups(['kjs-group']);
        assert.equal(desc.groups[0].state, 'Stable');
        assert.equal(desc.groups[0].members.length, 3);
        const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['grp.kjs'] });
        const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
        assert.equal(committed, 600);
        assert.ok([...byMember.values()].filter((s) => s.size > 0).length >= 2, 'the work was shared');
      } finally {
        for (const c of consumers) await c.disconnect();
        await producer.disconnect();
        await admin.disconnect();
      }
      const groups = await (async () => {
        const a = kafka.admin();
        await a.connect();
        try {
          return await a.describeGroups(['kjs-group']);
        } finally {
          await a.disconnect();
        }
      })();
      assert.equal(groups.groups[0].state, 'Empty');
    },
  );

  test('kcat -G resumes from committed offsets', { timeout: 60_000 }, async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const topic = 'grp.kcat';
    const lines = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `k${from + i}:v${from + i}`).join('\n') + '\n';
    assert.equal(
      (await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:'], { input: lines(0, 100) })).code,
      0,
    );
    const consume = () =>
      run(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-G',
          'kcat-group',
          '-X',
          'auto.offset.reset=earliest',
          '-e',
          '-q',
          '-f',
          '%k=%s\n',
          topic,
        ],
        { timeoutMs: 30_000 },
      );
    const first = await consume();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.toString().trim().split('\n').length, 100);
    assert.equal(
      (await run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:'], { input: lines(100, 50) })).code,
      0,
    );
    const second = await consume();
    assert.equal(second.code, 0, second.stderr);
    const got = second.stdout.toString().trim().split('\n');
    assert.deepEqual(
      got,
      Array.from({ length: 50 }, (_, i) => `k${100 + i}=v${100 + i}`),
    );
  });

  test('confluent-kafka: two consumers in one group read every record once', { timeout: 90_000 }, async (t) => {
    if (!requireTool(t, 'confluent-kafka') || !requireTool(t, 'kcat')) return;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'grp.ck', numPartitions: 4 }] });
    await admin.disconnect();
    const input = Array.from({ length: 400 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    assert.equal((await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'grp.ck', '-K:'], { input })).code, 0);
    const r = await run(PYTHON, [script('confluent_group.py'), broker.bootstrap, 'grp.ck', 'ck-group', '400'], {
      timeoutMs: 80_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.equal(out.values.length, 400);
    assert.equal(new Set(out.values).size, 400);
  });

  test('the seed walkthrough: kafka-python group consumer with auto-commit', { timeout: 90_000 }, async (t) => {
    if (!requireTool(t, 'kafka-python')) return;
    const r = await run(PYTHON, [script('kafka_python_seed.py'), broker.bootstrap, 'kafka.test-topic'], {
      timeoutMs: 80_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), { first: [0, 1, 2], second: [] });
  });
});
