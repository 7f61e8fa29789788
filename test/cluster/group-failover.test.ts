// Consumer groups fail over: a confluent-kafka consumer in a group commits as it reads, the
// group's coordinator (the leader of its __consumer_offsets partition) is killed with kill -9,
// and the consumer finds the new coordinator, rejoins and finishes. No commit the old
// coordinator acknowledged is lost: the new one answers offsets at least as far, and at the
// end the group has committed every record.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli, sandbox } from '../cli/helpers.js';
import { startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const exec = promisify(execFile);
const box = sandbox('ktool-group-failover-');
let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
  box.cleanup();
});

const TOTAL = 600;
const TOPIC = 'gf';
const GROUP = 'gf-group';

const CONSUMER = `
import sys, time
from confluent_kafka import Consumer, KafkaException
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': '${GROUP}', 'enable.auto.commit': False,
              'auto.offset.reset': 'earliest', 'topic.metadata.refresh.interval.ms': 1000,
              'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500})
c.subscribe(['${TOPIC}'])
seen = set()
since = 0
deadline = time.time() + 150
while time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        seen.add(m.value().decode())
        since += 1
        time.sleep(0.005)
    if since >= 10 or (m is None and since > 0):
        try:
            for tp in c.commit(asynchronous=False):
                if tp.error is None and tp.offset >= 0:
                    print('COMMIT %d %d' % (tp.partition, tp.offset), flush=True)
            since = 0
        except KafkaException as e:
            print('COMMITERR %s' % e, file=sys.stderr, flush=True)
    if len(seen) >= ${TOTAL} and since == 0:
        break
print('SEEN %d' % len(seen), flush=True)
c.close()
`;

interface Described {
  coordinator: number;
  offsets: Map<number, number>;
}

/** The group's coordinator and committed offsets, as consumer-groups --describe shows them. */
async function describeGroup(bootstrap: string): Promise<Described | undefined> {
  const state = await runCli([
    'consumer-groups',
    '--bootstrap-server',
    bootstrap,
    '--describe',
    '--group',
    GROUP,
    '--state',
  ]);
  const id = /\((\d+)\)/.exec(state.stdout);
  if (state.code !== 0 || !id) return undefined;
  const res = await runCli([
    'consumer-groups',
    '--bootstrap-server',
    bootstrap,
    '--describe',
    '--group',
    GROUP,
    '--offsets',
  ]);
  if (res.code !== 0) return undefined;
  const offsets = new Map<number, number>();
  for (const line of res.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === GROUP && f[1] === TOPIC && /^\d+$/.test(f[3] ?? '')) offsets.set(Number(f[2]), Number(f[3]));
  }
  return { coordinator: Number(id[1]), offsets };
}

