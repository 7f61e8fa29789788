// Connection limits, idle connections and graceful shutdown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { startTestBroker, tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));

describe('broker limits', () => {
  test('max.connections and max.connections.per.ip refuse extra connections', async () => {
    const b = await startTestBroker({ 'max.connections.per.ip': '2' });
    try {
      const a = await WireClient.open(b.port);
      const c = await WireClient.open(b.port);
      assert.equal((await a.request(18, 0, {})).errorCode, 0);
      const third = await WireClient.open(b.port);
      await third.waitClosed();
      assert.equal((await c.request(18, 0, {})).errorCode, 0, 'existing connections are unaffected');
      a.close();
      await new Promise((r) => setTimeout(r, 100));
      const again = await WireClient.open(b.port);
      assert.equal((await again.request(18, 0, {})).errorCode, 0, 'a freed slot can be used');
      again.close();
      c.close();
    } finally {
      await b.destroy();
    }
  });

  test('connections.max.idle.ms closes idle connections', async () => {
    const b = await startTestBroker({ 'connections.max.idle.ms': '300' });
    try {
      const idle = await WireClient.open(b.port);
      assert.equal((await idle.request(18, 0, {})).errorCode, 0);
      await idle.waitClosed(5000);
    } finally {
      await b.destroy();
    }
  });

  test('socket.request.max.bytes is enforced before buffering', async () => {
    const b = await startTestBroker({ 'socket.request.max.bytes': '1000' });
    try {
      const w = await WireClient.open(b.port);
      await assert.rejects(
        w.request(0, 9, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(2000) }] }],
        }),
        /connection closed/,
      );
    } finally {
      await b.destroy();
    }
  });

  test('SIGTERM answers requests in flight, flushes and exits 0', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const port = await new Promise<number>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on [^:\s]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
    });
    const w = await WireClient.open(port);
    await w.request(19, 5, {
      topics: [{ name: 'term', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const produced = await w.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'term',
          partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: 'kept' }] }) }],
        },
      ],
    });
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0);
    const poller = await WireClient.open(port);
    const longPoll = poller.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 30_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'term',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 1, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const started = Date.now();
    child.kill('SIGTERM');
    const answer = await longPoll;
    assert.equal(answer.responses[0].partitions[0].highWatermark, 1, 'the parked fetch was answered');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - started < 10_000);
    // The data is there after a restart.
    const again = await import('../helpers/broker.js').then((m) => m.startTestBroker({}, dir));
    assert.equal(again.broker.topic('term')!.partitions[0].log.logEndOffset, 1);
    await again.destroy();
  });
});
