// ktool consumer-groups against the in-process broker, with kafkajs consumers
// in this process as live group members. Runs the BUILT cli (npm run build first).
// Expected text is Kafka 3.9's kafka-consumer-groups.sh output, literally; only the
// random member id and the broker port are substituted (same widths).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { BIN, runCli, sandbox, type CliResult } from './helpers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ktool consumer-groups', { timeout: 120_000 }, () => {
  let broker: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let live: Consumer;
  let memberId = '';
  const box = sandbox('ktool-cg-');

  const cg = (...args: string[]): Promise<CliResult> =>
    runCli(['consumer-groups', ...args, '--bootstrap-server', broker.bootstrap], { env: box.env, timeoutMs: 30_000 });
  /** Replace the placeholders: M (44 chars) is the live member id, P the broker port. */
  const fill = (text: string) =>
    text
      .replaceAll('<MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....>', memberId)
      .replaceAll('<PORT>', String(broker.port));

  const commit = async (group: string, topic: string, offset: number) => {
    const r = await cg(
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      topic,
      '--to-offset',
      String(offset),
      '--execute',
    );
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'num.partitions': '1' });
    kafka = new Kafka({ clientId: 'cg-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'cg.orders', numPartitions: 3 },
        { topic: 'cg.pay', numPartitions: 2 },
      ],
    });
    producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < 3; p++) {
      await producer.send({
        topic: 'cg.orders',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `o${p}-${i}`, partition: p })),
      });
    }
    await producer.send({
      topic: 'cg.pay',
      messages: Array.from({ length: 4 }, (_, i) => ({ value: `p${i}`, partition: 0 })),
    });

    // cg-live: one kafkajs member reading cg.orders to the end.
    live = kafka.consumer({ groupId: 'cg-live', sessionTimeout: 10_000, heartbeatInterval: 300 });
    await live.connect();
    await live.subscribe({ topic: 'cg.orders', fromBeginning: true });
    await live.run({ autoCommitThreshold: 1, eachMessage: async () => {} });
    await waitFor(
      async () => {
        const offsets = await admin.fetchOffsets({ groupId: 'cg-live', topics: ['cg.orders'] });
        return offsets[0]!.partitions.every((p) => p.offset === '10');
      },
      30_000,
      'cg-live to commit every record',
    );
    const described = await admin.describeGroups(['cg-live']);
    memberId = described.groups[0]!.members[0]!.memberId;
    assert.equal(memberId.length, 44);

    // cg-idle: committed offsets, no members (a reset --execute of a group that does not exist yet creates it).
    await commit('cg-idle', 'cg.orders:0', 5);
    await commit('cg-idle', 'cg.orders:1', 10);
  });

  after(async () => {
    await live?.disconnect().catch(() => {});
    await producer?.disconnect().catch(() => {});
    await admin?.disconnect().catch(() => {});
    await broker?.destroy();
    box.cleanup();
  });

  // ---------------------------------------------------------------- list

  test("--list prints the group ids in the order of Kafka's admin client", async () => {
    const r = await cg('--list');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'cg-idle\ncg-live\n');
  });

  test('--list --state prints the GROUP/STATE table, filtered by the given states', async () => {
    let r = await cg('--list', '--state');
    assert.equal(
      r.stdout,
      'GROUP                     STATE               \ncg-idle                   Empty               \ncg-live                   Stable              \n',
    );
    r = await cg('--list', '--state', 'stable');
    assert.equal(
      r.stdout,
      'GROUP                     STATE               \ncg-live                   Stable              \n',
    );
    r = await cg('list', '--state', 'bogus');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      "Invalid state list 'bogus'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling\n",
    );
  });

  // ---------------------------------------------------------------- describe

  test("--describe of a live group: Kafka's offsets table", async () => {
    const r = await cg('--describe', '--group', 'cg-live');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      fill(
        '\n' +
          'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                  HOST            CLIENT-ID\n' +
          'cg-live         cg.orders       2          10              10              0               <MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....> /127.0.0.1      cg-test\n' +
          'cg-live         cg.orders       1          10              10              0               <MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....> /127.0.0.1      cg-test\n' +
          'cg-live         cg.orders       0          10              10              0               <MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....> /127.0.0.1      cg-test\n',
      ),
    );
  });

  test('--describe of an empty group: the note on stderr, committed partitions without owner', async () => {
    const r = await cg('describe', '--group', 'cg-idle', '--offsets');
    assert.equal(r.stderr, "\nConsumer group 'cg-idle' has no active members.\n");
    assert.equal(
      r.stdout,
      '\n' +
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
        'cg-idle         cg.orders       1          10              10              0               -               -               -\n' +
        'cg-idle         cg.orders       0          5               10              5               -               -               -\n',
    );
  });

  test("--describe of an unknown group prints Kafka's error on stdout and exits 0", async () => {
    const r = await cg('--describe', '--group', 'cg-nope');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, "\nError: Consumer group 'cg-nope' does not exist.\n");
  });

  test('--describe --all-groups: one table per group, sorted by group id', async () => {
    const r = await cg('--describe', '--all-groups');
    assert.equal(r.stderr, "\nConsumer group 'cg-idle' has no active members.\n");
    const tables = r.stdout.split('\nGROUP ').length - 1;
    assert.equal(tables, 2);
    assert.ok(r.stdout.indexOf('cg-idle ') < r.stdout.indexOf('cg-live '));
    assert.match(r.stdout, /^\nGROUP {11}TOPIC/);
    assert.ok(r.stdout.endsWith('cg-test\n'));
  });

  test('--describe --members [--verbose] and --state', async () => {
    let r = await cg('--describe', '--group', 'cg-live', '--members');
    assert.equal(
      r.stdout,
      fill(
        '\n' +
          'GROUP           CONSUMER-ID                                  HOST            CLIENT-ID       #PARTITIONS     \n' +
          'cg-live         <MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....> /127.0.0.1      cg-test         3               \n',
      ),
    );
    r = await cg('--describe', '--group', 'cg-live', '--members', '--verbose');
    assert.equal(
      r.stdout,
      fill(
        '\n' +
          'GROUP           CONSUMER-ID                                  HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT\n' +
          'cg-live         <MEMBER-ID-OF-THE-LIVE-KAFKAJS-CONSUMER.....> /127.0.0.1      cg-test         3               (0,1,2)\n',
      ),
    );
    r = await cg('--describe', '--group', 'cg-live', '--state');
    assert.equal(
      r.stdout,
      fill(
        '\n' +
          'GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n' +
          'cg-live                   127.0.0.1:<PORT>  (0)      RoundRobinAssigner   Stable          1\n',
      ),
    );
    r = await cg('--describe', '--group', 'cg-idle', '--members');
    assert.equal(r.stderr, "\nConsumer group 'cg-idle' has no active members.\n");
    assert.equal(r.stdout, '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n');
  });

  test("--time-lag adds TIME-LAG and --summary the TOTAL-LAG line; the default stays Kafka's bytes", async () => {
    const r = await cg('--describe', '--group', 'cg-idle', '--time-lag', '--summary');
    const lines = r.stdout.split('\n');
    assert.equal(
      lines[1],
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             TIME-LAG        CONSUMER-ID     HOST            CLIENT-ID',
    );
    assert.match(lines[2]!, /^cg-idle {9}cg\.orders {7}1 {10}10 {14}10 {14}0 {15}0s {14}- {15}- {15}-$/);
    assert.match(lines[3]!, /^cg-idle {9}cg\.orders {7}0 {10}5 {15}10 {14}5 {15}\d+(\.\d)?(ms|s) +- {15}- {15}-$/);
    assert.match(lines[4]!, /^TOTAL-LAG 5 {2}MAX-TIME-LAG \d+(\.\d)?(ms|s)$/);
    const plain = await cg('--describe', '--group', 'cg-idle', '--no-summary');
    assert.ok(!plain.stdout.includes('TOTAL-LAG'));
  });

  test('--describe --json has the documented shape with totals', async () => {
    const r = await cg('--describe', '--group', 'cg-idle', '--group', 'cg-live', '--json', '--time-lag');
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.groups.map((g: { groupId: string }) => g.groupId),
      ['cg-idle', 'cg-live'],
    );
    const idle = doc.groups[0];
    assert.equal(idle.state, 'Empty');
    assert.equal(idle.exists, true);
    assert.equal(idle.totalLag, 5);
    assert.equal(idle.memberCount, 0);
    assert.deepEqual(idle.coordinator, { id: 0, host: '127.0.0.1', port: broker.port });
    assert.deepEqual(
      idle.partitions.map((p: Record<string, unknown>) => [
        p.topic,
        p.partition,
        p.currentOffset,
        p.logEndOffset,
        p.lag,
        p.consumerId,
      ]),
      [
        ['cg.orders', 0, 5, 10, 5, null],
        ['cg.orders', 1, 10, 10, 0, null],
      ],
    );
    assert.equal(typeof idle.partitions[0].timeLagMs, 'number');
    const liveDoc = doc.groups[1];
    assert.equal(liveDoc.assignmentStrategy, 'RoundRobinAssigner');
    assert.equal(liveDoc.members[0].consumerId, memberId);
    assert.equal(liveDoc.members[0].partitionCount, 3);
    assert.equal(liveDoc.totalLag, 0);
    assert.equal(typeof doc.takenAt, 'number');
  });

  test('--watch off a terminal prints N plain snapshots', async () => {
    const r = await cg('--describe', '--group', 'cg-idle', '--watch', '--iterations', '3', '--interval', '0.1');
    assert.equal(r.code, 0);
    const heads = r.stdout.split('\n').filter((l) => l.startsWith('Every 0.1s: '));
    assert.equal(heads.length, 3);
    assert.equal(r.stdout.split('\nGROUP ').length - 1, 3);
    const j = await cg(
      '--describe',
      '--group',
      'cg-idle',
      '--watch',
      '--iterations',
      '2',
      '--interval',
      '0.1',
      '--json',
    );
    const docs = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(docs.length, 2);
    assert.equal(docs[1].groups[0].totalLag, 5);
  });

  test('--watch on a terminal: the live view refreshes and q quits cleanly', async (t) => {
    const scriptBin = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
    if (scriptBin === undefined) return t.skip('util-linux script(1) is not installed');
    const cmd = `stty cols 140 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} consumer-groups --describe --group cg-idle --group cg-live --watch --interval 0.2 --bootstrap-server ${broker.bootstrap}`;
    const child = spawn(scriptBin, ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, ...box.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      await waitFor(() => /refresh [3-9]/.test(screen), 15_000, 'three refreshes of the live view');
      child.stdin.write('q');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
    const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(text, /cg-idle {2}Empty {2}members: 0 {2}total lag: 5/);
    assert.match(text, /cg-live {2}Stable {2}members: 1 {2}total lag: 0/);
    assert.match(text, /cg\.orders-0 +5 +10 +5 /);
    assert.match(text, /members: cg-test@\/127\.0\.0\.1 \(3\)/);
  });

  // ---------------------------------------------------------------- reset

  const WARN_DRY =
    'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n';
  const RESET_HEAD = '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     ';
  const row = (group: string, topic: string, p: number, offset: number) =>
    `\n${group.padEnd(30)} ${topic.padEnd(30)} ${String(p).padEnd(10)} ${String(offset).padEnd(15)}`;

  test('--reset-offsets scenarios (dry run): earliest, latest, current, offset, shift-by, datetime, duration', async () => {
    let r = await cg('--reset-offsets', '--group', 'cg-idle', '--topic', 'cg.orders', '--to-earliest');
    assert.equal(r.stderr, WARN_DRY);
    assert.equal(
      r.stdout,
      RESET_HEAD +
        row('cg-idle', 'cg.orders', 2, 0) +
        row('cg-idle', 'cg.orders', 1, 0) +
        row('cg-idle', 'cg.orders', 0, 0) +
        '\n',
    );

    r = await cg('--reset-offsets', '--group', 'cg-idle', '--topic', 'cg.orders:0', '--to-latest', '--dry-run');
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, RESET_HEAD + row('cg-idle', 'cg.orders', 0, 10) + '\n');

    r = await cg('--reset-offsets', '--group', 'cg-idle', '--topic', 'cg.orders', '--to-current', '--dry-run');
    assert.equal(
      r.stdout,
      RESET_HEAD +
        row('cg-idle', 'cg.orders', 2, 10) +
        row('cg-idle', 'cg.orders', 1, 10) +
        row('cg-idle', 'cg.orders', 0, 5) +
        '\n',
    );

    r = await cg('--reset-offsets', '--group', 'cg-idle', '--all-topics', '--to-offset', '7', '--dry-run');
    assert.equal(r.stdout, RESET_HEAD + row('cg-idle', 'cg.orders', 1, 7) + row('cg-idle', 'cg.orders', 0, 7) + '\n');

    // Clamped to the log end, with Kafka's log4j WARN on stderr.
    r = await cg('--reset-offsets', '--group', 'cg-idle', '--topic', 'cg.orders:0', '--to-offset', '99', '--dry-run');
    assert.equal(r.stdout, RESET_HEAD + row('cg-idle', 'cg.orders', 0, 10) + '\n');
    assert.match(
      r.stderr,
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] WARN New offset \(99\) is higher than latest offset for topic partition cg\.orders-0\. Value will be set to 10 \(org\.apache\.kafka\.tools\.consumer\.group\.ConsumerGroupCommand\)\n$/,
    );

    r = await cg('--reset-offsets', '--group', 'cg-idle', '--all-topics', '--shift-by', '-7', '--dry-run');
    assert.equal(r.stdout, RESET_HEAD + row('cg-idle', 'cg.orders', 1, 3) + row('cg-idle', 'cg.orders', 0, 0) + '\n');
    assert.match(
      r.stderr,
      /WARN New offset \(-2\) is lower than earliest offset for topic partition cg\.orders-0\. Value will be set to 0 /,
    );

    r = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--topic',
      'cg.orders:1',
      '--to-datetime',
      '2000-01-01T00:00:00.000',
      '--dry-run',
    );
    assert.equal(r.stdout, RESET_HEAD + row('cg-idle', 'cg.orders', 1, 0) + '\n');
    r = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--topic',
      'cg.orders:1',
      '--to-datetime',
      '2999-01-01T00:00:00.000+02:00',
      '--dry-run',
    );
    assert.equal(
      r.stdout,
      '\nWarn: Partition 1 from topic cg.orders is empty. Falling back to latest known offset.\n' +
        RESET_HEAD +
        row('cg-idle', 'cg.orders', 1, 10) +
        '\n',
    );

    r = await cg('--reset-offsets', '--group', 'cg-idle', '--topic', 'cg.pay', '--by-duration', 'P1D', '--dry-run');
    assert.equal(
      r.stdout,
      '\nWarn: Partition 1 from topic cg.pay is empty. Falling back to latest known offset.\n' +
        RESET_HEAD +
        row('cg-idle', 'cg.pay', 0, 0) +
        row('cg-idle', 'cg.pay', 1, 0) +
        '\n',
    );

    // Nothing was committed by the dry runs.
    const d = JSON.parse((await cg('--describe', '--group', 'cg-idle', '--json')).stdout);
    assert.deepEqual(
      d.groups[0].partitions.map((p: { currentOffset: number }) => p.currentOffset),
      [5, 10],
    );
  });

  test("--reset-offsets --execute against an active group is refused with Kafka's message", async () => {
    const r = await cg('--reset-offsets', '--group', 'cg-live', '--topic', 'cg.orders', '--to-earliest', '--execute');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      "\nError: Assignments can only be reset if the group 'cg-live' is inactive, but the current state is Stable.\n" +
        RESET_HEAD +
        '\n',
    );
    const offsets = await admin.fetchOffsets({ groupId: 'cg-live', topics: ['cg.orders'] });
    assert.ok(offsets[0]!.partitions.every((p) => p.offset === '10'));
  });

  test('--export then --from-file round-trips; --execute commits; --diff and --json show the lag change', async () => {
    const dir = box.dir;
    const exported = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--all-topics',
      '--shift-by',
      '-2',
      '--export',
      '--dry-run',
    );
    assert.equal(exported.stdout, 'cg.orders,1,8\ncg.orders,0,3\n\n');
    const file = join(dir, 'plan.csv');
    writeFileSync(file, exported.stdout);

    const diff = await cg('--reset-offsets', '--group', 'cg-idle', '--from-file', file, '--dry-run', '--diff');
    assert.equal(
      diff.stdout,
      '\nGROUP                          TOPIC                          PARTITION  CURRENT-OFFSET  NEW-OFFSET      LAG-BEFORE      LAG-AFTER' +
        '\ncg-idle                        cg.orders                      1          10              8               0               2' +
        '\ncg-idle                        cg.orders                      0          5               3               5               7\n',
    );
    const j = JSON.parse(
      (await cg('--reset-offsets', '--group', 'cg-idle', '--from-file', file, '--dry-run', '--json')).stdout,
    );
    assert.equal(j.dryRun, true);
    assert.deepEqual(j.groups[0].partitions[0], {
      topic: 'cg.orders',
      partition: 0,
      currentOffset: 5,
      newOffset: 3,
      logStartOffset: 0,
      logEndOffset: 10,
      lagBefore: 5,
      lagAfter: 7,
    });
    assert.equal(j.groups[0].totalLagBefore, 5);
    assert.equal(j.groups[0].totalLagAfter, 9);

    const done = await cg('--reset-offsets', '--group', 'cg-idle', '--from-file', file, '--execute');
    assert.equal(done.stderr, '');
    assert.equal(
      done.stdout,
      RESET_HEAD + row('cg-idle', 'cg.orders', 1, 8) + row('cg-idle', 'cg.orders', 0, 3) + '\n',
    );
    const again = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--all-topics',
      '--to-current',
      '--export',
      '--dry-run',
    );
    assert.equal(again.stdout, readFileSync(file, 'utf8'));

    // Multi-group export names the group first; a plan without the group says so.
    const multi = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--group',
      'cg-live',
      '--all-topics',
      '--to-current',
      '--export',
      '--dry-run',
    );
    assert.equal(
      multi.stdout,
      "\nError: Assignments can only be reset if the group 'cg-live' is inactive, but the current state is Stable.\ncg-idle,cg.orders,1,8\ncg-idle,cg.orders,0,3\n\n",
    );
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'cg-else,cg.orders,0,1\n');
    const none = await cg(
      '--reset-offsets',
      '--group',
      'cg-idle',
      '--group',
      'cg-x',
      '--from-file',
      other,
      '--dry-run',
    );
    assert.equal(
      none.stdout,
      '\nError: No reset plan for group cg-x found\n\nError: No reset plan for group cg-idle found\n' +
        RESET_HEAD +
        '\n',
    );

    // Restore the fixture offsets for the tests that follow.
    await commit('cg-idle', 'cg.orders:0', 5);
    await commit('cg-idle', 'cg.orders:1', 10);
  });

  test("argument mistakes: Kafka's messages on stderr, exit 1", async () => {
    let r = await cg('--describe');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Option [describe] takes one of these options: [all-groups], [group]\n');
    r = await cg('--list', '--describe');
    assert.equal(
      r.stderr,
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets\n',
    );
    r = await cg('--reset-offsets', '--group', 'cg-idle', '--to-earliest', '--to-latest', '--all-topics', '--dry-run');
    assert.equal(r.stderr, 'Option "[to-earliest]" can\'t be used with option "[to-latest]"\n');
    r = await cg('--reset-offsets', '--group', 'cg-idle', '--to-earliest', '--dry-run');
    assert.equal(r.stderr, 'One of the reset scopes should be defined: --all-topics, --topic.\n');
    r = await cg('--describe', '--group', 'cg-idle', '--members', '--state');
    assert.equal(r.stderr, 'Option [describe] takes at most one of these options: [members], [offsets], [state]\n');
    r = await cg('--describe', '--group', 'cg-idle', '--json', '--members', '--state');
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'INVALID_ARGUMENTS');
  });

  // ---------------------------------------------------------------- delete

  test('--delete-offsets: refused for a subscribed topic, done for an idle group', async () => {
    let r = await cg('--delete-offsets', '--group', 'cg-live', '--topic', 'cg.orders:0');
    const subscribed =
      'Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.';
    assert.equal(
      r.stdout,
      '\nError: Encounter some partition level error, see the follow-up details:\n' +
        '\nTOPIC                          PARTITION       STATUS         ' +
        `\ncg.orders                      0               ${subscribed}\n`,
    );
    await commit('cg-drop', 'cg.pay', 1);
    r = await cg('delete-offsets', '--group', 'cg-drop', '--topic', 'cg.pay');
    assert.equal(
      r.stdout,
      'Request succeed for deleting offsets with topic cg.pay group cg-drop\n' +
        '\nTOPIC                          PARTITION       STATUS         ' +
        '\ncg.pay                         0               Successful     ' +
        '\ncg.pay                         1               Successful     \n',
    );
    const j = JSON.parse((await cg('delete-offsets', '--group', 'cg-nope', '--topic', 'cg.pay:0', '--json')).stdout);
    assert.deepEqual(j, {
      groupId: 'cg-nope',
      error: 'GROUP_ID_NOT_FOUND',
      partitions: [{ topic: 'cg.pay', partition: 0, status: 'Error', error: 'GROUP_ID_NOT_FOUND' }],
    });
  });

  test('--delete: an active group fails as Kafka reports it, an empty one goes', async () => {
    await commit('cg-gone', 'cg.pay:0', 1);
    let r = await cg('--delete', '--group', 'cg-live');
    assert.equal(
      r.stdout,
      "\nError: Deletion of some consumer groups failed:\n* Group 'cg-live' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n",
    );
    r = await cg('--delete', '--group', 'cg-gone');
    assert.equal(r.stdout, "Deletion of requested consumer groups ('cg-gone') was successful.\n");
    r = await cg('--delete', '--group', 'cg-gone', '--json');
    assert.deepEqual(JSON.parse(r.stdout), {
      deleted: [],
      failed: [{ groupId: 'cg-gone', error: 'GROUP_ID_NOT_FOUND', message: 'The group id does not exist.' }],
    });
    const list = JSON.parse((await cg('--list', '--json')).stdout);
    assert.ok(!list.groups.some((g: { groupId: string }) => g.groupId === 'cg-gone'));
  });
});
