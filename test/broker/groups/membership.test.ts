import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupCoordinator, JoinGroupRequest } from '../../../src/broker/groups/coordinator.js';
import type { JoinResult } from '../../../src/broker/groups/group.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { flush, joinRequest, setup, subscription, track, type Tracked } from './helpers.js';

const E = ErrorCode;

/** First join (MEMBER_ID_REQUIRED) then the real join; returns the pending second join. */
async function join(
  co: GroupCoordinator,
  groupId: string,
  over: Partial<JoinGroupRequest> = {},
): Promise<{ memberId: string; result: Tracked<JoinResult> }> {
  const first = await co.joinGroup(joinRequest(groupId, '', over));
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  return { memberId: first.memberId, result: track(co.joinGroup(joinRequest(groupId, first.memberId, over))) };
}

/** Two members through join and sync: a Stable group at generation 1. */
async function stableGroupOfTwo(s: ReturnType<typeof setup>, groupId = 'g') {
  const co = s.coordinator;
  const a = await join(co, groupId, { clientId: 'a' });
  const b = await join(co, groupId, { clientId: 'b' });
  s.clock.advance(0);
  await flush();
  assert.ok(a.result.done && b.result.done);
  const gen = a.result.value.generationId;
  const sa = track(
    co.syncGroup({
      groupId,
      generationId: gen,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: a.memberId, assignment: Buffer.from('A') },
        { memberId: b.memberId, assignment: Buffer.from('B') },
      ],
    }),
  );
  const sb = track(
    co.syncGroup({
      groupId,
      generationId: gen,
      memberId: b.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    }),
  );
  await flush();
  assert.equal(sa.value.errorCode, E.NONE);
  assert.equal(sb.value.errorCode, E.NONE);
  return { a: a.memberId, b: b.memberId, gen };
}

test('first join of a v4+ dynamic member gets MEMBER_ID_REQUIRED, then joins with that id', async () => {
  const s = setup();
  const co = s.coordinator;
  const first = await co.joinGroup(joinRequest('g', '', { clientId: 'my-client' }));
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^my-client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(first.generationId, -1);
  assert.equal(co.group('g')!.state, 'Empty');
  assert.ok(co.group('g')!.isPendingMember(first.memberId));

  const second = track(co.joinGroup(joinRequest('g', first.memberId)));
  s.clock.advance(0);
  await flush();
  assert.ok(second.done);
  const r = second.value;
  assert.equal(r.errorCode, E.NONE);
  assert.equal(r.generationId, 1);
  assert.equal(r.memberId, first.memberId);
  assert.equal(r.leader, first.memberId);
  assert.equal(r.protocolType, 'consumer');
  assert.equal(r.protocolName, 'range');
  assert.deepEqual(
    r.members.map((m) => m.memberId),
    [first.memberId],
  );
  assert.equal(co.group('g')!.state, 'CompletingRebalance');
});

