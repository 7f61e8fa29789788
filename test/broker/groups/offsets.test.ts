import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CommitRequest, GroupCoordinator } from '../../../src/broker/groups/coordinator.js';
import { OFFSETS_STATE_DIR } from '../../../src/broker/groups/coordinator.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { nodeFs, type StorageFs } from '../../../src/broker/storage/fs-interface.js';
import { flush, joinRequest, setup, subscription, track } from './helpers.js';

const E = ErrorCode;
const MINUTE = 60_000;

function simpleCommit(
  co: GroupCoordinator,
  groupId: string,
  parts: Array<[string, number, number, string?]>,
  over: Partial<CommitRequest> = {},
) {
  const topics = new Map<
    string,
    Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null }>
  >();
  for (const [t, p, o, m] of parts) {
    if (!topics.has(t)) topics.set(t, []);
    topics.get(t)!.push({ partitionIndex: p, committedOffset: o, committedMetadata: m ?? null });
  }
  return co.commitOffsets({
    groupId,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    ...over,
  });
}

function offsetsOf(co: GroupCoordinator, groupId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of co.fetchOffsets(groupId, null).topics)
    for (const p of t.partitions) out[`${t.name}-${p.partitionIndex}`] = p.committedOffset;
  return out;
}

/** A consumer group with one member, Stable at generation 1, subscribed to `topics`. */
async function stableConsumer(s: ReturnType<typeof setup>, groupId: string, topics: string[]) {
  const co = s.coordinator;
  // A session long enough that the tests need not heartbeat.
  const j = track(
    co.joinGroup(
      joinRequest(groupId, '', {
        requireKnownMemberId: false,
        sessionTimeoutMs: 1_800_000,
        protocols: [{ name: 'range', metadata: subscription(topics) }],
      }),
    ),
  );
  s.clock.advance(0);
  await flush();
  const memberId = j.value.memberId;
  await co.syncGroup({
    groupId,
    generationId: 1,
    memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
  });
  assert.equal(co.group(groupId)!.state, 'Stable');
  return memberId;
}

