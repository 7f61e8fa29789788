// ktool topics end to end (built CLI against an in-process broker), with
// literal kafka-topics.sh 3.9 output.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { assertOk, hasStack, runCli, type CliResult } from '../cli/helpers.js';

const WARNING =
  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n";
const ERR = 'Error while executing topic command : ';

describe('ktool topics', () => {
  let broker: TestBroker;
  let dir: string;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    broker = await startTestBroker();
    dir = mkdtempSync(join(tmpdir(), 'ktool-topics-'));
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const kt = (...args: string[]): Promise<CliResult> =>
    runCli(['topics', ...args, '--bootstrap-server', broker.bootstrap], { env });
  const id = (name: string) => broker.broker.topic(name)!.topicId;
  const ok = assertOk;
  const failsKafka = (r: CliResult, message: string) => {
    assert.equal(r.stdout, `${ERR}${message}\n`);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 1);
  };
  const failsUsage = (r: CliResult, message: string) => {
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${message}\n`);
    assert.equal(r.code, 1);
  };
  const partitionLine = (topic: string, p: number) =>
    `\tTopic: ${topic}\tPartition: ${p}\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A\n`;

  test('no topics: --list prints one empty line, --describe nothing', async () => {
    ok(await kt('--list'), '\n');
    ok(await kt('--describe'), '');
  });

  test('--create and create: "Created topic <name>."', async () => {
    ok(await kt('--create', '--topic', 'orders', '--partitions', '3'), 'Created topic orders.\n');
    ok(
      await kt('create', '--topic', 'payments', '--partitions', '2', '--replication-factor', '1'),
      'Created topic payments.\n',
    );
    ok(await kt('--create', '--topic', 'users'), 'Created topic users.\n');
    assert.equal(broker.broker.topic('orders')!.partitions.length, 3);
    assert.equal(broker.broker.topic('users')!.partitions.length, 1, 'the broker default (num.partitions=1)');
  });

  test('names with "." or "_" get Kafka\'s collision warning first', async () => {
    ok(await kt('--create', '--topic', 'audit.log'), `${WARNING}Created topic audit.log.\n`);
    ok(await kt('create', '--topic', 'audit_trail'), `${WARNING}Created topic audit_trail.\n`);
  });

  test('--config, --replica-assignment', async () => {
    ok(
      await kt(
        '--create',
        '--topic',
        'compacted',
        '--config',
        'cleanup.policy=compact',
        '--config',
        'retention.ms = 1000',
      ),
      'Created topic compacted.\n',
    );
    ok(
      await kt(
        '--create',
        '--topic',
        'hashed',
        '--config',
        'max.message.bytes=2000',
        '--config',
        'min.insync.replicas=1',
      ),
      'Created topic hashed.\n',
    );
    ok(await kt('--create', '--topic', 'placed', '--replica-assignment', '0,0,0,0'), 'Created topic placed.\n');
    assert.equal(broker.broker.topic('placed')!.partitions.length, 4);
    assert.deepEqual(broker.broker.topic('compacted')!.configs, {
      'cleanup.policy': 'compact',
      'retention.ms': '1000',
    });
  });

  test("an existing topic: Kafka's error on stdout, exit 1; --if-not-exists is silent", async () => {
    failsKafka(await kt('--create', '--topic', 'orders'), "Topic 'orders' already exists.");
    ok(await kt('--create', '--topic', 'orders', '--if-not-exists'), '');
    ok(await kt('create', '--topic', 'orders', '--partitions', '9', '--if-not-exists'), '');
  });

  test('create validation: client-side checks and broker messages', async () => {
    failsKafka(await kt('--create', '--topic', 'x', '--partitions', '0'), 'The partitions must be greater than 0');
    failsKafka(
      await kt('--create', '--topic', 'x', '--partitions', 'abc'),
      "Cannot parse argument 'abc' of option partitions",
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--replication-factor', '0'),
      'The replication factor must be between 1 and 32767 inclusive',
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--replication-factor', '3'),
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    );
    failsKafka(
      await kt('--create', '--topic', 'bad name!'),
      "Topic name \"bad name!\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--config', 'no.such.config=1'),
      'Unknown topic config name: no.such.config',
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--config', 'retention.ms=soon'),
      'Invalid value soon for configuration retention.ms: Not a number of type LONG',
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--config', 'retention.ms'),
      'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--replica-assignment', '0:0'),
      'Partition replica lists may not contain duplicate entries: 0',
    );
    failsKafka(
      await kt('--create', '--topic', 'x', '--replica-assignment', '0,0:1'),
      'Partition 1 has different replication factor: [0, 1]',
    );
    failsKafka(await kt('--create', '--topic', 'x', '--replica-assignment', '0,a'), 'For input string: "a"');
    failsKafka(
      await kt('--create', '--topic', 'x', '--replica-assignment', '7'),
      'Unknown broker id 7 in the replica assignment',
    );
    // The warning comes before the client-side checks, as in Kafka.
    const warned = await kt('--create', '--topic', 'x.y', '--partitions', '-1');
    assert.equal(warned.stdout, `${WARNING}${ERR}The partitions must be greater than 0\n`);
    assert.equal(warned.code, 1);
    assert.equal(broker.broker.topic('x'), undefined);
  });

  test('--list: sorted, --topic is a whole-name regex ("," means or), internal topics unless --exclude-internal', async () => {
    const created = broker.broker.createTopic(
      { name: '__consumer_offsets', numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} },
      false,
    );
    assert.ok(created.ok);
    ok(
      await kt('--list'),
      '__consumer_offsets\naudit.log\naudit_trail\ncompacted\nhashed\norders\npayments\nplaced\nusers\n',
    );
    ok(
      await kt('list', '--exclude-internal'),
      'audit.log\naudit_trail\ncompacted\nhashed\norders\npayments\nplaced\nusers\n',
    );
    ok(await kt('--list', '--topic', 'audit.*'), 'audit.log\naudit_trail\n');
    ok(await kt('--list', '--topic', 'audit\\.log'), 'audit.log\n');
    ok(await kt('--list', '--topic', 'order'), '\n');
    ok(await kt('--list', '--topic', 'orders,users'), 'orders\nusers\n');
    ok(await kt('--list', '--topic', '"orders"'), 'orders\n');
    ok(await kt('--list', '--topic', '__.*', '--exclude-internal'), '\n');
    failsKafka(await kt('--list', '--topic', '[oops'), '[oops is an invalid regex.');
  });

  test('--describe: Kafka 3.9 text, configs in Java HashMap order, N/A ELRs without DescribeTopicPartitions', async () => {
    ok(
      await kt('--describe', '--topic', 'orders'),
      `Topic: orders\tTopicId: ${id('orders')}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: \n` +
        partitionLine('orders', 0) +
        partitionLine('orders', 1) +
        partitionLine('orders', 2),
    );
    ok(
      await kt('describe', '--topic', 'compacted'),
      `Topic: compacted\tTopicId: ${id('compacted')}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000\n` +
        partitionLine('compacted', 0),
    );
    // Not alphabetical: Kafka prints its HashMap's order.
    ok(
      await kt('--describe', '--topic', 'hashed'),
      `Topic: hashed\tTopicId: ${id('hashed')}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: min.insync.replicas=1,max.message.bytes=2000\n` +
        partitionLine('hashed', 0),
    );
    ok(
      await kt('--describe', '--topic-id', id('payments')),
      `Topic: payments\tTopicId: ${id('payments')}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n` +
        partitionLine('payments', 0) +
        partitionLine('payments', 1),
    );
  });

  test("--describe of several topics follows the order of Kafka's result map", async () => {
    for (const t of ['alpha', 'beta', 'gamma']) await kt('--create', '--topic', t);
    const r = await kt('--describe', '--topic', 'alpha|beta|gamma');
    const topicLines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('Topic: '))
      .map((l) => l.split('\t')[0]);
    assert.deepEqual(topicLines, ['Topic: beta', 'Topic: gamma', 'Topic: alpha']);
    for (const t of ['alpha', 'beta', 'gamma']) await kt('--delete', '--topic', t);
  });

  test('--describe report filters', async () => {
    ok(await kt('--describe', '--under-replicated-partitions'), '');
    ok(await kt('--describe', '--unavailable-partitions'), '');
    ok(
      await kt('--describe', '--topic', 'payments', '--at-min-isr-partitions'),
      partitionLine('payments', 0) + partitionLine('payments', 1),
    );
    ok(await kt('--create', '--topic', 'strict', '--config', 'min.insync.replicas=2'), 'Created topic strict.\n');
    ok(await kt('--describe', '--under-min-isr-partitions', '--exclude-internal'), partitionLine('strict', 0));
    const overrides = await kt('--describe', '--topics-with-overrides');
    assert.equal(overrides.code, 0, overrides.stderr);
    assert.deepEqual(overrides.stdout.split('\n').filter(Boolean).sort(), [
      `Topic: compacted\tTopicId: ${id('compacted')}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000`,
      `Topic: hashed\tTopicId: ${id('hashed')}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: min.insync.replicas=1,max.message.bytes=2000`,
      `Topic: strict\tTopicId: ${id('strict')}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: min.insync.replicas=2`,
    ]);
  });

  test('--describe --exclude-internal, unknown topics and --if-exists', async () => {
    const all = await kt('--describe');
    assert.ok(all.stdout.includes('Topic: __consumer_offsets\t'));
    const noInternal = await kt('--describe', '--exclude-internal');
    assert.ok(!noInternal.stdout.includes('__consumer_offsets'));
    failsKafka(await kt('--describe', '--topic', 'nope'), "Topic 'nope' does not exist as expected");
    ok(await kt('--describe', '--topic', 'nope', '--if-exists'), '');
    failsKafka(
      await kt('--describe', '--topic-id', 'AAAAAAAAAAAAAAAAAAAAAB'),
      "TopicId 'AAAAAAAAAAAAAAAAAAAAAB' does not exist as expected",
    );
    failsKafka(
      await kt('--describe', '--topic-id', 'short'),
      'Input string `short` decoded as 3 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID',
    );
  });

  test("--alter adds partitions silently; broker errors come back in Kafka's format", async () => {
    ok(await kt('--alter', '--topic', 'payments', '--partitions', '4'), '');
    assert.equal(broker.broker.topic('payments')!.partitions.length, 4);
    ok(await kt('alter', '--topic', 'payments', '--partitions', '6', '--replica-assignment', '0,0,0,0,0,0'), '');
    assert.equal(broker.broker.topic('payments')!.partitions.length, 6);
    failsKafka(await kt('--alter', '--topic', 'payments', '--partitions', '6'), 'Topic already has 6 partitions.');
    failsKafka(
      await kt('--alter', '--topic', 'payments', '--partitions', '2'),
      'Topic currently has 6 partitions, which is higher than the requested 2.',
    );
    failsKafka(await kt('--alter', '--topic', 'nope', '--partitions', '2'), "Topic 'nope' does not exist as expected");
    ok(await kt('--alter', '--topic', 'nope', '--partitions', '2', '--if-exists'), '');
    ok(await kt('--alter', '--topic', 'audit.*', '--partitions', '2'), '');
    assert.equal(broker.broker.topic('audit.log')!.partitions.length, 2);
    assert.equal(broker.broker.topic('audit_trail')!.partitions.length, 2);
  });

  test('--delete is silent; regex, unknown topics, --if-exists, internal topics', async () => {
    for (const t of ['tmp-1', 'tmp-2']) await kt('--create', '--topic', t);
    ok(await kt('--delete', '--topic', 'tmp-1'), '');
    assert.equal(broker.broker.topic('tmp-1'), undefined);
    ok(await kt('delete', '--topic', 'tmp-.*'), '');
    assert.equal(broker.broker.topic('tmp-2'), undefined);
    failsKafka(await kt('--delete', '--topic', 'tmp-1'), "Topic 'tmp-1' does not exist as expected");
    ok(await kt('--delete', '--topic', 'tmp-1', '--if-exists'), '');
    failsKafka(await kt('--delete', '--topic', '__consumer_offsets'), 'Internal topics cannot be deleted.');
  });

  test("argument checks print Kafka's message on stderr and exit 1", async () => {
    failsUsage(
      await kt(),
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
    failsUsage(
      await kt('--list', '--describe'),
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
    const bare = await runCli(['topics'], { env });
    assert.deepEqual([bare.code, bare.stderr], [1, 'Create, delete, describe, or change a topic.\n']);
    failsUsage(await kt('--create'), 'Missing required argument "[topic]"');
    failsUsage(await kt('delete'), 'Missing required argument "[topic]"');
    failsUsage(await kt('--alter', '--topic', 'orders'), 'Missing required argument "[partitions]"');
    failsUsage(
      await kt('--alter', '--topic', 'orders', '--partitions', '5', '--config', 'a=b'),
      'Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)',
    );
    failsUsage(
      await kt('--describe', '--partitions', '3'),
      'Option "[partitions]" can\'t be used with option "[describe]"',
    );
    failsUsage(await kt('--list', '--config', 'a=b'), 'Option "[config]" can\'t be used with option "[list]"');
    failsUsage(
      await kt('--alter', '--topic', 'o', '--partitions', '3', '--replication-factor', '1'),
      'Option "[replication-factor]" can\'t be used with option "[alter]"',
    );
    failsUsage(
      await kt('--create', '--topic', 'o', '--replica-assignment', '0', '--partitions', '1'),
      'Option "[replica-assignment]" can\'t be used with option "[partitions]"',
    );
    failsUsage(
      await kt('--create', '--topic', 'o', '--if-exists'),
      'Option "[if-exists]" can\'t be used with option "[create]"',
    );
    failsUsage(
      await kt('--delete', '--topic', 'o', '--if-not-exists'),
      'Option "[if-not-exists]" can\'t be used with option "[delete]"',
    );
    failsUsage(
      await kt('--delete', '--topic', 'o', '--exclude-internal'),
      'Option "[exclude-internal]" can\'t be used with option "[delete]"',
    );
    failsUsage(
      await kt('--list', '--under-replicated-partitions'),
      'Option "[under-replicated-partitions]" can\'t be used with option "[list]"',
    );
    failsUsage(
      await kt('--describe', '--under-replicated-partitions', '--topics-with-overrides'),
      'Option "[under-replicated-partitions]" can\'t be used with option "[topics-with-overrides]"',
    );
    failsUsage(await kt('describe', '--if-exists'), '--topic or --topic-id is required to describe a topic');
    // Flags a subcommand does not have are oclif parse errors.
    const unknown = await kt('list', '--partitions', '3');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^Error: Nonexistent flag: --partitions/);
  });

  test('--json shapes', async () => {
    const created = await kt('--create', '--topic', 'json.topic', '--partitions', '2', '--json');
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(JSON.parse(created.stdout), {
      topic: 'json.topic',
      created: true,
      topicId: id('json.topic'),
      partitions: 2,
      replicationFactor: 1,
      warnings: [WARNING.trim()],
    });
    const again = await kt('create', '--topic', 'json.topic', '--if-not-exists', '--json');
    assert.deepEqual(JSON.parse(again.stdout), {
      topic: 'json.topic',
      created: false,
      topicId: null,
      partitions: null,
      replicationFactor: null,
      warnings: [WARNING.trim()],
    });
    const list = await kt('--list', '--topic', 'json.*|orders', '--json');
    assert.deepEqual(JSON.parse(list.stdout), { topics: ['json.topic', 'orders'] });
    const described = await kt('describe', '--topic', 'json.topic|compacted', '--json');
    assert.deepEqual(JSON.parse(described.stdout), {
      topics: [
        {
          name: 'compacted',
          topicId: id('compacted'),
          isInternal: false,
          partitionCount: 1,
          replicationFactor: 1,
          configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' },
          partitions: [{ partition: 0, leader: 0, replicas: [0], isr: [0], elr: null, lastKnownElr: null }],
        },
        {
          name: 'json.topic',
          topicId: id('json.topic'),
          isInternal: false,
          partitionCount: 2,
          replicationFactor: 1,
          configs: {},
          partitions: [
            { partition: 0, leader: 0, replicas: [0], isr: [0], elr: null, lastKnownElr: null },
            { partition: 1, leader: 0, replicas: [0], isr: [0], elr: null, lastKnownElr: null },
          ],
        },
      ],
    });
    const altered = await kt('--alter', '--topic', 'json.topic', '--partitions', '3', '--json');
    assert.deepEqual(JSON.parse(altered.stdout), { altered: [{ topic: 'json.topic', partitions: 3 }] });
    const deleted = await kt('delete', '--topic', 'json.topic', '--json');
    assert.deepEqual(JSON.parse(deleted.stdout), { deleted: ['json.topic'] });
    const failed = await kt('--describe', '--topic', 'json.topic', '--json');
    assert.equal(failed.code, 1);
    assert.deepEqual(JSON.parse(failed.stdout), {
      error: { message: "Topic 'json.topic' does not exist as expected", code: 'UNKNOWN_TOPIC_OR_PARTITION' },
    });
    const exists = await kt('--create', '--topic', 'orders', '--json');
    assert.deepEqual(JSON.parse(exists.stdout), {
      error: { message: "Topic 'orders' already exists.", code: 'TOPIC_ALREADY_EXISTS' },
    });
    const usage = await kt('--json');
    assert.equal(usage.code, 1);
    assert.deepEqual(JSON.parse(usage.stdout), {
      error: {
        message: 'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
        code: 'INVALID_ARGUMENTS',
      },
    });
  });

  test('--command-config: client properties apply; a malformed file names the file and line', async () => {
    const good = join(dir, 'good.properties');
    writeFileSync(good, `# comment\nclient.id=topics-test\nrequest.timeout.ms=10000\nacks=all\n`);
    const r = await kt('--list', '--command-config', good, '--topic', 'orders');
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'orders\n', '']);
    const viaFile = join(dir, 'bootstrap.properties');
    writeFileSync(viaFile, `bootstrap.servers=${broker.bootstrap}\n`);
    const fromFile = await runCli(['topics', '--list', '--topic', 'orders', '--command-config', viaFile], { env });
    assert.deepEqual([fromFile.code, fromFile.stdout], [0, 'orders\n']);
    const bad = join(dir, 'bad.properties');
    writeFileSync(bad, 'client.id=x\n\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n=oops\n');
    const m = await kt('--list', '--command-config', bad);
    assert.equal(m.code, 1);
    assert.equal(m.stdout, '');
    assert.equal(m.stderr, `Error: Invalid properties file ${bad} (line 5): missing key before '='\n`);
    const missing = await kt('--list', '--command-config', join(dir, 'absent.properties'));
    assert.equal(
      missing.stderr,
      `Error: Cannot read properties file ${join(dir, 'absent.properties')}: no such file\n`,
    );
    const unknown = join(dir, 'unknown.properties');
    writeFileSync(unknown, 'what.is.this=1\n');
    const w = await kt('--list', '--topic', 'orders', '--command-config', unknown);
    assert.deepEqual(
      [w.code, w.stdout, w.stderr],
      [0, 'orders\n', `Warning: unknown property 'what.is.this' in ${unknown} is ignored\n`],
    );
    assert.ok(!hasStack(m.stderr));
  });

  test('$KAFKA_BOOTSTRAP_SERVERS is used when --bootstrap-server is absent', async () => {
    const r = await runCli(['topics', '--list', '--topic', 'orders'], {
      env: { ...env, KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap },
    });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'orders\n', '']);
  });
});
