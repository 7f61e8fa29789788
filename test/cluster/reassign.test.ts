// Partition reassignment on a 3-node cluster with `ktool reassign-partitions`, as
// kafka-reassign-partitions.sh is used: --generate a proposal, --execute a move, --verify until
// it completes (the new replicas hold byte-identical logs and consumers read everything), a
// move that cannot finish (its new replica is down) shown by --list and reverted by --cancel,
// and Kafka's errors.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli, sandbox } from '../cli/helpers.js';
import { partitionStates, startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const exec = promisify(execFile);
const box = sandbox('ktool-reassign-');
let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
  box.cleanup();
});

const replicasOf = partitionStates;

function logBytes(dataDir: string, dir: string): Buffer {
  const path = join(dataDir, dir);
  if (!existsSync(path)) return Buffer.alloc(0);
  return Buffer.concat(
    readdirSync(path)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => readFileSync(join(path, f))),
  );
}

describe('partition reassignment', { timeout: 300_000 }, () => {
  test('generate, execute, verify, list, cancel, as kafka-reassign-partitions.sh', async () => {
    cluster = await startCluster({ dir: box.dir });
    const c = cluster;
    const b = ['--bootstrap-server', c.bootstrap];
    const created = await runCli([
      'topics',
      '--create',
      ...b,
      '--topic',
      'mv',
      '--partitions',
      '2',
      '--replication-factor',
      '1',
    ]);
    assert.equal(created.code, 0, created.stderr);
    await new Promise<void>((resolve, reject) => {
      const p = spawn('kcat', ['-P', '-b', c.bootstrap, '-t', 'mv', '-K:', '-X', 'acks=all']);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}`))));
      p.stdin.end(Array.from({ length: 3000 }, (_, i) => `k${i % 13}:v${i}`).join('\n') + '\n');
    });
    const count0 = (await exec('kcat', ['-C', '-b', c.bootstrap, '-t', 'mv', '-p', '0', '-e', '-q'])).stdout
      .split('\n')
      .filter(Boolean).length;
    const before = await replicasOf(c.bootstrap, 'mv');

    const topicsFile = join(box.dir, 'topics.json');
    writeFileSync(topicsFile, JSON.stringify({ topics: [{ topic: 'mv' }], version: 1 }));
    const gen = await runCli([
      'reassign-partitions',
      ...b,
      '--generate',
      '--topics-to-move-json-file',
      topicsFile,
      '--broker-list',
      '1,2,3',
    ]);
    assert.equal(gen.code, 0, gen.stdout + gen.stderr);
    const m =
      /^Current partition replica assignment\n(\{.*\})\n\nProposed partition reassignment configuration\n(\{.*\})\n$/.exec(
        gen.stdout,
      );
    assert.ok(m, gen.stdout);
    assert.deepEqual(JSON.parse(m[1]!), {
      version: 1,
      partitions: before.map((p, i) => ({ topic: 'mv', partition: i, replicas: p.replicas, log_dirs: ['any'] })),
    });
    for (const p of JSON.parse(m[2]!).partitions as Array<{ replicas: number[] }>) assert.equal(p.replicas.length, 1);

    // Move mv-0 from its broker onto the two others.
    const from = before[0]!.replicas[0]!;
    const to = [1, 2, 3].filter((id) => id !== from);
    const plan = join(box.dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'mv', partition: 0, replicas: to }] }));
    const exe = await runCli(['reassign-partitions', ...b, '--execute', '--reassignment-json-file', plan]);
    assert.equal(exe.code, 0, exe.stdout + exe.stderr);
    assert.equal(
      exe.stdout,
      `Current partition replica assignment\n\n{"version":1,"partitions":[{"topic":"mv","partition":0,"replicas":[${from}],"log_dirs":["any"]}]}\n\nSave this to use as the --reassignment-json-file option during rollback\nSuccessfully started partition reassignment for mv-0\n`,
    );
    const verified = await waitFor('the move to complete', async () => {
      const v = await runCli(['reassign-partitions', ...b, '--verify', '--reassignment-json-file', plan]);
      return v.stdout.includes('is completed.') ? v : undefined;
    });
    assert.equal(verified.code, 0);
    assert.equal(
      verified.stdout,
      'Status of partition reassignment:\nReassignment of partition mv-0 is completed.\n\nClearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic mv\n',
    );
    const moved = await replicasOf(c.bootstrap, 'mv');
    assert.deepEqual(moved[0]!.replicas, to);
    assert.ok(to.includes(moved[0]!.leader), 'leadership moved with the replicas');
    await waitFor('byte-identical new replicas', () => {
      const logs = to.map((id) => logBytes(c.node(id).dataDir, 'mv-0'));
      return logs[0]!.length > 0 && logs[0]!.equals(logs[1]!) ? true : undefined;
    });
    // The broker the partition left keeps no copy of it.
    await waitFor('the old replica emptied', () =>
      logBytes(c.node(from).dataDir, 'mv-0').length === 0 ? true : undefined,
    );
    const after0 = (await exec('kcat', ['-C', '-b', c.bootstrap, '-t', 'mv', '-p', '0', '-e', '-q'])).stdout
      .split('\n')
      .filter(Boolean).length;
    assert.equal(after0, count0, 'consumers read every record from the new replicas');
    const listedNone = await runCli(['reassign-partitions', ...b, '--list']);
    assert.equal(listedNone.stdout, 'No partition reassignments found.\n');

    // A move whose new replica is down cannot finish: --list shows it, --cancel reverts it.
    const home = before[1]!.replicas[0]!;
    const down = [1, 2, 3].find((id) => id !== home)!;
    await c.node(down).kill('SIGKILL');
    const stuck = join(box.dir, 'stuck.json');
    writeFileSync(
      stuck,
      JSON.stringify({ version: 1, partitions: [{ topic: 'mv', partition: 1, replicas: [home, down] }] }),
    );
    const started = await runCli(['reassign-partitions', ...b, '--execute', '--reassignment-json-file', stuck]);
    assert.match(
      started.stdout,
      /Successfully started partition reassignment for mv-1\n$/,
      started.stdout + started.stderr,
    );
    const listed = await runCli(['reassign-partitions', ...b, '--list']);
    assert.equal(
      listed.stdout,
      `Current partition reassignments:\nmv-1: replicas: ${home},${down}. adding: ${down}.\n`,
    );
    const again = await runCli(['reassign-partitions', ...b, '--execute', '--reassignment-json-file', plan]);
    assert.equal(again.code, 1);
    assert.match(
      again.stdout,
      /^Cannot execute because there is an existing partition assignment\. {2}Use --additional/,
    );
    const pending = await runCli([
      'reassign-partitions',
      ...b,
      '--verify',
      '--reassignment-json-file',
      stuck,
      '--json',
    ]);
    assert.equal(JSON.parse(pending.stdout).partitions[0].done, false);
    const cancelled = await runCli(['reassign-partitions', ...b, '--cancel', '--reassignment-json-file', stuck]);
    assert.equal(cancelled.code, 0, cancelled.stdout + cancelled.stderr);
    assert.equal(
      cancelled.stdout,
      `Successfully cancelled partition reassignment for: mv-1\nNone of the specified partition moves are active.\nClearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic mv\n`,
    );
    assert.deepEqual((await replicasOf(c.bootstrap, 'mv'))[1]!.replicas, [home]);
    const nothing = await runCli([
      'reassign-partitions',
      ...b,
      '--cancel',
      '--reassignment-json-file',
      stuck,
      '--preserve-throttles',
    ]);
    assert.equal(
      nothing.stdout,
      'None of the specified partition reassignments are active.\nNone of the specified partition moves are active.\n',
    );
    await c.node(down).restart();

    // Kafka's errors.
    const bad = join(box.dir, 'bad.json');
    writeFileSync(bad, '{not json');
    const badJson = await runCli(['reassign-partitions', ...b, '--execute', '--reassignment-json-file', bad]);
    assert.deepEqual([badJson.code, badJson.stdout], [1, 'Error: The input string is not a valid JSON\n']);
    const unknown = join(box.dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ version: 1, partitions: [{ topic: 'mv', partition: 0, replicas: [9] }] }));
    const unknownBroker = await runCli(['reassign-partitions', ...b, '--execute', '--reassignment-json-file', unknown]);
    assert.deepEqual([unknownBroker.code, unknownBroker.stdout], [1, 'Error: Unknown broker id 9\n']);
    const twoActions = await runCli(['reassign-partitions', ...b, '--list', '--verify']);
    assert.deepEqual(
      [twoActions.code, twoActions.stderr],
      [1, 'Command must include exactly one action: --generate, --execute, --verify, --cancel, --list\n'],
    );
    const notWith = await runCli(['reassign-partitions', ...b, '--list', '--throttle', '100']);
    assert.deepEqual([notWith.code, notWith.stderr], [1, 'Option "[throttle]" can\'t be used with action "[list]"\n']);
    const missing = await runCli(['reassign-partitions', ...b, '--verify']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Missing required argument "[reassignment-json-file]"\n']);
  });
});
