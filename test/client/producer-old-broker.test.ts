// A broker that does not offer InitProducerId (Kafka before 0.11): the idempotent
// producer (the default) fails at once with one line that says what to do, and with
// enable.idempotence=false the same broker takes records. The broker is the real one,
// behind a proxy that removes InitProducerId from its ApiVersions answer.
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { Producer } from '../../src/client/producer.js';
import { decodeResponseFrame, encodeResponseFrame } from '../../src/protocol/index.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read-log.js';

const API_VERSIONS = 18;
const INIT_PRODUCER_ID = 22;

/** Passes frames through, taking InitProducerId out of every ApiVersions answer. */
async function startHidingProxy(target: () => number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target(), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => {});
    }
    const versionOf = new Map<number, number>();
    let fromClient = Buffer.alloc(0);
    let fromBroker = Buffer.alloc(0);
    client.on('data', (d: Buffer) => {
      fromClient = Buffer.concat([fromClient, d]);
      while (fromClient.length >= 4 && fromClient.length >= 4 + fromClient.readInt32BE(0)) {
        const size = fromClient.readInt32BE(0);
        if (fromClient.readInt16BE(4) === API_VERSIONS)
          versionOf.set(fromClient.readInt32BE(8), fromClient.readInt16BE(6));
        upstream.write(fromClient.subarray(0, 4 + size));
        fromClient = fromClient.subarray(4 + size);
      }
    });
    upstream.on('data', (d: Buffer) => {
      fromBroker = Buffer.concat([fromBroker, d]);
      while (fromBroker.length >= 4 && fromBroker.length >= 4 + fromBroker.readInt32BE(0)) {
        const size = fromBroker.readInt32BE(0);
        const version = versionOf.get(fromBroker.readInt32BE(4));
        if (version === undefined) {
          client.write(fromBroker.subarray(0, 4 + size));
        } else {
          const { correlationId, body } = decodeResponseFrame(API_VERSIONS, version, fromBroker.subarray(4, 4 + size));
          body.apiKeys = body.apiKeys.filter((k: { apiKey: number }) => k.apiKey !== INIT_PRODUCER_ID);
          for (const chunk of encodeResponseFrame(API_VERSIONS, version, correlationId, body)) client.write(chunk);
        }
        fromBroker = fromBroker.subarray(4 + size);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a broker without InitProducerId', () => {
  let broker: TestBroker;
  let proxy: { port: number; close(): Promise<void> };
  before(async () => {
    proxy = await startHidingProxy(() => broker.port);
    broker = await startTestBroker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
  });
  after(async () => {
    await proxy?.close();
    await broker?.destroy();
  });

  async function produceThree(idempotence?: boolean): Promise<Producer> {
    const cluster = await ClusterClient.connect({ bootstrap: [`127.0.0.1:${proxy.port}`] });
    try {
      const producer = new Producer(cluster, { lingerMs: 0, idempotence });
      await producer.prepare(['old']);
      for (let i = 0; i < 3; i++)
        producer.append({ topic: 'old', partition: 0, key: null, value: Buffer.from(`v${i}`), seq: i });
      await producer.flush();
      producer.close();
      return producer;
    } finally {
      cluster.close();
    }
  }

  test('the default producer fails in prepare() with one clear line', async () => {
    await assert.rejects(produceThree(), {
      code: 'UNSUPPORTED_VERSION',
      message: 'The broker does not support idempotent producers (InitProducerId); set enable.idempotence=false',
    });
  });

  test('with enable.idempotence=false it takes records, without a producer id', async () => {
    const producer = await produceThree(false);
    assert.deepEqual({ sent: producer.sent, failed: producer.failed }, { sent: 3, failed: 0 });
    const { values, batches } = await readPartition(broker.port, 'old', 0);
    assert.deepEqual(values, ['v0', 'v1', 'v2']);
    assert.ok(batches.every((b) => b.producerId === -1));
  });
});