test('older clients (v0-3) join in one step; unknown member ids and bad requests are refused', async () => {
  const s = setup();
  const co = s.coordinator;
  const j = track(co.joinGroup(joinRequest('g', '', { requireKnownMemberId: false })));
  s.clock.advance(0);
  await flush();
  assert.equal(j.value.errorCode, E.NONE);
  assert.equal(j.value.generationId, 1);

  assert.equal((await co.joinGroup(joinRequest('nope', 'someone'))).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal(co.group('nope'), undefined);
  assert.equal((await co.joinGroup(joinRequest('g', 'someone'))).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await co.joinGroup(joinRequest('', ''))).errorCode, E.INVALID_GROUP_ID);
  assert.equal(
    (await co.joinGroup(joinRequest('g2', '', { sessionTimeoutMs: 5999 }))).errorCode,
    E.INVALID_SESSION_TIMEOUT,
  );
  assert.equal(
    (await co.joinGroup(joinRequest('g2', '', { sessionTimeoutMs: 1800001 }))).errorCode,
    E.INVALID_SESSION_TIMEOUT,
  );
  // A member of another protocol type, or with no protocol in common.
  assert.equal(
    (await co.joinGroup(joinRequest('g', '', { protocolType: 'connect' }))).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
  );
  assert.equal(
    (await co.joinGroup(joinRequest('g', '', { protocols: [{ name: 'roundrobin', metadata: subscription(['t']) }] })))
      .errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
  );
  // An empty group needs a protocol type and at least one protocol.
  assert.equal(
    (await co.joinGroup(joinRequest('g3', '', { protocolType: '' }))).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
  );
  assert.equal((await co.joinGroup(joinRequest('g3', '', { protocols: [] }))).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
});

test("two members: the leader gets the member list, followers wait for the leader's sync", async () => {
  const s = setup();
  const co = s.coordinator;
  const a = await join(co, 'g', { clientId: 'a' });
  const b = await join(co, 'g', {
    clientId: 'b',
    protocols: [
      { name: 'roundrobin', metadata: Buffer.from('x') },
      { name: 'range', metadata: subscription(['t', 'u']) },
    ],
  });
  s.clock.advance(0);
  await flush();
  assert.ok(a.result.done && b.result.done);
  const ra = a.result.value;
  const rb = b.result.value;
  assert.equal(ra.generationId, 1);
  assert.equal(rb.generationId, 1);
  assert.equal(ra.leader, a.memberId);
  assert.equal(rb.leader, a.memberId);
  assert.equal(ra.protocolName, 'range', 'the only protocol both support');
  assert.deepEqual(
    ra.members.map((m) => m.memberId),
    [a.memberId, b.memberId],
  );
  assert.deepEqual(ra.members[1]!.metadata, subscription(['t', 'u']));
  assert.deepEqual(rb.members, []);

  // The follower syncs first and waits.
  const sb = track(
    co.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: b.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    }),
  );
  await flush();
  assert.equal(sb.done, false);
  const sa = track(
    co.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: a.memberId, assignment: Buffer.from('for-a') },
        { memberId: b.memberId, assignment: Buffer.from('for-b') },
      ],
    }),
  );
  await flush();
  assert.equal(sa.value.errorCode, E.NONE);
  assert.equal(sa.value.assignment.toString(), 'for-a');
  assert.equal(sa.value.protocolName, 'range');
  assert.equal(sb.value.errorCode, E.NONE);
  assert.equal(sb.value.assignment.toString(), 'for-b');
  assert.equal(co.group('g')!.state, 'Stable');

  // A late sync in Stable gets the stored assignment.
  const again = await co.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: b.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
  });
  assert.equal(again.assignment.toString(), 'for-b');

  const d = co.describeGroup('g');
  assert.equal(d.groupState, 'Stable');
  assert.equal(d.protocolType, 'consumer');
  assert.equal(d.protocolData, 'range');
  assert.deepEqual(
    d.members.map((m) => [m.clientId, m.clientHost, m.memberAssignment.toString()]),
    [
      ['a', '/127.0.0.1', 'for-a'],
      ['b', '/127.0.0.1', 'for-b'],
    ],
  );
  assert.deepEqual(d.members[1]!.memberMetadata, subscription(['t', 'u']));

  assert.equal(co.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null }), E.NONE);
});

