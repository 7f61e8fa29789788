// The broker rebuilds each idempotent producer's sequence state from the log when it
// starts, so a batch re-sent across a broker restart is still recognised as a duplicate
// and a gap is still refused.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read-log.js';
import { WireClient } from '../helpers/wire.js';

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

async function produce(w: WireClient, topic: string, pid: number, seq: number, values: string[]) {
  const records = encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: v })),
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
  });
  const res = await w.request(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0] as { errorCode: number; baseOffset: bigint | number };
}

describe('producer sequence state across a broker restart', () => {
  const dirs: string[] = [];
  let broker: TestBroker | undefined;
  after(async () => {
    await broker?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const segmentBytes of ['1073741824', '4096']) {
    test(`a retried batch is a duplicate after the restart, a gap is refused (segment.bytes ${segmentBytes})`, async () => {
      const dataDir = tempDir('ktool-pidrestart-');
      dirs.push(dataDir);
      const props = { 'log.segment.bytes': segmentBytes };
      broker = await startTestBroker(props, dataDir);
      let w = await WireClient.open(broker.port);
      const created = await w.request(19, 5, {
        topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(created.topics[0].errorCode, 0);
      const init = await w.request(22, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: -1,
        producerEpoch: -1,
      });
      const pid = Number(init.producerId);
      // Five batches of ten: with small segments they span several segment files.
      const values = (from: number) => Array.from({ length: 10 }, (_, i) => `r${from + i}-${'x'.repeat(100)}`);
      for (let b = 0; b < 5; b++) assert.equal((await produce(w, 't', pid, b * 10, values(b * 10))).errorCode, 0);
      w.close();
      await broker.close();

      broker = await startTestBroker(props, dataDir);
      w = await WireClient.open(broker.port);
      // The last batch again, as a producer whose response was lost when the broker went down.
      const again = await produce(w, 't', pid, 40, values(40));
      assert.equal(again.errorCode, 0);
      assert.equal(Number(again.baseOffset), 40, 'answered with where it was written');
      const gap = await produce(w, 't', pid, 60, values(60));
      assert.equal(gap.errorCode, OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.equal((await produce(w, 't', pid, 50, values(50))).errorCode, 0);
      w.close();
      const { values: stored } = await readPartition(broker.port, 't', 0);
      assert.deepEqual(
        stored.map((v) => v.split('-')[0]),
        Array.from({ length: 60 }, (_, i) => `r${i}`),
      );
      await broker.close();
      broker = undefined;
    });
  }

  test('a producer whose last batch lies segments back (others filled them since) is still recognised', async () => {
    const dataDir = tempDir('ktool-pidrestart-');
    dirs.push(dataDir);
    const props = { 'log.segment.bytes': '4096' };
    broker = await startTestBroker(props, dataDir);
    let w = await WireClient.open(broker.port);
    await w.request(19, 5, {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const newId = async () =>
      Number(
        (
          await w.request(22, 4, {
            transactionalId: null,
            transactionTimeoutMs: 60000,
            producerId: -1,
            producerEpoch: -1,
          })
        ).producerId,
      );
    const quiet = await newId();
    const busy = await newId();
    assert.equal((await produce(w, 't', quiet, 0, ['quiet-0'])).errorCode, 0);
    // Four batches of about 4 KB: each fills a segment.
    for (let i = 0; i < 4; i++) {
      const r = await produce(
        w,
        't',
        busy,
        i * 30,
        Array.from({ length: 30 }, (_, j) => `busy-${i * 30 + j}-${'y'.repeat(100)}`),
      );
      assert.equal(r.errorCode, 0);
    }
    w.close();
    await broker.close();

    broker = await startTestBroker(props, dataDir);
    w = await WireClient.open(broker.port);
    const again = await produce(w, 't', quiet, 0, ['quiet-0']);
    assert.deepEqual(
      { errorCode: again.errorCode, baseOffset: Number(again.baseOffset) },
      { errorCode: 0, baseOffset: 0 },
    );
    w.close();
    const { values } = await readPartition(broker.port, 't', 0);
    assert.equal(values.filter((v) => v === 'quiet-0').length, 1);
    assert.equal(values.length, 121);
    await broker.close();
    broker = undefined;
  });
});
