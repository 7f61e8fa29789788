// Pure rendering of kafka-topics.sh output, including cases the dev broker
// cannot produce (several brokers, ELRs, reassignments, leaderless partitions).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigEntryData, DescribeTopicsData, PartitionData, TopicDescriptionData } from '../../src/ops/topics.js';
import { parseReplicaAssignment, parseTopicConfigs, selectTopics, topicFilter } from '../../src/ops/topics.js';
import { javaHashMapOrder, javaResultMapOrder, javaStringHash } from '../../src/protocol/java-compat.js';
import { describeJson, renderConfigs, renderDescribe, renderTopicList } from '../../src/views/topics.js';

const cfg = (name: string, value: string, isDefault = false): ConfigEntryData => ({
  name,
  value,
  source: isDefault ? 5 : 1,
  isDefault,
  isSensitive: false,
  readOnly: false,
});

function part(partition: number, over: Partial<PartitionData> = {}): PartitionData {
  return {
    partition,
    leader: 1,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    elr: [],
    lastKnownElr: [],
    offlineReplicas: [],
    reassignment: null,
    ...over,
  };
}

function topic(
  name: string,
  partitions: PartitionData[],
  configs: ConfigEntryData[] = [cfg('min.insync.replicas', '2', true)],
): TopicDescriptionData {
  return { name, topicId: 'kQ2Ak9aBQ9y5vW9kQ2Ak9Q', isInternal: false, partitions, configs };
}

describe('Java HashMap order', () => {
  test('String.hashCode', () => {
    assert.equal(javaStringHash(''), 0);
    assert.equal(javaStringHash('hello'), 99162322);
    assert.equal(javaStringHash('Aa'), javaStringHash('BB'));
    assert.equal(javaStringHash('retention.ms'), -1339220362);
  });

  test('iteration order after resizes (default capacity, 13 keys -> 32 buckets)', () => {
    const keys = [
      'cleanup.policy',
      'compression.type',
      'delete.retention.ms',
      'file.delete.delay.ms',
      'flush.messages',
      'flush.ms',
      'index.interval.bytes',
      'max.message.bytes',
      'min.insync.replicas',
      'retention.bytes',
      'retention.ms',
      'segment.bytes',
      'segment.ms',
    ];
    assert.deepEqual(
      javaHashMapOrder(keys, (k) => k),
      [
        'compression.type',
        'file.delete.delay.ms',
        'max.message.bytes',
        'min.insync.replicas',
        'index.interval.bytes',
        'delete.retention.ms',
        'retention.bytes',
        'cleanup.policy',
        'flush.ms',
        'retention.ms',
        'segment.bytes',
        'segment.ms',
        'flush.messages',
      ],
    );
  });

  test('result maps of n entries: buckets of HashMap(n), ties in insertion order', () => {
    assert.deepEqual(
      javaResultMapOrder(['alpha', 'beta', 'gamma'], (k) => k),
      ['beta', 'gamma', 'alpha'],
    );
    assert.deepEqual(
      javaResultMapOrder(['zeta', 'eta', 'theta'], (k) => k),
      ['zeta', 'theta', 'eta'],
    );
    assert.deepEqual(
      javaResultMapOrder(['only'], (k) => k),
      ['only'],
    );
    assert.deepEqual(
      javaResultMapOrder([], (k: string) => k),
      [],
    );
  });

  test('colliding keys keep insertion order; duplicates keep their first place', () => {
    assert.deepEqual(
      javaHashMapOrder(['BB', 'Aa', 'BB'], (k) => k),
      ['BB', 'Aa'],
    );
    assert.deepEqual(
      javaHashMapOrder(['Aa', 'BB'], (k) => k),
      ['Aa', 'BB'],
    );
  });
});

