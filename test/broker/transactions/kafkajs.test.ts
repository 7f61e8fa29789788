// kafkajs 2.2.4 transactions against the embedded broker over TCP: commit, abort,
// sendOffsets, read_committed consumers and a fenced zombie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';

/** Reads every record of a topic from the beginning until `count` arrived or `ms` passed. */
async function readAll(
  kafka: Kafka,
  topic: string,
  opts: { readUncommitted: boolean; count: number; ms?: number; groupId?: string },
): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId ?? `read-${topic}-${Math.random()}`,
    readUncommitted: opts.readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.run({
    eachMessage: async ({ message }: EachMessagePayload) => {
      values.push(message.value!.toString());
      if (values.length >= opts.count) done();
    },
  });
  await Promise.race([finished, new Promise((r) => setTimeout(r, opts.ms ?? 6000))]);
  await consumer.disconnect();
  return values;
}

describe('kafkajs transactions', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
    kafka = new Kafka({
      clientId: 'kjs-txn',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'kjs.txn', numPartitions: 2 },
        { topic: 'kjs.in', numPartitions: 1 },
        { topic: 'kjs.out', numPartitions: 1 },
      ],
    });
    await admin.disconnect();
  });
  after(async () => {
    await broker?.destroy();
  });

  test('committed records are read by read_committed, aborted ones only by read_uncommitted', async () => {
    const producer = kafka.producer({ transactionalId: 'kjs-tx-1', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({
      topic: 'kjs.txn',
      messages: [
        { key: 'a', value: 'c1' },
        { key: 'b', value: 'c2' },
      ],
    });
    await t1.commit();
    const t2 = await producer.transaction();
    await t2.send({
      topic: 'kjs.txn',
      messages: [
        { key: 'a', value: 'x1' },
        { key: 'b', value: 'x2' },
      ],
    });
    await t2.abort();
    const t3 = await producer.transaction();
    await t3.send({ topic: 'kjs.txn', messages: [{ key: 'a', value: 'c3' }] });
    await t3.commit();
    await producer.disconnect();

    const committed = await readAll(kafka, 'kjs.txn', { readUncommitted: false, count: 3, ms: 4000 });
    assert.deepEqual(committed.sort(), ['c1', 'c2', 'c3']);
    const all = await readAll(kafka, 'kjs.txn', { readUncommitted: true, count: 5, ms: 4000 });
    assert.deepEqual(all.sort(), ['c1', 'c2', 'c3', 'x1', 'x2']);
    const state = broker.broker.transactions.describe('kjs-tx-1');
    assert.equal(state.transactionState, 'CompleteCommit');
  });

  test('sendOffsets makes the consumed offset visible only when the transaction commits', async () => {
    const producer = kafka.producer({ transactionalId: 'kjs-tx-offsets', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'kjs.in', messages: [{ value: 'i0' }, { value: 'i1' }, { value: 'i2' }] });
    await plain.disconnect();

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'kjs.out', messages: [{ value: 'o-aborted' }] });
    await aborted.sendOffsets({
      consumerGroupId: 'kjs-ctp',
      topics: [{ topic: 'kjs.in', partitions: [{ partition: 0, offset: '2' }] }],
    });
    assert.equal(broker.broker.groups.committed('kjs-ctp', 'kjs.in', 0), undefined, 'pending offsets are not visible');
    await aborted.abort();
    assert.equal(
      broker.broker.groups.committed('kjs-ctp', 'kjs.in', 0),
      undefined,
      'aborted offsets never become visible',
    );

    const txn = await producer.transaction();
    await txn.send({ topic: 'kjs.out', messages: [{ value: 'o0' }, { value: 'o1' }, { value: 'o2' }] });
    await txn.sendOffsets({
      consumerGroupId: 'kjs-ctp',
      topics: [{ topic: 'kjs.in', partitions: [{ partition: 0, offset: '3' }] }],
    });
    assert.equal(broker.broker.groups.committed('kjs-ctp', 'kjs.in', 0), undefined);
    await txn.commit();
    assert.equal(broker.broker.groups.committed('kjs-ctp', 'kjs.in', 0)?.offset, 3);
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-ctp', topics: ['kjs.in'] });
    await admin.disconnect();
    assert.equal(offsets[0]!.partitions[0]!.offset, '3');
    assert.deepEqual(await readAll(kafka, 'kjs.out', { readUncommitted: false, count: 3, ms: 4000 }), [
      'o0',
      'o1',
      'o2',
    ]);
  });

  test('a second producer with the same transactional id fences the first and aborts its open transaction', async () => {
    const zombie = kafka.producer({ transactionalId: 'kjs-tx-zombie', maxInFlightRequests: 1, idempotent: true });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: 'kjs.txn', messages: [{ key: 'z', value: 'zombie-1' }] });
    const before = broker.broker.transactions.describe('kjs-tx-zombie');
    assert.equal(before.transactionState, 'Ongoing');

    const successor = kafka.producer({ transactionalId: 'kjs-tx-zombie', maxInFlightRequests: 1, idempotent: true });
    await successor.connect();
    // kafkajs initialises the transactional id when the first transaction begins.
    const t = await successor.transaction();
    const after = broker.broker.transactions.describe('kjs-tx-zombie');
    // Kafka's state after the fencing InitProducerId: the open transaction aborted, a fresh epoch.
    assert.equal(after.transactionState, 'Empty');
    assert.ok(after.producerEpoch > before.producerEpoch);
    const parts = broker.broker.topic('kjs.txn')!.partitions;
    for (const p of parts)
      assert.equal(p.txns.lastStableOffset(p.log.highWatermark), p.log.highWatermark, 'no transaction left open');

    await assert.rejects(open.send({ topic: 'kjs.txn', messages: [{ key: 'z', value: 'zombie-2' }] }), /fenced|epoch/i);
    await assert.rejects(open.commit());
    await t.send({ topic: 'kjs.txn', messages: [{ key: 'z', value: 'successor' }] });
    await t.commit();
    await successor.disconnect();
    await zombie.disconnect().catch(() => {});

    const committed = await readAll(kafka, 'kjs.txn', { readUncommitted: false, count: 4, ms: 4000 });
    assert.ok(committed.includes('successor'));
    assert.ok(!committed.includes('zombie-1') && !committed.includes('zombie-2'));
  });
});
