// Request controls at the dispatcher: a test answers, delays or drops any request of the
// real broker, caps the versions it serves, or serves an API it has no handler for.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { runCli } from '../cli/helpers.js';

const METADATA = 3;
const LIST_OFFSETS = 2;
const API_VERSIONS = 18;

describe('request controls', () => {
  let broker: TestBroker;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    broker = await startTestBroker();
    const r = await runCli(
      ['topics', '--create', '--bootstrap-server', broker.bootstrap, '--topic', 'ctl', '--partitions', '1'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await broker?.destroy();
  });

  test('a control answers in place of the handler, and removing it restores the handler', async () => {
    const remove = broker.controls.add(LIST_OFFSETS, (req) => ({
      respond: {
        throttleTimeMs: 0,
        topics: (req.body.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>).map(
          (t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
              timestamp: -1,
              offset: 4242,
              leaderEpoch: 0,
            })),
          }),
        ),
      },
    }));
    const controlled = await runCli(['get-offsets', '--bootstrap-server', broker.bootstrap, '--topic', 'ctl'], { env });
    remove();
    const real = await runCli(['get-offsets', '--bootstrap-server', broker.bootstrap, '--topic', 'ctl'], { env });
    assert.equal(controlled.stdout, 'ctl:0:4242\n');
    assert.equal(real.stdout, 'ctl:0:0\n');
  });

  test('an injected error reaches the tool as Kafka names it', async () => {
    broker.controls.once(METADATA, () => ({
      respond: {
        throttleTimeMs: 0,
        brokers: [],
        clusterId: broker.clusterId,
        controllerId: -1,
        topics: [{ errorCode: 29, name: 'ctl', isInternal: false, partitions: [] }],
      },
    }));
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      const res = await client.send(METADATA, { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false });
      assert.equal((res.topics as Array<{ errorCode: number }>)[0]!.errorCode, 29);
      const again = await client.send(METADATA, { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false });
      assert.equal((again.topics as Array<{ errorCode: number }>)[0]!.errorCode, 0, 'a once-control acts once');
    } finally {
      client.close();
    }
  });

  test('a delay holds the request, then the handler answers', async () => {
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      broker.controls.once(METADATA, () => ({ delayMs: 400 }));
      const start = Date.now();
      const res = await client.send(METADATA, { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false });
      assert.ok(Date.now() - start >= 380, `answered after ${Date.now() - start} ms`);
      assert.equal((res.topics as Array<{ errorCode: number }>)[0]!.errorCode, 0);
    } finally {
      client.close();
    }
  });

  test('a dropped connection fails the request on that connection only', async () => {
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      broker.controls.once(METADATA, () => ({ drop: true }));
      await assert.rejects(
        client.bootstrapConnection.send(METADATA, { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false }),
      );
    } finally {
      client.close();
    }
    const r = await runCli(['topics', '--list', '--bootstrap-server', broker.bootstrap], { env });
    assert.equal(r.stdout, 'ctl\n');
  });

  test('a version cap is advertised in ApiVersions and enforced', async () => {
    broker.apis.capVersion(METADATA, 4);
    try {
      const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
      try {
        assert.deepEqual(client.bootstrapConnection.versions.get(METADATA), { minVersion: 0, maxVersion: 4 });
        const r = await client.sendVersioned(METADATA, { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false });
        assert.equal(r.version, 4);
        // Above the cap the broker answers as it does any version it does not serve: it closes the connection.
        await assert.rejects(
          client.bootstrapConnection.send(
            METADATA,
            { topics: [{ name: 'ctl' }], allowAutoTopicCreation: false },
            { version: 5 },
          ),
        );
      } finally {
        client.close();
      }
    } finally {
      broker.apis.capVersion(METADATA, undefined);
    }
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      assert.ok(client.bootstrapConnection.versions.get(METADATA)!.maxVersion > 4);
    } finally {
      client.close();
    }
  });

  test('an API the broker lacks can be advertised and answered by a control', async () => {
    const DESCRIBE_TOPIC_PARTITIONS = 75;
    broker.apis.advertiseVirtual({ apiKey: DESCRIBE_TOPIC_PARTITIONS, minVersion: 0, maxVersion: 0 });
    broker.controls.add(DESCRIBE_TOPIC_PARTITIONS, () => ({
      respond: { throttleTimeMs: 0, topics: [], nextCursor: null },
    }));
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      assert.deepEqual(client.bootstrapConnection.versions.get(DESCRIBE_TOPIC_PARTITIONS), {
        minVersion: 0,
        maxVersion: 0,
      });
      const res = await client.send(DESCRIBE_TOPIC_PARTITIONS, {
        topics: [{ name: 'ctl' }],
        responsePartitionLimit: 10,
        cursor: null,
      });
      assert.deepEqual(res.topics, []);
      assert.ok(client.bootstrapConnection.versions.has(API_VERSIONS));
    } finally {
      client.close();
      broker.controls.clear();
    }
  });
});