test('commit and fetch: simple commits create an Empty group; unknown partitions and big metadata are refused', () => {
  const s = setup();
  const co = s.coordinator;
  const r = co.commitOffsets({
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, committedMetadata: 'hello' },
          { partitionIndex: 1, committedOffset: 20, committedMetadata: null },
          { partitionIndex: 7, committedOffset: 1, committedMetadata: null },
          { partitionIndex: 2, committedOffset: 30, committedMetadata: 'x'.repeat(4097) },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
    ],
  });
  assert.deepEqual(r, [
    {
      name: 't',
      partitions: [
        { partitionIndex: 0, errorCode: E.NONE },
        { partitionIndex: 1, errorCode: E.NONE },
        { partitionIndex: 7, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
        { partitionIndex: 2, errorCode: E.OFFSET_METADATA_TOO_LARGE },
      ],
    },
    { name: 'missing', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
  ]);
  const g = co.group('g')!;
  assert.equal(g.state, 'Empty');
  assert.equal(g.protocolType, null);
  assert.equal(co.listGroups().groups[0]!.protocolType, '');

  const f = co.fetchOffsets('g', [
    { name: 't', partitionIndexes: [0, 1, 2] },
    { name: 'u', partitionIndexes: [0] },
  ]);
  assert.equal(f.errorCode, E.NONE);
  assert.deepEqual(f.topics, [
    {
      name: 't',
      partitions: [
        { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'hello', errorCode: E.NONE },
        { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
        { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
      ],
    },
    {
      name: 'u',
      partitions: [
        { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
      ],
    },
  ]);
  // Null topics: everything committed, sorted.
  simpleCommit(co, 'g', [['u', 1, 5]]);
  assert.deepEqual(offsetsOf(co, 'g'), { 't-0': 10, 't-1': 20, 'u-1': 5 });
  // Unknown groups read as nothing committed.
  assert.deepEqual(co.fetchOffsets('nope', null).topics, []);
  assert.equal(
    co.fetchOffsets('nope', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset,
    -1,
  );
  // Only metadata over the limit fails; exactly 4096 is fine.
  assert.equal(simpleCommit(co, 'g', [['t', 2, 1, 'y'.repeat(4096)]])[0]!.partitions[0]!.errorCode, E.NONE);
  // The empty group id is allowed for offsets, as in Kafka.
  assert.equal(simpleCommit(co, '', [['t', 0, 1]])[0]!.partitions[0]!.errorCode, E.NONE);
  assert.equal(co.fetchOffsets('', null).topics[0]!.partitions[0]!.committedOffset, 1);
  // v1 commit timestamps are kept as given.
  co.commitOffsets({
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'u',
        partitions: [{ partitionIndex: 0, committedOffset: 3, commitTimestamp: 12345, committedMetadata: null }],
      },
    ],
  });
  assert.equal(co.committed('g', 'u', 0)!.commitTimestamp, 12345);
  assert.equal(co.committed('g', 't', 0)!.commitTimestamp, s.clock.now());
});

test('group members commit with their generation; the group keeps its protocol type', async () => {
  const s = setup();
  const co = s.coordinator;
  const m = await stableConsumer(s, 'g', ['t']);
  const r = co.commitOffsets({
    groupId: 'g',
    generationId: 1,
    memberId: m,
    groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }] }],
  });
  assert.equal(r[0]!.partitions[0]!.errorCode, E.NONE);
  assert.equal(co.committed('g', 't', 0)!.offset, 42);
  co.leaveGroup('g', [{ memberId: m, groupInstanceId: null }]);
  assert.equal(co.group('g')!.state, 'Empty');
  assert.deepEqual(co.listGroups().groups, [
    { groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' },
  ]);
  // Now the group is empty, an admin may reset offsets.
  assert.equal(simpleCommit(co, 'g', [['t', 0, 0]])[0]!.partitions[0]!.errorCode, E.NONE);
  const d = co.describeGroup('g');
  assert.deepEqual(
    { ...d, members: d.members.length },
    { errorCode: 0, groupId: 'g', groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: 0 },
  );
});

test('durability: offsets survive a reopen on the same directory', () => {
  const s = setup();
  simpleCommit(s.coordinator, 'g1', [
    ['t', 0, 100, 'meta'],
    ['t', 1, 200],
  ]);
  simpleCommit(s.coordinator, 'g1', [['t', 0, 150]]);
  simpleCommit(s.coordinator, 'g2', [['u', 1, 7]]);
  co_check(s.reopen());
  co_check(s.reopen());
  function co_check(co: GroupCoordinator) {
    assert.deepEqual(offsetsOf(co, 'g1'), { 't-0': 150, 't-1': 200 });
    assert.deepEqual(offsetsOf(co, 'g2'), { 'u-1': 7 });
    assert.equal(co.committed('g1', 't', 0)!.metadata, '');
    assert.deepEqual(
      co.listGroups().groups.map((g) => [g.groupId, g.groupState]),
      [
        ['g1', 'Empty'],
        ['g2', 'Empty'],
      ],
    );
  }
});

test('durability: a commit is on disk before the call returns (no close needed)', () => {
  const s = setup();
  simpleCommit(s.coordinator, 'g', [['t', 0, 9]]);
  // A second coordinator on the same directory, as after kill -9 of the first.
  const other = setup({ dir: s.dir });
  assert.deepEqual(offsetsOf(other.coordinator, 'g'), { 't-0': 9 });
});

