// Kill test in the spirit of Jepsen: three ktool nodes (each broker and controller), an RF-3
// topic with min.insync.replicas=2, idempotent acks=all producers (confluent-kafka) writing
// unique values, and every few seconds kill -9 of a random node (leader or controller
// included) followed by a restart. Meanwhile a group commits ever larger offsets. Afterwards
// every acknowledged value is in the topic exactly once, the replicas of each partition are
// byte-identical, every node's metadata log agrees with the others', and the group's committed
// offset never went behind one a coordinator had acknowledged. KTOOL_KILL_ROUNDS sets the rounds (20 here, 200 in test:soak).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, sandbox } from '../cli/helpers.js';
import { startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const exec = promisify(execFile);
const ROUNDS = Number(process.env.KTOOL_CLUSTER_KILL_ROUNDS ?? process.env.KTOOL_KILL_ROUNDS ?? 20);
const PARTITIONS = 3;
const box = sandbox('ktool-cluster-kill-');
let cluster: Cluster | undefined;
const producers: ChildProcess[] = [];
after(async () => {
  for (const p of producers) if (p.exitCode === null) p.kill('SIGKILL');
  await cluster?.stop();
  box.cleanup();
});

// Writes values `<name>-<n>` until the stop file appears, printing each value once its
// delivery is acknowledged (acks=all, idempotent), then flushes and exits.
const PRODUCER = `
import os, sys, time
from confluent_kafka import Producer
bootstrap, topic, name, stop = sys.argv[1:5]
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
              'linger.ms': 5, 'message.timeout.ms': 300000, 'retry.backoff.ms': 100,
              'topic.metadata.refresh.interval.ms': 1000})
def done(err, msg):
    if err is None:
        sys.stdout.write(msg.value().decode() + '\\n')
n = 0
while not os.path.exists(stop):
    try:
        p.produce(topic, value=('%s-%d' % (name, n)).encode(), key=str(n % 97).encode(), on_delivery=done)
        n += 1
    except BufferError:
        pass
    p.poll(0.002)
left = p.flush(120)
sys.stdout.flush()
sys.stderr.write('produced %d, unflushed %d\\n' % (n, left))
`;

// Commits offset 1, 2, 3 ... for one partition outside group management, printing each one
// acknowledged, and reads the committed offset back after each try: a value behind the last
// acknowledged one is a lost commit.
const COMMITTER = `
import os, sys, time
from confluent_kafka import Consumer, TopicPartition, KafkaException
bootstrap, stop = sys.argv[1:3]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'jepsen-offsets', 'enable.auto.commit': False,
              'topic.metadata.refresh.interval.ms': 1000})
c.assign([TopicPartition('jepsen', 0)])
n = 0
acked = -1
def committed():
    try:
        got = c.committed([TopicPartition('jepsen', 0)], timeout=5)[0]
        return got.offset if got.error is None else None
    except KafkaException:
        return None
while not os.path.exists(stop):
    n += 1
    try:
        r = c.commit(offsets=[TopicPartition('jepsen', 0, n)], asynchronous=False)
        if r[0].error is None:
            acked = n
            print('ACK %d' % n, flush=True)
    except KafkaException:
        pass
    got = committed()
    if got is not None and got < acked:
        print('BACKWARDS %d < %d' % (got, acked), flush=True)
    time.sleep(0.02)
final = None
for _ in range(60):
    final = committed()
    if final is not None: break
    time.sleep(1)
print('FINAL %s %d' % (final, acked), flush=True)
c.close()
`;

async function isrs(bootstrap: string): Promise<number[][]> {
  const { stdout } = await exec('kcat', ['-L', '-J', '-b', bootstrap, '-t', 'jepsen', '-m', '5']);
  const parts = JSON.parse(stdout).topics[0].partitions as Array<{ isrs: Array<{ id: number }>; leader: number }>;
  return parts.map((p) => (p.leader >= 0 ? p.isrs.map((r) => r.id) : []));
}

function partitionLog(dataDir: string, dir: string): Buffer {
  const path = join(dataDir, dir);
  if (!existsSync(path)) return Buffer.alloc(0);
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(path, f))));
}

