// Leader elections on a 3-node cluster: after a broker returns from kill -9, `ktool
// leader-election --election-type preferred` gives its partitions back and prints Kafka's
// lines; a second run has nothing to do; its argument errors are Kafka's; and with
// auto.leader.rebalance.enable the controller moves leadership back by itself.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, sandbox } from '../cli/helpers.js';
import { partitionStates, startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const box = sandbox('ktool-leader-election-');
const clusters: Cluster[] = [];
after(async () => {
  for (const c of clusters) await c.stop();
  box.cleanup();
});

const partitions = partitionStates;

function subdir(name: string): string {
  const dir = join(box.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function createTopic(c: Cluster, topic: string): Promise<void> {
  const r = await runCli([
    'topics',
    '--create',
    '--bootstrap-server',
    c.bootstrap,
    '--topic',
    topic,
    '--partitions',
    '3',
    '--replication-factor',
    '3',
  ]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('full ISRs', async () =>
    (await partitions(c.bootstrap, topic)).every((p) => p.isr.length === 3 && p.leader === p.replicas[0])
      ? true
      : undefined,
  );
}

/** Kills the preferred leader of partition 0, waits for the move, restarts it and waits for full ISRs. */
async function bounceLeaderOf0(c: Cluster, topic: string): Promise<{ victim: number; moved: number[] }> {
  const before = await partitions(c.bootstrap, topic);
  const victim = before[0]!.leader;
  const moved = before.filter((p) => p.leader === victim).map((p) => p.partition);
  const node = c.node(victim);
  await node.kill('SIGKILL');
  await waitFor('leaders moved away', async () =>
    (await partitions(c.bootstrap, topic)).every((p) => p.leader >= 0 && p.leader !== victim) ? true : undefined,
  );
  await node.restart();
  await waitFor('the broker back in every ISR', async () =>
    (await partitions(c.bootstrap, topic)).every((p) => p.isr.length === 3) ? true : undefined,
  );
  return { victim, moved };
}

describe('leader elections', { timeout: 300_000 }, () => {
  test('ktool leader-election restores preferred leaders, with Kafka output and errors', async () => {
    const c = await startCluster({ dir: subdir('a'), props: { 'auto.leader.rebalance.enable': 'false' } });
    clusters.push(c);
    await createTopic(c, 'le');
    const b = ['--bootstrap-server', c.bootstrap];

    const none = await runCli(['leader-election', ...b, '--election-type', 'preferred', '--all-topic-partitions']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '', 'nothing to elect: electing for all partitions reports none');
    const one = await runCli([
      'leader-election',
      ...b,
      '--election-type',
      'preferred',
      '--topic',
      'le',
      '--partition',
      '0',
    ]);
    assert.equal(one.stdout, 'Valid replica already elected for partitions le-0\n');

    const { victim, moved } = await bounceLeaderOf0(c, 'le');
    const stale = await partitions(c.bootstrap, 'le');
    assert.ok(
      stale.every((p) => p.leader !== victim),
      'without rebalance the returned broker leads nothing',
    );

    const elected = await runCli(['leader-election', ...b, '--election-type', 'PREFERRED', '--all-topic-partitions']);
    assert.equal(elected.code, 0, elected.stderr);
    const names = moved.map((p) => `le-${p}`);
    const m = /^Successfully completed leader election \(PREFERRED\) for partitions (.*)\n$/.exec(elected.stdout);
    assert.ok(m, elected.stdout);
    assert.deepEqual(m[1]!.split(', ').sort(), names.sort());
    const after = await waitFor('preferred leaders', async () => {
      const ps = await partitions(c.bootstrap, 'le');
      return ps.every((p) => p.leader === p.replicas[0]) ? ps : undefined;
    });
    assert.equal(after.filter((p) => p.leader === victim).length, moved.length);

    const again = await runCli([
      'leader-election',
      ...b,
      '--election-type',
      'preferred',
      '--all-topic-partitions',
      '--json',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      electionType: 'PREFERRED',
      elected: [],
      alreadyElected: [],
      failed: [],
    });

    // A partition with a leader needs no unclean election.
    const unclean = await runCli([
      'leader-election',
      ...b,
      '--election-type',
      'unclean',
      '--topic',
      'le',
      '--partition',
      '1',
    ]);
    assert.equal(unclean.stdout, 'Valid replica already elected for partitions le-1\n');

    // Kafka's failure line per partition, then the count on stderr, exit 1.
    const missing = await runCli([
      'leader-election',
      ...b,
      '--election-type',
      'preferred',
      '--topic',
      'nope',
      '--partition',
      '0',
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stdout,
      'Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as nope\n',
    );
    assert.equal(missing.stderr, '1 replica(s) could not be elected\n');

    const file = join(box.dir, 'election.json');
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'le', partition: 2 }] }));
    const fromFile = await runCli([
      'leader-election',
      ...b,
      '--election-type',
      'preferred',
      '--path-to-json-file',
      file,
    ]);
    assert.equal(fromFile.stdout, 'Valid replica already elected for partitions le-2\n');
  });

  test('argument errors are Kafka’s, one line and exit 1', async () => {
    const cases: Array<[string[], string]> = [
      [['--all-topic-partitions'], 'Missing required option(s): election-type\n'],
      [
        ['--election-type', 'preferred'],
        'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file\n',
      ],
      [['--election-type', 'preferred', '--topic', 't'], 'Missing required option(s): partition\n'],
      [
        ['--election-type', 'preferred', '--all-topic-partitions', '--partition', '1'],
        'Option partition is only allowed if topic is used\n',
      ],
      [
        ['--election-type', 'preferred', '--all-topic-partitions', '--topic', 't', '--partition', '1'],
        'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(['leader-election', '--bootstrap-server', '127.0.0.1:1', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, stderr, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  test('auto.leader.rebalance.enable moves leadership back by itself', async () => {
    const c = await startCluster({
      dir: subdir('b'),
      props: { 'leader.imbalance.check.interval.seconds': '1', 'leader.imbalance.per.broker.percentage': '0' },
    });
    clusters.push(c);
    await createTopic(c, 'auto');
    const { victim, moved } = await bounceLeaderOf0(c, 'auto');
    const back = await waitFor('leadership back on the preferred replica', async () => {
      const ps = await partitions(c.bootstrap, 'auto');
      return ps.every((p) => p.leader === p.replicas[0]) ? ps : undefined;
    });
    assert.equal(back.filter((p) => p.leader === victim).length, moved.length);
    assert.ok(c.nodes.some((n) => /rebalanced \d+ leader\(s\) back to their preferred replica/.test(n.output)));
  });
});