test('sync errors: wrong generation, unknown member, protocol mismatch, sync during a rebalance', async () => {
  const s = setup();
  const co = s.coordinator;
  const a = await join(co, 'g');
  s.clock.advance(0);
  await flush();
  const base = {
    groupId: 'g',
    generationId: 1,
    memberId: a.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
  };
  assert.equal((await co.syncGroup({ ...base, generationId: 7 })).errorCode, E.ILLEGAL_GENERATION);
  assert.equal((await co.syncGroup({ ...base, memberId: 'x' })).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await co.syncGroup({ ...base, groupId: 'other' })).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await co.syncGroup({ ...base, protocolType: 'connect' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await co.syncGroup({ ...base, protocolName: 'roundrobin' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await co.syncGroup({ ...base, groupId: '' })).errorCode, E.INVALID_GROUP_ID);
  // The only member rejoins with new metadata: a rebalance that completes at once.
  const rejoin = await co.joinGroup(
    joinRequest('g', a.memberId, { protocols: [{ name: 'range', metadata: subscription(['u']) }] }),
  );
  assert.equal(rejoin.generationId, 2);
  assert.equal(co.group('g')!.state, 'CompletingRebalance');
  assert.equal((await co.syncGroup(base)).errorCode, E.ILLEGAL_GENERATION);
  assert.equal((await co.syncGroup({ ...base, generationId: 2 })).errorCode, E.NONE);
});

test('a third member triggers a rebalance: heartbeats say REBALANCE_IN_PROGRESS until everyone rejoins', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a, b } = await stableGroupOfTwo(s);
  const c = await join(co, 'g', { clientId: 'c' });
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }),
    E.REBALANCE_IN_PROGRESS,
  );
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }),
    E.REBALANCE_IN_PROGRESS,
  );
  assert.equal(
    (
      await co.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: b,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      })
    ).errorCode,
    E.REBALANCE_IN_PROGRESS,
  );
  // Commits from the old generation are still accepted while preparing.
  assert.deepEqual(
    co.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: a,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }],
    }),
    [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] }],
  );

  const ja = track(co.joinGroup(joinRequest('g', a)));
  await flush();
  assert.equal(ja.done, false, 'b has not rejoined yet');
  assert.equal(c.result.done, false);
  const jb = track(co.joinGroup(joinRequest('g', b)));
  await flush();
  assert.ok(ja.done && jb.done && c.result.done);
  assert.equal(ja.value.generationId, 2);
  assert.equal(ja.value.leader, a, 'the leader stays the leader');
  assert.equal(ja.value.members.length, 3);
  assert.equal(c.result.value.members.length, 0);
  assert.equal(co.group('g')!.state, 'CompletingRebalance');
  // Heartbeats are fine while the leader assigns; the old generation is now illegal.
  assert.equal(co.heartbeat({ groupId: 'g', generationId: 2, memberId: b, groupInstanceId: null }), E.NONE);
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }),
    E.ILLEGAL_GENERATION,
  );
  // Commits are refused until the group is stable again.
  assert.equal(
    co.commitOffsets({
      groupId: 'g',
      generationId: 2,
      memberId: b,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 6, committedMetadata: null }] }],
    })[0]!.partitions[0]!.errorCode,
    E.REBALANCE_IN_PROGRESS,
  );
});

test('a rebalance during CompletingRebalance answers waiting syncs with REBALANCE_IN_PROGRESS', async () => {
  const s = setup();
  const co = s.coordinator;
  await join(co, 'g');
  const b = await join(co, 'g');
  s.clock.advance(0);
  await flush();
  const sb = track(
    co.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: b.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    }),
  );
  await flush();
  assert.equal(sb.done, false);
  await join(co, 'g');
  await flush();
  assert.equal(sb.value.errorCode, E.REBALANCE_IN_PROGRESS);
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
});

test('session timeout expiry removes a silent member and rebalances the rest', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a, b } = await stableGroupOfTwo(s);
  // a keeps heartbeating, b goes silent.
  for (let i = 0; i < 2; i++) {
    s.clock.advance(4000);
    assert.equal(co.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), E.NONE);
  }
  assert.equal(co.group('g')!.has(b), true);
  s.clock.advance(2000);
  assert.equal(co.group('g')!.has(b), false, 'b expired after 10s without heartbeats');
  assert.ok(s.logs.some((l) => l.includes(b) && l.includes('failed')));
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }),
    E.UNKNOWN_MEMBER_ID,
  );
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }),
    E.REBALANCE_IN_PROGRESS,
  );
  const r = await co.joinGroup(joinRequest('g', a));
  assert.equal(r.generationId, 2);
  assert.deepEqual(
    r.members.map((m) => m.memberId),
    [a],
  );
});

test('members that do not rejoin within the rebalance timeout are dropped', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a, b } = await stableGroupOfTwo(s);
  const ja = track(co.joinGroup(joinRequest('g', a, { rebalanceTimeoutMs: 20_000 })));
  // b heartbeats (so its session lives) but never rejoins.
  for (let i = 0; i < 4; i++) {
    s.clock.advance(4000);
    assert.equal(
      co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }),
      E.REBALANCE_IN_PROGRESS,
    );
  }
  await flush();
  assert.equal(ja.done, false);
  s.clock.advance(4000);
  await flush();
  // Rebalance timeout is the largest of the members': 30s (b's) from the start.
  assert.equal(ja.done, false);
  s.clock.advance(10_000);
  await flush();
  assert.ok(ja.done);
  assert.equal(ja.value.generationId, 2);
  assert.deepEqual(
    ja.value.members.map((m) => m.memberId),
    [a],
  );
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }),
    E.UNKNOWN_MEMBER_ID,
  );
});

