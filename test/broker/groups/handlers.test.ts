// The group API handlers through the codec: every served version encodes and decodes, and
// version-specific shapes (batched keys, multi-group fetch, v0-2 leave errors) are right.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientHostOf } from '../../../src/broker/groups/index.js';
import type { ApiHandler, RequestContext } from '../../../src/broker/handlers/handler.js';
import { HANDLERS } from '../../../src/broker/handlers/index.js';
import {
  concatChunks,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../../src/protocol/codec.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { apiSpec } from '../../../src/protocol/index.js';
import { setup, subscription } from './helpers.js';

const E = ErrorCode;

function handler(apiKey: number): ApiHandler {
  const h = HANDLERS.find((x) => x.apiKey === apiKey);
  assert.ok(h, `handler for api key ${apiKey}`);
  return h;
}

function harness() {
  const s = setup();
  // No transaction holds offsets in these tests (the transactional path has its own tests).
  const broker = {
    groups: s.coordinator,
    transactions: { hasPendingOffsets: () => false },
    nodeId: 7,
    endpointFor: () => ({ host: 'broker.local', port: 9093 }),
  };

  const call = async (apiKey: number, version: number, body: object): Promise<any> => {
    const h = handler(apiKey);
    const req = decodeRequest(apiKey, version, concatChunks(encodeRequest(apiKey, version, body)));
    const ctx = {
      broker: { ...broker, groups: s.coordinator },
      apiVersion: version,
      clientId: 'cli',
      correlationId: 1,
      connectionId: 1,
      remoteAddress: '::ffff:127.0.0.1:40000',
      listenerName: 'PLAINTEXT',
      localAddress: '127.0.0.1',
      localPort: 9093,
    } as unknown as RequestContext;
    const res = await h.handle(req, ctx);
    return decodeResponse(apiKey, version, concatChunks(encodeResponse(apiKey, version, res as object)));
  };
  return { s, call };
}

test("served version ranges stay inside Kafka 3.9's valid versions", () => {
  const expected: Record<number, [number, number]> = {
    8: [0, 9],
    9: [0, 9],
    10: [0, 6],
    11: [0, 9],
    12: [0, 4],
    13: [0, 5],
    14: [0, 5],
    15: [0, 5],
    16: [0, 5],
    42: [0, 2],
    47: [0, 0],
  };
  for (const [key, [min, max]] of Object.entries(expected)) {
    const h = handler(Number(key));
    assert.deepEqual([h.minVersion, h.maxVersion], [min, max], h.name);
    const spec = apiSpec(Number(key))!;
    assert.ok(spec.request.validVersions[0] <= min && max <= spec.request.validVersions[1], h.name);
  }
});

test('FindCoordinator: this broker for groups and transactional ids, every version; odd key types refused', async () => {
  const { call } = harness();
  for (let v = 0; v <= 3; v++) {
    const r = await call(10, v, { key: 'g', keyType: 0 });
    assert.equal(r.errorCode, E.NONE);
    assert.deepEqual([r.nodeId, r.host, r.port], [7, 'broker.local', 9093]);
  }
  const txV1 = await call(10, 1, { key: 'tx', keyType: 1 });
  assert.deepEqual([txV1.errorCode, txV1.nodeId], [E.NONE, 7]);
  assert.equal((await call(10, 2, { key: 'x', keyType: 5 })).errorCode, E.INVALID_REQUEST);
  for (let v = 4; v <= 6; v++) {
    const r = await call(10, v, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(
      r.coordinators.map((c: { key: string; nodeId: number; errorCode: number }) => [c.key, c.nodeId, c.errorCode]),
      [
        ['a', 7, 0],
        ['b', 7, 0],
      ],
    );
  }
  const tx = await call(10, 4, { keyType: 1, coordinatorKeys: ['t1'] });
  assert.deepEqual([tx.coordinators[0].errorCode, tx.coordinators[0].nodeId], [E.NONE, 7]);
  assert.equal(
    (await call(10, 6, { keyType: 2, coordinatorKeys: ['s'] })).coordinators[0].errorCode,
    E.INVALID_REQUEST,
  );
});

test('JoinGroup/SyncGroup/Heartbeat/LeaveGroup round trip in every version', async () => {
  const { s, call } = harness();
  const protocols = [{ name: 'range', metadata: subscription(['t']) }];
  for (let v = 0; v <= 9; v++) {
    const groupId = `g${v}`;
    const base = {
      groupId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
      reason: null,
    };
    // The join waits for the (zero) initial delay.
    const first = call(11, v, { ...base, memberId: '' });
    s.clock.advance(0);
    let j = await first;
    if (v >= 4) {
      assert.equal(j.errorCode, E.MEMBER_ID_REQUIRED, `v${v}`);
      assert.match(j.memberId, /^cli-/);
      const pending = call(11, v, { ...base, memberId: j.memberId });
      s.clock.advance(0);
      j = await pending;
    }
    assert.equal(j.errorCode, E.NONE, `v${v}`);
    assert.equal(j.generationId, 1);
    assert.equal(j.protocolName, 'range');
    assert.equal(j.leader, j.memberId);
    assert.equal(j.members.length, 1);
    assert.deepEqual(j.members[0].metadata, protocols[0]!.metadata);
    if (v >= 7) assert.equal(j.protocolType, 'consumer');
    const gid = groupId;
    const syncV = Math.min(v, 5);
    const sync = await call(14, syncV, {
      groupId: gid,
      generationId: 1,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: j.memberId, assignment: Buffer.from('asg') }],
    });
    assert.equal(sync.errorCode, E.NONE);
    assert.equal(sync.assignment.toString(), 'asg');
    if (syncV >= 5) assert.equal(sync.protocolName, 'range');
    const hb = await call(12, Math.min(v, 4), {
      groupId: gid,
      generationId: 1,
      memberId: j.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, E.NONE);
    const lv = Math.min(v, 5);
    const leave =
      lv >= 3
        ? await call(13, lv, {
            groupId: gid,
            members: [
              { memberId: j.memberId, groupInstanceId: null, reason: 'done' },
              { memberId: 'ghost', groupInstanceId: null },
            ],
          })
        : await call(13, lv, { groupId: gid, memberId: j.memberId });
    assert.equal(leave.errorCode, E.NONE);
    if (lv >= 3)
      assert.deepEqual(
        leave.members.map((m: { errorCode: number }) => m.errorCode),
        [E.NONE, E.UNKNOWN_MEMBER_ID],
      );
  }
  // Before v3 a member's error is the top-level error.
  assert.equal((await call(13, 1, { groupId: 'g1', memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);
  // SyncGroup v5 must name the protocol.
  assert.equal(
    (
      await call(14, 5, {
        groupId: 'g9',
        generationId: 1,
        memberId: 'x',
        protocolType: null,
        protocolName: 'range',
        assignments: [],
      })
    ).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
  );
  // JoinGroup before v7 never sends a null protocol name.
  const bad = await call(11, 2, {
    groupId: '',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 1,
    memberId: '',
    protocolType: 'consumer',
    protocols,
  });
  assert.equal(bad.errorCode, E.INVALID_GROUP_ID);
  assert.equal(bad.protocolName, '');
});

test('OffsetCommit and OffsetFetch in every version, including the v8+ multi-group fetch', async () => {
  const { call } = harness();
  for (let v = 0; v <= 9; v++) {
    const groupId = `og${v}`;
    const r = await call(8, v, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 100 + v,
              committedLeaderEpoch: 4,
              commitTimestamp: -1,
              committedMetadata: 'm',
            },
            { partitionIndex: 9, committedOffset: 1, committedMetadata: null },
          ],
        },
      ],
    });
    assert.deepEqual(
      r.topics[0].partitions.map((p: { errorCode: number }) => p.errorCode),
      [E.NONE, E.UNKNOWN_TOPIC_OR_PARTITION],
      `v${v}`,
    );
    if (v < 8) {
      const f = await call(9, v, { groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }] });
      assert.deepEqual(
        f.topics[0].partitions.map((p: { committedOffset: number; metadata: string }) => [
          p.committedOffset,
          p.metadata,
        ]),
        [
          [100 + v, 'm'],
          [-1, ''],
        ],
      );
      if (v >= 5) assert.equal(f.topics[0].partitions[0].committedLeaderEpoch, v >= 6 ? 4 : -1);
      if (v >= 2) {
        const all = await call(9, v, { groupId, topics: null });
        assert.equal(all.errorCode, E.NONE);
        assert.deepEqual(
          all.topics.map((t: { name: string }) => t.name),
          ['t'],
        );
      }
    } else {
      const f = await call(9, v, {
        groups: [
          { groupId, memberId: null, memberEpoch: -1, topics: null },
          { groupId: 'og3', topics: [{ name: 't', partitionIndexes: [0] }] },
          { groupId: 'nobody', topics: null },
        ],
        requireStable: true,
      });
      assert.deepEqual(
        f.groups.map((g: { groupId: string; errorCode: number }) => [g.groupId, g.errorCode]),
        [
          [groupId, 0],
          ['og3', 0],
          ['nobody', 0],
        ],
      );
      assert.equal(f.groups[0].topics[0].partitions[0].committedOffset, 100 + v);
      assert.equal(f.groups[1].topics[0].partitions[0].committedOffset, 103);
      assert.deepEqual(f.groups[2].topics, []);
    }
  }
});

