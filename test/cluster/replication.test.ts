// Three ktool processes form one replicated cluster. Observed only from outside, with kcat:
// an RF-3 topic gets a leader and two followers per partition, acks=all records land on
// every replica byte for byte, kill -9 of a leader moves leadership to an in-sync replica
// with nothing acknowledged lost, and the old leader comes back, catches up and rejoins the ISR.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, sandbox } from '../cli/helpers.js';
import { startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const exec = promisify(execFile);
const box = sandbox('ktool-replication-');
let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
  box.cleanup();
});

interface PartitionMeta {
  partition: number;
  leader: number;
  replicas: Array<{ id: number }>;
  isrs: Array<{ id: number }>;
}

async function partitions(bootstrap: string, topic: string): Promise<PartitionMeta[]> {
  const { stdout } = await exec('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic, '-m', '5']);
  const meta = JSON.parse(stdout);
  return meta.topics[0].partitions;
}

async function sh(cmd: string, input?: string): Promise<string> {
  const p = exec('sh', ['-c', cmd], { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    p.child.stdin!.end(input);
  }
  return (await p).stdout;
}

/** The bytes of a partition's log on one node, up to `end` bytes. */
function logBytes(dataDir: string, dir: string): Buffer {
  const path = join(dataDir, dir);
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(path, f))));
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('replicated cluster of three processes', { timeout: 240_000 }, () => {
  test('RF 3: replicas byte-identical, failover on kill -9, the old leader rejoins the ISR', async () => {
    cluster = await startCluster({
      dir: box.dir,
      props: { 'min.insync.replicas': '2', 'replica.high.watermark.checkpoint.interval.ms': '300' },
    });
    const c = cluster;
    await exec(process.execPath, [
      BIN,
      'topics',
      '--bootstrap-server',
      c.bootstrap,
      '--create',
      '--topic',
      'rf3',
      '--partitions',
      '1',
      '--replication-factor',
      '3',
    ]);
    const first = await waitFor('partition leader with a full ISR', async () => {
      const [p] = await partitions(c.bootstrap, 'rf3');
      return p && p.leader >= 0 && p.isrs.length === 3 ? p : undefined;
    });
    assert.equal(first.replicas.length, 3);

    const batch1 = Array.from({ length: 2000 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await sh(`kcat -P -b ${c.bootstrap} -t rf3 -K: -X acks=all -X enable.idempotence=true`, batch1);

    // Every replica holds the same bytes once the followers caught up.
    await waitFor('byte-identical replicas', () => {
      const logs = c.nodes.map((n) => logBytes(n.dataDir, 'rf3-0'));
      return logs.every((l) => l.length > 0 && l.equals(logs[0]!)) ? true : undefined;
    });

    // kill -9 the leader: an in-sync follower takes over in a newer epoch.
    const oldLeader = c.node(first.leader);
    await oldLeader.kill('SIGKILL');
    const live = c.nodes.filter((n) => n.running);
    const liveBootstrap = live.map((n) => `127.0.0.1:${n.port}`).join(',');
    const second = await waitFor('a new leader', async () => {
      const [p] = await partitions(liveBootstrap, 'rf3');
      return p && p.leader >= 0 && p.leader !== oldLeader.id ? p : undefined;
    });
    assert.ok(
      second.isrs.every((r) => r.id !== oldLeader.id),
      'the dead broker left the ISR',
    );

    // Producing with acks=all goes on (min.insync.replicas=2 with two live replicas).
    const batch2 = Array.from({ length: 1000 }, (_, i) => `k${2000 + i}:v${2000 + i}`).join('\n') + '\n';
    await sh(`kcat -P -b ${liveBootstrap} -t rf3 -K: -X acks=all -X enable.idempotence=true`, batch2);
    const read = await sh(`kcat -C -b ${liveBootstrap} -t rf3 -e -q -f '%k:%s\\n'`);
    assert.equal(read, batch1 + batch2, 'every acknowledged record, once, in order');

    // The old leader returns, catches up from the new leader and rejoins the ISR.
    await oldLeader.restart();
    await waitFor(
      'the old leader back in the ISR',
      async () => {
        const [p] = await partitions(c.bootstrap, 'rf3');
        return p && p.isrs.length === 3 ? p : undefined;
      },
      60_000,
    );
    await waitFor('byte-identical replicas after the rejoin', () => {
      const logs = c.nodes.map((n) => logBytes(n.dataDir, 'rf3-0'));
      return logs.every((l) => l.equals(logs[0]!)) ? true : undefined;
    });
    const again = await sh(`kcat -C -b ${c.bootstrap} -t rf3 -e -q -f '%k:%s\\n'`);
    assert.equal(again, batch1 + batch2);

    // Every replica checkpoints the high watermark in Kafka's replication-offset-checkpoint format.
    await waitFor('high watermarks checkpointed on every node', () =>
      c.nodes.every((n) =>
        /^0\n\d+\n(?:.*\n)*rf3 0 3000\n/.test(readIfExists(join(n.dataDir, 'replication-offset-checkpoint'))),
      )
        ? true
        : undefined,
    );
  });

  test('a replication factor above the live brokers is refused with Kafka’s message', async () => {
    const c = cluster!;
    const res = await exec(process.execPath, [
      BIN,
      'topics',
      '--bootstrap-server',
      c.bootstrap,
      '--create',
      '--topic',
      'rf4',
      '--replication-factor',
      '4',
    ]).catch((e: { stdout: string; stderr: string; code: number }) => e);
    assert.notEqual((res as { code?: number }).code ?? 0, 0);
    const { stdout, stderr } = res as { stdout: string; stderr: string };
    assert.match(
      stdout + stderr,
      /Unable to replicate the partition 4 time\(s\): The target replication factor of 4 cannot be reached because only 3 broker\(s\) are registered\./,
    );
  });

  test('metadata-quorum describe --status and --replication, as kafka-metadata-quorum.sh prints them', async () => {
    const c = cluster!;
    const status = await exec(process.execPath, [
      BIN,
      'metadata-quorum',
      '--bootstrap-server',
      c.bootstrap,
      'describe',
      '--status',
    ]);
    const lines = status.stdout.split('\n');
    assert.deepEqual(
      lines.slice(0, 8).map((l) => l.slice(0, 24)),
      [
        'ClusterId:              ',
        'LeaderId:               ',
        'LeaderEpoch:            ',
        'HighWatermark:          ',
        'MaxFollowerLag:         ',
        'MaxFollowerLagTimeMs:   ',
        'CurrentVoters:          ',
        'CurrentObservers:       ',
      ],
    );
    const leaderId = Number(lines[1]!.slice(24));
    assert.ok([1, 2, 3].includes(leaderId));
    for (const n of c.nodes)
      assert.ok(
        lines[6]!.includes(
          `{"id": ${n.id}, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.1:${n.controllerPort}"]}`,
        ),
        lines[6],
      );
    assert.equal(lines[7], 'CurrentObservers:       []');

    const replication = await exec(process.execPath, [
      BIN,
      'metadata-quorum',
      '--bootstrap-server',
      c.bootstrap,
      'describe',
      '--replication',
    ]);
    const rows = replication.stdout.split('\n').filter(Boolean);
    assert.match(
      rows[0]!,
      /^NodeId\tDirectoryId +\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus {2}\t$/,
    );
    assert.equal(rows.length, 4);
    assert.match(rows[1]!, new RegExp(`^${leaderId} +\t`));
    assert.match(rows[1]!, /\tLeader {2}\t$/);
    assert.equal(rows.filter((r) => /\tFollower\t$/.test(r)).length, 2, replication.stdout);

    const wrong = await exec(process.execPath, [
      BIN,
      'metadata-quorum',
      '--bootstrap-server',
      c.bootstrap,
      'describe',
    ]).catch((e: { stdout: string; stderr: string; code: number }) => e);
    assert.equal((wrong as { code: number }).code, 1);
    assert.equal(
      (wrong as { stderr: string }).stderr,
      'One of --status or --replication must be specified with describe sub-command\n',
    );
  });

  test('partitions added and topic configs changed through any broker reach every broker', async () => {
    const c = cluster!;
    const [a, b, d] = c.nodes.map((n) => `127.0.0.1:${n.port}`);
    await exec(process.execPath, [
      BIN,
      'topics',
      '--bootstrap-server',
      a!,
      '--alter',
      '--topic',
      'rf3',
      '--partitions',
      '3',
    ]);
    const grown = await waitFor('three partitions of three replicas, seen from another broker', async () => {
      const ps = await partitions(d!, 'rf3');
      return ps.length === 3 && ps.every((p) => p.replicas.length === 3 && p.isrs.length === 3) ? ps : undefined;
    });
    assert.equal(grown.length, 3);
    await exec(process.execPath, [
      BIN,
      'configs',
      '--bootstrap-server',
      b!,
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'rf3',
      '--add-config',
      'retention.ms=86400000',
    ]);
    for (const server of [a!, d!]) {
      const described = await waitFor(`the config on ${server}`, async () => {
        const { stdout } = await exec(process.execPath, [
          BIN,
          'configs',
          '--bootstrap-server',
          server,
          '--describe',
          '--entity-type',
          'topics',
          '--entity-name',
          'rf3',
        ]);
        return stdout.includes('retention.ms=86400000') ? stdout : undefined;
      });
      assert.match(
        described,
        /Dynamic configs for topic rf3 are:\n {2}retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=86400000/,
      );
    }
  });

  test('log-dirs lists on each broker only the replicas the metadata assigns it', async () => {
    const c = cluster!;
    await exec(process.execPath, [
      BIN,
      'topics',
      '--bootstrap-server',
      c.bootstrap,
      '--create',
      '--topic',
      'rf2',
      '--partitions',
      '3',
      '--replication-factor',
      '2',
    ]);
    const assigned = await waitFor('rf2 placed', async () => {
      const ps = await partitions(c.bootstrap, 'rf2');
      return ps.length === 3 && ps.every((p) => p.replicas.length === 2) ? ps : undefined;
    });
    const { stdout } = await exec(process.execPath, [BIN, 'log-dirs', '--describe', '--bootstrap-server', c.bootstrap]);
    const described = JSON.parse(stdout.split('\n').filter(Boolean).at(-1)!) as {
      brokers: Array<{ broker: number; logDirs: Array<{ partitions: Array<{ partition: string }> }> }>;
    };
    for (const n of c.nodes) {
      const expected = assigned
        .filter((p) => p.replicas.some((r: { id: number }) => r.id === n.id))
        .map((p) => `rf2-${p.partition}`)
        .sort();
      const listed = described.brokers
        .find((b) => b.broker === n.id)!
        .logDirs[0]!.partitions.map((p) => p.partition)
        .filter((name) => name.startsWith('rf2-'))
        .sort();
      assert.deepEqual(listed, expected, `broker ${n.id}`);
    }
  });
});
