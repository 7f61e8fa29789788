// A deleted topic never comes back: not after a crash between the metadata change and
// the removal of its directories, not after kill -9 right after the delete, and not when
// a topic of the same name is created again (partition.metadata carries the topic id).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../../src/broker/index.js';
import { decodeRecords, encodeRecordBatch } from '../../../src/protocol/record-batch.js';
import { tempDir } from '../../helpers/broker.js';
import { WireClient } from '../../helpers/wire.js';

const MAIN = fileURLToPath(new URL('../../../dist/broker/main.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = tempDir('ktool-del-');
  dirs.push(d);
  return d;
}

async function inProcess(dir: string) {
  const b = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir } });
  const w = await WireClient.open(b.port);
  return {
    port: b.port,
    w,
    async close() {
      w.close();
      await b.close();
    },
  };
}

async function createTopic(w: WireClient, name: string, partitions: number): Promise<void> {
  const r = await w.request(19, 5, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(r.topics[0].errorCode, 0, `create ${name}: ${r.topics[0].errorMessage}`);
}

async function deleteTopic(w: WireClient, name: string): Promise<void> {
  const r = await w.request(20, 4, { topicNames: [name], timeoutMs: 1000 });
  assert.equal(r.responses[0].errorCode, 0);
}

async function produce(
  w: WireClient,
  topic: string,
  partitions: number,
  perPartition: number,
  tag: string,
): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    const records = Array.from({ length: perPartition }, (_, i) => ({ key: null, value: `${tag}-${p}-${i}` }));
    const r = await w.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: p, records: encodeRecordBatch({ records }) }] }],
    });
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  }
}

async function fetchAll(w: WireClient, topic: string, partitions: number): Promise<string[]> {
  const values: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const f = await w.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 8 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition: p, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 8 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const part = f.responses[0].partitions[0];
    assert.equal(part.errorCode, 0);
    if (part.records) values.push(...decodeRecords(part.records).map((r) => r.value!.toString()));
  }
  return values;
}

function startChild(dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dir}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${out}`));
    }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(out)) reject(new Error(`broker exited ${code}: ${out}`));
    });
  });
}

const kill9 = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });

describe('deleted topics stay deleted', () => {
  test('a crash after the metadata change but before the directories went: the recreated topic is empty', async () => {
    const dir = dataDir();
    const saved = dataDir();
    let b = await inProcess(dir);
    await createTopic(b.w, 'res', 4);
    await produce(b.w, 'res', 4, 250, 'old');
    await b.close();
    // The state such a crash leaves: metadata without the topic, its directories still there.
    for (let p = 0; p < 4; p++) cpSync(join(dir, `res-${p}`), join(saved, `res-${p}`), { recursive: true });
    b = await inProcess(dir);
    await deleteTopic(b.w, 'res');
    await b.close();
    for (let p = 0; p < 4; p++) {
      rmSync(join(dir, `res-${p}`), { recursive: true, force: true });
      cpSync(join(saved, `res-${p}`), join(dir, `res-${p}`), { recursive: true });
    }
    b = await inProcess(dir);
    try {
      // Start-up finished the deletion before anything could adopt the directories.
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.startsWith('res-')),
        [],
      );
      await createTopic(b.w, 'res', 4);
      assert.deepEqual(await fetchAll(b.w, 'res', 4), []);
    } finally {
      await b.close();
    }
  });

  test('a directory left by an older topic of the same name is never adopted, even if start-up did not remove it', async () => {
    const dir = dataDir();
    const saved = dataDir();
    let b = await inProcess(dir);
    await createTopic(b.w, 'again', 1);
    await produce(b.w, 'again', 1, 10, 'old');
    await b.close();
    cpSync(join(dir, 'again-0'), join(saved, 'again-0'), { recursive: true });
    b = await inProcess(dir);
    await deleteTopic(b.w, 'again');
    await createTopic(b.w, 'again', 1);
    await produce(b.w, 'again', 1, 3, 'new');
    await b.close();
    // The new incarnation's directory replaced by the old one (same name, older topic id).
    rmSync(join(dir, 'again-0'), { recursive: true, force: true });
    cpSync(join(saved, 'again-0'), join(dir, 'again-0'), { recursive: true });
    b = await inProcess(dir);
    try {
      const values = await fetchAll(b.w, 'again', 1);
      assert.ok(!values.some((v) => v.startsWith('old-')), `old data served: ${values.join(',')}`);
    } finally {
      await b.close();
    }
  });

  test('partition directories carry partition.metadata with the topic id, as Kafka writes it', async () => {
    const dir = dataDir();
    const b = await inProcess(dir);
    try {
      await createTopic(b.w, 'ids', 2);
      const md = await b.w.request(3, 12, {
        topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'ids' }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      const id = md.topics[0].topicId as string;
      for (let p = 0; p < 2; p++) {
        assert.equal(
          readFileSync(join(dir, `ids-${p}`, 'partition.metadata'), 'utf8'),
          `version: 0\ntopic_id: ${id}\n`,
        );
      }
    } finally {
      await b.close();
    }
  });

  test('leftover -delete directories are removed at start-up', async () => {
    const dir = dataDir();
    let b = await inProcess(dir);
    await b.close();
    const leftover = join(dir, 'gone-0.0123456789abcdef0123456789abcdef-delete');
    mkdirSync(leftover);
    writeFileSync(join(leftover, '00000000000000000000.log'), 'x');
    b = await inProcess(dir);
    try {
      assert.equal(existsSync(leftover), false);
    } finally {
      await b.close();
    }
  });

  test(
    'deleting a topic of 500 partitions answers at once; the directories go in the background',
    { timeout: 60_000 },
    async () => {
      const dir = dataDir();
      const b = await inProcess(dir);
      try {
        await createTopic(b.w, 'wide', 500);
        const t0 = Date.now();
        await deleteTopic(b.w, 'wide');
        const ms = Date.now() - t0;
        assert.ok(ms < 3000, `DeleteTopics took ${ms} ms`);
        const deadline = Date.now() + 20_000;
        while (readdirSync(dir).some((n) => n.startsWith('wide-')) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(
          readdirSync(dir).filter((n) => n.startsWith('wide-')),
          [],
        );
      } finally {
        await b.close();
      }
    },
  );

  test(
    'kill -9 right after DeleteTopics: after a restart the recreated topic is empty',
    { timeout: 60_000 },
    async () => {
      const dir = dataDir();
      let c = await startChild(dir);
      let w = await WireClient.open(c.port);
      await createTopic(w, 'res', 4);
      await produce(w, 'res', 4, 250, 'old');
      await deleteTopic(w, 'res');
      await kill9(c.child);
      w.close();
      c = await startChild(dir);
      w = await WireClient.open(c.port);
      try {
        await createTopic(w, 'res', 4);
        assert.deepEqual(await fetchAll(w, 'res', 4), []);
        assert.deepEqual(
          readdirSync(dir).filter((n) => n.endsWith('-delete')),
          [],
        );
      } finally {
        w.close();
        await kill9(c.child);
      }
    },
  );
});