describe('consumer group coordinator failover', { timeout: 300_000 }, () => {
  test('kill -9 of the coordinator loses no acknowledged commit; the consumer finishes', async () => {
    cluster = await startCluster({ dir: box.dir, props: { 'offsets.topic.num.partitions': '10' } });
    const c = cluster;
    const created = await runCli([
      'topics',
      '--create',
      '--bootstrap-server',
      c.bootstrap,
      '--topic',
      TOPIC,
      '--partitions',
      '3',
      '--replication-factor',
      '3',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const lines = Array.from({ length: TOTAL }, (_, i) => `k${i % 7}:v${i}`).join('\n') + '\n';
    await new Promise<void>((resolve, reject) => {
      const p = spawn('kcat', ['-P', '-b', c.bootstrap, '-t', TOPIC, '-K:', '-X', 'acks=all']);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}`))));
      p.stdin.end(lines);
    });

    const commits: Array<[number, number]> = [];
    let stderr = '';
    let seen = -1;
    const consumer = spawn('/usr/bin/python3', ['-c', CONSUMER, c.bootstrap]);
    consumer.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let buffered = '';
    consumer.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const l of parts) {
        const m = /^COMMIT (\d+) (\d+)$/.exec(l);
        if (m) commits.push([Number(m[1]), Number(m[2])]);
        const s = /^SEEN (\d+)$/.exec(l);
        if (s) seen = Number(s[1]);
      }
    });
    const exited = new Promise<number | null>((resolve) => consumer.on('exit', (code) => resolve(code)));

    await waitFor('the consumer to commit', () => (commits.length >= 5 ? true : undefined), 60_000);
    const before = await waitFor('the group coordinator', () => describeGroup(c.bootstrap));
    assert.equal(consumer.exitCode, null, 'the consumer is still reading when its coordinator dies');
    // Commits acknowledged up to the kill: the new coordinator must answer at least these.
    await c.node(before.coordinator).kill('SIGKILL');
    const acked = new Map<number, number>();
    for (const [p, o] of commits) acked.set(p, Math.max(acked.get(p) ?? 0, o));

    const survivors = c.nodes
      .filter((n) => n.id !== before.coordinator)
      .map((n) => `127.0.0.1:${n.port}`)
      .join(',');
    // One try each, through every bootstrap address including the dead one: the tool waits
    // out the failover by itself, as Kafka's admin client does.
    const afterKill = await describeGroup(c.bootstrap);
    assert.ok(afterKill, 'consumer-groups --describe works across the failover');
    assert.notEqual(afterKill.coordinator, before.coordinator);
    // The new coordinator took the group over with its members (GroupMetadataValue), not empty.
    assert.ok(
      c.nodes.some(
        (n) => n.id === afterKill.coordinator && /Loaded \d+ group\(s\), [1-9]\d* with members/.test(n.output),
      ),
      'the new coordinator restored the group with its members',
    );
    for (const [p, o] of acked)
      assert.ok(
        (afterKill.offsets.get(p) ?? -1) >= o,
        `partition ${p}: the new coordinator has ${afterKill.offsets.get(p)}, but ${o} was acknowledged`,
      );

    assert.equal(await exited, 0, stderr);
    assert.equal(seen, TOTAL, `the consumer read every record (stderr: ${stderr.slice(-1000)})`);
    const final = await waitFor('every record committed', async () => {
      const d = await describeGroup(survivors);
      const sum = d ? [...d.offsets.values()].reduce((a, b) => a + b, 0) : -1;
      return sum === TOTAL ? d : undefined;
    });
    for (const [p, o] of acked) assert.ok(final.offsets.get(p)! >= o, `partition ${p} went backwards`);
    // The coordinator's partition has a leader among the survivors, listed by kcat as any topic.
    const { stdout } = await exec('kcat', ['-L', '-J', '-b', survivors, '-t', '__consumer_offsets', '-m', '5']);
    const meta = JSON.parse(stdout) as { topics: Array<{ partitions: unknown[] }> };
    assert.equal(meta.topics[0]!.partitions.length, 10);
    await c.node(before.coordinator).restart();
  });

  test('ktool console-consumer --group reads everything across kill -9 of the leader', async () => {
    const c = cluster!;
    const created = await runCli([
      'topics',
      '--create',
      '--bootstrap-server',
      c.bootstrap,
      '--topic',
      'cc',
      '--partitions',
      '2',
      '--replication-factor',
      '3',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const total = 2000;
    const producer = spawn('sh', [
      '-c',
      `/usr/bin/python3 -c "
import time
for i in range(${total}):
    print('k%d:v%d' % (i % 5, i), flush=True); time.sleep(0.003)
" | kcat -P -b ${c.bootstrap} -t cc -K: -X acks=all -X enable.idempotence=true`,
    ]);
    const produced = new Promise<void>((resolve) => producer.on('exit', () => resolve()));
    const consumed = runCli(
      [
        'console-consumer',
        '--bootstrap-server',
        c.bootstrap,
        '--topic',
        'cc',
        '--group',
        'cg',
        '--from-beginning',
        '--max-messages',
        String(total),
      ],
      { timeoutMs: 60_000 },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const { stdout: md } = await exec('kcat', ['-L', '-J', '-b', c.bootstrap, '-t', 'cc', '-m', '5']);
    const leader = (JSON.parse(md) as { topics: Array<{ partitions: Array<{ leader: number }> }> }).topics[0]!
      .partitions[0]!.leader;
    await c.node(leader).kill('SIGKILL');
    await produced;
    const r = await consumed;
    assert.equal(
      r.code,
      0,
      `${r.stderr}\nread ${r.stdout.split('\n').filter(Boolean).length}; killed ${leader}\n` +
        c.nodes
          .map(
            (n) =>
              `--- node ${n.id}\n${n.output
                .split('\n')
                .filter((l) => /group|cg|Loaded|coordinat/i.test(l))
                .slice(-12)
                .join('\n')}`,
          )
          .join('\n'),
    );
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(new Set(lines).size, total, `read ${lines.length} line(s), ${new Set(lines).size} distinct`);
    await c.node(leader).restart();
  });

  test('a transactional producer is refused on a cluster', async () => {
    const c = cluster!;
    const script = `
import sys
from confluent_kafka import Producer, KafkaException
p = Producer({'bootstrap.servers': sys.argv[1], 'transactional.id': 'tx-1'})
try:
    p.init_transactions(5)
    print('INITIALISED')
except KafkaException as e:
    print('REFUSED', e.args[0].str())
`;
    const live = c.nodes
      .filter((n) => n.running)
      .map((n) => `127.0.0.1:${n.port}`)
      .join(',');
    const { stdout } = await exec('/usr/bin/python3', ['-c', script, live], { timeout: 60_000 });
    // librdkafka words UNSUPPORTED_VERSION as such; the broker's log says why.
    assert.match(stdout, /^REFUSED .*(not supported|UNSUPPORTED)/m, stdout);
    assert.ok(
      c.nodes.some((n) => /transactions are not supported on a ktool cluster yet/.test(n.output)),
      'a broker logs why',
    );
  });
});