describe('cluster kill -9 test', { timeout: 900_000 }, () => {
  test(`${ROUNDS} rounds of kill -9 and restart lose no acknowledged record`, async () => {
    cluster = await startCluster({ dir: box.dir, props: { 'min.insync.replicas': '2' } });
    const c = cluster;
    const created = await exec(process.execPath, [
      BIN,
      'topics',
      '--bootstrap-server',
      c.bootstrap,
      '--create',
      '--topic',
      'jepsen',
      '--partitions',
      String(PARTITIONS),
      '--replication-factor',
      '3',
    ]);
    assert.match(created.stdout, /Created topic jepsen/);
    await waitFor('full ISRs', async () => ((await isrs(c.bootstrap)).every((i) => i.length === 3) ? true : undefined));

    const script = join(box.dir, 'producer.py');
    const stop = join(box.dir, 'stop');
    writeFileSync(script, PRODUCER);
    const acked: string[][] = [];
    const finished: Array<Promise<string>> = [];
    for (const name of ['a', 'b']) {
      const child = spawn('/usr/bin/python3', [script, c.bootstrap, 'jepsen', name, stop], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      producers.push(child);
      const mine: string[] = [];
      acked.push(mine);
      let buf = '';
      let err = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        mine.push(...lines);
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      finished.push(new Promise((resolve) => child.on('exit', () => resolve(err))));
    }
    const committerScript = join(box.dir, 'committer.py');
    writeFileSync(committerScript, COMMITTER);
    const committer = spawn('/usr/bin/python3', [committerScript, c.bootstrap, stop], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    producers.push(committer);
    let commitLog = '';
    committer.stdout!.setEncoding('utf8').on('data', (d: string) => (commitLog += d));
    const committerDone = new Promise<void>((resolve) => committer.on('exit', () => resolve()));
    await waitFor('first acknowledgements', () => (acked.every((a) => a.length > 50) ? true : undefined), 60_000);
    await waitFor('first acknowledged commits', () => (/^ACK 5$/m.test(commitLog) ? true : undefined), 60_000);

    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < ROUNDS; round++) {
      const victim = c.nodes[Math.floor(random() * c.nodes.length)]!;
      await victim.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500 + random() * 1500));
      await victim.restart();
      // Let the restarted node catch up before the next kill, as an operator would; a
      // round that cannot wait goes on anyway.
      await waitFor(
        'full ISRs',
        async () => ((await isrs(c.bootstrap)).every((i) => i.length === 3) ? true : undefined),
        20_000,
      ).catch(() => undefined);
    }

    writeFileSync(stop, '');
    const reports = await Promise.all(finished);
    for (const r of reports) assert.match(r, /unflushed 0/, r);
    await committerDone;
    const backwards = commitLog.split('\n').filter((l) => l.startsWith('BACKWARDS'));
    assert.deepEqual(backwards.slice(0, 5), [], `${backwards.length} reads of a committed offset went backwards`);
    const final = /^FINAL (\d+) (\d+)$/m.exec(commitLog);
    assert.ok(final, `the committer read no final offset: ${commitLog.slice(-500)}`);
    const commits = commitLog.split('\n').filter((l) => l.startsWith('ACK')).length;
    assert.ok(commits > 50, `only ${commits} commits acknowledged`);
    assert.ok(Number(final[1]) >= Number(final[2]), `committed ${final[1]}, but ${final[2]} was acknowledged`);
    const ackedValues = acked.flat();
    assert.ok(ackedValues.length > 1000, `only ${ackedValues.length} acknowledged`);

    await waitFor('full ISRs at the end', async () =>
      (await isrs(c.bootstrap)).every((i) => i.length === 3) ? true : undefined,
    );
    const { stdout } = await exec('kcat', ['-C', '-b', c.bootstrap, '-t', 'jepsen', '-e', '-q', '-f', '%s\n'], {
      maxBuffer: 256 * 1024 * 1024,
    });
    const seen = new Map<string, number>();
    for (const v of stdout.split('\n')) if (v) seen.set(v, (seen.get(v) ?? 0) + 1);
    const lost = ackedValues.filter((v) => !seen.has(v));
    const doubled = ackedValues.filter((v) => (seen.get(v) ?? 0) > 1);
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged values lost`);
    assert.deepEqual(doubled.slice(0, 10), [], `${doubled.length} acknowledged values stored twice`);

    // Replicas converge to the same bytes.
    await waitFor(
      'byte-identical replicas',
      () => {
        for (let p = 0; p < PARTITIONS; p++) {
          const logs = c.nodes.map((n) => partitionLog(n.dataDir, `jepsen-${p}`));
          if (!logs.every((l) => l.equals(logs[0]!))) return undefined;
        }
        return true;
      },
      30_000,
    );
    // Every node's metadata log holds the same records as far as it reaches.
    const meta = c.nodes.map((n) => partitionLog(n.dataDir, '__cluster_metadata-0'));
    const shortest = Math.min(...meta.map((m) => m.length));
    assert.ok(shortest > 0);
    for (const m of meta) assert.ok(m.subarray(0, shortest).equals(meta[0]!.subarray(0, shortest)));
  });
});
