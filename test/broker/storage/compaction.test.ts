// Compacted topics: retention never removes what a compact-only topic keeps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { policyCompacts, policyDeletes } from '../../../src/broker/storage/log-config.js';
import { PartitionLog } from '../../../src/broker/storage/partition-log.js';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { FakeClock, T0, batch, tempDir } from './helpers.js';

describe('cleanup.policy and retention', () => {
  test('policy parsing: delete, compact, and both', () => {
    assert.equal(policyDeletes('delete'), true);
    assert.equal(policyDeletes('compact'), false);
    assert.equal(policyDeletes('compact,delete'), true);
    assert.equal(policyDeletes(' delete , compact'), true);
    assert.equal(policyCompacts('compact'), true);
    assert.equal(policyCompacts('delete'), false);
    assert.equal(policyCompacts('delete,compact'), true);
  });

  test('a compact-only log keeps every segment through time and size retention', () => {
    const clock = new FakeClock(T0);
    const log = PartitionLog.open(tempDir(), { segmentBytes: 400, retentionMs: 1000, retentionBytes: 0, deleteRetention: false }, { now: () => clock.t });
    for (let i = 0; i < 12; i++) log.append(batch(2, { ts: T0 + i * 1000, valueSize: 50 }));
    const segments = log.segmentCount;
    assert.ok(segments >= 4);
    clock.t = T0 + 10 ** 9;
    assert.equal(log.applyRetention().deletedSegments, 0);
    assert.equal(log.segmentCount, segments);
    assert.equal(log.logStartOffset, 0);
    // compact,delete: retention applies again
    log.updateConfig({ deleteRetention: true });
    assert.ok(log.applyRetention().deletedSegments > 0);
    log.close();
  });

  describe('over TCP', () => {
    let broker: TestBroker;
    before(async () => {
      broker = await startTestBroker({ 'log.retention.check.interval.ms': '50' });
    });
    after(async () => {
      await broker?.destroy();
    });

    test("the issue's reproduction: compact, retention.ms and segment.ms short, every key survives", async () => {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: 'state', numPartitions: 1, configEntries: [
          { name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '200' }, { name: 'segment.ms', value: '50' },
        ] }],
      });
      const producer = kafka.producer();
      await producer.connect();
      for (const key of ['a', 'b', 'c', 'd']) {
        await producer.send({ topic: 'state', messages: [{ key, value: `value-${key}` }] });
        await new Promise((r) => setTimeout(r, 120));
      }
      await new Promise((r) => setTimeout(r, 500));
      broker.broker.applyRetention();
      const offsets = await admin.fetchTopicOffsets('state');
      assert.deepEqual(offsets.map((o) => [o.low, o.high]), [['0', '4']]);
      await producer.disconnect();
      await admin.disconnect();
    });
  });
});
