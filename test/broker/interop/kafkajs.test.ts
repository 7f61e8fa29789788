// kafkajs 2.2.4 admin and producer against the embedded broker over TCP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { requireTool, run } from '../../helpers/tools.js';

describe('kafkajs interop', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker();
    kafka = new Kafka({
      clientId: 'kjs-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
  });
  after(async () => {
    await broker?.destroy();
  });

  test('admin creates, describes, alters and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      assert.equal(
        await admin.createTopics({
          topics: [
            { topic: 'kjs.admin', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '86400000' }] },
          ],
        }),
        true,
      );
      assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs.admin', numPartitions: 2 }] }), false);
      assert.ok((await admin.listTopics()).includes('kjs.admin'));
      const md = await admin.fetchTopicMetadata({ topics: ['kjs.admin'] });
      assert.equal(md.topics[0].partitions.length, 2);
      assert.deepEqual(
        md.topics[0].partitions.map((p) => p.leader),
        [0, 0],
      );
      const cfg = await admin.describeConfigs({
        resources: [{ type: 2, name: 'kjs.admin', configNames: ['retention.ms', 'cleanup.policy'] }],
        includeSynonyms: false,
      });
      const entries = Object.fromEntries(cfg.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
      assert.deepEqual(entries, { 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'kjs.admin', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
      });
      assert.equal(broker.broker.topic('kjs.admin')!.configs['retention.ms'], '1000');
      await admin.createPartitions({ topicPartitions: [{ topic: 'kjs.admin', count: 4 }] });
      assert.equal(broker.broker.topic('kjs.admin')!.partitions.length, 4);
      await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }));
      await admin.deleteTopics({ topics: ['kjs.admin'] });
      assert.equal((await admin.listTopics()).includes('kjs.admin'), false);
    } finally {
      await admin.disconnect();
    }
  });

  test('producer sends gzip batches that kcat reads back', async (t) => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs.gzip', numPartitions: 2 }] });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = Array.from({ length: 200 }, (_, i) => ({
        key: `k${i}`,
        value: `v${i}`,
        partition: i % 2,
        headers: { h: `x${i}` },
      }));
      const res = await producer.send({ topic: 'kjs.gzip', compression: CompressionTypes.GZIP, acks: -1, messages });
      assert.equal(res.length, 2);
      assert.ok(res.every((r) => r.errorCode === 0));
      const offsets = await admin.fetchTopicOffsets('kjs.gzip');
      assert.deepEqual(offsets.map((o) => [o.partition, o.high, o.low]).sort(), [
        [0, '100', '0'],
        [1, '100', '0'],
      ]);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    if (!requireTool(t, 'kcat')) return;
    const c = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'kjs.gzip',
      '-p',
      '1',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k=%s %h\n',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const lines = c.stdout.toString().trim().split('\n');
    assert.equal(lines.length, 100);
    assert.equal(lines[0], 'k1=v1 h=x1');
    assert.equal(lines[99], 'k199=v199 h=x199');
  });

  test('idempotent producer gets a producer id and writes once', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic: 'kjs.idem', acks: -1, messages: [{ key: 'k', value: `v${i}`, partition: 0 }] });
      }
    } finally {
      await producer.disconnect();
    }
    assert.equal(broker.broker.topic('kjs.idem')!.partitions[0].log.logEndOffset, 5);
  });
});
