// Snapshots of the metadata log: written once enough is committed, the log before them dropped, a
// restart starts from the snapshot, and a voter that fell behind the log start catches up through
// FetchSnapshot. Deterministic, over the real codec.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { encodeMetadataRecord } from '../../../src/protocol/log-records.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  FileSnapshotStore,
  snapshotFileName,
} from '../../../src/broker/raft/snapshot.js';
import { SimCluster } from './sim.js';

const register = (brokerId: number) =>
  encodeMetadataRecord('RegisterBrokerRecord', 0, {
    brokerId,
    incarnationId: 'AAAAAAAAAAAAAAAAAAAAAw',
    brokerEpoch: brokerId,
    endPoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9000 + brokerId, securityProtocol: 0 }],
    features: [],
    rack: null,
    fenced: false,
  });

const brokerIds = (c: SimCluster, id: number) => [...c.members.get(id)!.image.brokers.keys()].sort((a, b) => a - b);

const dir = mkdtempSync(join(tmpdir(), 'ktool-snapshot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('metadata log snapshots', () => {
  test("a snapshot file is Kafka's <endOffset>-<epoch>.checkpoint: header, records, footer", () => {
    const store = new FileSnapshotStore(dir);
    const id = { endOffset: 42, epoch: 3 };
    store.write({ id, bytes: encodeSnapshot(id, [register(1), register(2)], 1) });
    store.write({
      id: { endOffset: 50, epoch: 3 },
      bytes: encodeSnapshot({ endOffset: 50, epoch: 3 }, [register(1)], 2),
    });
    assert.deepEqual(readdirSync(dir), [snapshotFileName({ endOffset: 50, epoch: 3 })], 'older snapshots are removed');
    assert.equal(snapshotFileName(id), '00000000000000000042-0000000003.checkpoint');
    const latest = store.latest()!;
    assert.deepEqual(latest.id, { endOffset: 50, epoch: 3 });
    assert.equal(decodeSnapshot(latest.bytes).length, 1);
    assert.throws(() => decodeSnapshot(latest.bytes.subarray(0, latest.bytes.length - 10)), /SnapshotFooterRecord/);
  });

  test('the log is compacted behind snapshots; a lagging voter catches up by FetchSnapshot; a restart starts from the snapshot', async () => {
    const c = new SimCluster([1, 2, 3], 21, 'sim-cluster-000000000A', 400);
    c.start();
    const leader = await c.awaitLeader();
    const lagging = c.alive().find((n) => n !== leader)!.nodeId;
    c.crash(lagging);
    for (let id = 100; id < 130; id++) {
      let acked = false;
      void leader.append([register(id)]).then(() => (acked = true));
      for (let i = 0; i < 40 && !acked; i++) await c.clock.advance(50);
      assert.ok(acked, `record for broker ${id} committed by two of three`);
    }
    const snap = c.members.get(leader.nodeId)!.snapshots.latest();
    assert.ok(snap, 'the leader wrote a snapshot');
    assert.ok(
      leader.batches().length > 0 && leader.batches()[0]!.baseOffset === snap.id.endOffset,
      'its log starts where the snapshot ends',
    );
    assert.ok(c.logLines.some((l) => l.includes(`node ${leader.nodeId} wrote snapshot`)));

    const back = c.restart(lagging);
    for (let i = 0; i < 60 && back.highWatermark < leader.highWatermark; i++) await c.clock.advance(100);
    assert.ok(
      c.logLines.some((l) => l.includes(`node ${lagging} loaded snapshot`)),
      'the lagging voter fetched a snapshot',
    );
    const expected = Array.from({ length: 30 }, (_, i) => 100 + i);
    assert.deepEqual(brokerIds(c, lagging), expected);
    assert.equal(back.highWatermark, leader.highWatermark);

    // More records after the snapshot replicate as log again, to all three.
    void leader.append([register(200)]).catch(() => {});
    await c.clock.advance(1000);
    for (const id of [1, 2, 3]) assert.deepEqual(brokerIds(c, id), [...expected, 200], `node ${id}`);

    // A restarted leader has its state back from snapshot + log before any new commit.
    c.crash(leader.nodeId);
    const restarted = c.restart(leader.nodeId);
    assert.ok(restarted.highWatermark >= snap.id.endOffset);
    assert.ok(brokerIds(c, leader.nodeId).length >= 30, 'state from the snapshot at start');
    await c.awaitLeader();
    await c.clock.advance(1000);
    assert.deepEqual(brokerIds(c, leader.nodeId), [...expected, 200]);
  });

  test('a broker that is not a voter observes the log: it finds the leader, starts from its snapshot, follows a new leader', async () => {
    const c = new SimCluster([1, 2, 3], 8, 'sim-cluster-000000000A', 300);
    c.start();
    const leader = await c.awaitLeader();
    for (let id = 100; id < 110; id++) {
      void leader.append([register(id)]).catch(() => {});
      await c.clock.advance(100);
    }
    const observer = c.addObserver(9);
    for (let i = 0; i < 50 && observer.highWatermark < leader.highWatermark; i++) await c.clock.advance(100);
    assert.equal(observer.role, 'follower');
    assert.equal(observer.leaderId, leader.nodeId);
    assert.deepEqual(brokerIds(c, 9), brokerIds(c, leader.nodeId));
    assert.ok(
      c.logLines.some((l) => l.includes('node 9 loaded snapshot')),
      "it started from the leader's snapshot",
    );
    const observers = (leader.handleDescribeQuorum() as any).topics[0].partitions[0].observers;
    assert.deepEqual(
      observers.map((o: { replicaId: number }) => o.replicaId),
      [9],
    );

    c.crash(leader.nodeId);
    for (
      let i = 0;
      i < 100 && !(observer.role === 'follower' && observer.leaderId !== leader.nodeId && c.leaders().length === 1);
      i++
    )
      await c.clock.advance(100);
    const next = c.leaders()[0]!;
    assert.equal(observer.leaderId, next.nodeId, 'the observer found the new leader');
    void next.append([register(300)]).catch(() => {});
    await c.clock.advance(2000);
    assert.ok(brokerIds(c, 9).includes(300));
    assert.notEqual(observer.role, 'leader');
    assert.notEqual(observer.role, 'candidate');
  });
});
