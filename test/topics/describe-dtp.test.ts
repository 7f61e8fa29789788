// --describe against a broker with DescribeTopicPartitions (paged) and
// ListPartitionReassignments, as Kafka 3.9 brokers have: a scripted fake
// three-broker cluster.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { describeTopics } from '../../src/ops/topics.js';
import { renderDescribe } from '../../src/views/topics.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { answer, apiVersionsBody, recordRequests } from '../helpers/controls.js';
import { runCli } from '../cli/helpers.js';

const ID = 'kQ2Ak9aBQ9y5vW9kQ2Ak9Q';

describe('describe with DescribeTopicPartitions', () => {
  let fake: TestBroker;
  let seen: ReturnType<typeof recordRequests>;
  before(async () => {
    const partitions = [0, 1, 2].map((i) => ({
      errorCode: 0,
      partitionIndex: i,
      leaderId: i === 2 ? -1 : i + 1,
      leaderEpoch: 3,
      replicaNodes: [1, 2, 3],
      isrNodes: i === 2 ? [] : [1, 2, 3],
      eligibleLeaderReplicas: i === 2 ? [2, 3] : [],
      lastKnownElr: i === 2 ? [1] : [],
      offlineReplicas: [],
    }));
    // The real broker, scripted as a three-broker cluster that has DescribeTopicPartitions.
    fake = await startTestBroker();
    fake.apis.advertiseVirtual({ apiKey: 75, minVersion: 0, maxVersion: 0 });
    seen = recordRequests(fake, [75]);
    answer(fake, 18, () =>
      apiVersionsBody([
        [18, 0, 4],
        [3, 0, 12],
        [32, 0, 4],
        [46, 0, 0],
        [60, 0, 1],
        [75, 0, 0],
      ]),
    );
    answer(fake, 3, (req) => ({
      brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: '127.0.0.1', port: fake.port, rack: null })),
      clusterId: 'fake',
      controllerId: 1,
      topics:
        req.body.topics === null
          ? [
              {
                errorCode: 0,
                name: 'events',
                topicId: ID,
                isInternal: false,
                partitions: [],
                topicAuthorizedOperations: -2147483648,
              },
            ]
          : [],
    }));
    // Two pages: one partition per response.
    answer(fake, 75, (req) => {
      const start = req.body.cursor === null ? 0 : req.body.cursor.partitionIndex;
      const page = partitions.slice(start, start + 1);
      const next = start + 1 < partitions.length ? { topicName: 'events', partitionIndex: start + 1 } : null;
      return {
        throttleTimeMs: 0,
        topics: [
          {
            errorCode: 0,
            name: 'events',
            topicId: ID,
            isInternal: false,
            partitions: page,
            topicAuthorizedOperations: -2147483648,
          },
        ],
        nextCursor: next,
      };
    });
    answer(fake, 32, (req) => ({
      throttleTimeMs: 0,
      results: req.body.resources.map((r: { resourceName: string }) => ({
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: r.resourceName,
        configs: [
          {
            name: 'min.insync.replicas',
            value: '2',
            readOnly: false,
            configSource: 1,
            isSensitive: false,
            synonyms: [],
          },
          {
            name: 'segment.bytes',
            value: '1073741824',
            readOnly: false,
            configSource: 4,
            isSensitive: false,
            synonyms: [],
          },
          {
            name: 'retention.ms',
            value: '604800000',
            readOnly: false,
            configSource: 5,
            isSensitive: false,
            synonyms: [],
          },
        ],
      })),
    }));
    answer(fake, 46, () => ({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          name: 'events',
          partitions: [{ partitionIndex: 1, replicas: [1, 2, 3, 4], addingReplicas: [4], removingReplicas: [3] }],
        },
      ],
    }));
  });
  after(async () => {
    await fake?.destroy();
  });

  test('pages through DescribeTopicPartitions and prints ELRs and reassignments like Kafka 3.9', async () => {
    const client = await ClusterClient.connect({ bootstrap: [fake.bootstrap] });
    try {
      const data = await describeTopics(client, { topic: 'events', partitionSizeLimit: 1 });
      assert.equal(
        renderDescribe(data),
        `Topic: events\tTopicId: ${ID}\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,segment.bytes=1073741824\n` +
          '\tTopic: events\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tElr: \tLastKnownElr: \n' +
          '\tTopic: events\tPartition: 1\tLeader: 2\tReplicas: 1,2,3\tIsr: 1,2,3\tAdding Replicas: 4\tRemoving Replicas: 3\tElr: \tLastKnownElr: \n' +
          '\tTopic: events\tPartition: 2\tLeader: none\tReplicas: 1,2,3\tIsr: \tElr: 2,3\tLastKnownElr: 1\n',
      );
      const dtp = seen.filter((r) => r.apiKey === 75);
      assert.equal(dtp.length, 3);
      assert.deepEqual(
        dtp.map((r) => r.body.responsePartitionLimit),
        [1, 1, 1],
      );
    } finally {
      client.close();
    }
  });

  test('through the CLI, with --partition-size-limit-per-response and a report filter', async () => {
    const r = await runCli(
      [
        'topics',
        '--describe',
        '--topic',
        'events',
        '--unavailable-partitions',
        '--partition-size-limit-per-response',
        '2',
        '--bootstrap-server',
        fake.bootstrap,
      ],
      { env: { KAFKA_BOOTSTRAP_SERVERS: undefined, XDG_CONFIG_HOME: '/nonexistent-ktool-config' } },
    );
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      '\tTopic: events\tPartition: 2\tLeader: none\tReplicas: 1,2,3\tIsr: \tElr: 2,3\tLastKnownElr: 1\n',
    );
  });
});
