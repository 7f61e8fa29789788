// The 3-broker tutorial the product grew from (seeds/003), typed as written with `ktool` for
// bin/kafka-*.sh: zookeeper-server-start with zookeeper.properties, three server.N.properties
// (broker.id, listeners=PLAINTEXT://:909N, log.dirs, zookeeper.connect=localhost:2181), an RF-3
// topic, a console producer with --broker-list of all three, broker 1 stopped with Ctrl-C, a
// consumer in group2 on another broker reads every record, describe shows new leaders and an
// ISR of two; then a second broker stops and the last one keeps serving, as KRaft Kafka does.
// Only log.dirs and dataDir point into a scratch directory instead of /tmp.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, runCli, sandbox } from '../cli/helpers.js';
import { run } from '../helpers/tools.js';
import { waitFor } from '../helpers/cluster.js';

const box = sandbox('ktool-tutorial-');
const procs: Array<{ proc: ChildProcess; output: string }> = [];
after(() => {
  for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  box.cleanup();
});
const env = { ...box.env, NO_COLOR: '1' };

function launch(args: string[], ready: RegExp): Promise<{ proc: ChildProcess; output: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: box.dir, env: { ...process.env, ...env } });
  const entry = { proc, output: '' };
  procs.push(entry);
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (entry.output += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (entry.output += d));
  return waitFor(
    `${args.join(' ')} to start`,
    () => {
      if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}:\n${entry.output}`);
      return ready.test(entry.output) ? entry : undefined;
    },
    40_000,
  );
}

function interrupt(p: { proc: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    p.proc.once('exit', () => resolve());
    p.proc.kill('SIGINT');
  });
}

const ktool = (args: string[]) => runCli(args, { env, cwd: box.dir });

interface Row {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

function describeRows(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes('Partition: '))
    .map((l) => {
      const field = (name: string) => new RegExp(`${name}: (\\S+)`).exec(l)![1]!;
      const ids = (s: string) => s.split(',').map(Number);
      return {
        partition: Number(field('Partition')),
        leader: Number(field('Leader')),
        replicas: ids(field('Replicas')),
        isr: ids(field('Isr')),
      };
    });
}

describe('the 3-broker tutorial, typed as written', { timeout: 300_000 }, () => {
  test('cluster, RF 3 topic, broker 1 stopped, group2 reads everything, ISR of two', async () => {
    mkdirSync(join(box.dir, 'config'));
    writeFileSync(
      join(box.dir, 'config/zookeeper.properties'),
      `dataDir=${join(box.dir, 'zookeeper')}\n# the port at which the clients will connect\nclientPort=2181\nmaxClientCnxns=0\nadmin.enableServer=false\n`,
    );
    for (const n of [1, 2, 3]) {
      writeFileSync(
        join(box.dir, `config/server.${n}.properties`),
        [
          `broker.id=${n}`,
          `listeners=PLAINTEXT://:${9092 + n}`,
          `log.dirs=${join(box.dir, `kafka-logs${n}`)}`,
          'num.partitions=1',
          'offsets.topic.replication.factor=1',
          'zookeeper.connect=localhost:2181',
          'zookeeper.connection.timeout.ms=18000',
          '',
        ].join('\n'),
      );
    }

    const zk = await launch(['zookeeper-server-start', 'config/zookeeper.properties'], /ktool controller started/);
    assert.match(zk.output, /no ZooKeeper here; running a KRaft controller \(node 3000\) on 127\.0\.0\.1:2181/);
    assert.equal(zk.output.split('\n').filter((l) => l.startsWith('ktool: ')).length, 1, 'one stderr line');
    const brokers = await Promise.all(
      [1, 2, 3].map((n) =>
        launch(['server-start', `config/server.${n}.properties`], new RegExp(`Broker ${n}: unfenced by controller`)),
      ),
    );
    for (const b of brokers) assert.match(b.output, /No ZooKeeper in ktool: zookeeper\.connect=localhost:2181/);

    const created = await ktool([
      'topics',
      '--create',
      '--topic',
      'my-kafka-topic',
      '--bootstrap-server',
      'localhost:9093',
      '--partitions',
      '3',
      '--replication-factor',
      '3',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'Created topic my-kafka-topic.\n');
    const listed = await ktool(['topics', '--list', '--bootstrap-server', 'localhost:9093']);
    assert.equal(listed.stdout, 'my-kafka-topic\n');

    const full = await waitFor('every ISR full', async () => {
      const d = await ktool([
        'topics',
        '--describe',
        '--topic',
        'my-kafka-topic',
        '--bootstrap-server',
        'localhost:9093',
      ]);
      const rows = describeRows(d.stdout);
      return rows.length === 3 && rows.every((r) => r.isr.length === 3) ? d.stdout : undefined;
    });
    assert.match(full, /^Topic: my-kafka-topic\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: /);
    const leaders = describeRows(full).map((r) => r.leader);
    assert.deepEqual([...leaders].sort(), [1, 2, 3], 'one leader per broker');

    const lines = ['first insert', '두번째 입력', 'real-time data', 'awesome!!!'];
    const produced = await run(
      process.execPath,
      [
        BIN,
        'console-producer',
        '--broker-list',
        'localhost:9093,localhost:9094,localhost:9095',
        '--topic',
        'my-kafka-topic',
      ],
      { input: lines.join('\n') + '\n', env: { ...process.env, ...env } },
    );
    assert.equal(produced.code, 0, produced.stderr);

    // Ctrl-C on broker 1.
    await interrupt(brokers[0]!);

    const consumed = await run(
      process.execPath,
      [
        BIN,
        'console-consumer',
        '--bootstrap-server',
        'localhost:9094',
        '--topic',
        'my-kafka-topic',
        '--from-beginning',
        '--group',
        'group2',
        '--max-messages',
        '4',
      ],
      { env: { ...process.env, ...env }, timeoutMs: 60_000 },
    );
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.toString('utf8').split('\n').filter(Boolean).sort(), [...lines].sort());

    const after1 = await waitFor('leaders moved off broker 1 and ISRs of two', async () => {
      const d = await ktool([
        'topics',
        '--describe',
        '--topic',
        'my-kafka-topic',
        '--bootstrap-server',
        'localhost:9094',
      ]);
      const rows = describeRows(d.stdout);
      return rows.length === 3 && rows.every((r) => r.leader !== 1 && r.isr.length === 2 && !r.isr.includes(1))
        ? rows
        : undefined;
    });
    for (const r of after1) assert.deepEqual(r.replicas.length, 3);

    // A second broker stops: as in KRaft Kafka, the controller still runs, so the last
    // broker leads every partition alone and still serves reads and acks=1 writes.
    await interrupt(brokers[1]!);
    await waitFor('broker 3 leads everything with an ISR of one', async () => {
      const d = await ktool([
        'topics',
        '--describe',
        '--topic',
        'my-kafka-topic',
        '--bootstrap-server',
        'localhost:9095',
      ]);
      const rows = describeRows(d.stdout);
      return rows.length === 3 && rows.every((r) => r.leader === 3 && r.isr.join() === '3') ? rows : undefined;
    });
    const more = await run(
      process.execPath,
      [BIN, 'console-producer', '--bootstrap-server', 'localhost:9095', '--topic', 'my-kafka-topic'],
      { input: 'after two stopped\n', env: { ...process.env, ...env } },
    );
    assert.equal(more.code, 0, more.stderr);
    const last = await run(
      process.execPath,
      [
        BIN,
        'console-consumer',
        '--bootstrap-server',
        'localhost:9095',
        '--topic',
        'my-kafka-topic',
        '--from-beginning',
        '--max-messages',
        '5',
      ],
      { env: { ...process.env, ...env }, timeoutMs: 60_000 },
    );
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(
      last.stdout.toString('utf8').split('\n').filter(Boolean).sort(),
      [...lines, 'after two stopped'].sort(),
    );
    await interrupt(brokers[2]!);
    await interrupt(zk);
  });
});