test('DescribeGroups, ListGroups, DeleteGroups, OffsetDelete through their handlers', async () => {
  const { s, call } = harness();
  const j = call(11, 5, {
    groupId: 'live',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    memberId: '',
    groupInstanceId: 'inst',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
  });
  s.clock.advance(0);
  const joined = await j;
  await call(14, 3, {
    groupId: 'live',
    generationId: 1,
    memberId: joined.memberId,
    groupInstanceId: 'inst',
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('A') }],
  });
  await call(8, 2, {
    groupId: 'idle',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [{ name: 'u', partitions: [{ partitionIndex: 1, committedOffset: 5, committedMetadata: null }] }],
  });

  for (let v = 0; v <= 5; v++) {
    const d = await call(15, v, { groups: ['live', 'idle', 'missing'], includeAuthorizedOperations: true });
    const [live, idle, missing] = d.groups;
    assert.deepEqual([live.groupState, live.protocolType, live.protocolData], ['Stable', 'consumer', 'range']);
    assert.equal(live.members[0].clientId, 'cli');
    assert.equal(live.members[0].clientHost, '/127.0.0.1');
    assert.equal(live.members[0].memberAssignment.toString(), 'A');
    assert.equal(live.members[0].groupInstanceId, v >= 4 ? 'inst' : null);
    if (v >= 3) assert.notEqual(live.authorizedOperations, -2147483648);
    assert.deepEqual([idle.groupState, idle.protocolType, idle.members.length], ['Empty', '', 0]);
    assert.deepEqual([missing.errorCode, missing.groupState], [E.NONE, 'Dead']);
  }
  for (let v = 0; v <= 5; v++) {
    const l = await call(16, v, { statesFilter: ['stable'], typesFilter: [] });
    const ids = l.groups.map((g: { groupId: string }) => g.groupId);
    assert.deepEqual(ids, v >= 4 ? ['live'] : ['idle', 'live'], `v${v}`);
    if (v >= 4) assert.equal(l.groups[0].groupState, 'Stable');
    if (v >= 5) assert.equal(l.groups[0].groupType, 'classic');
  }
  const od = await call(47, 0, {
    groupId: 'live',
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0 }] },
      { name: 'u', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  assert.equal(od.errorCode, E.NONE);
  assert.deepEqual(
    od.topics.map((t: { partitions: Array<{ errorCode: number }> }) => t.partitions[0]!.errorCode),
    [E.GROUP_SUBSCRIBED_TO_TOPIC, E.NONE],
  );
  assert.equal((await call(47, 0, { groupId: 'missing', topics: [] })).errorCode, E.GROUP_ID_NOT_FOUND);
  for (let v = 0; v <= 2; v++) {
    const del = await call(42, v, { groupsNames: ['live', `none${v}`] });
    assert.deepEqual(
      del.results.map((r: { errorCode: number }) => r.errorCode),
      [E.NON_EMPTY_GROUP, E.GROUP_ID_NOT_FOUND],
    );
  }
  assert.equal((await call(42, 2, { groupsNames: ['idle'] })).results[0].errorCode, E.NONE);
  assert.equal(s.coordinator.group('idle'), undefined);
});

test('clientHostOf renders addresses the way Kafka does', () => {
  assert.equal(clientHostOf('127.0.0.1:5000'), '/127.0.0.1');
  assert.equal(clientHostOf('::ffff:10.1.2.3:5000'), '/10.1.2.3');
  assert.equal(clientHostOf('::1:5000'), '/0:0:0:0:0:0:0:1');
  assert.equal(clientHostOf('fe80::1:2:5000'), '/fe80:0:0:0:0:0:1:2');
  assert.equal(clientHostOf('2001:db8:0:0:0:0:0:ff:5000'), '/2001:db8:0:0:0:0:0:ff');
  assert.equal(clientHostOf('[::1]:5000'), '/0:0:0:0:0:0:0:1');
});
