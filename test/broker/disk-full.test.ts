// A full disk, simulated through the filesystem interface: writes fail with
// KAFKA_STORAGE_ERROR, the broker keeps serving, and nothing half-written is served.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startBroker } from '../../src/broker/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { nodeFs, type StorageFs } from '../../src/broker/storage/fs-interface.js';
import { tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

test('ENOSPC on append becomes KAFKA_STORAGE_ERROR and the log stays consistent', async () => {
  let full = false;
  const fs: StorageFs = {
    ...nodeFs,
    writeSync(fd, buffer, offset, length, position) {
      // Half the bytes land, then the disk is full: the torn tail must be cut back.
      if (full && length > 61) {
        nodeFs.writeSync(fd, buffer, offset, Math.floor(length / 2), position);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return nodeFs.writeSync(fd, buffer, offset, length, position);
    },
  };
  const dir = tempDir();
  const b = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, fs });
  const w = await WireClient.open(b.port);
  try {
    await w.request(19, 5, {
      topics: [{ name: 'full', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const produce = (v: string) =>
      w.request(0, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 'full',
            partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: v }] }) }],
          },
        ],
      });
    assert.equal((await produce('before')).responses[0].partitionResponses[0].errorCode, 0);
    full = true;
    const failed = (await produce('lost')).responses[0].partitionResponses[0];
    assert.equal(failed.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    full = false;
    assert.equal((await produce('after')).responses[0].partitionResponses[0].errorCode, 0);
    const f = await w.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'full',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const values = decodeRecords(f.responses[0].partitions[0].records).map((r) => r.value!.toString());
    assert.deepEqual(values, ['before', 'after']);
  } finally {
    w.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