test('a torn tail of the offsets file is skipped on reload, and later commits still survive', () => {
  const s = setup();
  simpleCommit(s.coordinator, 'g', [['t', 0, 1]]);
  simpleCommit(s.coordinator, 'g', [
    ['t', 0, 2],
    ['t', 1, 2],
  ]);
  s.coordinator.close();
  const file = join(s.dir, OFFSETS_STATE_DIR, 'offsets.log');
  truncateSync(file, statSync(file).size - 3);
  const co = s.reopen();
  assert.deepEqual(offsetsOf(co, 'g'), { 't-0': 1 }, 'the torn commit is dropped whole');
  assert.ok(s.logs.some((l) => l.includes('dropping')));
  simpleCommit(co, 'g', [['t', 2, 3]]);
  assert.deepEqual(offsetsOf(s.reopen(), 'g'), { 't-0': 1, 't-2': 3 });

  // Garbage after the last good frame (a crash mid-write of the header) is cut off too.
  s.coordinator.close();
  appendFileSync(file, Buffer.from([0, 0, 0]));
  let co2 = s.reopen();
  assert.deepEqual(offsetsOf(co2, 'g'), { 't-0': 1, 't-2': 3 });
  // A frame whose checksum is wrong.
  co2.close();
  const good = readFileSync(file);
  const bad = Buffer.from(good);
  bad[bad.length - 2] ^= 0xff;
  writeFileSync(file, bad);
  co2 = s.reopen();
  assert.deepEqual(offsetsOf(co2, 'g'), { 't-0': 1 });
});

test('the offsets file is compacted when it grows well past the live data', () => {
  const s = setup({ store: { compactMinBytes: 4096 } });
  for (let i = 0; i < 500; i++) simpleCommit(s.coordinator, 'g', [['t', i % 3, i]]);
  assert.ok(s.logs.some((l) => l.startsWith('Compacted')));
  assert.ok(s.coordinator.offsetsFileSize < 4096 * 4, `file is ${s.coordinator.offsetsFileSize} bytes`);
  assert.deepEqual(offsetsOf(s.reopen(), 'g'), { 't-0': 498, 't-1': 499, 't-2': 497 });
});

