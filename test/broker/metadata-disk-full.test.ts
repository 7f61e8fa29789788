// A full disk under the broker's metadata: requests that must change it (create topic, add
// partitions, alter configs) are answered with KAFKA_STORAGE_ERROR instead of a dropped
// connection, nothing half-done is left, and they work again once space returns.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startBroker } from '../../src/broker/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { nodeFs, type StorageFs } from '../../src/broker/storage/fs-interface.js';
import { tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

test('metadata writes on a full disk answer KAFKA_STORAGE_ERROR and change nothing', async () => {
  let full = false;
  const fs: StorageFs = {
    ...nodeFs,
    writeSync(fd, buffer, offset, length, position) {
      if (full) throw enospc();
      return nodeFs.writeSync(fd, buffer, offset, length, position);
    },
    writeFileSync(path, data) {
      if (full) throw enospc();
      nodeFs.writeFileSync(path, data);
    },
  };
  const dir = tempDir();
  const b = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, fs });
  const w = await WireClient.open(b.port);
  const create = (name: string) =>
    w.request(19, 5, {
      topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
  const addPartitions = () =>
    w.request(37, 1, { topics: [{ name: 'md', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false });
  const alter = () =>
    w.request(44, 1, {
      resources: [
        { resourceType: 2, resourceName: 'md', configs: [{ name: 'retention.ms', configOperation: 0, value: '1234' }] },
      ],
      validateOnly: false,
    });
  try {
    assert.equal((await create('md')).topics[0].errorCode, 0);
    full = true;
    const c = (await create('md2')).topics[0];
    assert.equal(c.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.match(c.errorMessage, /ENOSPC/);
    assert.equal((await addPartitions()).results[0].errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal((await alter()).responses[0].errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    full = false;
    const md = await w.request(3, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.deepEqual(
      md.topics.map((t: { name: string; partitions: unknown[] }) => [t.name, t.partitions.length]),
      [['md', 1]],
    );
    assert.equal((await create('md2')).topics[0].errorCode, 0);
    assert.equal((await addPartitions()).results[0].errorCode, 0);
    assert.equal((await alter()).responses[0].errorCode, 0);
  } finally {
    w.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
