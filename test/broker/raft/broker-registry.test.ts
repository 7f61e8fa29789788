// Broker membership through the quorum, deterministically: registration, unfencing by heartbeat,
// fencing after the session timeout, and no membership change at all without a majority.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokerRegistry } from '../../../src/broker/raft/broker-registry.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeMetadataRecord } from '../../../src/protocol/log-records.js';
import { SimCluster } from './sim.js';

const registration = (brokerId: number, incarnationId = `AAAAAAAAAAAAAAAAAAAAA${brokerId}`.slice(0, 22)) => ({
  brokerId,
  clusterId: 'sim-cluster-000000000A',
  incarnationId,
  listeners: [{ name: 'PLAINTEXT', host: 'localhost', port: 9090 + brokerId, securityProtocol: 0 }],
  features: [],
  rack: null,
});

async function settle<T>(c: SimCluster, p: Promise<T>, ms = 500): Promise<T | 'pending'> {
  let out: T | 'pending' = 'pending';
  void p.then((v) => (out = v));
  await c.clock.advance(ms);
  return out;
}

describe('broker registration through the KRaft quorum', () => {
  test('register, unfence on a caught-up heartbeat, fence after the session timeout; every voter agrees', async () => {
    const c = new SimCluster([1, 2, 3], 4);
    c.start();
    const leader = await c.awaitLeader();
    const member = c.members.get(leader.nodeId)!;
    const registry = new BrokerRegistry({
      raft: leader,
      image: member.image,
      clusterId: c.clusterId,
      sessionTimeoutMs: 3000,
      clock: c.clock,
    });
    const follower = c.alive().find((n) => n !== leader)!;
    const notActive = new BrokerRegistry({
      raft: follower,
      image: c.members.get(follower.nodeId)!.image,
      clusterId: c.clusterId,
      clock: c.clock,
    });
    assert.equal(
      ((await settle(c, notActive.handleRegistration(registration(7)))) as any).errorCode,
      ErrorCode.NOT_CONTROLLER,
    );
    assert.equal(
      ((await settle(c, registry.handleRegistration({ ...registration(7), clusterId: 'other' }))) as any).errorCode,
      ErrorCode.INCONSISTENT_CLUSTER_ID,
    );

    const reg = (await settle(c, registry.handleRegistration(registration(7)))) as any;
    assert.equal(reg.errorCode, ErrorCode.NONE);
    const epoch = reg.brokerEpoch;
    assert.equal(member.image.brokers.get(7)!.fenced, true, 'a new registration starts fenced');
    // A second process with the same id while the first is alive is refused.
    const dup = (await settle(c, registry.handleRegistration(registration(7, 'BBBBBBBBBBBBBBBBBBBBBB')))) as any;
    assert.equal(dup.errorCode, ErrorCode.DUPLICATE_BROKER_REGISTRATION);

    const behind = (await settle(
      c,
      registry.handleHeartbeat({
        brokerId: 7,
        brokerEpoch: epoch,
        currentMetadataOffset: epoch - 1,
        wantFence: false,
        wantShutDown: false,
      }),
    )) as any;
    assert.deepEqual([behind.errorCode, behind.isFenced, behind.isCaughtUp], [ErrorCode.NONE, true, false]);
    const hb = (await settle(
      c,
      registry.handleHeartbeat({
        brokerId: 7,
        brokerEpoch: epoch,
        currentMetadataOffset: epoch,
        wantFence: false,
        wantShutDown: false,
      }),
    )) as any;
    assert.deepEqual([hb.errorCode, hb.isFenced, hb.isCaughtUp], [ErrorCode.NONE, false, true]);
    assert.equal(
      (
        (await settle(
          c,
          registry.handleHeartbeat({ brokerId: 7, brokerEpoch: epoch - 1, currentMetadataOffset: epoch }),
        )) as any
      ).errorCode,
      ErrorCode.STALE_BROKER_EPOCH,
    );
    assert.equal(
      (
        (await settle(
          c,
          registry.handleHeartbeat({ brokerId: 8, brokerEpoch: 1, currentMetadataOffset: epoch }),
        )) as any
      ).errorCode,
      ErrorCode.BROKER_ID_NOT_REGISTERED,
    );
    await c.clock.advance(500);
    for (const m of c.members.values()) {
      assert.equal(m.image.brokers.get(7)?.fenced, false, `voter ${m.node.nodeId} sees broker 7 unfenced`);
      assert.deepEqual(m.image.liveBrokers('PLAINTEXT'), [{ nodeId: 7, host: 'localhost', port: 9097, rack: null }]);
    }
    // Silence: fenced once broker.session.timeout.ms passes, on every voter, by a FenceBrokerRecord.
    await c.clock.advance(5000);
    for (const m of c.members.values())
      assert.equal(m.image.brokers.get(7)?.fenced, true, `voter ${m.node.nodeId} sees broker 7 fenced`);
    const names = member.committed
      .filter((b) => !b.isControl)
      .flatMap((b) => b.values.map((v) => decodeMetadataRecord(v).name));
    assert.deepEqual(names, ['RegisterBrokerRecord', 'UnfenceBrokerRecord', 'FenceBrokerRecord']);
    // Fenced, it may register again as a new process.
    assert.equal(
      ((await settle(c, registry.handleRegistration(registration(7, 'BBBBBBBBBBBBBBBBBBBBBB')))) as any).errorCode,
      ErrorCode.NONE,
    );
    registry.stop();
    notActive.stop();
  });

  test('without a majority no registration is acknowledged', async () => {
    const c = new SimCluster([1, 2, 3], 6);
    c.start();
    const leader = await c.awaitLeader();
    const registry = new BrokerRegistry({
      raft: leader,
      image: c.members.get(leader.nodeId)!.image,
      clusterId: c.clusterId,
      clock: c.clock,
      writeTimeoutMs: 2000,
    });
    for (const n of c.alive()) if (n !== leader) c.crash(n.nodeId);
    const res = (await settle(c, registry.handleRegistration(registration(9)), 6000)) as any;
    assert.notEqual(res, 'pending');
    assert.ok(
      [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_CONTROLLER].includes(res.errorCode),
      `error ${res.errorCode}`,
    );
    assert.equal(c.members.get(leader.nodeId)!.image.brokers.size, 0, 'nothing was applied');
    // And once it has resigned, it says it is not the controller at once.
    await c.clock.advance(4000);
    assert.equal(
      ((await settle(c, registry.handleRegistration(registration(9)))) as any).errorCode,
      ErrorCode.NOT_CONTROLLER,
    );
    registry.stop();
  });
});