test('a failed write refuses the commit and leaves nothing half-stored', () => {
  let failWrites = false;
  const fs: StorageFs = {
    ...nodeFs,
    writeSync: (fd, buf, off, len, pos) => {
      if (failWrites) {
        // Half the frame lands, then the disk is full.
        nodeFs.writeSync(fd, buf, off, Math.floor(len / 2), pos);
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      return nodeFs.writeSync(fd, buf, off, len, pos);
    },
  };
  const s = setup({ fs });
  simpleCommit(s.coordinator, 'g', [['t', 0, 1]]);
  failWrites = true;
  assert.equal(simpleCommit(s.coordinator, 'g', [['t', 0, 2]])[0]!.partitions[0]!.errorCode, E.NOT_COORDINATOR);
  assert.equal(s.coordinator.committed('g', 't', 0)!.offset, 1);
  failWrites = false;
  simpleCommit(s.coordinator, 'g', [['t', 1, 3]]);
  assert.deepEqual(offsetsOf(s.reopen(), 'g'), { 't-0': 1, 't-1': 3 });
});

test("onTopicDeleted drops that topic's offsets durably; groups left with nothing go away", () => {
  const s = setup();
  simpleCommit(s.coordinator, 'a', [
    ['t', 0, 1],
    ['u', 0, 1],
  ]);
  simpleCommit(s.coordinator, 'b', [['t', 1, 5]]);
  s.coordinator.onTopicDeleted('t');
  assert.deepEqual(offsetsOf(s.coordinator, 'a'), { 'u-0': 1 });
  assert.equal(s.coordinator.group('b'), undefined);
  const co = s.reopen();
  assert.deepEqual(offsetsOf(co, 'a'), { 'u-0': 1 });
  assert.deepEqual(co.groupIds(), ['a']);
  s.coordinator.onTopicDeleted('nothing-here');
});

test('retention: offsets-only groups expire per commit time; empty consumer groups from when they emptied', async () => {
  const s = setup({ config: { 'offsets.retention.minutes': 10, 'offsets.retention.check.interval.ms': MINUTE } });
  const co = s.coordinator;
  simpleCommit(co, 'simple', [['t', 0, 1]]);
  s.clock.advance(5 * MINUTE);
  simpleCommit(co, 'simple', [['t', 1, 1]]);
  const m = await stableConsumer(s, 'cg', ['t']);
  co.commitOffsets({
    groupId: 'cg',
    generationId: 1,
    memberId: m,
    groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
  });
  s.clock.advance(5 * MINUTE);
  // t-0 of "simple" was committed 10 minutes ago.
  assert.deepEqual(offsetsOf(co, 'simple'), { 't-1': 1 });
  // The consumer group is active and subscribed to t: nothing expires while it stays so.
  for (let i = 0; i < 20; i++) {
    s.clock.advance(5000);
    co.heartbeat({ groupId: 'cg', generationId: 1, memberId: m, groupInstanceId: null });
  }
  assert.deepEqual(offsetsOf(co, 'cg'), { 't-0': 1 });
  co.leaveGroup('cg', [{ memberId: m, groupInstanceId: null }]);
  s.clock.advance(9 * MINUTE);
  assert.deepEqual(offsetsOf(co, 'cg'), { 't-0': 1 });
  assert.equal(co.group('simple'), undefined, 'its last offset expired and the group went with it');
  // Checks run once a minute: the next one after ten empty minutes removes them.
  s.clock.advance(MINUTE);
  assert.deepEqual(offsetsOf(co, 'cg'), { 't-0': 1 });
  s.clock.advance(MINUTE);
  assert.deepEqual(offsetsOf(co, 'cg'), {});
  assert.equal(co.group('cg'), undefined);
  assert.deepEqual(s.reopen().groupIds(), []);
});

test('retention: a stable consumer group loses offsets of topics it no longer subscribes to; v2-4 retention time is honoured', async () => {
  const s = setup({ config: { 'offsets.retention.minutes': 10, 'offsets.retention.check.interval.ms': MINUTE } });
  const co = s.coordinator;
  const m = await stableConsumer(s, 'cg', ['t']);
  const commit = (topic: string, retentionTimeMs = -1) =>
    co.commitOffsets({
      groupId: 'cg',
      generationId: 1,
      memberId: m,
      groupInstanceId: null,
      retentionTimeMs,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
  commit('t');
  commit('u');
  for (let i = 0; i < 22; i++) {
    s.clock.advance(30_000);
    co.heartbeat({ groupId: 'cg', generationId: 1, memberId: m, groupInstanceId: null });
  }
  assert.deepEqual(offsetsOf(co, 'cg'), { 't-0': 1 });
  // An explicit retention time expires the offset on its own schedule, even for a subscribed topic... once
  // the group's state lets retention look at it (an offsets-only group here).
  simpleCommit(co, 'x', [['t', 0, 1]], { retentionTimeMs: 2 * MINUTE });
  simpleCommit(co, 'x', [['t', 1, 1]], { retentionTimeMs: 60 * MINUTE });
  s.clock.advance(2 * MINUTE);
  assert.deepEqual(offsetsOf(co, 'x'), { 't-1': 1 });
  s.clock.advance(20 * MINUTE);
  assert.deepEqual(offsetsOf(co, 'x'), { 't-1': 1 }, 'the explicit 60 minutes win over the 10-minute default');
});

test("retention after a restart: an empty group's clock keeps running from when it emptied", () => {
  const s = setup({ config: { 'offsets.retention.minutes': 10 } });
  simpleCommit(s.coordinator, 'g', [['t', 0, 1]]);
  s.clock.advance(6 * MINUTE);
  const co = s.reopen();
  s.clock.advance(4 * MINUTE);
  assert.equal(co.expireOffsets(), 1);
});

test('DeleteGroups: non-empty groups are refused, empty ones go with their offsets (durably)', async () => {
  const s = setup();
  const co = s.coordinator;
  simpleCommit(co, 'empty', [['t', 0, 1]]);
  await stableConsumer(s, 'busy', ['t']);
  assert.deepEqual(co.deleteGroups(['empty', 'busy', 'nope', 'empty']), [
    { groupId: 'empty', errorCode: E.NONE },
    { groupId: 'busy', errorCode: E.NON_EMPTY_GROUP },
    { groupId: 'nope', errorCode: E.GROUP_ID_NOT_FOUND },
    { groupId: 'empty', errorCode: E.GROUP_ID_NOT_FOUND },
  ]);
  assert.deepEqual(co.fetchOffsets('empty', null).topics, []);
  assert.equal(co.describeGroup('empty').groupState, 'Dead');
  const again = s.reopen();
  assert.equal(again.group('empty'), undefined);
  assert.deepEqual(again.fetchOffsets('empty', null).topics, []);
});

test('ListGroups filters by state and type, case-insensitively', async () => {
  const s = setup();
  const co = s.coordinator;
  simpleCommit(co, 'a-empty', [['t', 0, 1]]);
  await stableConsumer(s, 'b-stable', ['t']);
  s.config['group.initial.rebalance.delay.ms'] = 3000;
  track(co.joinGroup(joinRequest('c-preparing', '', { requireKnownMemberId: false })));
  track(co.joinGroup(joinRequest('d-preparing', '', { requireKnownMemberId: false })));
  const names = (r: { groups: Array<{ groupId: string }> }) => r.groups.map((g) => g.groupId);
  assert.deepEqual(names(co.listGroups()), ['a-empty', 'b-stable', 'c-preparing', 'd-preparing']);
  assert.deepEqual(names(co.listGroups(['stable'])), ['b-stable']);
  assert.deepEqual(names(co.listGroups(['EMPTY', 'Stable'])), ['a-empty', 'b-stable']);
  assert.deepEqual(
    co.listGroups(['preparingrebalance']).groups.map((g) => g.groupState),
    ['PreparingRebalance', 'PreparingRebalance'],
  );
  assert.deepEqual(names(co.listGroups(['Dead'])), []);
  assert.deepEqual(names(co.listGroups([], ['Classic'])), ['a-empty', 'b-stable', 'c-preparing', 'd-preparing']);
  assert.deepEqual(names(co.listGroups([], ['consumer'])), []);
});

test('OffsetDelete: subscribed topics of an active consumer group are protected; empty groups lose offsets', async () => {
  const s = setup();
  const co = s.coordinator;
  const m = await stableConsumer(s, 'cg', ['t']);
  for (const topic of ['t', 'u']) {
    co.commitOffsets({
      groupId: 'cg',
      generationId: 1,
      memberId: m,
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
  }
  const r = co.deleteOffsets('cg', [
    { name: 't', partitions: [{ partitionIndex: 0 }] },
    { name: 'u', partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }] },
  ]);
  assert.deepEqual(r, {
    errorCode: E.NONE,
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] },
      {
        name: 'u',
        partitions: [
          { partitionIndex: 0, errorCode: E.NONE },
          { partitionIndex: 9, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
        ],
      },
    ],
  });
  assert.deepEqual(offsetsOf(co, 'cg'), { 't-0': 1 });
  assert.deepEqual(co.deleteOffsets('nope', [{ name: 't', partitions: [{ partitionIndex: 0 }] }]), {
    errorCode: E.GROUP_ID_NOT_FOUND,
    topics: [],
  });
  assert.equal(co.deleteOffsets('', []).errorCode, E.INVALID_GROUP_ID);
  co.leaveGroup('cg', [{ memberId: m, groupInstanceId: null }]);
  assert.equal(
    co.deleteOffsets('cg', [{ name: 't', partitions: [{ partitionIndex: 0 }] }]).topics[0]!.partitions[0]!.errorCode,
    E.NONE,
  );
  assert.equal(co.group('cg'), undefined, 'an empty group without offsets is removed');
  assert.deepEqual(s.reopen().groupIds(), []);
});

test('OffsetDelete on a non-consumer group with members is NON_EMPTY_GROUP', async () => {
  const s = setup();
  const co = s.coordinator;
  const j = track(
    co.joinGroup(
      joinRequest('connect', '', {
        requireKnownMemberId: false,
        protocolType: 'connect',
        protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }],
      }),
    ),
  );
  s.clock.advance(0);
  await flush();
  assert.equal(j.value.errorCode, E.NONE);
  assert.deepEqual(co.deleteOffsets('connect', [{ name: 't', partitions: [{ partitionIndex: 0 }] }]), {
    errorCode: E.NON_EMPTY_GROUP,
    topics: [],
  });
});