test('members that never send SyncGroup are removed when the sync wait expires', async () => {
  const s = setup();
  const co = s.coordinator;
  const a = await join(co, 'g');
  const b = await join(co, 'g');
  s.clock.advance(0);
  await flush();
  const sa = track(
    co.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    }),
  );
  await flush();
  assert.equal(sa.value.errorCode, E.NONE);
  assert.equal(co.group('g')!.state, 'Stable');
  // b never syncs; a heartbeats.
  for (let i = 0; i < 8; i++) {
    s.clock.advance(4000);
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null });
  }
  assert.equal(co.group('g')!.has(b.memberId), false);
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
});

test('a pending member that never comes back stops holding up the rebalance after its session timeout', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a } = await stableGroupOfTwo(s);
  const pending = await co.joinGroup(joinRequest('g', ''));
  assert.equal(pending.errorCode, E.MEMBER_ID_REQUIRED);
  const ja = track(co.joinGroup(joinRequest('g', a)));
  s.clock.advance(9000);
  await flush();
  // b has not rejoined yet either; let b go and keep a alive.
  assert.equal(
    co.leaveGroup('g', [{ memberId: co.group('g')!.notYetRejoinedMembers()[0]!.memberId, groupInstanceId: null }])
      .members[0]!.errorCode,
    E.NONE,
  );
  await flush();
  assert.equal(ja.done, false, 'still waiting for the pending member');
  s.clock.advance(1000);
  await flush();
  assert.ok(ja.done);
  assert.equal(ja.value.generationId, 2);
  assert.equal(co.group('g')!.isPendingMember(pending.memberId), false);
  assert.equal((await co.joinGroup(joinRequest('g', pending.memberId))).errorCode, E.UNKNOWN_MEMBER_ID);
});

test('LeaveGroup removes members (batched, with per-member errors) and rebalances', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a, b } = await stableGroupOfTwo(s);
  const r = co.leaveGroup('g', [
    { memberId: b, groupInstanceId: null, reason: 'bye' },
    { memberId: 'ghost', groupInstanceId: null },
  ]);
  assert.equal(r.errorCode, E.NONE);
  assert.deepEqual(r.members, [
    { memberId: b, groupInstanceId: null, errorCode: E.NONE },
    { memberId: 'ghost', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
  ]);
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
  assert.equal(co.leaveGroup('g', [{ memberId: a, groupInstanceId: null }]).members[0]!.errorCode, E.NONE);
  assert.equal(co.group('g')!.state, 'Empty', 'the last member left: the rebalance completes with nobody');
  assert.equal(co.group('g')!.generationId, 2);
  assert.deepEqual(
    co.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }]).members[0]!.errorCode,
    E.UNKNOWN_MEMBER_ID,
  );
  assert.equal(co.leaveGroup('', [{ memberId: 'x', groupInstanceId: null }]).errorCode, E.INVALID_GROUP_ID);
});

test('a member leaving while its JoinGroup waits gets UNKNOWN_MEMBER_ID on that join', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a, b } = await stableGroupOfTwo(s);
  const ja = track(co.joinGroup(joinRequest('g', a)));
  co.leaveGroup('g', [{ memberId: a, groupInstanceId: null }]);
  await flush();
  assert.equal(ja.value.errorCode, E.UNKNOWN_MEMBER_ID);
  const jb = await co.joinGroup(joinRequest('g', b));
  assert.equal(jb.generationId, 2);
  assert.equal(jb.leader, b);
});

