import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeFs, type StorageFs } from '../../../src/broker/storage/fs-interface.js';
import { MetadataStore, randomUuid } from '../../../src/broker/storage/metadata-store.js';
import { tempDir } from './helpers.js';

const UUID_RE = /^[A-Za-z0-9_-]{22}$/;

test('randomUuid: 22-char base64url, version 4, never starting with "-"', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = randomUuid();
    assert.match(id, UUID_RE);
    assert.ok(!id.startsWith('-'));
    const b = Buffer.from(id, 'base64url');
    assert.equal(b.length, 16);
    assert.equal(b[6]! >> 4, 4);
    assert.equal(b[8]! >> 6, 2);
    seen.add(id);
  }
  assert.equal(seen.size, 2000);
});

test('metadata store: created once, reloaded with the same cluster id', () => {
  const dir = join(tempDir(), 'data');
  const a = MetadataStore.open(dir, { nodeId: 3 });
  assert.match(a.clusterId, UUID_RE);
  assert.equal(a.nodeId, 3);
  assert.ok(existsSync(join(dir, 'metadata.json')));
  const b = MetadataStore.open(dir);
  assert.equal(b.clusterId, a.clusterId);
  assert.equal(b.nodeId, 3);
  assert.throws(() => MetadataStore.open(dir, { nodeId: 4 }), /node id 4 does not match node id 3/);
  assert.equal(MetadataStore.open(join(tempDir(), 'd2')).nodeId, 1);
  assert.equal(
    MetadataStore.open(join(tempDir(), 'd3'), { clusterId: 'fixedClusterIdAAAAAAAA' }).clusterId,
    'fixedClusterIdAAAAAAAA',
  );
});

test('metadata store: topics and broker overrides persist; returned objects are copies', () => {
  const dir = tempDir();
  const s = MetadataStore.open(dir);
  const id = randomUuid();
  s.putTopic({ name: 'orders', topicId: id, partitions: 3, configs: { 'retention.ms': '1000' } });
  s.putTopic({ name: 'audit', topicId: randomUuid(), partitions: 1, configs: {} });
  const got = s.getTopic('orders')!;
  got.configs['retention.ms'] = 'changed';
  got.partitions = 99;
  assert.equal(s.getTopic('orders')!.configs['retention.ms'], '1000');
  assert.equal(s.getTopic('orders')!.partitions, 3);
  assert.equal(s.getTopicById(id)!.name, 'orders');
  assert.deepEqual(
    s.listTopics().map((t) => t.name),
    ['audit', 'orders'],
  );
  s.putTopic({ name: 'orders', topicId: id, partitions: 5, configs: {} });
  assert.throws(() => s.putTopic({ name: 'other', topicId: id, partitions: 1, configs: {} }), /already belongs/);
  assert.throws(
    () => s.putTopic({ name: 'bad', topicId: randomUuid(), partitions: 0, configs: {} }),
    /partition count/,
  );
  s.setBrokerOverrides({ 'log.retention.ms': '5000' });
  assert.equal(s.reserveProducerIds(1000), 0);
  assert.equal(s.reserveProducerIds(1000), 1000);

  const r = MetadataStore.open(dir);
  assert.deepEqual(r.listTopics(), [
    { name: 'audit', topicId: s.getTopic('audit')!.topicId, partitions: 1, configs: {} },
    { name: 'orders', topicId: id, partitions: 5, configs: {} },
  ]);
  assert.deepEqual(r.getBrokerOverrides(), { 'log.retention.ms': '5000' });
  assert.equal(r.reserveProducerIds(10), 2000);
  assert.equal(r.deleteTopic('orders'), true);
  assert.equal(r.deleteTopic('orders'), false);
  assert.equal(MetadataStore.open(dir).getTopic('orders'), undefined);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('metadata store: a failed write changes neither the file nor memory', () => {
  const dir = tempDir();
  let failRename = false;
  const fs: StorageFs = {
    ...nodeFs,
    renameSync(a, b) {
      if (failRename) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      nodeFs.renameSync(a, b);
    },
  };
  const s = MetadataStore.open(dir, { fs });
  s.putTopic({ name: 'a', topicId: randomUuid(), partitions: 1, configs: {} });
  const before = readFileSync(join(dir, 'metadata.json'));
  failRename = true;
  assert.throws(() => s.putTopic({ name: 'b', topicId: randomUuid(), partitions: 1, configs: {} }), /ENOSPC/);
  assert.equal(s.getTopic('b'), undefined);
  assert.ok(readFileSync(join(dir, 'metadata.json')).equals(before));
});

test('metadata store: unreadable files give clear errors', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'metadata.json'), '{nope');
  assert.throws(() => MetadataStore.open(dir), /not valid JSON/);
  writeFileSync(join(dir, 'metadata.json'), '{"hello": 1}');
  assert.throws(() => MetadataStore.open(dir), /not a ktool metadata file/);
});

test('lock file: exclusive while the holder lives, stale locks are taken over', () => {
  const dir = tempDir();
  const alive = new Set<number>([1111, 2222]);
  const isPidAlive = (pid: number): boolean => alive.has(pid);
  const a = MetadataStore.open(dir, { pid: 1111, isPidAlive });
  a.acquireLock();
  a.acquireLock(); // idempotent
  assert.ok(a.holdsLock);
  assert.equal(readFileSync(join(dir, '.lock'), 'utf8').trim(), '1111');

  const b = MetadataStore.open(dir, { pid: 2222, isPidAlive });
  assert.throws(() => b.acquireLock(), /in use by process 1111/);

  alive.delete(1111); // holder died without cleaning up
  b.acquireLock();
  assert.equal(readFileSync(join(dir, '.lock'), 'utf8').trim(), '2222');
  a.releaseLock(); // no longer ours: must not remove b's lock
  assert.ok(existsSync(join(dir, '.lock')));
  b.releaseLock();
  assert.ok(!existsSync(join(dir, '.lock')));

  writeFileSync(join(dir, '.lock'), 'garbage');
  const c = MetadataStore.open(dir);
  c.acquireLock();
  assert.equal(readFileSync(join(dir, '.lock'), 'utf8').trim(), String(process.pid));
  // the real liveness check sees this very process as alive
  assert.throws(() => MetadataStore.open(dir).acquireLock(), new RegExp(`process ${process.pid}`));
  c.releaseLock();
});
