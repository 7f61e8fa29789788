// The KRaft quorum driven deterministically: a fake clock, seeded election timeouts and a network that
// carries every Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch and DescribeQuorum through the real codec.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/protocol/log-records.js';
import { decodeData } from '../../../src/protocol/codec.js';
import { decodeBatches } from '../../../src/protocol/record-batch.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { RaftError, type RaftNode } from '../../../src/broker/raft/raft-node.js';
import { SimCluster } from './sim.js';

const topicRecord = (name: string) =>
  encodeMetadataRecord('TopicRecord', 0, { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' });

/** The names of the committed TopicRecords a member has applied, in order. */
function appliedTopics(cluster: SimCluster, id: number): string[] {
  return cluster.members
    .get(id)!
    .committed.filter((b) => !b.isControl)
    .flatMap((b) => b.values.map((v) => decodeMetadataRecord(v).body.name as string));
}

/** Every batch of the node's log, as bytes, for byte-identical comparisons. */
const logBytes = (n: RaftNode) => Buffer.concat(n.batches().map((b) => b.bytes));

async function commit(cluster: SimCluster, leader: RaftNode, name: string): Promise<number> {
  const done = leader.append([topicRecord(name)]);
  await cluster.clock.advance(200);
  return done;
}

describe('KRaft quorum (deterministic)', () => {
  test('one voter elects itself at once and commits alone', async () => {
    const c = new SimCluster([1]);
    c.start();
    const leader = c.node(1);
    assert.equal(leader.role, 'leader');
    assert.equal(leader.epoch, 1);
    const offset = await commit(c, leader, 'solo');
    assert.equal(offset, 1); // offset 0 is the epoch's LEADER_CHANGE control record
    assert.equal(leader.highWatermark, 2);
    assert.deepEqual(appliedTopics(c, 1), ['solo']);
    // The control record's value is Kafka's LeaderChangeMessage.
    const control = decodeBatches(leader.batches(0, 1)[0]!.bytes)[0]!;
    assert.equal(control.header.isControl, true);
    assert.equal(control.records[0]!.key!.readInt16BE(2), 2);
    const change = decodeData('LeaderChangeMessage', 0, control.records[0]!.value!);
    assert.equal(change.leaderId, 1);
    assert.deepEqual(
      change.voters.map((v: { voterId: number }) => v.voterId),
      [1],
    );
    assert.deepEqual(
      change.grantingVoters.map((v: { voterId: number }) => v.voterId),
      [1],
    );
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    test(`three voters elect one leader; followers replicate and apply what it commits (seed ${seed})`, async () => {
      const c = new SimCluster([1, 2, 3], seed);
      c.start();
      const leader = await c.awaitLeader();
      assert.equal(c.leaders().length, 1);
      await commit(c, leader, 'a');
      await commit(c, leader, 'b');
      await c.clock.advance(1000);
      for (const id of [1, 2, 3]) {
        assert.deepEqual(appliedTopics(c, id), ['a', 'b'], `node ${id}`);
        assert.equal(c.node(id).highWatermark, leader.logEndOffset, `node ${id} high watermark`);
        assert.deepEqual(logBytes(c.node(id)), logBytes(leader), `node ${id} log is byte-identical`);
      }
    });
  }

  test('losing the leader: a new leader in a higher epoch keeps every committed record and commits with two of three', async () => {
    const c = new SimCluster([1, 2, 3], 7);
    c.start();
    const first = await c.awaitLeader();
    await commit(c, first, 'before');
    await c.clock.advance(500);
    c.crash(first.nodeId);
    const second = await c.awaitLeader();
    assert.notEqual(second.nodeId, first.nodeId);
    assert.ok(second.epoch > first.epoch, 'the new leader is in a newer epoch');
    await commit(c, second, 'after');
    await c.clock.advance(500);
    for (const n of c.alive()) assert.deepEqual(appliedTopics(c, n.nodeId), ['before', 'after']);
    // The old leader comes back as a follower and catches up.
    c.restart(first.nodeId);
    await c.clock.advance(3000);
    const back = c.node(first.nodeId);
    assert.equal(back.role, 'follower');
    assert.equal(back.leaderId, second.nodeId);
    assert.deepEqual(logBytes(back), logBytes(second));
    assert.deepEqual(appliedTopics(c, first.nodeId), ['before', 'after']);
  });

  test('without a majority nothing commits: the leader resigns and refuses appends; a returning voter restores the quorum', async () => {
    const c = new SimCluster([1, 2, 3], 11);
    c.start();
    const leader = await c.awaitLeader();
    await commit(c, leader, 'committed');
    const others = [1, 2, 3].filter((id) => id !== leader.nodeId);
    c.crash(others[0]!);
    c.crash(others[1]!);
    const stuck = leader.append([topicRecord('lost')]);
    let settled: unknown = 'pending';
    stuck.then(
      (v) => (settled = v),
      (e) => (settled = e),
    );
    await c.clock.advance(2000);
    assert.equal(settled, 'pending', 'an append is not acknowledged by a minority');
    await c.clock.advance(2000);
    assert.ok(settled instanceof RaftError && settled.error === 'NOT_LEADER_OR_FOLLOWER', `${String(settled)}`);
    assert.notEqual(leader.role, 'leader', 'a leader cut off from a majority steps down');
    await assert.rejects(
      leader.append([topicRecord('refused')]),
      (e: unknown) => e instanceof RaftError && e.error === 'NOT_LEADER_OR_FOLLOWER',
    );
    // No election can be won alone, however long it tries.
    await c.clock.advance(10_000);
    assert.equal(c.leaders().length, 0);
    assert.ok(leader.highWatermark <= leader.logEndOffset);
    c.restart(others[0]!);
    const next = await c.awaitLeader();
    await commit(c, next, 'again');
    await c.clock.advance(500);
    for (const n of c.alive())
      assert.deepEqual(
        appliedTopics(c, n.nodeId).filter((t) => t !== 'lost'),
        ['committed', 'again'],
      );
  });

  test("a deposed leader truncates its uncommitted tail to the new leader's log (diverging epoch)", async () => {
    const c = new SimCluster([1, 2, 3], 5);
    c.start();
    const old = await c.awaitLeader();
    await commit(c, old, 'shared');
    await c.clock.advance(500);
    const others = [1, 2, 3].filter((id) => id !== old.nodeId);
    for (const o of others) c.cut(old.nodeId, o);
    // Written while cut off: never reaches a majority.
    void old.append([topicRecord('orphan-1')]).catch(() => {});
    void old.append([topicRecord('orphan-2')]).catch(() => {});
    await c.clock.advance(100);
    const newLeader = (): RaftNode | undefined => c.alive().find((n) => n.role === 'leader' && n !== old);
    for (let i = 0; i < 200 && !newLeader(); i++) await c.clock.advance(50);
    const fresh = newLeader()!;
    assert.ok(fresh, 'the majority side elects a leader');
    await commit(c, fresh, 'winner');
    await c.clock.advance(500);
    assert.ok(old.logEndOffset > old.highWatermark, 'the old leader holds records nobody else has');
    c.heal();
    // The high watermark only covers what matches the leader, so this waits for the truncation and refetch.
    for (let i = 0; i < 100 && !(old.role === 'follower' && old.highWatermark === fresh.logEndOffset); i++)
      await c.clock.advance(100);
    assert.equal(old.role, 'follower');
    assert.deepEqual(logBytes(old), logBytes(fresh), 'replicas are byte-identical after truncation');
    assert.deepEqual(appliedTopics(c, old.nodeId), ['shared', 'winner']);
    assert.ok(c.logLines.some((l) => l.includes(`node ${old.nodeId} truncates its log`)));
  });

  test("epoch fencing and quorum membership are answered with Kafka's errors", async () => {
    const c = new SimCluster([1, 2, 3], 3);
    c.start();
    const leader = await c.awaitLeader();
    const follower = c.alive().find((n) => n !== leader)!;
    const part = (res: any) => res.topics[0].partitions[0];
    const begin = (epoch: number, leaderId: number, clusterId = c.clusterId) =>
      follower.handleBeginQuorumEpoch({
        clusterId,
        topics: [
          { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, leaderId, leaderEpoch: epoch }] },
        ],
      });
    assert.equal(part(begin(leader.epoch - 1, leader.nodeId)).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal(
      (begin(leader.epoch, leader.nodeId, 'another-cluster') as any).errorCode,
      ErrorCode.INCONSISTENT_CLUSTER_ID,
    );
    assert.equal(part(begin(leader.epoch + 1, 9)).errorCode, ErrorCode.INCONSISTENT_VOTER_SET);
    const fetch = (node: RaftNode, currentLeaderEpoch: number) =>
      node
        .handleFetch({
          clusterId: c.clusterId,
          replicaId: 99,
          maxWaitMs: 0,
          topics: [
            {
              topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
              partitions: [
                { partition: 0, currentLeaderEpoch, fetchOffset: 0, lastFetchedEpoch: 0, partitionMaxBytes: 1000 },
              ],
            },
          ],
        })
        .then((res: any) => res.responses[0].partitions[0]);
    // A follower does not serve the log, and names the leader it knows so the fetcher can move on.
    const atFollower = await fetch(follower, leader.epoch);
    assert.equal(atFollower.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(
      [atFollower.currentLeader.leaderId, atFollower.currentLeader.leaderEpoch],
      [leader.nodeId, leader.epoch],
    );
    assert.equal((await fetch(leader, leader.epoch - 1)).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal((await fetch(leader, leader.epoch + 1)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    const vote = (candidateEpoch: number, candidateId: number, lastOffsetEpoch: number, lastOffset: number) =>
      part(
        follower.handleVote({
          clusterId: c.clusterId,
          topics: [
            {
              topicName: '__cluster_metadata',
              partitions: [{ partitionIndex: 0, candidateEpoch, candidateId, lastOffsetEpoch, lastOffset }],
            },
          ],
        }),
      );
    assert.equal(vote(leader.epoch - 1, leader.nodeId, 0, 0).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    // A candidate whose log is behind is refused, even in a newer epoch.
    const other = [1, 2, 3].find((id) => id !== follower.nodeId)!;
    const behind = vote(leader.epoch + 1, other, 0, 0);
    assert.equal(behind.errorCode, ErrorCode.NONE);
    assert.equal(behind.voteGranted, false);
  });

  test('a vote is never given twice in one epoch, across a restart', async () => {
    const c = new SimCluster([1, 2, 3], 9);
    const n = c.node(1);
    const vote = (node: RaftNode, candidateId: number) =>
      (
        node.handleVote({
          clusterId: c.clusterId,
          topics: [
            {
              topicName: '__cluster_metadata',
              partitions: [{ partitionIndex: 0, candidateEpoch: 5, candidateId, lastOffsetEpoch: 0, lastOffset: 0 }],
            },
          ],
        }) as any
      ).topics[0].partitions[0].voteGranted;
    assert.equal(vote(n, 2), true);
    assert.equal(vote(n, 3), false);
    c.crash(1);
    const again = c.restart(1);
    assert.equal(again.epoch, 5);
    assert.equal(vote(again, 3), false, 'the persisted vote survives the restart');
    assert.equal(vote(again, 2), true, 'the same candidate may ask again');
  });

  test('following the winner keeps the vote: EndQuorumEpoch and a restart never free it for a rival in that epoch', async () => {
    const c = new SimCluster([1, 2, 3], 12);
    const topics = (p: object) => [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0, ...p }] }];
    const vote = (node: RaftNode, candidateId: number) =>
      (
        node.handleVote({
          clusterId: c.clusterId,
          topics: topics({ candidateEpoch: 5, candidateId, lastOffsetEpoch: 0, lastOffset: 0 }),
        }) as any
      ).topics[0].partitions[0].voteGranted;
    const n = c.node(1);
    assert.equal(vote(n, 2), true);
    n.handleBeginQuorumEpoch({ clusterId: c.clusterId, topics: topics({ leaderId: 2, leaderEpoch: 5 }) });
    assert.equal(n.role, 'follower');
    n.handleEndQuorumEpoch({
      clusterId: c.clusterId,
      topics: topics({ leaderId: 2, leaderEpoch: 5, preferredSuccessors: [3, 1] }),
    });
    assert.equal(vote(n, 3), false, 'a second candidate in epoch 5 is refused');
    c.crash(1);
    assert.equal(vote(c.restart(1), 3), false, 'and still refused after a restart');
  });

  test('an idle quorum is quiet: each follower holds one Fetch per max wait, not a stream of empty ones', async () => {
    const c = new SimCluster([1, 2, 3], 13);
    c.start();
    await c.awaitLeader();
    await c.clock.advance(1000);
    const before = c.sent.get(1) ?? 0;
    await c.clock.advance(10_000);
    const fetches = (c.sent.get(1) ?? 0) - before;
    // Two followers, one Fetch each per 500 ms of max wait.
    assert.ok(fetches <= 2 * (10_000 / 500) + 4, `${fetches} fetches in 10 s`);
    assert.ok(fetches >= 2 * (10_000 / 500) - 4, `${fetches} fetches in 10 s`);
  });

  test('a leader that shuts down gracefully (EndQuorumEpoch) is replaced well before any fetch timeout', async () => {
    const c = new SimCluster([1, 2, 3], 17);
    c.start();
    const old = await c.awaitLeader();
    await commit(c, old, 'x');
    await c.clock.advance(600);
    const closing = old.close();
    await c.clock.advance(10);
    c.crash(old.nodeId);
    await closing;
    let elapsed = 0;
    while (c.leaders().length === 0 && elapsed < 5000) {
      await c.clock.advance(10);
      elapsed += 10;
    }
    assert.equal(c.leaders().length, 1);
    assert.ok(elapsed < 500, `a new leader after ${elapsed} ms (the fetch timeout is 2000 ms)`);
    assert.deepEqual(appliedTopics(c, c.leaders()[0]!.nodeId), ['x']);
  });

  test("DescribeQuorum: the leader reports every voter's log end offset; a follower points elsewhere", async () => {
    const c = new SimCluster([1, 2, 3], 2);
    c.start();
    const leader = await c.awaitLeader();
    await commit(c, leader, 'x');
    await c.clock.advance(1000);
    const d = (leader.handleDescribeQuorum() as any).topics[0].partitions[0];
    assert.equal(d.leaderId, leader.nodeId);
    assert.equal(d.highWatermark, leader.logEndOffset);
    assert.deepEqual(
      d.currentVoters.map((v: any) => [v.replicaId, v.logEndOffset]).sort(),
      [1, 2, 3].map((id) => [id, leader.logEndOffset]),
    );
    const follower = c.alive().find((n) => n !== leader)!;
    assert.equal(
      (follower.handleDescribeQuorum() as any).topics[0].partitions[0].errorCode,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
  });
});
