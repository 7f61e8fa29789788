// CreateTopics at the active controller: validated, replicas striped across the unfenced brokers, and
// TopicRecord/ConfigRecord/PartitionRecord committed as one batch that every voter applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TopicControl } from '../../../src/broker/raft/topic-control.js';
import { BrokerRegistry } from '../../../src/broker/raft/broker-registry.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/protocol/log-records.js';
import { SimCluster } from './sim.js';

const register = (brokerId: number, fenced = false) =>
  encodeMetadataRecord('RegisterBrokerRecord', 0, {
    brokerId,
    incarnationId: 'AAAAAAAAAAAAAAAAAAAAAw',
    brokerEpoch: brokerId,
    endPoints: [],
    features: [],
    rack: null,
    fenced,
  });
const topic = (name: string, numPartitions: number, replicationFactor: number, extra: object = {}) => ({
  name,
  numPartitions,
  replicationFactor,
  assignments: [],
  configs: [],
  ...extra,
});

async function run<T>(c: SimCluster, p: Promise<T>): Promise<T> {
  let out: T | undefined;
  void p.then((v) => (out = v));
  for (let i = 0; i < 100 && out === undefined; i++) await c.clock.advance(50);
  assert.ok(out !== undefined, 'answered');
  return out;
}

describe('CreateTopics through the controller quorum', () => {
  test("RF 3 over three brokers: striped replicas, leaders spread, one atomic batch on every voter; Kafka's refusals", async () => {
    const c = new SimCluster([1, 2, 3], 3);
    c.start();
    const leader = await c.awaitLeader();
    await run(c, leader.append([register(1), register(2), register(3), register(4, true)]));
    const image = c.members.get(leader.nodeId)!.image;
    let ids = 0;
    const control = new TopicControl({
      raft: leader,
      image,
      clock: c.clock,
      random: () => 0.7,
      newTopicId: () => `AAAAAAAAAAAAAAAAAAAA${'BCDEFGHI'[ids++]}A`,
    });
    const res = (await run(
      c,
      control.handleCreateTopics({
        topics: [topic('my-kafka-topic', 3, 3, { configs: [{ name: 'retention.ms', value: '1000' }] })],
        validateOnly: false,
      }),
    )) as any;
    assert.deepEqual(
      res.topics.map((t: any) => [t.name, t.errorCode, t.numPartitions, t.replicationFactor, t.topicId]),
      [['my-kafka-topic', 0, 3, 3, 'AAAAAAAAAAAAAAAAAAAABA']],
    );
    await c.clock.advance(500);
    for (const m of c.members.values()) {
      const t = m.image.topics.get('my-kafka-topic')!;
      assert.ok(t, `voter ${m.node.nodeId} has the topic`);
      // The tutorial's layout: each partition starts one broker further; the fenced broker 4 gets nothing.
      assert.deepEqual(
        [...t.partitions].map(([p, v]) => [p, v.replicas, v.isr, v.leader]),
        [
          [0, [3, 1, 2], [3, 1, 2], 3],
          [1, [1, 2, 3], [1, 2, 3], 1],
          [2, [2, 3, 1], [2, 3, 1], 2],
        ],
      );
      assert.equal(t.configs.get('retention.ms'), '1000');
    }
    const batch = c.members
      .get(leader.nodeId)!
      .committed.filter((b) => !b.isControl)
      .at(-1)!;
    assert.deepEqual(
      batch.values.map((v) => decodeMetadataRecord(v).name),
      ['TopicRecord', 'ConfigRecord', 'PartitionRecord', 'PartitionRecord', 'PartitionRecord'],
    );

    const refused = (await run(
      c,
      control.handleCreateTopics({
        topics: [
          topic('my-kafka-topic', 1, 1),
          topic('rf-four', 1, 4),
          topic('zero', 0, 1),
          topic('bad name', 1, 1),
          topic('bad-config', 1, 1, { configs: [{ name: 'cleanup.policy', value: 'shred' }] }),
        ],
      }),
    )) as any;
    assert.deepEqual(
      refused.topics.map((t: any) => [t.name, t.errorCode, t.errorMessage]),
      [
        ['my-kafka-topic', ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'my-kafka-topic' already exists."],
        [
          'rf-four',
          ErrorCode.INVALID_REPLICATION_FACTOR,
          'Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.',
        ],
        ['zero', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
        [
          'bad name',
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          "Topic name \"bad name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
        ],
        [
          'bad-config',
          ErrorCode.INVALID_CONFIG,
          'Invalid value shred for configuration cleanup.policy: String must be one of: delete, compact',
        ],
      ],
    );
    // validateOnly checks without writing.
    const dry = (await run(c, control.handleCreateTopics({ topics: [topic('dry', 2, 2)], validateOnly: true }))) as any;
    assert.equal(dry.topics[0].errorCode, 0);
    await c.clock.advance(300);
    assert.equal(image.topics.has('dry'), false);
    // A manual assignment is taken as given.
    const manual = (await run(
      c,
      control.handleCreateTopics({
        topics: [topic('manual', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [2, 1] }] })],
      }),
    )) as any;
    assert.equal(manual.topics[0].errorCode, 0);
    assert.deepEqual(image.topics.get('manual')!.partitions.get(0)!.replicas, [2, 1]);
    // '.' and '_' collide in metric names.
    assert.equal(
      ((await run(c, control.handleCreateTopics({ topics: [topic('a.b', 1, 1)] }))) as any).topics[0].errorCode,
      0,
    );
    const clash = (await run(c, control.handleCreateTopics({ topics: [topic('a_b', 1, 1)] }))) as any;
    assert.deepEqual(
      [clash.topics[0].errorCode, clash.topics[0].errorMessage],
      [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"],
    );
    // DeleteTopics by name or id: RemoveTopicRecord on every voter; unknown names and ids get Kafka's errors.
    const id = image.topics.get('manual')!.topicId;
    const del = (await run(
      c,
      control.handleDeleteTopics({
        topics: [
          { name: 'a.b' },
          { name: null, topicId: id },
          { name: 'nope' },
          { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' },
        ],
        timeoutMs: 1000,
      }),
    )) as any;
    assert.deepEqual(
      del.responses.map((x: any) => [x.name, x.errorCode]),
      [
        ['a.b', 0],
        ['manual', 0],
        ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ],
    );
    await c.clock.advance(300);
    for (const m of c.members.values())
      assert.deepEqual([...m.image.topics.keys()].sort(), ['my-kafka-topic'], `voter ${m.node.nodeId}`);
    // Only the active controller creates topics.
    const follower = c.alive().find((n) => n !== leader)!;
    const other = new TopicControl({ raft: follower, image: c.members.get(follower.nodeId)!.image, clock: c.clock });
    assert.equal(
      ((await run(c, other.handleCreateTopics({ topics: [topic('x', 1, 1)] }))) as any).topics[0].errorCode,
      ErrorCode.NOT_CONTROLLER,
    );
  });

  test('without a majority a topic is never created', async () => {
    const c = new SimCluster([1, 2, 3], 5);
    c.start();
    const leader = await c.awaitLeader();
    await run(c, leader.append([register(1)]));
    const control = new TopicControl({
      raft: leader,
      image: c.members.get(leader.nodeId)!.image,
      clock: c.clock,
      writeTimeoutMs: 2000,
    });
    for (const n of c.alive()) if (n !== leader) c.crash(n.nodeId);
    const res = (await run(c, control.handleCreateTopics({ topics: [topic('lonely', 1, 1)] }))) as any;
    assert.ok([ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_CONTROLLER].includes(res.topics[0].errorCode));
    assert.equal(c.members.get(leader.nodeId)!.image.topics.has('lonely'), false);
  });

  test('fencing moves leaderships to in-sync replicas and shrinks ISRs; the last ISR member waits for its broker; AlterPartition', async () => {
    const c = new SimCluster([1, 2, 3], 9);
    c.start();
    const leader = await c.awaitLeader();
    const member = c.members.get(leader.nodeId)!;
    const image = member.image;
    const registry = new BrokerRegistry({
      raft: leader,
      image,
      clusterId: c.clusterId,
      sessionTimeoutMs: 3000,
      clock: c.clock,
    });
    const control = new TopicControl({ raft: leader, image, clock: c.clock, random: () => 0 });
    const epochs = new Map<number, number>();
    for (const id of [1, 2, 3]) {
      const r = (await run(
        c,
        registry.handleRegistration({
          brokerId: id,
          clusterId: c.clusterId,
          incarnationId: `AAAAAAAAAAAAAAAAAAAAA${id}`.slice(0, 22),
          listeners: [],
          features: [],
          rack: null,
        }),
      )) as any;
      epochs.set(id, r.brokerEpoch);
    }
    const beat = (id: number) =>
      run(
        c,
        registry.handleHeartbeat({
          brokerId: id,
          brokerEpoch: epochs.get(id),
          currentMetadataOffset: 1e9,
          wantFence: false,
          wantShutDown: false,
        }),
      );
    for (const id of [1, 2, 3]) await beat(id);
    await run(
      c,
      control.handleCreateTopics({
        topics: [
          topic('rf3', 3, 3),
          topic('rf1', 1, 1, {
            assignments: [{ partitionIndex: 0, brokerIds: [3] }],
            numPartitions: -1,
            replicationFactor: -1,
          }),
        ],
      }),
    );
    const rf3 = () =>
      [...image.topics.get('rf3')!.partitions.values()].map((p) => ({
        leader: p.leader,
        isr: p.isr.join(','),
        leaderEpoch: p.leaderEpoch,
      }));
    assert.deepEqual(rf3(), [
      { leader: 1, isr: '1,2,3', leaderEpoch: 0 },
      { leader: 2, isr: '2,3,1', leaderEpoch: 0 },
      { leader: 3, isr: '3,1,2', leaderEpoch: 0 },
    ]);

    // Broker 3 goes silent (1 and 2 keep heartbeating): fenced, its leaderships and ISR places move.
    for (let i = 0; i < 12; i++) {
      await beat(1);
      await beat(2);
      await c.clock.advance(400);
    }
    assert.equal(image.brokers.get(3)!.fenced, true);
    assert.deepEqual(rf3(), [
      { leader: 1, isr: '1,2', leaderEpoch: 0 },
      { leader: 2, isr: '2,1', leaderEpoch: 0 },
      { leader: 1, isr: '1,2', leaderEpoch: 1 },
    ]);
    const rf1 = image.topics.get('rf1')!.partitions.get(0)!;
    assert.deepEqual(
      [rf1.leader, rf1.isr],
      [-1, [3]],
      'no unclean election: the last in-sync replica keeps its place and the partition waits',
    );
    for (const m of c.members.values())
      assert.deepEqual(m.image.topics.get('rf3')!.partitions.get(2)!.leader, 1, `voter ${m.node.nodeId} agrees`);

    // Broker 3 comes back: unfenced, it leads the partition that waited for it.
    await beat(3);
    await c.clock.advance(300);
    assert.deepEqual([rf1.leader, rf1.leaderEpoch], [3, 2], 'leader epoch 1 was the leaderless one');

    // AlterPartition from the leader of rf3-0 puts 3 back into its ISR.
    const p0 = image.topics.get('rf3')!.partitions.get(0)!;
    const alter = (
      brokerId: number,
      isr: number[],
      partitionEpoch = p0.partitionEpoch,
      brokerEpoch = epochs.get(brokerId),
    ) =>
      run(
        c,
        control.handleAlterPartition({
          brokerId,
          brokerEpoch,
          topics: [
            {
              topicId: image.topics.get('rf3')!.topicId,
              partitions: [{ partitionIndex: 0, leaderEpoch: p0.leaderEpoch, newIsr: isr, partitionEpoch }],
            },
          ],
        }),
      ) as Promise<any>;
    const stale = await alter(1, [1, 2, 3], p0.partitionEpoch - 1);
    assert.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.INVALID_UPDATE_VERSION);
    assert.equal(
      (await alter(2, [1, 2, 3])).topics[0].partitions[0].errorCode,
      ErrorCode.INVALID_REQUEST,
      'only the leader alters the ISR',
    );
    assert.equal((await alter(1, [1, 2, 3], p0.partitionEpoch, 12345)).errorCode, ErrorCode.STALE_BROKER_EPOCH);
    assert.equal((await alter(1, [1, 2, 9])).topics[0].partitions[0].errorCode, ErrorCode.INELIGIBLE_REPLICA);
    const ok = await alter(1, [1, 2, 3]);
    assert.deepEqual([ok.topics[0].partitions[0].errorCode, ok.topics[0].partitions[0].isr], [0, [1, 2, 3]]);
    await c.clock.advance(300);
    assert.deepEqual(p0.isr, [1, 2, 3]);
    assert.equal(ok.topics[0].partitions[0].partitionEpoch, p0.partitionEpoch);
    registry.stop();
  });
});
