// `ktool server-start --cluster 3` starts a local KRaft cluster of three daemons on known ports
// and `ktool server-stop --cluster` stops them: an RF-3 topic works on it, a second start is
// refused while it runs, and a restart brings back the same cluster and data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { runCli, sandbox } from '../cli/helpers.js';

const box = sandbox('ktool-local-cluster-');
const env = { ...box.env, NO_COLOR: '1' };
// Away from 9092 so a developer's own broker on this machine does not get in the way.
const BASE = 29092;
const bootstrap = [0, 1, 2].map((i) => `127.0.0.1:${BASE + i}`).join(',');

/** Exited daemons may linger as zombies when nothing reaps orphans (pid 1 in a container). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

after(async () => {
  await runCli(['server-stop', '--cluster'], { env });
  box.cleanup();
});

describe('server-start --cluster', () => {
  test('starts three nodes, serves an RF-3 topic, refuses a second start, stops and restarts', async () => {
    const start = await runCli(['server-start', '--cluster', '3', '--base-port', String(BASE), '--json'], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(start.code, 0, start.stderr);
    const result = JSON.parse(start.stdout) as {
      bootstrap: string;
      cluster: Array<{ nodeId: number; address: string; controller: string; pid: number }>;
    };
    assert.equal(result.bootstrap, bootstrap);
    assert.deepEqual(
      result.cluster.map((n) => [n.nodeId, n.address, n.controller]),
      [1, 2, 3].map((id) => [id, `127.0.0.1:${BASE + id - 1}`, `127.0.0.1:${BASE + 100 + id - 1}`]),
    );

    const create = await runCli(
      [
        'topics',
        '--create',
        '--topic',
        'rf3',
        '--partitions',
        '3',
        '--replication-factor',
        '3',
        '--bootstrap-server',
        bootstrap,
      ],
      { env },
    );
    assert.equal(create.stdout, 'Created topic rf3.\n', create.stderr);
    const describe = await runCli(
      ['topics', '--describe', '--topic', 'rf3', '--bootstrap-server', bootstrap, '--json'],
      {
        env,
      },
    );
    assert.equal(describe.code, 0, describe.stderr);
    const partitions = (JSON.parse(describe.stdout) as { topics: Array<{ partitions: Array<{ replicas: number[] }> }> })
      .topics[0]!.partitions;
    assert.equal(partitions.length, 3);
    for (const p of partitions) assert.deepEqual([...p.replicas].sort(), [1, 2, 3]);

    const again = await runCli(['server-start', '--cluster', '3', '--base-port', String(BASE)], { env });
    assert.notEqual(again.code, 0);
    assert.equal(again.stdout, '');
    assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);

    const stop = await runCli(['server-stop', '--cluster'], { env, timeoutMs: 30_000 });
    assert.equal(stop.code, 0, stop.stderr);
    for (const n of result.cluster) assert.ok(!running(n.pid), `node ${n.nodeId} (pid ${n.pid}) exited`);
    const none = await runCli(['server-stop', '--cluster'], { env });
    assert.equal(none.code, 1);
    assert.equal(none.stdout + none.stderr, 'No kafka server to stop\n');

    // Same ports and data: the topic is still there.
    const text = await runCli(['server-start', '--cluster', '3', '--base-port', String(BASE)], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^ktool cluster started: 3 node\\(s\\), each broker and controller \\(bootstrap ${bootstrap}\\)\n`),
    );
    assert.match(
      text.stdout,
      new RegExp(`node 2: broker 127\\.0\\.0\\.1:${BASE + 1}, controller 127\\.0\\.0\\.1:${BASE + 101}`),
    );
    const list = await runCli(['topics', '--list', '--bootstrap-server', bootstrap], { env });
    assert.match(list.stdout, /^rf3$/m, list.stderr);
  });
});