describe('kafka-topics.sh text', () => {
  test('list: names joined by newlines, always one trailing newline', () => {
    assert.equal(renderTopicList(['a', 'b']), 'a\nb\n');
    assert.equal(renderTopicList([]), '\n');
  });

  test('Configs: non-default entries only, as name=value, comma-separated', () => {
    assert.equal(
      renderConfigs([cfg('retention.ms', '1', true), cfg('cleanup.policy', 'compact')]),
      'cleanup.policy=compact',
    );
    assert.equal(renderConfigs([cfg('a', 'x', true)]), '');
    assert.equal(renderConfigs([{ ...cfg('secret', ''), value: null, isSensitive: true }]), 'secret=null');
  });

  test('ELR lists from DescribeTopicPartitions, "none" for no leader, no TopicId for the zero id', () => {
    const data: DescribeTopicsData = {
      liveBrokers: [1, 2, 3],
      topics: [
        {
          ...topic('t', [part(0), part(1, { leader: null, isr: [], elr: [2, 3], lastKnownElr: [1] })]),
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        },
      ],
    };
    assert.equal(
      renderDescribe(data),
      'Topic: t\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: \n' +
        '\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tElr: \tLastKnownElr: \n' +
        '\tTopic: t\tPartition: 1\tLeader: none\tReplicas: 1,2,3\tIsr: \tElr: 2,3\tLastKnownElr: 1\n',
    );
    assert.equal(describeJson(data).topics[0]!.topicId, null);
  });

  test('a reassignment in progress: Adding/Removing Replicas and the replication factor without the adding ones', () => {
    const moving = part(0, {
      replicas: [1, 2, 4],
      isr: [1, 2, 4],
      reassignment: { replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [3] },
    });
    const data: DescribeTopicsData = { liveBrokers: [1, 2, 3, 4], topics: [topic('r', [moving])] };
    assert.equal(
      renderDescribe(data),
      'Topic: r\tTopicId: kQ2Ak9aBQ9y5vW9kQ2Ak9Q\tPartitionCount: 1\tReplicationFactor: 2\tConfigs: \n' +
        '\tTopic: r\tPartition: 0\tLeader: 1\tReplicas: 1,2,4\tIsr: 1,2,4\tAdding Replicas: 4\tRemoving Replicas: 3\tElr: \tLastKnownElr: \n',
    );
    assert.deepEqual(describeJson(data).topics[0]!.partitions[0], {
      partition: 0,
      leader: 1,
      replicas: [1, 2, 4],
      isr: [1, 2, 4],
      elr: [],
      lastKnownElr: [],
      addingReplicas: [4],
      removingReplicas: [3],
    });
  });

  test("report filters select partitions the way Kafka's DescribeOptions does", () => {
    const data: DescribeTopicsData = {
      liveBrokers: [1, 2],
      topics: [
        topic('f', [
          part(0), // healthy
          part(1, { isr: [1, 2] }), // under-replicated, at min ISR (2)
          part(2, { leader: 3, isr: [3] }), // leader 3 is not live; under min ISR
          part(3, { leader: null, isr: [] }), // no leader
        ]),
      ],
    };
    const lines = (filter: Parameters<typeof renderDescribe>[1]) =>
      renderDescribe(data, filter)
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[2]);
    assert.deepEqual(lines({ underReplicatedPartitions: true }), ['Partition: 1', 'Partition: 2', 'Partition: 3']);
    assert.deepEqual(lines({ unavailablePartitions: true }), ['Partition: 2', 'Partition: 3']);
    assert.deepEqual(lines({ underMinIsrPartitions: true }), ['Partition: 2', 'Partition: 3']);
    assert.deepEqual(lines({ atMinIsrPartitions: true }), ['Partition: 1']);
    assert.deepEqual(lines({ underReplicatedPartitions: true, atMinIsrPartitions: true }), [
      'Partition: 1',
      'Partition: 2',
      'Partition: 3',
    ]);
    assert.equal(renderDescribe(data, { topicsWithOverrides: true }), '', 'no overrides: nothing');
    assert.deepEqual(
      describeJson(data, { unavailablePartitions: true }).topics[0]!.partitions.map((p) => p.partition),
      [2, 3],
    );
  });
});

describe('kafka-topics.sh argument parsing', () => {
  test('the --topic include-list', () => {
    assert.ok(topicFilter('a.*').test('abc'));
    assert.ok(!topicFilter('a').test('ab'), 'whole-name match');
    assert.ok(topicFilter(' a , b ').test('b'));
    assert.ok(topicFilter("'quoted'").test('quoted'));
    assert.deepEqual(selectTopics(['b', '__consumer_offsets', 'a'], undefined, true), ['a', 'b']);
    assert.deepEqual(selectTopics(['b', '__consumer_offsets', 'a'], '.*', false), ['__consumer_offsets', 'a', 'b']);
  });

  test('--replica-assignment and --config', () => {
    assert.deepEqual(parseReplicaAssignment('0:1, 1:2 ,2:0'), [
      [0, 1],
      [1, 2],
      [2, 0],
    ]);
    assert.deepEqual(parseReplicaAssignment('3'), [[3]]);
    assert.throws(() => parseReplicaAssignment('1:1:2'), /duplicate entries: 1$/);
    assert.deepEqual(parseTopicConfigs(['a=1', ' b = 2 ', 'a=3']), [
      ['a', '3'],
      ['b', '2'],
    ]);
    assert.throws(() => parseTopicConfigs(['a=1=2']), /must be in the format "key=val"/);
  });
});
