// ktool configs end to end (built CLI against an in-process broker), with
// literal kafka-configs.sh 3.9 output: topics, brokers, broker loggers,
// SCRAM users, the error paths, and confluent-kafka reading what ktool set.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { PYTHON, requireTool, run } from '../helpers/tools.js';
import { assertOk, hasStack, runCli, type CliResult } from '../cli/helpers.js';

const TRUST_SECRET = 'trust-store-secret-Q9';
const ALICE_SECRET = 'alice-secret-Zk4';

describe('ktool configs', () => {
  let broker: TestBroker;
  let dir: string;
  let saslPort: number;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    broker = await startTestBroker({
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'ssl.truststore.password': TRUST_SECRET,
    });
    saslPort = broker.ports.SASL_PLAINTEXT!;
    dir = mkdtempSync(join(tmpdir(), 'ktool-configs-'));
    for (const [name, partitions] of [
      ['orders', 2],
      ['payments', 1],
    ] as const) {
      const r = broker.broker.createTopic(
        { name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: {} },
        false,
      );
      assert.ok(r.ok);
    }
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const kc = (...args: string[]): Promise<CliResult> =>
    runCli(['configs', ...args, '--bootstrap-server', broker.bootstrap], { env });
  const ok = assertOk;
  /** Kafka's bare message on stderr (argument and input mistakes), exit 1. */
  const failsUsage = (r: CliResult, message: string) => {
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${message}\n`);
    assert.equal(r.code, 1);
    assert.ok(!hasStack(r.stderr));
  };
  /** A failed operation: Kafka's "Error while executing config command" line plus the reason. */
  const failsCommand = (r: CliResult, args: string, reason: string) => {
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `Error while executing config command with args '${args} --bootstrap-server ${broker.bootstrap}': ${reason}\n`,
    );
    assert.equal(r.code, 1);
  };

  test('a topic without overrides: only the header', async () => {
    ok(
      await kc('--describe', '--entity-type', 'topics', '--entity-name', 'orders'),
      'Dynamic configs for topic orders are:\n',
    );
    ok(await kc('describe', '--topic', 'orders'), 'Dynamic configs for topic orders are:\n');
  });

  test('--alter a topic (bracketed list value), then --describe shows the dynamic configs sorted', async () => {
    ok(
      await kc('--alter', '--topic', 'orders', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]'),
      'Completed updating config for topic orders.\n',
    );
    assert.deepEqual(broker.broker.topic('orders')!.configs, {
      'retention.ms': '1000',
      'cleanup.policy': 'compact,delete',
    });
    const expected =
      'Dynamic configs for topic orders are:\n' +
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n' +
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}\n';
    ok(await kc('--describe', '--topic', 'orders'), expected);
    ok(await kc('describe', '--entity-type', 'topics', '--entity-name', 'orders'), expected);
  });

  test('--all lists every config with "All configs for ..."', async () => {
    const r = await kc('--describe', '--topic', 'orders', '--all');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'All configs for topic orders are:');
    assert.equal(
      lines[1],
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}',
    );
    assert.ok(
      lines.includes('  compression.type=producer sensitive=false synonyms={DEFAULT_CONFIG:compression.type=producer}'),
    );
    const names = lines.slice(1, -1).map((l) => l.trim().split('=')[0]!);
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
  });

  test('--describe --json: the entity and its entries with source names', async () => {
    const r = await kc('--describe', '--topic', 'orders', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      entityType: 'topics',
      all: false,
      entities: [
        {
          entityName: 'orders',
          configs: [
            {
              name: 'cleanup.policy',
              value: 'compact,delete',
              source: 'DYNAMIC_TOPIC_CONFIG',
              sensitive: false,
              readOnly: false,
              synonyms: [
                { name: 'cleanup.policy', value: 'compact,delete', source: 'DYNAMIC_TOPIC_CONFIG' },
                { name: 'log.cleanup.policy', value: 'delete', source: 'DEFAULT_CONFIG' },
              ],
            },
            {
              name: 'retention.ms',
              value: '1000',
              source: 'DYNAMIC_TOPIC_CONFIG',
              sensitive: false,
              readOnly: false,
              synonyms: [
                { name: 'retention.ms', value: '1000', source: 'DYNAMIC_TOPIC_CONFIG' },
                { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
              ],
            },
          ],
        },
      ],
    });
  });

  test('--delete-config and --add-config in one atomic change; --alter --json', async () => {
    const r = await kc(
      'alter',
      '--topic',
      'orders',
      '--delete-config',
      'cleanup.policy',
      '--add-config',
      'segment.ms=3600000',
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      entityType: 'topics',
      entityName: 'orders',
      set: { 'segment.ms': '3600000' },
      deleted: ['cleanup.policy'],
    });
    assert.deepEqual(broker.broker.topic('orders')!.configs, { 'retention.ms': '1000', 'segment.ms': '3600000' });
    // A change that fails on one config leaves the others untouched.
    failsCommand(
      await kc('--alter', '--topic', 'orders', '--add-config', 'retention.ms=5,max.message.bytes=big'),
      '--alter --topic orders --add-config retention.ms=5,max.message.bytes=big',
      'Invalid value big for configuration max.message.bytes: Not a number of type INT',
    );
    assert.deepEqual(broker.broker.topic('orders')!.configs, { 'retention.ms': '1000', 'segment.ms': '3600000' });
  });

  test('--add-config-file reads a properties file', async () => {
    const file = join(dir, 'topic.properties');
    writeFileSync(file, '# topic settings\nretention.bytes = 1048576\nmax.message.bytes=2000\n');
    ok(
      await kc('--alter', '--topic', 'payments', '--add-config-file', file),
      'Completed updating config for topic payments.\n',
    );
    assert.deepEqual(broker.broker.topic('payments')!.configs, {
      'retention.bytes': '1048576',
      'max.message.bytes': '2000',
    });
  });

  test('without a name, every topic is described', async () => {
    const r = await kc('--describe', '--entity-type', 'topics');
    assert.equal(r.code, 0, r.stderr);
    const headers = r.stdout.split('\n').filter((l) => l.endsWith(' are:'));
    assert.deepEqual([...headers].sort(), [
      'Dynamic configs for topic orders are:',
      'Dynamic configs for topic payments are:',
    ]);
  });

  test('brokers: per broker, the cluster default, and every broker without a name', async () => {
    ok(await kc('--describe', '--broker', '0'), 'Dynamic configs for broker 0 are:\n');
    ok(
      await kc(
        '--alter',
        '--entity-type',
        'brokers',
        '--entity-name',
        '0',
        '--add-config',
        'log.retention.ms=604800000',
      ),
      'Completed updating config for broker 0.\n',
    );
    const line =
      '  log.retention.ms=604800000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=604800000}\n';
    ok(await kc('--describe', '--broker', '0'), `Dynamic configs for broker 0 are:\n${line}`);
    ok(
      await kc('--describe', '--entity-type', 'brokers'),
      `Dynamic configs for broker 0 are:\n${line}Default configs for brokers in the cluster are:\n`,
    );
    ok(
      await kc('--describe', '--entity-type', 'brokers', '--entity-default'),
      'Default configs for brokers in the cluster are:\n',
    );
    ok(
      await kc('--alter', '--broker', '0', '--delete-config', 'log.retention.ms'),
      'Completed updating config for broker 0.\n',
    );
    ok(await kc('--describe', '--broker', '0'), 'Dynamic configs for broker 0 are:\n');
    ok(
      await kc('--alter', '--broker-defaults', '--add-config', 'log.cleanup.policy=[delete,compact]'),
      'Completed updating default config for brokers in the cluster.\n',
    );
    assert.equal(broker.broker.config.get('log.cleanup.policy'), 'delete,compact');
  });

  test('a sensitive broker config shows sensitive=true and null, never the value', async () => {
    const r = await kc('--describe', '--broker', '0', '--all');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], 'All configs for broker 0 are:');
    assert.ok(
      r.stdout.includes(
        '\n  ssl.truststore.password=null sensitive=true synonyms={STATIC_BROKER_CONFIG:ssl.truststore.password=null}\n',
      ),
      r.stdout,
    );
    assert.ok(!r.stdout.includes(TRUST_SECRET));
    const j = await kc('--describe', '--broker', '0', '--all', '--json');
    assert.ok(!j.stdout.includes(TRUST_SECRET));
    const entry = JSON.parse(j.stdout).entities[0].configs.find(
      (c: { name: string }) => c.name === 'ssl.truststore.password',
    );
    assert.deepEqual(entry, {
      name: 'ssl.truststore.password',
      value: null,
      source: 'STATIC_BROKER_CONFIG',
      sensitive: true,
      readOnly: true,
      synonyms: [{ name: 'ssl.truststore.password', value: null, source: 'STATIC_BROKER_CONFIG' }],
    });
  });

  test('broker loggers: describe, alter, unknown logger', async () => {
    ok(
      await kc('--describe', '--broker-logger', '0'),
      'Dynamic configs for broker-logger 0 are:\n  root=INFO sensitive=false synonyms={}\n',
    );
    ok(
      await kc('--alter', '--entity-type', 'broker-loggers', '--entity-name', '0', '--add-config', 'root=DEBUG'),
      'Completed updating config for broker-logger 0.\n',
    );
    ok(
      await kc('--describe', '--broker-logger', '0'),
      'Dynamic configs for broker-logger 0 are:\n  root=DEBUG sensitive=false synonyms={}\n',
    );
    failsUsage(
      await kc('--alter', '--broker-logger', '0', '--add-config', 'kafka.server.KafkaApis=INFO'),
      'Invalid broker logger(s): kafka.server.KafkaApis',
    );
    failsUsage(
      await kc('--describe', '--entity-type', 'broker-loggers'),
      'An entity name must be specified with --describe of broker-loggers',
    );
    ok(
      await kc('--alter', '--broker-logger', '0', '--add-config', 'root=INFO'),
      'Completed updating config for broker-logger 0.\n',
    );
  });

  test('users: SCRAM credentials are created, described, used to log in, and deleted', async () => {
    const r = await kc(
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
      '--add-config',
      `SCRAM-SHA-256=[iterations=8192,password=${ALICE_SECRET}],SCRAM-SHA-512=[password=${ALICE_SECRET}]`,
    );
    ok(r, 'Completed updating config for user alice.\n');
    ok(
      await kc('--describe', '--entity-type', 'users', '--entity-name', 'alice'),
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    );
    ok(
      await kc('--describe', '--entity-type', 'users'),
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    );
    const j = await kc('describe', '--user', 'alice', '--json');
    assert.deepEqual(JSON.parse(j.stdout), {
      entityType: 'users',
      users: [
        {
          user: 'alice',
          error: null,
          credentials: [
            { mechanism: 'SCRAM-SHA-256', iterations: 8192 },
            { mechanism: 'SCRAM-SHA-512', iterations: 4096 },
          ],
        },
      ],
    });
    // The credential works: ktool logs in with it over SASL_PLAINTEXT, with both mechanisms.
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const props = join(dir, `alice-${mechanism}.properties`);
      writeFileSync(
        props,
        `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${mechanism}\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${ALICE_SECRET}";\n`,
      );
      const login = await runCli(
        ['cluster', 'cluster-id', '--bootstrap-server', `127.0.0.1:${saslPort}`, '--command-config', props],
        { env },
      );
      assert.equal(login.stdout, `Cluster ID: ${broker.broker.clusterId}\n`, login.stderr);
    }
    ok(
      await kc('--alter', '--user', 'alice', '--delete-config', 'SCRAM-SHA-512'),
      'Completed updating config for user alice.\n',
    );
    ok(
      await kc('--describe', '--user', 'alice'),
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n",
    );
    // A user without credentials prints nothing, like Kafka's admin client.
    ok(await kc('--describe', '--user', 'nobody'), '');
  });

  test('users: mistakes are refused before anything is sent, and the password never shows', async () => {
    const secret = 'never-show-me-7Y';
    const checks: Array<[string[], string]> = [
      [
        ['--alter', '--user', 'bob', '--add-config', `SCRAM-SHA-256=[iterations=1024,password=${secret}]`],
        'Iterations 1024 is less than the minimum 4096 required for SCRAM-SHA-256',
      ],
      [
        ['--alter', '--user', 'bob', '--add-config', `SCRAM-SHA-256=[pass=${secret}]`],
        'Invalid credential property SCRAM-SHA-256=********',
      ],
      [
        ['--alter', '--user', 'bob', '--add-config', `foo=1,SCRAM-SHA-256=[password=${secret}]`],
        "Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: Set(foo)",
      ],
      [
        ['--alter', '--entity-type', 'users', '--entity-default', '--add-config', `SCRAM-SHA-256=[password=${secret}]`],
        'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.',
      ],
      [
        ['--alter', '--user', 'bob', '--add-config', `producer_byte_rate=10,SCRAM-SHA-256=[password=${secret}]`],
        "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.",
      ],
    ];
    for (const [args, message] of checks) failsUsage(await kc(...args), message);
    // The broker refuses: the echoed arguments hide the password.
    const r = await kc(
      '--alter',
      '--user',
      'bob',
      '--add-config',
      `SCRAM-SHA-256=[iterations=99999,password=${secret}]`,
    );
    failsCommand(r, '--alter --user bob --add-config SCRAM-SHA-256=********', 'Too many iterations');
    const j = await kc(
      '--alter',
      '--user',
      'bob',
      '--add-config',
      `SCRAM-SHA-256=[iterations=99999,password=${secret}]`,
      '--json',
    );
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), {
      error: { message: 'Too many iterations', code: 'UNACCEPTABLE_CREDENTIAL' },
    });
    ok(await kc('--describe', '--user', 'bob'), '');
  });

  test('client quotas need APIs the broker does not serve: one clear line', async () => {
    failsUsage(
      await kc('--describe', '--entity-type', 'clients'),
      'The broker does not support the DescribeClientQuotas API (key 48), needed to describe client quotas.',
    );
    failsUsage(
      await kc('--alter', '--client', 'app', '--add-config', 'producer_byte_rate=1024'),
      'The broker does not support the AlterClientQuotas API (key 49), needed to alter client quotas.',
    );
    failsUsage(
      await kc('--alter', '--user', 'carol', '--add-config', 'consumer_byte_rate=2048'),
      'The broker does not support the AlterClientQuotas API (key 49), needed to alter client quotas.',
    );
    failsUsage(
      await kc('--alter', '--client', 'app', '--add-config', 'SCRAM-SHA-256=[password=x]'),
      "Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: Set(SCRAM-SHA-256)",
    );
  });

  test("argument mistakes: Kafka's messages on stderr, exit 1", async () => {
    const cases: Array<[string[], string]> = [
      [['--topic', 'orders'], 'Command must include exactly one action: --describe, --alter'],
      [['--describe', '--alter', '--topic', 'orders'], 'Command must include exactly one action: --describe, --alter'],
      [
        ['--describe', '--topic', 'orders', '--add-config', 'a=1'],
        'Option "[describe]" can\'t be used with option "[add-config]"',
      ],
      [['--describe'], 'At least one entity type must be specified'],
      [
        ['--describe', '--entity-type', 'widgets'],
        'Invalid entity type widgets, the entity type must be one of topics, clients, users, brokers, ips, broker-loggers, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument',
      ],
      [
        ['--describe', '--entity-type', 'topics', '--entity-type', 'brokers'],
        "Only 'users' and 'clients' entity types may be specified together",
      ],
      [
        ['--describe', '--entity-type', 'topics', '--entity-type', 'topics'],
        'Duplicate entity type(s) specified: topics',
      ],
      [['--describe', '--entity-type', 'topics', '--topic', 'orders'], 'Duplicate entity type(s) specified: topics'],
      [
        ['--describe', '--entity-name', 'orders', '--topic', 'orders'],
        '--entity-{type,name,default} should not be used in conjunction with specific entity flags',
      ],
      [
        ['--alter', '--entity-type', 'topics', '--add-config', 'retention.ms=1'],
        'An entity name must be specified with --alter of topics',
      ],
      [
        ['--alter', '--entity-type', 'brokers', '--add-config', 'log.retention.ms=1'],
        'An entity-name or default entity must be specified with --alter of users, clients, brokers or ips',
      ],
      [
        ['--alter', '--topic', 'orders'],
        'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter',
      ],
      [
        ['--alter', '--topic', 'orders', '--add-config', 'a=1', '--add-config-file', 'x.properties'],
        'Only one of --add-config or --add-config-file must be specified',
      ],
      [
        [
          '--alter',
          '--entity-type',
          'topics',
          '--entity-name',
          'orders',
          '--entity-name',
          'payments',
          '--add-config',
          'a=1',
        ],
        'An entity name must be specified for every entity type',
      ],
      [
        ['--describe', '--entity-type', 'topics', '--entity-default'],
        '--entity-default must not be specified with --describe of topics',
      ],
      [
        ['--describe', '--broker', 'zero'],
        'The entity name for brokers must be a valid integer broker id, but it is: zero',
      ],
      [
        ['--alter', '--topic', 'orders', '--add-config', 'retention.ms'],
        'Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.',
      ],
      [
        ['--alter', '--topic', 'orders', '--add-config', 'bad key=1'],
        'Invalid character found for config key: bad key',
      ],
      [['--alter', '--topic', 'orders', '--delete-config', 'flush.ms'], 'Invalid config(s): flush.ms'],
    ];
    for (const [args, message] of cases) failsUsage(await kc(...args), message);
  });

  test('cluster failures: the "Error while executing config command" line with the reason', async () => {
    failsCommand(await kc('--describe', '--topic', 'nope'), '--describe --topic nope', "Topic 'nope' does not exist.");
    failsCommand(
      await kc('--alter', '--topic', 'nope', '--add-config', 'retention.ms=1'),
      '--alter --topic nope --add-config retention.ms=1',
      "Topic 'nope' does not exist.",
    );
    failsCommand(
      await kc('--describe', '--topic', 'bad/name'),
      '--describe --topic bad/name',
      "Topic name \"bad/name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
    );
    const j = await kc('--describe', '--topic', 'nope', '--json');
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), {
      error: { message: "Topic 'nope' does not exist.", code: 'UNKNOWN_TOPIC_OR_PARTITION' },
    });
    const usage = await kc('--describe', '--entity-type', 'widgets', '--json');
    assert.equal(usage.code, 1);
    assert.equal(JSON.parse(usage.stdout).error.code, 'INVALID_ARGUMENTS');
  });

  test('cannot connect: one "Error:" line', async () => {
    const r = await runCli(['configs', '--describe', '--topic', 'orders', '--bootstrap-server', '127.0.0.1:1'], {
      env,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: Cannot connect to 127\.0\.0\.1:1: connection refused \(ECONNREFUSED\)\n$/);
  });

  test('confluent-kafka sees a config altered with ktool', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    ok(
      await kc('--alter', '--topic', 'payments', '--add-config', 'retention.ms=123456'),
      'Completed updating config for topic payments.\n',
    );
    const script = [
      'import sys',
      'from confluent_kafka.admin import AdminClient, ConfigResource',
      "a = AdminClient({'bootstrap.servers': sys.argv[1]})",
      "r = ConfigResource('topic', 'payments')",
      'entries = a.describe_configs([r])[r].result(timeout=20)',
      "e = entries['retention.ms']",
      'print(e.value, e.source, e.is_default)',
    ].join('\n');
    const out = await run(PYTHON, ['-c', script, broker.bootstrap], { timeoutMs: 60_000 });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.toString().trim(), '123456 1 False');
  });
});
