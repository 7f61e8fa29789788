// A consumer that copies what it prints gives each fetch's frame back at the next poll
// (FetcherOptions.frameBuffers): the connection reads later responses into the same
// memory, and every record still arrives intact and in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { Fetcher, type FetchedPartition } from '../../src/client/fetcher.js';
import { Producer } from '../../src/client/producer.js';
import { RecordCursor } from '../../src/protocol/record-batch.js';
import { ReusedBuffers } from '../../src/protocol/reused-buffers.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';

const COUNT = 20_000;
const valueOf = (i: number) => Buffer.from(`value-${i}-${'v'.repeat(200)}`);
let broker: TestBroker;

before(async () => {
  broker = await startTestBroker();
  const cluster = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
  try {
    const producer = new Producer(cluster, { lingerMs: 5 });
    await producer.prepare(['frames']);
    // Flushed every 100 records: batches of about 20 KB, so that a fetch answers with several.
    for (let i = 0; i < COUNT; i++) {
      producer.append({ topic: 'frames', partition: 0, key: null, value: valueOf(i) });
      if (i % 100 === 99) await producer.flush();
    }
    producer.close();
  } finally {
    cluster.close();
  }
});

after(() => broker.destroy());

/** Reads the topic to its end with fetches of at most `partitionMaxBytes`; values as copies, and each answer's memory. */
async function readAll(frameBuffers: ReusedBuffers | undefined) {
  const cluster = await ClusterClient.connect({ bootstrap: [broker.bootstrap], frameBuffers });
  try {
    const fetcher = new Fetcher(cluster, { partitionMaxBytes: 256 * 1024, frameBuffers });
    await fetcher.assign([{ topic: 'frames', partition: 0, offset: 'earliest' }]);
    const values: string[] = [];
    const memory: ArrayBufferLike[] = [];
    while (values.length < COUNT) {
      const answer: FetchedPartition[] = await fetcher.poll();
      for (const p of answer) {
        const raw = p.bodies?.();
        assert.ok(raw, 'the fetched batches are there as bytes');
        for (const { header, body } of raw.batches) {
          memory.push(body.buffer);
          const c = new RecordCursor(body, header);
          while (c.next())
            if (c.offset >= raw.from) values.push(body.toString('utf8', c.valueStart, c.valueStart + c.valueLength));
        }
      }
    }
    fetcher.stop();
    return { values, distinct: new Set(memory).size, fetches: memory.length };
  } finally {
    cluster.close();
  }
}

test('frames given back at the next poll are read into again, and no record is damaged', async () => {
  const pool = new ReusedBuffers(4);
  const reused = await readAll(pool);
  assert.equal(reused.values.length, COUNT);
  for (let i = 0; i < COUNT; i++) assert.equal(reused.values[i], valueOf(i).toString(), `record ${i}`);
  // About 17 fetches of 256 KB: one in flight while the last is read, so two or three frames go round.
  assert.ok(reused.distinct <= 4, `${reused.distinct} distinct frames`);

  const fresh = await readAll(undefined);
  assert.deepEqual(fresh.values, reused.values);
  assert.ok(fresh.distinct > 12, `without a pool each answer has its own memory (${fresh.distinct})`);
});