test('static members: no MEMBER_ID_REQUIRED, a restart with the same instance id keeps the assignment without a rebalance', async () => {
  const s = setup();
  const co = s.coordinator;
  const ja = track(co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-1', clientId: 'a' })));
  const jb = track(co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-2', clientId: 'b' })));
  s.clock.advance(0);
  await flush();
  assert.equal(ja.value.errorCode, E.NONE);
  assert.match(ja.value.memberId, /^i-1-/);
  const a = ja.value.memberId;
  const b = jb.value.memberId;
  assert.equal(ja.value.leader, a);
  assert.deepEqual(
    ja.value.members.map((m) => m.groupInstanceId),
    ['i-1', 'i-2'],
  );
  await co.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: a,
    groupInstanceId: 'i-1',
    protocolType: null,
    protocolName: null,
    assignments: [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ],
  });
  assert.equal(co.group('g')!.state, 'Stable');

  // b restarts: joins with no member id but the same instance id.
  const again = await co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-2', clientId: 'b' }));
  assert.equal(again.errorCode, E.NONE);
  assert.notEqual(again.memberId, b);
  assert.equal(again.generationId, 1, 'no rebalance');
  assert.equal(again.leader, a);
  assert.equal(co.group('g')!.state, 'Stable');
  const sb = await co.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: again.memberId,
    groupInstanceId: 'i-2',
    protocolType: null,
    protocolName: null,
    assignments: [],
  });
  assert.equal(sb.assignment.toString(), 'B');
  // The old incarnation is fenced.
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: 'i-2' }),
    E.FENCED_INSTANCE_ID,
  );
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i-2' }),
    E.NONE,
  );
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i-9' }),
    E.UNKNOWN_MEMBER_ID,
  );
  assert.equal(
    co.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: b,
      groupInstanceId: 'i-2',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    })[0]!.partitions[0]!.errorCode,
    E.FENCED_INSTANCE_ID,
  );

  // The static leader restarts: with v9 it is told it leads but must skip the assignment.
  const leader = await co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-1', supportSkippingAssignment: true }));
  assert.equal(leader.leader, leader.memberId);
  assert.equal(leader.skipAssignment, true);
  assert.equal(leader.members.length, 2);
  // Before v9 it gets the old leader id so it does not assign.
  const leader2 = await co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-1' }));
  assert.equal(leader2.leader, leader.memberId);
  assert.notEqual(leader2.memberId, leader.memberId);
  assert.equal(leader2.skipAssignment, false);
  assert.equal(co.group('g')!.leaderId, leader2.memberId);
  assert.equal(co.group('g')!.generationId, 1);

  // Admin removal by instance id alone.
  const r = co.leaveGroup('g', [
    { memberId: '', groupInstanceId: 'i-2' },
    { memberId: '', groupInstanceId: 'i-9' },
  ]);
  assert.deepEqual(
    r.members.map((m) => m.errorCode),
    [E.NONE, E.UNKNOWN_MEMBER_ID],
  );
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
});

test('static member with a changed protocol forces a rebalance; static members who miss a rebalance are kept', async () => {
  const s = setup();
  const co = s.coordinator;
  const ja = track(co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-1' })));
  const jb = track(co.joinGroup(joinRequest('g', '', { groupInstanceId: 'i-2' })));
  s.clock.advance(0);
  await flush();
  await co.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: ja.value.memberId,
    groupInstanceId: 'i-1',
    protocolType: null,
    protocolName: null,
    assignments: [],
  });
  // a restarts preferring "rr", which b does not support: the group would still pick range,
  // so the changed metadata does not force a rebalance.
  const same = await co.joinGroup(
    joinRequest('g', '', {
      groupInstanceId: 'i-1',
      protocols: [
        { name: 'rr', metadata: Buffer.alloc(0) },
        { name: 'range', metadata: subscription(['t']) },
      ],
    }),
  );
  assert.equal(same.generationId, 1);
  assert.equal(co.group('g')!.state, 'Stable');
  // Dynamic rejoin by the leader forces a rebalance; b (static) does not rejoin in time but stays.
  const j = track(co.joinGroup(joinRequest('g', same.memberId, { groupInstanceId: 'i-1' })));
  for (let i = 0; i < 7; i++) {
    s.clock.advance(4000);
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: jb.value.memberId, groupInstanceId: 'i-2' });
  }
  s.clock.advance(2001);
  await flush();
  assert.ok(j.done);
  assert.equal(j.value.generationId, 2);
  assert.equal(j.value.members.length, 2, 'the static member that did not rejoin is kept');
});

test('unknown member and illegal generation on heartbeat and commit', async () => {
  const s = setup();
  const co = s.coordinator;
  const { a } = await stableGroupOfTwo(s);
  const hb = (over: object) =>
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, ...over });
  assert.equal(hb({}), E.NONE);
  assert.equal(hb({ generationId: 2 }), E.ILLEGAL_GENERATION);
  assert.equal(hb({ memberId: 'nobody' }), E.UNKNOWN_MEMBER_ID);
  assert.equal(hb({ groupId: 'unknown-group' }), E.UNKNOWN_MEMBER_ID);
  assert.equal(hb({ groupId: '' }), E.INVALID_GROUP_ID);
  const commit = (over: object) =>
    co.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: a,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, committedMetadata: 'm' }] }],
      ...over,
    })[0]!.partitions[0]!.errorCode;
  assert.equal(commit({}), E.NONE);
  assert.equal(commit({ generationId: 0 }), E.ILLEGAL_GENERATION);
  assert.equal(commit({ memberId: 'nobody' }), E.UNKNOWN_MEMBER_ID);
  // From outside the group while it has members.
  assert.equal(commit({ generationId: -1, memberId: '' }), E.UNKNOWN_MEMBER_ID);
  // A generation for a group that does not exist.
  assert.equal(commit({ groupId: 'fresh', generationId: 3 }), E.ILLEGAL_GENERATION);
  assert.equal(co.group('fresh'), undefined);
});

