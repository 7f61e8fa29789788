// The cluster section of `npm run bench`: three combined KRaft nodes on this machine (Kafka's
// default timeouts), kcat acks=all into an RF-3 topic next to an RF-1 topic in the same run
// (topics created first, a warm-up each, runs interleaved, medians), each node's peak RSS,
// and the time from kill -9 of a partition's leader until an idempotent acks=all producer
// (confluent-kafka) goes without acknowledgements: the longest silence after the kill.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { median, timed } from './console-pairs.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const hwmMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

function startNode(bin, node) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'server-start', node.props], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d) => {
      out += d;
      if (out.includes(`Broker ${node.id}: unfenced`)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`node ${node.id} exited ${code}: ${out.slice(-500)}`)));
    node.proc = child;
  });
}

function metadata(bootstrap, topic) {
  const r = spawnSync('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic, '-m', '5'], { encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout).topics[0].partitions : [];
}

async function waitUntil(probe, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

// Produces one record every 5 ms; prints the wall-clock time of each acknowledgement.
const PRODUCER = `
import sys, time
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'acks': 'all',
              'linger.ms': 0, 'message.timeout.ms': 120000, 'topic.metadata.refresh.interval.ms': 1000})
def done(err, msg):
    if err is None: print('%.3f' % (time.time() * 1000), flush=True)
end = time.time() + float(sys.argv[3])
while time.time() < end:
    p.produce(sys.argv[2], b'x' * 100, on_delivery=done)
    p.poll(0.005)
p.flush(120)
`;

export async function runClusterBench({ bin, work, input, n, repeat, add }) {
  const dir = join(work, 'cluster');
  mkdirSync(dir, { recursive: true });
  const nodes = [];
  for (let id = 1; id <= 3; id++) nodes.push({ id, port: await freePort(), controllerPort: await freePort() });
  const voters = nodes.map((s) => `${s.id}@127.0.0.1:${s.controllerPort}`).join(',');
  for (const node of nodes) {
    node.props = join(dir, `server.${node.id}.properties`);
    writeFileSync(
      node.props,
      [
        'process.roles=broker,controller',
        `node.id=${node.id}`,
        `controller.quorum.voters=${voters}`,
        'controller.listener.names=CONTROLLER',
        `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
        'inter.broker.listener.name=PLAINTEXT',
        `log.dirs=${join(dir, `node-${node.id}`)}`,
        'schema.registry.enable=false',
        '',
      ].join('\n'),
    );
  }
  const bootstrap = nodes.map((s) => `127.0.0.1:${s.port}`).join(',');
  try {
    await Promise.all(nodes.map((node) => startNode(bin, node)));
    const create = (topic, rf) => {
      const r = spawnSync(process.execPath, [
        bin,
        'topics',
        '--create',
        '--topic',
        topic,
        '--replication-factor',
        String(rf),
        '--bootstrap-server',
        bootstrap,
      ]);
      if (r.status !== 0) throw new Error(`creating ${topic}: ${r.stderr}`);
    };
    for (const rf of [1, 3]) for (let i = 0; i <= repeat; i++) create(`rf${rf}.${i}`, rf);
    await waitUntil(() => metadata(bootstrap, 'rf3.0').every((p) => p.isrs.length === 3));
    const rates = { 1: [], 3: [] };
    for (let i = 0; i <= repeat; i++) {
      for (const rf of [1, 3]) {
        const t = timed('kcat', ['-b', bootstrap, '-P', '-t', `rf${rf}.${i}`, '-K:', '-X', 'acks=all'], {
          stdin: input,
        });
        if (i > 0) rates[rf].push((n / t.ms) * 1000); // run 0 is the warm-up
      }
    }
    const rf1 = median(rates[1]);
    const rf3 = median(rates[3]);
    add('cluster: kcat acks=all into RF 1, 3 nodes', rf1, 'records/s', null, null);
    add('cluster: kcat acks=all into RF 3, 3 nodes', rf3, 'records/s', null, null);
    add('cluster: RF 3 / RF 1 ingest rate', rf3 / rf1, 'ratio', null, null);
    for (const node of nodes) add(`cluster: node ${node.id} peak RSS`, hwmMb(node.proc.pid), 'MB', 200, null, 'lower');

    // Failover: kill -9 of the partition's leader under a steady idempotent acks=all producer.
    create('failover', 3);
    await waitUntil(() => metadata(bootstrap, 'failover').every((p) => p.isrs.length === 3 && p.leader >= 0));
    const gaps = [];
    for (let round = 0; round < Math.max(1, Math.min(repeat, 3)); round++) {
      const producer = spawn('/usr/bin/python3', ['-c', PRODUCER, bootstrap, 'failover', '40'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acks = [];
      let buf = '';
      producer.stdout.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop();
        for (const l of lines) acks.push(Number(l));
      });
      await waitUntil(() => acks.length > 200);
      const leader = metadata(bootstrap, 'failover')[0].leader;
      const victim = nodes.find((x) => x.id === leader);
      const killedAt = Date.now();
      victim.proc.kill('SIGKILL');
      await waitUntil(() => acks.filter((a) => a > killedAt).length > 100, 90_000);
      // The longest silence between acknowledgements once the leader is gone (steady state: ~5 ms).
      const sorted = [...acks].sort((a, b) => a - b);
      let gap = 0;
      for (let i = 1; i < sorted.length; i++) if (sorted[i] > killedAt) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
      gaps.push(gap);
      producer.kill('SIGKILL');
      await startNode(bin, victim);
      await waitUntil(() => metadata(bootstrap, 'failover').every((p) => p.isrs.length === 3));
    }
    add('cluster: kill -9 of the leader until acks=all is acknowledged again', median(gaps), 'ms', null, null, 'lower');
  } finally {
    for (const node of nodes) node.proc?.kill('SIGKILL');
  }
}
