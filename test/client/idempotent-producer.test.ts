// The idempotent producer against the real broker: a Produce response lost after the
// broker wrote the batch makes the producer send it again, and the broker's answer for
// the duplicate counts as delivered. Kafka's config rules for enable.idempotence.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { Producer } from '../../src/client/producer.js';
import { resolveProducerOptions } from '../../src/client/producer-config.js';
import { ProducerConfigError } from '../../src/client/producer-config.js';
import { producerOptionsFromProperties } from '../../src/ops/console-producer.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { answer } from '../helpers/controls.js';
import { readPartition } from '../helpers/read-log.js';
import { WireClient } from '../helpers/wire.js';

/**
 * A TCP proxy that passes everything through, except that when the broker answers the
 * Nth Produce request (counted over all connections) it cuts the client off instead:
 * the broker has written the batch, the producer never hears so.
 */
interface CuttingProxy {
  port: number;
  target: number;
  produceResponses: number;
  cutAt: Set<number>;
  close(): Promise<void>;
}

async function startCuttingProxy(): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { port: 0, target: 0, produceResponses: 0, cutAt: new Set(), close: async () => {} };
  const server: Server = createServer((client) => {
    const upstream = connect(proxy.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    const apiOf = new Map<number, number>();
    let fromClient = Buffer.alloc(0);
    let fromBroker = Buffer.alloc(0);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut);
    upstream.on('close', cut);
    client.on('data', (d: Buffer) => {
      fromClient = Buffer.concat([fromClient, d]);
      while (fromClient.length >= 4 && fromClient.length >= 4 + fromClient.readInt32BE(0)) {
        const size = fromClient.readInt32BE(0);
        apiOf.set(fromClient.readInt32BE(8), fromClient.readInt16BE(4));
        upstream.write(fromClient.subarray(0, 4 + size));
        fromClient = fromClient.subarray(4 + size);
      }
    });
    upstream.on('data', (d: Buffer) => {
      fromBroker = Buffer.concat([fromBroker, d]);
      while (fromBroker.length >= 4 && fromBroker.length >= 4 + fromBroker.readInt32BE(0)) {
        const size = fromBroker.readInt32BE(0);
        if (apiOf.get(fromBroker.readInt32BE(4)) === 0 && proxy.cutAt.has(++proxy.produceResponses)) {
          cut();
          return;
        }
        client.write(fromBroker.subarray(0, 4 + size));
        fromBroker = fromBroker.subarray(4 + size);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as { port: number }).port;
  proxy.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

async function produceThroughProxy(
  proxy: CuttingProxy,
  topic: string,
  count: number,
  idempotence: boolean,
): Promise<Producer> {
  const cluster = await ClusterClient.connect({ bootstrap: [`127.0.0.1:${proxy.port}`], requestTimeoutMs: 5000 });
  try {
    // Small batches so that several requests are in flight when the connection is cut.
    const producer = new Producer(cluster, { batchSize: 200, lingerMs: 0, retryBackoffMs: 10, idempotence });
    await producer.prepare([topic]);
    // In small steps, so that many requests go out and several are in flight when the connection is cut.
    for (let i = 0; i < count; i++) {
      producer.append({ topic, partition: 0, key: null, value: Buffer.from(`v${i}`), seq: i });
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await producer.flush();
    producer.close();
    return producer;
  } finally {
    cluster.close();
  }
}

describe('idempotent producer: a lost response and the retry that follows', () => {
  let broker: TestBroker;
  let proxy: CuttingProxy;
  before(async () => {
    proxy = await startCuttingProxy();
    broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
    proxy.target = broker.port;
  });
  after(async () => {
    await proxy?.close();
    await broker?.destroy();
  });

  test('the broker recognises the re-sent batches: delivered once each, in order, none reported failed', async () => {
    proxy.produceResponses = 0;
    proxy.cutAt = new Set([3, 9]);
    const producer = await produceThroughProxy(proxy, 'lost.idem', 2000, true);
    assert.ok(producer.idempotent);
    assert.ok(proxy.produceResponses > 9, 'the connection was cut twice');
    assert.deepEqual({ sent: producer.sent, failed: producer.failed }, { sent: 2000, failed: 0 });
    const { values, batches } = await readPartition(broker.port, 'lost.idem', 0);
    assert.deepEqual(
      values,
      Array.from({ length: 2000 }, (_, i) => `v${i}`),
    );
    assert.ok(batches.every((b) => b.producerId === producer.producerId && b.producerId >= 0));
    // Sequences run on without a gap from 0.
    let next = 0;
    for (const b of batches) {
      assert.equal(b.baseSequence, next);
      next += b.recordsCount;
    }
  });

  test('control: without idempotence the same cut writes duplicates', async () => {
    proxy.produceResponses = 0;
    proxy.cutAt = new Set([3]);
    const producer = await produceThroughProxy(proxy, 'lost.plain', 2000, false);
    assert.equal(producer.idempotent, false);
    const { values, batches } = await readPartition(broker.port, 'lost.plain', 0);
    assert.ok(values.length > 2000, `expected duplicates, got ${values.length} records`);
    assert.ok(batches.every((b) => b.producerId === -1));
  });
});

describe('batches merged behind a busy partition', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
    const w = await WireClient.open(broker.port);
    for (const name of ['small.idem', 'small.plain', 'merged']) {
      const configs = name === 'merged' ? [] : [{ name: 'max.message.bytes', value: '20000' }];
      const r = await w.request(19, 5, {
        topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(r.topics[0].errorCode, 0);
    }
    w.close();
  });
  after(async () => {
    await broker?.destroy();
  });

  async function produceBacklog(topic: string, idempotence: boolean): Promise<Producer> {
    const cluster = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      const producer = new Producer(cluster, { batchSize: 2000, lingerMs: 0, idempotence });
      await producer.prepare([topic]);
      // Appended in one go: sealed batches queue up before the first send.
      for (let i = 0; i < 5000; i++)
        producer.append({ topic, partition: 0, key: null, value: Buffer.from(`v${i}-${'x'.repeat(40)}`), seq: i });
      await producer.flush();
      producer.close();
      return producer;
    } finally {
      cluster.close();
    }
  }

  test('a backlog goes out in fewer, larger batches, once each and in order', async () => {
    const producer = await produceBacklog('merged', true);
    assert.deepEqual({ sent: producer.sent, failed: producer.failed }, { sent: 5000, failed: 0 });
    const { values, batches } = await readPartition(broker.port, 'merged', 0);
    assert.deepEqual(
      values.map((v) => v.split('-')[0]),
      Array.from({ length: 5000 }, (_, i) => `v${i}`),
    );
    assert.ok(
      batches.some((b) => b.batchLength > 4000),
      'some batches were merged',
    );
  });

  for (const idempotence of [true, false]) {
    test(`merged beyond the topic's max.message.bytes: split back and delivered once, in order (idempotence ${idempotence})`, async () => {
      const topic = idempotence ? 'small.idem' : 'small.plain';
      const producer = await produceBacklog(topic, idempotence);
      assert.deepEqual(
        { sent: producer.sent, failed: producer.failed, failures: producer.failures.slice(0, 1) },
        { sent: 5000, failed: 0, failures: [] },
      );
      const { values, batches } = await readPartition(broker.port, topic, 0);
      assert.deepEqual(
        values.map((v) => v.split('-')[0]),
        Array.from({ length: 5000 }, (_, i) => `v${i}`),
      );
      assert.ok(batches.every((b) => b.batchLength <= 20000));
      if (idempotence) {
        let next = 0;
        for (const b of batches) {
          assert.equal(b.baseSequence, next);
          next += b.recordsCount;
        }
      }
    });
  }
});

describe('idempotent producer: DUPLICATE_SEQUENCE_NUMBER', () => {
  test('a broker answering DUPLICATE_SEQUENCE_NUMBER (as Kafka before 2.x did) means delivered', async () => {
    let produced = 0;
    // The real broker, with its Produce answers replaced by the old brokers' duplicate answer.
    const fake = await startTestBroker();
    const w = await WireClient.open(fake.port);
    const created = await w.request(19, 5, {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    w.close();
    assert.equal(created.topics[0].errorCode, 0);
    answer(fake, 0, (req) => {
      produced++;
      return {
        responses: req.body.topicData.map((t: { name: string; partitionData: Array<{ index: number }> }) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({
            index: p.index,
            errorCode: 46,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: null,
          })),
        })),
        throttleTimeMs: 0,
      };
    });
    const cluster = await ClusterClient.connect({ bootstrap: [fake.bootstrap] });
    try {
      const producer = new Producer(cluster, { lingerMs: 0 });
      await producer.prepare(['t']);
      for (let i = 0; i < 3; i++)
        producer.append({ topic: 't', partition: 0, key: null, value: Buffer.from('x'), seq: i });
      await producer.flush();
      assert.deepEqual({ sent: producer.sent, failed: producer.failed }, { sent: 3, failed: 0 });
      assert.ok(producer.producerId >= 0, 'an idempotent producer id');
      assert.equal(produced, 1, 'no retry');
    } finally {
      cluster.close();
      await fake.destroy();
    }
  });
});

describe('enable.idempotence: Kafka 3.x rules', () => {
  const resolve = (props: Record<string, string>) => resolveProducerOptions(producerOptionsFromProperties(props));
  const refused = (props: Record<string, string>, message: string) =>
    assert.throws(
      () => resolve(props),
      (err: unknown) => err instanceof ProducerConfigError && err.message === message && err.code === 'INVALID_CONFIG',
    );

  test('on by default, with acks=all, and delivery.timeout.ms 120000', () => {
    const o = resolve({});
    assert.deepEqual(
      { idempotence: o.idempotence, acks: o.acks, deliveryTimeoutMs: o.deliveryTimeoutMs },
      { idempotence: true, acks: -1, deliveryTimeoutMs: 120000 },
    );
    assert.equal(
      resolve({ acks: 'all', 'enable.idempotence': 'true', retries: '3', 'max.in.flight.requests.per.connection': '5' })
        .idempotence,
      true,
    );
  });

  test('not asked for: acks 1 or 0, retries 0 or more than 5 in flight turn it off quietly', () => {
    assert.equal(resolve({ acks: '1' }).idempotence, false);
    assert.equal(resolve({ acks: '0' }).idempotence, false);
    assert.equal(resolve({ retries: '0' }).idempotence, false);
    assert.equal(resolve({ 'max.in.flight.requests.per.connection': '6' }).idempotence, false);
    assert.equal(resolve({ 'enable.idempotence': 'false' }).idempotence, false);
  });

  test("asked for explicitly: the same settings are Kafka's ConfigException", () => {
    refused(
      { 'enable.idempotence': 'true', acks: '1' },
      'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
    );
    refused(
      { 'enable.idempotence': 'true', acks: '0' },
      'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
    );
    refused(
      { 'enable.idempotence': 'true', retries: '0' },
      'Must set retries to non-zero when using the idempotent producer.',
    );
    refused(
      { 'enable.idempotence': 'TRUE', 'max.in.flight.requests.per.connection': '6' },
      'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
    );
    refused(
      { 'enable.idempotence': 'yes' },
      'Invalid value yes for configuration enable.idempotence: Expected value to be either true or false',
    );
  });

  test('delivery.timeout.ms must cover linger.ms + request.timeout.ms: an explicit value is checked, the default raised', () => {
    refused(
      { 'delivery.timeout.ms': '1000', 'linger.ms': '500', 'request.timeout.ms': '600' },
      'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    );
    assert.equal(
      resolve({ 'delivery.timeout.ms': '1100', 'linger.ms': '500', 'request.timeout.ms': '600' }).deliveryTimeoutMs,
      1100,
    );
    assert.equal(resolve({ 'linger.ms': '100000', 'request.timeout.ms': '30000' }).deliveryTimeoutMs, 130000);
  });
});
