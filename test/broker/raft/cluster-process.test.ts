// Three `ktool server-start server.N.properties` processes form one KRaft quorum over Kafka's own RPCs.
// Observed from outside only, through DescribeQuorum on each CONTROLLER listener: a leader is elected,
// kill -9 of the leader elects another in a newer epoch with the metadata log intact, one voter alone
// never elects itself, and a restarted voter rejoins and catches up.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, freePort, ROOT, sandbox } from '../../cli/helpers.js';
import { WireClient } from '../../helpers/wire.js';
import { decodeBatches } from '../../../src/protocol/record-batch.js';
import { decodeMetadataRecord } from '../../../src/protocol/log-records.js';

const DESCRIBE_QUORUM = 55;
const NOT_LEADER_OR_FOLLOWER = 6;

interface Node {
  id: number;
  brokerPort: number;
  controllerPort: number;
  propsFile: string;
  dataDir: string;
  proc?: ChildProcess;
  output: string;
}

const box = sandbox('ktool-kraft-');
const nodes: Node[] = [];
after(() => {
  for (const n of nodes) if (n.proc && n.proc.exitCode === null) n.proc.kill('SIGKILL');
  box.cleanup();
});

function start(n: Node): Promise<void> {
  n.output = '';
  const child = spawn(process.execPath, [BIN, 'server-start', n.propsFile], {
    cwd: ROOT,
    env: { ...process.env, ...box.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  n.proc = child;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (n.output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (n.output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${n.id} did not start:\n${n.output}`)), 20_000);
    const check = () => {
      if (n.output.includes('ktool broker started') || n.output.includes('ktool controller started')) {
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`node ${n.id} exited ${child.exitCode}:\n${n.output}`));
      } else setTimeout(check, 50);
    };
    check();
  });
}

function kill9(n: Node): Promise<void> {
  return new Promise((resolve) => {
    n.proc!.once('exit', () => resolve());
    n.proc!.kill('SIGKILL');
  });
}

async function describeQuorum(n: Node, port = n.controllerPort): Promise<any | null> {
  let c: WireClient | undefined;
  try {
    c = await WireClient.open(port);
    const res = await c.request(
      DESCRIBE_QUORUM,
      1,
      { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] },
      3000,
    );
    return res.topics[0].partitions[0];
  } catch {
    return null;
  } finally {
    c?.close();
  }
}

/** Polls the live nodes until one answers DescribeQuorum as leader and every live voter has caught up. */
async function awaitLeader(live: Node[], minEpoch: number, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const n of live) {
      const d = await describeQuorum(n);
      if (d && d.errorCode === 0 && d.leaderEpoch >= minEpoch) {
        const caughtUp = live.every(
          (m) =>
            d.currentVoters.find((v: { replicaId: number }) => v.replicaId === m.id)?.logEndOffset === d.highWatermark,
        );
        if (caughtUp) return d;
      }
    }
    if (Date.now() > deadline)
      throw new Error(
        `no leader in epoch >= ${minEpoch}:\n${live.map((n) => `--- node ${n.id}\n${n.output}`).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The broker ids a Metadata request to this node's broker listener lists. */
async function metadataBrokers(n: Node): Promise<number[] | null> {
  let c: WireClient | undefined;
  try {
    c = await WireClient.open(n.brokerPort);
    const res = await c.request(
      3,
      12,
      { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
      3000,
    );
    return res.brokers.map((b: { nodeId: number }) => b.nodeId).sort();
  } catch {
    return null;
  } finally {
    c?.close();
  }
}

async function awaitBrokers(n: Node, ids: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: number[] | null = null;
  while (Date.now() < deadline) {
    seen = await metadataBrokers(n);
    if (seen && seen.join(',') === ids.join(',')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`node ${n.id} lists brokers ${seen?.join(',')}, expected ${ids.join(',')}:\n${n.output}`);
}

/** Metadata records (not control records) in a node's log, by name. */
function metadataRecords(n: Node): Array<{ name: string; body: Record<string, unknown> }> {
  return decodeBatches(segment(n))
    .filter((b) => !b.header.isControl)
    .flatMap((b) => b.records.map((r) => decodeMetadataRecord(r.value!)));
}

const segment = (n: Node) => readFileSync(join(n.dataDir, '__cluster_metadata-0', '00000000000000000000.log'));

describe('KRaft quorum of three server-start processes', { timeout: 180_000 }, () => {
  test('elects a leader, survives kill -9 of it, stalls without a majority, recovers when a voter returns', async () => {
    for (const id of [1, 2, 3]) {
      nodes.push({
        id,
        brokerPort: await freePort(),
        controllerPort: await freePort(),
        propsFile: join(box.dir, `server.${id}.properties`),
        dataDir: join(box.dir, `kafka-logs${id}`),
        output: '',
      });
    }
    const voters = nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
    for (const n of nodes) {
      writeFileSync(
        n.propsFile,
        [
          'process.roles=broker,controller',
          `node.id=${n.id}`,
          `controller.quorum.voters=${voters}`,
          'controller.listener.names=CONTROLLER',
          `listeners=PLAINTEXT://127.0.0.1:${n.brokerPort},CONTROLLER://127.0.0.1:${n.controllerPort}`,
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${n.dataDir}`,
          'broker.session.timeout.ms=3000',
          'broker.heartbeat.interval.ms=500',
          '',
        ].join('\n'),
      );
    }
    await Promise.all(nodes.map(start));

    const first = await awaitLeader(nodes, 1);
    const leader1 = nodes.find((n) => n.id === first.leaderId)!;
    assert.equal(first.currentVoters.length, 3);
    // Followers do not answer for the quorum; they point at the leader.
    const follower = nodes.find((n) => n !== leader1)!;
    const fromFollower = await describeQuorum(follower);
    assert.equal(fromFollower.errorCode, NOT_LEADER_OR_FOLLOWER);
    assert.equal(fromFollower.leaderId, leader1.id);
    // On a broker listener DescribeQuorum is passed on to the active controller, as kafka-metadata-quorum.sh expects.
    const viaBroker = await describeQuorum(follower, follower.brokerPort);
    assert.deepEqual(
      [viaBroker.errorCode, viaBroker.leaderId, viaBroker.leaderEpoch],
      [0, leader1.id, first.leaderEpoch],
    );
    // Every voter holds the same metadata log, byte for byte.
    for (const n of nodes) assert.deepEqual(segment(n), segment(leader1), `node ${n.id}`);
    const clusterIds = nodes.map((n) => /cluster id (\S+)/.exec(n.output)?.[1]);
    assert.equal(new Set(clusterIds).size, 1, `one cluster id: ${clusterIds.join(' ')}`);
    // Each broker registered with the active controller; every broker's Metadata lists all three.
    for (const n of nodes) await awaitBrokers(n, [1, 2, 3]);
    const registered = metadataRecords(leader1)
      .filter((r) => r.name === 'RegisterBrokerRecord')
      .map((r) => r.body.brokerId);
    assert.deepEqual([...new Set(registered)].sort(), [1, 2, 3]);
    // CreateTopics at the active controller: RF 3 over the three registered brokers, on every voter's log.
    const admin = await WireClient.open(leader1.controllerPort);
    const created = await admin.request(19, 7, {
      topics: [{ name: 'my-kafka-topic', numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    admin.close();
    assert.deepEqual(
      [created.topics[0].errorCode, created.topics[0].numPartitions, created.topics[0].replicationFactor],
      [0, 3, 3],
    );
    await awaitLeader(nodes, 1);
    for (const n of nodes) {
      const parts = metadataRecords(n)
        .filter((r) => r.name === 'PartitionRecord')
        .map((r) => (r.body.replicas as number[]).join(','));
      assert.equal(parts.length, 3, `node ${n.id} has the topic's partitions`);
      assert.deepEqual(
        new Set(parts.map((p) => p.split(',')[0])),
        new Set(['1', '2', '3']),
        'leaders spread over the three brokers',
      );
    }

    // kill -9 the leader: the other two elect a new one in a newer epoch, keeping the log.
    const committedBefore = segment(leader1).subarray(0, 0 + segment(leader1).length);
    const killedAt = Date.now();
    await kill9(leader1);
    const survivors = nodes.filter((n) => n !== leader1);
    const second = await awaitLeader(survivors, first.leaderEpoch + 1);
    const failoverMs = Date.now() - killedAt;
    assert.notEqual(second.leaderId, leader1.id);
    assert.ok(second.highWatermark > first.highWatermark, 'the new leader committed its epoch on top of the old log');
    for (const n of survivors)
      assert.deepEqual(
        segment(n).subarray(0, committedBefore.length),
        committedBefore,
        `node ${n.id} kept the committed log`,
      );
    process.stderr.write(
      `# KRaft failover after kill -9 of the leader: ${failoverMs} ms (epoch ${first.leaderEpoch} -> ${second.leaderEpoch})\n`,
    );
    // The killed broker stops heartbeating: the new controller fences it and Metadata drops it.
    for (const n of survivors)
      await awaitBrokers(
        n,
        survivors.map((m) => m.id),
      );
    const leader2Node = survivors.find((n) => n.id === second.leaderId)!;
    assert.ok(
      metadataRecords(leader2Node).some((r) => r.name === 'FenceBrokerRecord' && r.body.id === leader1.id),
      'a FenceBrokerRecord for the killed broker',
    );

    // kill -9 the new leader too: one voter of three never elects itself.
    const leader2 = survivors.find((n) => n.id === second.leaderId)!;
    await kill9(leader2);
    const alone = survivors.find((n) => n !== leader2)!;
    for (const _ of Array.from({ length: 12 })) {
      await new Promise((r) => setTimeout(r, 500));
      const d = await describeQuorum(alone);
      assert.ok(d, 'the lone voter still answers');
      assert.equal(d.errorCode, NOT_LEADER_OR_FOLLOWER, 'no leader without a majority');
    }
    assert.match(alone.output, new RegExp(`node ${alone.id} is a candidate`));

    // The first leader comes back on its disk: a majority again, a leader again, nothing lost.
    await start(leader1);
    const third = await awaitLeader([alone, leader1], second.leaderEpoch + 1);
    assert.ok([alone.id, leader1.id].includes(third.leaderId));
    assert.ok(third.highWatermark > second.highWatermark);
    assert.deepEqual(segment(leader1), segment(alone), 'the returning voter caught up byte for byte');
    await start(leader2);
    const last = await awaitLeader(nodes, third.leaderEpoch);
    assert.equal(
      last.currentVoters.filter((v: { logEndOffset: number }) => v.logEndOffset === last.highWatermark).length,
      3,
    );
    for (const n of nodes) await awaitBrokers(n, [1, 2, 3]);
    // Metadata may still list a restarted node's previous incarnation: wait until each process is itself unfenced.
    for (const n of nodes) {
      const deadline = Date.now() + 20_000;
      while (!new RegExp(`Broker ${n.id}: unfenced by controller`).test(n.output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    }

    // SIGTERM is a controlled shutdown: the controller fences the broker at once, not after the session timeout.
    const leaving = nodes.find((n) => n.id !== last.leaderId)!;
    const staying = nodes.filter((n) => n !== leaving);
    const stoppedAt = Date.now();
    await new Promise<void>((resolve) => {
      leaving.proc!.once('exit', () => resolve());
      leaving.proc!.kill('SIGTERM');
    });
    assert.match(leaving.output, /controlled shutdown acknowledged/);
    await awaitBrokers(
      staying[0]!,
      staying.map((n) => n.id),
      2000,
    );
    process.stderr.write(
      `# controlled shutdown: broker ${leaving.id} gone from Metadata ${Date.now() - stoppedAt} ms after SIGTERM\n`,
    );
    for (const n of staying) n.proc!.kill('SIGTERM');
  });
});

describe('a single-voter KRaft node', { timeout: 60_000 }, () => {
  test('elects itself, registers, snapshots its metadata log, and restarts from the snapshot', async () => {
    const n: Node = {
      id: 1,
      brokerPort: await freePort(),
      controllerPort: await freePort(),
      propsFile: join(box.dir, 'single.properties'),
      dataDir: join(box.dir, 'single-logs'),
      output: '',
    };
    nodes.push(n);
    writeFileSync(
      n.propsFile,
      [
        'process.roles=broker,controller',
        // The older spelling of node.id, as the tutorial's files have it.
        'broker.id=1',
        `controller.quorum.voters=1@127.0.0.1:${n.controllerPort}`,
        'controller.listener.names=CONTROLLER',
        `listeners=PLAINTEXT://127.0.0.1:${n.brokerPort},CONTROLLER://127.0.0.1:${n.controllerPort}`,
        `log.dirs=${n.dataDir}`,
        'metadata.log.max.record.bytes.between.snapshots=1',
        'broker.heartbeat.interval.ms=200',
        '',
      ].join('\n'),
    );
    await start(n);
    const d = await awaitLeader([n], 1);
    assert.equal(d.leaderId, 1);
    await awaitBrokers(n, [1]);
    // Registration and unfencing were committed, each followed by a snapshot.
    const deadline = Date.now() + 10_000;
    while (!n.output.includes('wrote snapshot') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(n.output, /node 1 wrote snapshot \d+-\d+; the metadata log now starts at \d+/);
    const files = readdirSync(join(n.dataDir, '__cluster_metadata-0'));
    assert.ok(
      files.some((f) => /^\d{20}-\d{10}\.checkpoint$/.test(f)),
      files.join(' '),
    );
    assert.ok(!files.includes('00000000000000000000.log'), 'the log before the snapshot is gone');
    await new Promise<void>((resolve) => {
      n.proc!.once('exit', () => resolve());
      n.proc!.kill('SIGTERM');
    });
    await start(n);
    const again = await awaitLeader([n], d.leaderEpoch + 1);
    assert.ok(again.highWatermark > d.highWatermark);
    await awaitBrokers(n, [1]);
    n.proc!.kill('SIGTERM');
  });
});

describe('separate roles: a controller-only node and a broker-only node', { timeout: 60_000 }, () => {
  test('the broker observes the metadata log, registers, and is the one broker Metadata lists', async () => {
    const ctl: Node = {
      id: 1,
      brokerPort: 0,
      controllerPort: await freePort(),
      propsFile: join(box.dir, 'controller.properties'),
      dataDir: join(box.dir, 'controller-logs'),
      output: '',
    };
    const brk: Node = {
      id: 2,
      brokerPort: await freePort(),
      controllerPort: ctl.controllerPort,
      propsFile: join(box.dir, 'broker.properties'),
      dataDir: join(box.dir, 'broker-logs'),
      output: '',
    };
    nodes.push(ctl, brk);
    const common = [
      `controller.quorum.voters=1@127.0.0.1:${ctl.controllerPort}`,
      'controller.listener.names=CONTROLLER',
      'broker.heartbeat.interval.ms=200',
    ];
    writeFileSync(
      ctl.propsFile,
      [
        'process.roles=controller',
        'node.id=1',
        ...common,
        `listeners=CONTROLLER://127.0.0.1:${ctl.controllerPort}`,
        `log.dirs=${ctl.dataDir}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      brk.propsFile,
      [
        'process.roles=broker',
        'node.id=2',
        ...common,
        `listeners=PLAINTEXT://127.0.0.1:${brk.brokerPort}`,
        `log.dirs=${brk.dataDir}`,
        '',
      ].join('\n'),
    );
    await start(ctl);
    await start(brk);
    const deadline = Date.now() + 15_000;
    while (!/Broker 2: unfenced by controller 1/.test(brk.output) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(brk.output, /Broker 2: registered with controller 1, broker epoch \d+/);
    assert.match(brk.output, /Broker 2: unfenced by controller 1/);
    await awaitBrokers(brk, [2]);
    const d = await awaitLeader([ctl], 1);
    assert.deepEqual(
      d.currentVoters.map((v: { replicaId: number }) => v.replicaId),
      [1],
    );
    assert.deepEqual(
      d.observers.map((o: { replicaId: number }) => o.replicaId),
      [2],
    );
    const viaBroker = await describeQuorum(brk, brk.brokerPort);
    assert.deepEqual([viaBroker.errorCode, viaBroker.leaderId], [0, 1]);
    // The broker's copy of the metadata log holds its own registration.
    const records = decodeBatches(readFileSync(join(brk.dataDir, '__cluster_metadata-0', '00000000000000000000.log')))
      .filter((b) => !b.header.isControl)
      .flatMap((b) => b.records.map((r) => decodeMetadataRecord(r.value!)));
    assert.ok(records.some((r) => r.name === 'RegisterBrokerRecord' && r.body.brokerId === 2));
    brk.proc!.kill('SIGTERM');
    ctl.proc!.kill('SIGTERM');
  });
});

describe('a voter that was down while the others snapshotted', { timeout: 120_000 }, () => {
  test('catches up over the network with FetchSnapshot and holds the same metadata', async () => {
    const trio: Node[] = [];
    for (const id of [1, 2, 3]) {
      trio.push({
        id,
        brokerPort: await freePort(),
        controllerPort: await freePort(),
        propsFile: join(box.dir, `snap.${id}.properties`),
        dataDir: join(box.dir, `snap-logs${id}`),
        output: '',
      });
    }
    nodes.push(...trio);
    const voters = trio.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
    for (const n of trio) {
      writeFileSync(
        n.propsFile,
        [
          'process.roles=broker,controller',
          `node.id=${n.id}`,
          `controller.quorum.voters=${voters}`,
          'controller.listener.names=CONTROLLER',
          `listeners=PLAINTEXT://127.0.0.1:${n.brokerPort},CONTROLLER://127.0.0.1:${n.controllerPort}`,
          `log.dirs=${n.dataDir}`,
          'metadata.log.max.record.bytes.between.snapshots=2000',
          'broker.heartbeat.interval.ms=300',
          '',
        ].join('\n'),
      );
    }
    await Promise.all(trio.map(start));
    const d = await awaitLeader(trio, 1);
    for (const n of trio) await awaitBrokers(n, [1, 2, 3]);
    const down = trio.find((n) => n.id !== d.leaderId)!;
    await kill9(down);
    const up = trio.filter((n) => n !== down);
    const leader = trio.find((n) => n.id === d.leaderId)!;
    const admin = await WireClient.open(leader.controllerPort);
    for (let i = 0; i < 40; i++) {
      const r = await admin.request(19, 7, {
        topics: [{ name: `while-down-${i}`, numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(r.topics[0].errorCode, 0, JSON.stringify(r.topics[0]));
    }
    admin.close();
    assert.match(leader.output, /wrote snapshot \d+-\d+; the metadata log now starts at [1-9]\d*/);
    await start(down);
    const after = await awaitLeader(trio, d.leaderEpoch);
    assert.match(
      down.output,
      new RegExp(`node ${down.id} loaded snapshot \\d+-\\d+ \\(\\d+ bytes\\) from leader ${after.leaderId}`),
    );
    const checkpoints = (n: Node) =>
      readdirSync(join(n.dataDir, '__cluster_metadata-0')).filter((f) => f.endsWith('.checkpoint'));
    assert.equal(checkpoints(down).length, 1);
    // The snapshot carried every topic created while it was down.
    const topicsIn = (n: Node) => {
      const snap = readFileSync(join(n.dataDir, '__cluster_metadata-0', checkpoints(n)[0]!));
      const fromSnapshot = decodeBatches(snap)
        .filter((b) => !b.header.isControl)
        .flatMap((b) => b.records.map((r) => decodeMetadataRecord(r.value!)));
      const log = readdirSync(join(n.dataDir, '__cluster_metadata-0')).find((f) => f.endsWith('.log'))!;
      const fromLog = decodeBatches(readFileSync(join(n.dataDir, '__cluster_metadata-0', log)))
        .filter((b) => !b.header.isControl)
        .flatMap((b) => b.records.map((r) => decodeMetadataRecord(r.value!)));
      return new Set([...fromSnapshot, ...fromLog].filter((r) => r.name === 'TopicRecord').map((r) => r.body.name));
    };
    const expected = new Set(Array.from({ length: 40 }, (_, i) => `while-down-${i}`));
    assert.deepEqual(topicsIn(down), expected);
    for (const n of up) assert.deepEqual(topicsIn(n), expected);

    // The whole cluster stops and starts again: every committed record is still there.
    await Promise.all(
      trio.map(
        (n) =>
          new Promise<void>((resolve) => {
            n.proc!.once('exit', () => resolve());
            n.proc!.kill('SIGTERM');
          }),
      ),
    );
    await Promise.all(trio.map(start));
    const again = await awaitLeader(trio, after.leaderEpoch + 1);
    assert.ok(again.highWatermark > after.highWatermark);
    for (const n of trio) assert.deepEqual(topicsIn(n), expected, `node ${n.id} after a full restart`);
    for (const n of trio) n.proc!.kill('SIGTERM');
  });
});
