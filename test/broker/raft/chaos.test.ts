// Raft's safety under random crashes, restarts and network cuts, in simulated time: for each seed,
// at most one leader per epoch, every acknowledged append is in every voter's log once the cluster
// heals, and the committed prefixes of all voters are byte-identical.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/protocol/log-records.js';
import { seeded, SimCluster } from './sim.js';

const SEEDS = Number(process.env.KTOOL_RAFT_CHAOS_SEEDS ?? 20);

describe('KRaft quorum under chaos (deterministic)', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    // Odd seeds also snapshot often, so restarts and lagging voters go through snapshots.
    const snapshotBytes = seed % 2 === 1 ? 500 : 0;
    test(`seed ${seed}${snapshotBytes ? ' with snapshots' : ''}: one leader per epoch, acknowledged records never lost, committed logs identical`, async () => {
      const ids = [1, 2, 3];
      const c = new SimCluster(ids, seed, undefined, snapshotBytes);
      const rnd = seeded(seed * 7919);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      c.start();
      const acked = new Map<number, string>();
      const down = new Set<number>();
      let n = 0;
      for (let step = 0; step < 60; step++) {
        const r = rnd();
        if (r < 0.1 && down.size === 0) {
          const id = pick(ids);
          c.crash(id);
          down.add(id);
        } else if (r < 0.2 && down.size > 0) {
          const id = pick([...down]);
          c.restart(id);
          down.delete(id);
        } else if (r < 0.27) {
          c.cut(pick(ids), pick(ids));
        } else if (r < 0.35) {
          c.heal();
        }
        for (const leader of c.leaders()) {
          const name = `r${n++}`;
          leader.append([encodeMetadataRecord('TopicRecord', 0, { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' })]).then(
            (offset) => acked.set(offset, name),
            () => {},
          );
        }
        await c.clock.advance(Math.floor(rnd() * 600));
      }
      for (const id of down) c.restart(id);
      c.heal();
      // Requests sent across a cut before the heal still time out, and a voter that missed them may
      // stand in a newer epoch: wait until leader and high watermarks hold still for 3 s.
      let leader = await c.awaitLeader(60_000);
      for (let tries = 0; ; tries++) {
        const before = `${leader.nodeId}/${leader.epoch}/${leader.highWatermark}`;
        await c.clock.advance(3000);
        leader = await c.awaitLeader(60_000);
        const stable =
          before === `${leader.nodeId}/${leader.epoch}/${leader.highWatermark}` &&
          ids.every((id) => c.node(id).highWatermark === leader.highWatermark);
        if (stable) break;
        assert.ok(tries < 20, 'the cluster settles');
      }

      const leadersByEpoch = new Map<number, Set<number>>();
      for (const line of c.logLines) {
        const m = /node (\d+) is the leader in epoch (\d+)/.exec(line);
        if (m) leadersByEpoch.set(Number(m[2]), (leadersByEpoch.get(Number(m[2])) ?? new Set()).add(Number(m[1])));
      }
      for (const [epoch, leaders] of leadersByEpoch)
        assert.equal(leaders.size, 1, `epoch ${epoch} had leaders ${[...leaders].join(',')}`);

      const hw = leader.highWatermark;
      // Compare from the newest log start: before it, logs were replaced by snapshots.
      const from = Math.max(...ids.map((id) => c.node(id).batches()[0]?.baseOffset ?? hw));
      const reference = Buffer.concat(leader.batches(from, hw).map((b) => b.bytes));
      for (const id of ids) {
        const node = c.node(id);
        assert.equal(
          node.highWatermark,
          hw,
          `node ${id} high watermark (${node.role} e${node.epoch} leo ${node.logEndOffset}; leader ${leader.nodeId} leo ${leader.logEndOffset})\n${c.logLines.slice(-40).join('\n')}`,
        );
        assert.deepEqual(
          Buffer.concat(node.batches(from, hw).map((b) => b.bytes)),
          reference,
          `node ${id} committed log`,
        );
      }
      const committedNames = new Map<number, string>();
      for (const b of c.members.get(leader.nodeId)!.committed) {
        if (!b.isControl) committedNames.set(b.lastOffset, decodeMetadataRecord(b.values[0]!).body.name as string);
      }
      for (const [offset, name] of acked) {
        assert.ok(offset < hw, `acknowledged offset ${offset} is below the high watermark ${hw}`);
        // Each voter's applied state (snapshot plus log) holds every acknowledged record.
        for (const id of ids)
          assert.ok(
            c.members.get(id)!.image.topics.has(name),
            `node ${id} has the record acknowledged at offset ${offset}`,
          );
        if (committedNames.has(offset))
          assert.equal(committedNames.get(offset), name, `the record acknowledged at offset ${offset} is still there`);
      }
      const images = ids.map((id) => [...c.members.get(id)!.image.topics.keys()].sort().join(','));
      assert.equal(new Set(images).size, 1, 'every voter applied the same records');
      if (snapshotBytes > 0)
        assert.ok(
          c.logLines.some((l) => l.includes('wrote snapshot')),
          'snapshots were taken',
        );
      assert.ok(acked.size > 0, 'some appends were acknowledged');
      assert.ok(leadersByEpoch.size >= 1);
    });
  }
});
