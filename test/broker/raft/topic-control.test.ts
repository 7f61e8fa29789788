// CreateTopics at the active controller: validated, replicas striped across the unfenced brokers, and
// TopicRecord/ConfigRecord/PartitionRecord committed as one batch that every voter applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TopicControl } from '../../../src/broker/raft/topic-control.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/protocol/log-records.js';
import { SimCluster } from './sim.js';

const register = (brokerId: number, fenced = false) => encodeMetadataRecord('RegisterBrokerRecord', 0, {
  brokerId, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAw', brokerEpoch: brokerId, endPoints: [], features: [], rack: null, fenced,
});
const topic = (name: string, numPartitions: number, replicationFactor: number, extra: object = {}) => ({ name, numPartitions, replicationFactor, assignments: [], configs: [], ...extra });

async function run<T>(c: SimCluster, p: Promise<T>): Promise<T> {
  let out: T | undefined;
  void p.then((v) => (out = v));
  for (let i = 0; i < 100 && out === undefined; i++) await c.clock.advance(50);
  assert.ok(out !== undefined, 'answered');
  return out;
}

describe('CreateTopics through the controller quorum', () => {
  test('RF 3 over three brokers: striped replicas, leaders spread, one atomic batch on every voter; Kafka\'s refusals', async () => {
    const c = new SimCluster([1, 2, 3], 3);
    c.start();
    const leader = await c.awaitLeader();
    await run(c, leader.append([register(1), register(2), register(3), register(4, true)]));
    const image = c.members.get(leader.nodeId)!.image;
    const control = new TopicControl({ raft: leader, image, clock: c.clock, random: () => 0.7, newTopicId: () => 'AAAAAAAAAAAAAAAAAAAABA' });
    const res = (await run(c, control.handleCreateTopics({ topics: [topic('my-kafka-topic', 3, 3, { configs: [{ name: 'retention.ms', value: '1000' }] })], validateOnly: false }))) as any;
    assert.deepEqual(res.topics.map((t: any) => [t.name, t.errorCode, t.numPartitions, t.replicationFactor, t.topicId]), [['my-kafka-topic', 0, 3, 3, 'AAAAAAAAAAAAAAAAAAAABA']]);
    await c.clock.advance(500);
    for (const m of c.members.values()) {
      const t = m.image.topics.get('my-kafka-topic')!;
      assert.ok(t, `voter ${m.node.nodeId} has the topic`);
      // The tutorial's layout: each partition starts one broker further; the fenced broker 4 gets nothing.
      assert.deepEqual([...t.partitions].map(([p, v]) => [p, v.replicas, v.isr, v.leader]), [
        [0, [3, 1, 2], [3, 1, 2], 3], [1, [1, 2, 3], [1, 2, 3], 1], [2, [2, 3, 1], [2, 3, 1], 2],
      ]);
      assert.equal(t.configs.get('retention.ms'), '1000');
    }
    const batch = c.members.get(leader.nodeId)!.committed.filter((b) => !b.isControl).at(-1)!;
    assert.deepEqual(batch.values.map((v) => decodeMetadataRecord(v).name), ['TopicRecord', 'ConfigRecord', 'PartitionRecord', 'PartitionRecord', 'PartitionRecord']);

    const refused = (await run(c, control.handleCreateTopics({ topics: [
      topic('my-kafka-topic', 1, 1), topic('rf-four', 1, 4), topic('zero', 0, 1), topic('bad name', 1, 1),
      topic('bad-config', 1, 1, { configs: [{ name: 'cleanup.policy', value: 'shred' }] }),
    ] }))) as any;
    assert.deepEqual(refused.topics.map((t: any) => [t.name, t.errorCode, t.errorMessage]), [
      ['my-kafka-topic', ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'my-kafka-topic' already exists."],
      ['rf-four', ErrorCode.INVALID_REPLICATION_FACTOR, 'Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.'],
      ['zero', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\''],
      ['bad-config', ErrorCode.INVALID_CONFIG, 'Invalid value shred for configuration cleanup.policy: String must be one of: delete, compact'],
    ]);
    // validateOnly checks without writing.
    const dry = (await run(c, control.handleCreateTopics({ topics: [topic('dry', 2, 2)], validateOnly: true }))) as any;
    assert.equal(dry.topics[0].errorCode, 0);
    await c.clock.advance(300);
    assert.equal(image.topics.has('dry'), false);
    // A manual assignment is taken as given.
    const manual = (await run(c, control.handleCreateTopics({ topics: [topic('manual', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [2, 1] }] })] }))) as any;
    assert.equal(manual.topics[0].errorCode, 0);
    assert.deepEqual(image.topics.get('manual')!.partitions.get(0)!.replicas, [2, 1]);
    // '.' and '_' collide in metric names.
    assert.equal(((await run(c, control.handleCreateTopics({ topics: [topic('a.b', 1, 1)] }))) as any).topics[0].errorCode, 0);
    const clash = (await run(c, control.handleCreateTopics({ topics: [topic('a_b', 1, 1)] }))) as any;
    assert.deepEqual([clash.topics[0].errorCode, clash.topics[0].errorMessage], [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"]);
    // Only the active controller creates topics.
    const follower = c.alive().find((n) => n !== leader)!;
    const other = new TopicControl({ raft: follower, image: c.members.get(follower.nodeId)!.image, clock: c.clock });
    assert.equal(((await run(c, other.handleCreateTopics({ topics: [topic('x', 1, 1)] }))) as any).topics[0].errorCode, ErrorCode.NOT_CONTROLLER);
  });

  test('without a majority a topic is never created', async () => {
    const c = new SimCluster([1, 2, 3], 5);
    c.start();
    const leader = await c.awaitLeader();
    await run(c, leader.append([register(1)]));
    const control = new TopicControl({ raft: leader, image: c.members.get(leader.nodeId)!.image, clock: c.clock, writeTimeoutMs: 2000 });
    for (const n of c.alive()) if (n !== leader) c.crash(n.nodeId);
    const res = (await run(c, control.handleCreateTopics({ topics: [topic('lonely', 1, 1)] }))) as any;
    assert.ok([ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_CONTROLLER].includes(res.topics[0].errorCode));
    assert.equal(c.members.get(leader.nodeId)!.image.topics.has('lonely'), false);
  });
});