test('initial rebalance delay: the first rebalance waits, and each new member extends it up to the rebalance timeout', async () => {
  const s = setup({ config: { 'group.initial.rebalance.delay.ms': 3000 } });
  const co = s.coordinator;
  const a = await join(co, 'g', { rebalanceTimeoutMs: 10_000 });
  assert.equal(co.group('g')!.state, 'PreparingRebalance');
  s.clock.advance(2999);
  await flush();
  assert.equal(a.result.done, false);
  const b = await join(co, 'g', { rebalanceTimeoutMs: 10_000 });
  s.clock.advance(1);
  await flush();
  assert.equal(a.result.done, false, 'b arrived during the delay: wait another round');
  s.clock.advance(2999);
  await flush();
  assert.equal(a.result.done, false);
  s.clock.advance(1);
  await flush();
  assert.ok(a.result.done && b.result.done);
  assert.equal(a.result.value.generationId, 1);
  assert.equal(a.result.value.members.length, 2);

  // Members trickling in forever cannot delay it past the rebalance timeout.
  const c = await join(co, 'h', { rebalanceTimeoutMs: 7000 });
  let t = 0;
  while (!c.result.done && t < 20_000) {
    s.clock.advance(1000);
    t += 1000;
    if (!c.result.done) await join(co, 'h', { rebalanceTimeoutMs: 7000 });
    await flush();
  }
  assert.ok(c.result.done);
  assert.ok(t <= 9000, `completed after ${t}ms`);
});

test('an empty group that already had generations rebalances with the initial delay but is not extended', async () => {
  const s = setup({ config: { 'group.initial.rebalance.delay.ms': 3000 } });
  const co = s.coordinator;
  const a = await join(co, 'g');
  s.clock.advance(3000);
  await flush();
  co.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
  assert.equal(co.group('g')!.state, 'Empty');
  const b = await join(co, 'g');
  s.clock.advance(2000);
  await join(co, 'g');
  s.clock.advance(1000);
  await flush();
  assert.ok(b.result.done);
  assert.equal(b.result.value.generationId, 3);
});

test('group.max.size caps the members', async () => {
  const s = setup({ config: { 'group.max.size': 2 } });
  const co = s.coordinator;
  await stableGroupOfTwo(s);
  const r = await co.joinGroup(joinRequest('g', '', { requireKnownMemberId: false }));
  assert.equal(r.errorCode, E.GROUP_MAX_SIZE_REACHED);
  assert.equal(r.memberId, '');
  assert.equal(co.group('g')!.size, 2);
});

test('protocol selection: each member votes for its preferred common protocol', async () => {
  const s = setup();
  const co = s.coordinator;
  const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(['t']) }));
  const a = await join(co, 'g', { protocols: p('cooperative-sticky', 'range') });
  const b = await join(co, 'g', { protocols: p('range', 'cooperative-sticky', 'rr') });
  const c = await join(co, 'g', { protocols: p('rr', 'range', 'cooperative-sticky') });
  s.clock.advance(0);
  await flush();
  // rr is not supported by a; votes: a -> cooperative-sticky, b -> range, c -> range.
  assert.equal(a.result.value.protocolName, 'range');
  assert.equal(c.result.value.protocolName, 'range');
  assert.equal(b.result.value.errorCode, E.NONE);
});

test('close answers waiting joins with NOT_COORDINATOR and refuses further requests', async () => {
  const s = setup({ config: { 'group.initial.rebalance.delay.ms': 3000 } });
  const co = s.coordinator;
  const a = await join(co, 'g');
  co.close();
  await flush();
  assert.equal(a.result.value.errorCode, E.NOT_COORDINATOR);
  assert.equal((await co.joinGroup(joinRequest('g', ''))).errorCode, E.COORDINATOR_NOT_AVAILABLE);
  assert.equal(
    co.heartbeat({ groupId: 'g', generationId: 1, memberId: 'x', groupInstanceId: null }),
    E.COORDINATOR_NOT_AVAILABLE,
  );
  assert.equal(s.clock.pendingTimers, 0);
});
