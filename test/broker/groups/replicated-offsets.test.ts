// The cluster's group state as __consumer_offsets records: every store change becomes Kafka's
// key/value records and reads back as the same change; a store rebuilt from a partition's
// records equals the one that wrote them; only the partitions a broker leads are its groups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coordinatorPartition } from '../../../src/broker/coordinator.js';
import { OffsetStore, type StoreOp } from '../../../src/broker/groups/offset-store.js';
import { opOf, recordsOf } from '../../../src/broker/groups/offsets-records.js';
import { ReplicatedOffsets, type OffsetsPartitions } from '../../../src/broker/groups/replicated-offsets.js';
import { decodeCoordinatorRecord } from '../../../src/protocol/log-records.js';
import { nodeFs } from '../../../src/broker/storage/fs-interface.js';

/** An in-memory stand-in for the broker's partitions: a record list per partition. */
function partitions(
  count: number,
): OffsetsPartitions & { logs: Map<number, Array<{ key: Buffer; value: Buffer | null }>> } {
  const logs = new Map<number, Array<{ key: Buffer; value: Buffer | null }>>();
  return {
    count,
    logs,
    append(p, records) {
      const log = logs.get(p) ?? [];
      logs.set(p, log);
      log.push(...records);
      return { error: null, lastOffset: log.length - 1 };
    },
    read: (p) => logs.get(p) ?? [],
    awaitReplicated: () => Promise.resolve(null),
  };
}

function storeOn(backend: ReplicatedOffsets): OffsetStore {
  return OffsetStore.detached((ops, store) => backend.persist(ops, store), { fs: nodeFs });
}

test('each change reads back from its records as Kafka writes them', () => {
  const store = OffsetStore.detached(() => {}, { fs: nodeFs });
  const ops: StoreOp[] = [
    { t: 'g', g: 'g1', pt: 'consumer', es: 1234 },
    { t: 'g', g: 'solo', pt: null, es: null },
    { t: 'o', g: 'g1', tp: 'orders', p: 2, o: 42, e: 7, m: 'meta', c: 1700000000000, x: -1 },
    { t: 'o', g: 'g1', tp: 'orders', p: 3, o: 9, e: -1, m: '', c: 5, x: 99 },
    { t: 'od', g: 'g1', tp: 'orders', p: 3 },
  ];
  const records = recordsOf(ops, store);
  assert.equal(records.length, ops.length);
  assert.deepEqual(
    records.map((r) => opOf(r.key, r.value)),
    ops,
  );
  // Kafka's own layout: key version 1 for offsets, 2 for groups; v3 values carry the epoch.
  assert.equal(records[2]!.key.readInt16BE(0), 1);
  assert.equal(records[0]!.key.readInt16BE(0), 2);
  assert.deepEqual(decodeCoordinatorRecord('OffsetCommitValue', records[2]!.value!).version, 3);
  assert.deepEqual(decodeCoordinatorRecord('OffsetCommitValue', records[3]!.value!).version, 1);
});

test('a stable group’s members ride in GroupMetadataValue and read back', () => {
  const store = OffsetStore.detached(() => {}, { fs: nodeFs });
  const op: StoreOp = {
    t: 'g',
    g: 'g1',
    pt: 'consumer',
    es: null,
    m: {
      gen: 7,
      pr: 'range',
      ld: 'm-1',
      ms: [
        { id: 'm-1', gi: null, ci: 'c1', ch: '/127.0.0.1', rt: 300000, st: 45000, md: 'AAEAAAAB', as: 'AAA=' },
        { id: 'm-2', gi: 'static-2', ci: 'c2', ch: '/127.0.0.1', rt: 300000, st: 10000, md: '', as: '' },
      ],
    },
  };
  const [r] = recordsOf([op], store);
  assert.deepEqual(opOf(r!.key, r!.value), op);
  const body = decodeCoordinatorRecord('GroupMetadataValue', r!.value!).body as {
    generation: number;
    members: unknown[];
  };
  assert.equal(body.generation, 7);
  assert.equal(body.members.length, 2);
});

test('a deleted group or topic becomes a tombstone per stored key', () => {
  const store = OffsetStore.detached(() => {}, { fs: nodeFs });
  store.write([
    { t: 'g', g: 'a', pt: 'consumer', es: null },
    { t: 'o', g: 'a', tp: 't', p: 0, o: 1, e: -1, m: '', c: 1, x: -1 },
    { t: 'o', g: 'a', tp: 'u', p: 0, o: 1, e: -1, m: '', c: 1, x: -1 },
    { t: 'o', g: 'b', tp: 't', p: 1, o: 1, e: -1, m: '', c: 1, x: -1 },
  ]);
  const gone = recordsOf([{ t: 'gd', g: 'a' }], store);
  assert.equal(gone.length, 3);
  assert.ok(gone.every((r) => r.value === null && r.group === 'a'));
  const topicGone = recordsOf([{ t: 'td', tp: 't' }], store);
  assert.deepEqual(
    topicGone.map((r) => [r.group, opOf(r.key, r.value)]),
    [
      ['a', { t: 'od', g: 'a', tp: 't', p: 0 }],
      ['b', { t: 'od', g: 'b', tp: 't', p: 1 }],
    ],
  );
});

test('a broker that takes over a partition rebuilds its groups from the records', () => {
  const parts = partitions(4);
  const first = new ReplicatedOffsets(parts);
  const groups = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  for (let p = 0; p < 4; p++) first.load(p);
  const a = storeOn(first);
  for (const [i, g] of groups.entries()) {
    a.write([{ t: 'g', g, pt: 'consumer', es: null }]);
    a.write([{ t: 'o', g, tp: 'orders', p: i, o: 100 + i, e: 3, m: '', c: 10, x: -1 }]);
  }
  a.write([{ t: 'od', g: 'beta', tp: 'orders', p: 1 }]);
  a.write([{ t: 'gd', g: 'gamma' }]);

  const second = new ReplicatedOffsets(parts);
  const b = storeOn(second);
  for (let p = 0; p < 4; p++) b.replay(second.load(p));
  for (const g of groups) {
    assert.deepEqual([...b.offsets(g)], [...a.offsets(g)], g);
    assert.deepEqual(b.info(g), a.info(g), g);
  }
  assert.equal(b.has('gamma'), false);

  // Without the partition, its groups are not this broker's to change.
  const p = coordinatorPartition('alpha', 4);
  second.unload(p);
  assert.equal(second.owns('alpha'), false);
  assert.throws(
    () => b.write([{ t: 'o', g: 'alpha', tp: 'orders', p: 0, o: 1, e: -1, m: '', c: 1, x: -1 }]),
    /does not coordinate group alpha/,
  );
  assert.equal(b.get('alpha', 'orders', 0)?.offset, 100, 'a refused change is not applied');
});
