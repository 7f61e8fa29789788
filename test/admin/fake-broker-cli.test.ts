// The admin tools against a scripted broker that offers few APIs: the clear
// "does not support" errors, and broker-api-versions' unknown / unusable
// entries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { answer, apiVersionsBody } from '../helpers/controls.js';
import { assertFails, runCli, type CliResult } from '../cli/helpers.js';

describe('admin tools against a broker with few APIs', () => {
  let fake: TestBroker;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    // The real broker, scripted to look like one with few APIs.
    fake = await startTestBroker();
    // Metadata 0-12, ApiVersions 0-3, Produce only at versions 20-21 (too new for a 3.9 client),
    // and a key no client knows.
    answer(fake, 18, () =>
      apiVersionsBody([
        [0, 20, 21],
        [2, 0, 9],
        [3, 0, 12],
        [18, 0, 3],
        [999, 0, 1],
      ]),
    );
    answer(fake, 3, () => ({
      throttleTimeMs: 0,
      brokers: [{ nodeId: 7, host: '127.0.0.1', port: fake.port, rack: 'r1' }],
      clusterId: 'fake-cluster',
      controllerId: 7,
      // Partition 0 has no leader.
      topics: [
        {
          errorCode: 0,
          name: 'orphans',
          isInternal: false,
          partitions: [0, 1].map((partitionIndex) => ({
            errorCode: 0,
            partitionIndex,
            leaderId: partitionIndex === 0 ? -1 : 7,
            leaderEpoch: 0,
            replicaNodes: [7],
            isrNodes: [7],
            offlineReplicas: [],
          })),
        },
      ],
    }));
    answer(fake, 2, (req) => ({
      throttleTimeMs: 0,
      topics: req.body.topics.map((t: { name: string; partitions: Array<{ partitionIndex: number }> }) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: 0,
          timestamp: -1,
          offset: 42,
          leaderEpoch: 0,
        })),
      })),
    }));
  });
  after(async () => {
    await fake?.destroy();
  });

  const k = (...args: string[]): Promise<CliResult> => runCli([...args, '--bootstrap-server', fake.bootstrap], { env });
  const fails = assertFails;

  test('configs for users: the missing SCRAM APIs are named', async () => {
    fails(
      await k('configs', '--describe', '--entity-type', 'users'),
      'The broker does not support the DescribeUserScramCredentials API (key 50), needed to describe SCRAM credentials.\n',
    );
    fails(
      await k('configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[password=alice-secret-x]'),
      'The broker does not support the AlterUserScramCredentials API (key 51), needed to alter SCRAM credentials.\n',
    );
  });

  test('broker-api-versions: unknown keys, unusable ranges, the rack', async () => {
    const r = await k('broker-api-versions');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `127.0.0.1:${fake.port} (id: 7 rack: r1) -> (`);
    assert.equal(lines[1], '\tProduce(0): 20 to 21 [unusable: node too new],');
    assert.equal(lines[2], '\tFetch(1): UNSUPPORTED,');
    assert.ok(lines.includes('\tMetadata(3): 0 to 12 [usable: 12],'));
    assert.ok(lines.includes('\tListOffsets(2): 0 to 9 [usable: 9],'));
    assert.equal(lines.at(-3), '\tUNKNOWN(999): 0 to 1');
    assert.equal(lines.at(-2), ')');
  });

  test("get-offsets: a partition without a leader is skipped with Kafka's stderr line", async () => {
    const r = await k('get-offsets', '--topic', 'orphans');
    assert.equal(r.stdout, 'orphans:1:42\n');
    assert.equal(
      r.stderr,
      'Skip getting offsets for topic-partition orphans-0 due to error: org.apache.kafka.common.errors.LeaderNotAvailableException: Partition has no leader right now\n',
    );
    assert.equal(r.code, 0);
    const j = await k('get-offsets', '--topic', 'orphans', '--json');
    assert.deepEqual(JSON.parse(j.stdout), {
      offsets: [{ topic: 'orphans', partition: 1, offset: 42, timestamp: null }],
      errors: [
        {
          topic: 'orphans',
          partition: 0,
          code: 'LEADER_NOT_AVAILABLE',
          error: 'org.apache.kafka.common.errors.LeaderNotAvailableException: Partition has no leader right now',
        },
      ],
    });
  });

  test('cluster cluster-id falls back to Metadata without DescribeCluster', async () => {
    const r = await k('cluster', 'cluster-id');
    assert.equal(r.stdout, 'Cluster ID: fake-cluster\n');
    assert.equal(r.code, 0);
  });
});
