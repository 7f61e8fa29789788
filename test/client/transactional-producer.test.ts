// ktool's transactional producer against the real broker over TCP: batches are marked
// transactional and each transaction ends in a marker; a transaction whose record failed
// aborts and the next one runs under a bumped epoch; a second producer with the same id
// fences the first, which fails with Kafka's fatal message. Kafka's config rule for
// transactional.id without idempotence.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { Producer } from '../../src/client/producer.js';
import { ProducerConfigError } from '../../src/client/producer-config.js';
import {
  TransactionalProducer,
  TransactionError,
  transactionalProducerOptions,
} from '../../src/client/transactions.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read-log.js';
import { WireClient } from '../helpers/wire.js';
import { createTopic } from '../broker/transactions/helpers.js';

describe('transactional producer', () => {
  let broker: TestBroker;
  const clients: ClusterClient[] = [];
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    for (const c of clients) c.close();
    await broker?.destroy();
  });

  const open = async (id: string, opts = {}) => {
    const cluster = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    clients.push(cluster);
    const producer = new Producer(cluster, { lingerMs: 0, ...transactionalProducerOptions(opts, {}) });
    const txn = new TransactionalProducer(cluster, producer, {
      transactionalId: id,
      transactionTimeoutMs: 60000,
      requestTimeoutMs: 5000,
      retryBackoffMs: 50,
      maxBlockMs: 10000,
    });
    await txn.init();
    return { producer, txn };
  };

  test('commit, abort, commit: transactional batches, each transaction closed by a marker', async () => {
    const c = await WireClient.open(broker.port);
    await createTopic(c, 'tp.cycle', 1);
    c.close();
    const { producer, txn } = await open('tp-cycle');
    await producer.prepare(['tp.cycle']);
    for (const [values, commit] of [
      [['a', 'b'], true],
      [['x'], false],
      [['c'], true],
    ] as const) {
      txn.begin();
      for (const v of values)
        producer.append({ topic: 'tp.cycle', partition: 0, key: null, value: Buffer.from(v), seq: 0 });
      if (commit) await txn.commit();
      else await txn.abort();
    }
    assert.equal(txn.committed, 2);
    assert.equal(txn.aborted, 1);
    const { batches } = await readPartition(broker.port, 'tp.cycle', 0);
    assert.deepEqual(
      batches.map((b) => [b.isControl, b.isTransactional, b.producerId, b.producerEpoch]),
      [false, true, false, true, false, true].map((control) => [
        control,
        true,
        producer.producerId,
        producer.producerEpoch,
      ]),
    );
  });

  test('a failed record aborts the transaction; the next runs under a bumped epoch', async () => {
    const c = await WireClient.open(broker.port);
    const r = await c.request(19, 7, {
      topics: [
        {
          name: 'tp.small',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'max.message.bytes', value: '300' }],
        },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.equal(r.topics[0].errorCode, 0);
    c.close();
    const { producer, txn } = await open('tp-small');
    await producer.prepare(['tp.small']);
    const epoch = producer.producerEpoch;
    txn.begin();
    producer.append({ topic: 'tp.small', partition: 0, key: null, value: Buffer.from('fits'), seq: 1 });
    await producer.flush();
    producer.append({ topic: 'tp.small', partition: 0, key: null, value: Buffer.alloc(400, 121), seq: 2 });
    await assert.rejects(
      txn.commit(),
      (err: TransactionError) =>
        err.code === 'MESSAGE_TOO_LARGE' && !err.fatal && /could not be sent/.test(err.message),
    );
    assert.equal(txn.aborted, 1);
    assert.equal(producer.producerEpoch, epoch + 1);
    txn.begin();
    producer.append({ topic: 'tp.small', partition: 0, key: null, value: Buffer.from('after'), seq: 3 });
    await txn.commit();
    const { batches } = await readPartition(broker.port, 'tp.small', 0);
    const data = batches.filter((b) => !b.isControl);
    assert.deepEqual(
      data.map((b) => [b.producerEpoch, b.baseSequence]),
      [
        [epoch, 0],
        [epoch + 1, 0],
      ],
    );
  });

  test('a second producer with the same id fences the first', async () => {
    const first = await open('tp-zombie');
    await first.producer.prepare(['tp.zombie']);
    first.txn.begin();
    first.producer.append({ topic: 'tp.zombie', partition: 0, key: null, value: Buffer.from('z1'), seq: 1 });
    await first.producer.flush();
    const second = await open('tp-zombie');
    assert.equal(second.producer.producerId, first.producer.producerId);
    assert.ok(second.producer.producerEpoch > first.producer.producerEpoch);
    await assert.rejects(
      first.txn.commit(),
      (err: TransactionError) =>
        err.fatal &&
        err.code === 'PRODUCER_FENCED' &&
        err.message ===
          `Producer with transactionalId 'tp-zombie' and ProducerIdAndEpoch(producerId=${first.producer.producerId}, epoch=${first.producer.producerEpoch}) has been fenced by another producer with the same transactionalId`,
    );
    // Fatal: nothing more can be done with it.
    assert.throws(() => first.txn.begin(), /has been fenced/);
  });

  test("transactional.id needs idempotence, as Kafka's ProducerConfig says", () => {
    assert.throws(
      () => transactionalProducerOptions({ idempotence: false }, {}),
      (e: Error) =>
        e instanceof ProducerConfigError &&
        e.message === 'Cannot set a transactional.id without also enabling idempotence.',
    );
    assert.throws(
      () => transactionalProducerOptions({ acks: 1 }, {}),
      /Cannot set a transactional.id without also enabling idempotence/,
    );
    assert.equal(transactionalProducerOptions({}, {}).idempotence, true);
  });
});
