// ktool broker-api-versions, cluster and log-dirs end to end (built CLI
// against an in-process broker), with literal Kafka 3.9 output, plus the
// broker's DescribeLogDirs handler at its oldest and newest versions.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ClusterClient } from '../../src/client/cluster.js';
import { allApiSpecs } from '../../src/protocol/codec.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { assertOk, assertFails, runCli, type CliResult } from '../cli/helpers.js';

describe('ktool broker-api-versions, cluster, log-dirs', () => {
  let broker: TestBroker;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    broker = await startTestBroker();
    for (const [name, partitions] of [
      ['alpha', 2],
      ['beta', 1],
    ] as const) {
      assert.ok(
        broker.broker.createTopic(
          { name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: {} },
          false,
        ).ok,
      );
    }
    const kafka = new Kafka({
      clientId: 'log-dirs-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: 'alpha',
      acks: -1,
      messages: [
        { partition: 1, value: 'hello' },
        { partition: 1, value: 'world' },
      ],
    });
    await producer.disconnect();
  });
  after(async () => {
    await broker?.destroy();
  });

  const k = (...args: string[]): Promise<CliResult> =>
    runCli([...args, '--bootstrap-server', broker.bootstrap], { env });
  const ok = assertOk;
  const fails = assertFails;

  test("broker-api-versions: Kafka's NodeApiVersions text for the broker", async () => {
    const r = await k('broker-api-versions');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `127.0.0.1:${broker.port} (id: 0 rack: null) -> (`);
    assert.equal(lines[1], '\tProduce(0): 0 to 11 [usable: 11],');
    assert.equal(lines[2], '\tFetch(1): 0 to 17 [usable: 17],');
    assert.equal(lines[5], '\tLeaderAndIsr(4): UNSUPPORTED,');
    assert.ok(lines.includes('\tDescribeLogDirs(35): 0 to 4 [usable: 4],'));
    assert.ok(lines.includes('\tDescribeCluster(60): 0 to 1 [usable: 1],'));
    assert.ok(lines.includes('\tDescribeClientQuotas(48): UNSUPPORTED,'));
    assert.equal(lines.at(-3), '\tReadShareGroupStateSummary(87): UNSUPPORTED', 'the last entry has no comma');
    assert.equal(lines.at(-2), ')');
    assert.equal(lines.at(-1), '');
    // One entry per broker-served API of a 3.9 client (every API the broker advertises is one).
    const clientApis = allApiSpecs().filter((s) => s.listeners.includes('broker') || s.listeners.includes('zkBroker'));
    assert.equal(lines.length - 3, clientApis.length);
    const advertised = broker.apis.advertised();
    for (const a of advertised) {
      const spec = allApiSpecs().find((s) => s.apiKey === a.apiKey)!;
      const range = a.minVersion === a.maxVersion ? `${a.minVersion}` : `${a.minVersion} to ${a.maxVersion}`;
      assert.ok(
        r.stdout.includes(
          `\t${spec.name}(${a.apiKey}): ${range} [usable: ${Math.min(a.maxVersion, spec.request.validVersions[1])}]`,
        ),
        spec.name,
      );
    }
  });

  test('broker-api-versions --json', async () => {
    const r = await k('broker-api-versions', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.brokers.length, 1);
    const b = doc.brokers[0];
    assert.deepEqual(
      { id: b.id, host: b.host, port: b.port, rack: b.rack, error: b.error },
      { id: 0, host: '127.0.0.1', port: broker.port, rack: null, error: null },
    );
    assert.deepEqual(b.apis[0], {
      apiKey: 0,
      name: 'Produce',
      minVersion: 0,
      maxVersion: 11,
      usableVersion: 11,
      status: 'usable',
    });
    assert.deepEqual(
      b.apis.find((a: { apiKey: number }) => a.apiKey === 4),
      {
        apiKey: 4,
        name: 'LeaderAndIsr',
        minVersion: null,
        maxVersion: null,
        usableVersion: null,
        status: 'unsupported',
      },
    );
  });

  test('cluster cluster-id: "Cluster ID: <id>"; -b and --json', async () => {
    ok(await k('cluster', 'cluster-id'), `Cluster ID: ${broker.broker.clusterId}\n`);
    ok(
      await runCli(['cluster', 'cluster-id', '-b', broker.bootstrap], { env }),
      `Cluster ID: ${broker.broker.clusterId}\n`,
    );
    const j = await k('cluster', 'cluster-id', '--json');
    assert.deepEqual(JSON.parse(j.stdout), { clusterId: broker.broker.clusterId });
  });

  test('cluster describe: the id, the controller and a table of brokers (no colour when piped)', async () => {
    const port = String(broker.port);
    const pad = (s: string, n: number) => s + ' '.repeat(n - s.length);
    const w = Math.max(4, port.length);
    const table = [
      `┌────────┬───────────┬${'─'.repeat(w + 2)}┬──────┬────────────┐`,
      `│ BROKER │ HOST      │ ${pad('PORT', w)} │ RACK │ ROLE       │`,
      `├────────┼───────────┼${'─'.repeat(w + 2)}┼──────┼────────────┤`,
      `│ 0      │ 127.0.0.1 │ ${pad(port, w)} │ -    │ controller │`,
      `└────────┴───────────┴${'─'.repeat(w + 2)}┴──────┴────────────┘`,
    ].join('\n');
    ok(await k('cluster', 'describe'), `Cluster ID: ${broker.broker.clusterId}\nController: 0\n${table}\n`);
    const j = await k('cluster', 'describe', '--json');
    assert.deepEqual(JSON.parse(j.stdout), {
      clusterId: broker.broker.clusterId,
      controller: 0,
      brokers: [{ id: 0, host: '127.0.0.1', port: broker.port, rack: null, isController: true }],
    });
  });

  test("cluster unregister: the dev broker lacks UnregisterBroker; Kafka's message, nothing done", async () => {
    ok(
      await k('cluster', 'unregister', '--id', '0'),
      'The target cluster does not support the broker unregistration API.\n',
    );
    const j = await k('cluster', 'unregister', '-i', '0', '--json');
    assert.deepEqual(JSON.parse(j.stdout), { brokerId: 0, supported: false, unregistered: false });
    const missing = await k('cluster', 'unregister');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Error: .*Missing required flag id/);
  });

  test("log-dirs --describe: Kafka's progress lines and JSON document", async () => {
    const dataDir = resolve(broker.broker.config.dataDir);
    const size = (t: string, p: number) => broker.broker.topic(t)!.partitions[p]!.log.size;
    const part = (t: string, p: number) =>
      `{"partition":"${t}-${p}","size":${size(t, p)},"offsetLag":0,"isFuture":false}`;
    assert.ok(size('alpha', 1) > 0);
    // Java HashMap order of TopicPartition (buckets 6, 7, 15).
    const doc = `{"brokers":[{"broker":0,"logDirs":[{"partitions":[${part('alpha', 0)},${part('alpha', 1)},${part('beta', 0)}],"error":null,"logDir":${JSON.stringify(dataDir)}}]}],"version":1}`;
    const expected = `Querying brokers for log directories information\nReceived log directory information from brokers 0\n${doc}\n`;
    ok(await k('log-dirs', '--describe'), expected);
    ok(await k('log-dirs', 'describe', '--broker-list', '0'), expected);
    const filtered = `{"brokers":[{"broker":0,"logDirs":[{"partitions":[${part('alpha', 0)},${part('alpha', 1)}],"error":null,"logDir":${JSON.stringify(dataDir)}}]}],"version":1}`;
    ok(
      await k('log-dirs', '--describe', '--topic-list', 'alpha,nope'),
      `Querying brokers for log directories information\nReceived log directory information from brokers 0\n${filtered}\n`,
    );
  });

  test('log-dirs --json: sorted, with the volume sizes', async () => {
    const r = await k('log-dirs', '--describe', '--topic-list', 'beta', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const dir = doc.brokers[0].logDirs[0];
    assert.equal(dir.logDir, resolve(broker.broker.config.dataDir));
    assert.deepEqual(dir.partitions, [
      { partition: 'beta-0', topic: 'beta', partitionIndex: 0, size: 0, offsetLag: 0, isFuture: false },
    ]);
    assert.ok(dir.totalBytes > 0 && dir.usableBytes >= 0 && dir.usableBytes <= dir.totalBytes);
    assert.equal(doc.version, 1);
    assert.equal(dir.error, null);
  });

  test('log-dirs mistakes: one line on stderr, exit 1', async () => {
    fails(
      await k('log-dirs', '--describe', '--broker-list', '0,5'),
      'ERROR: The given brokers do not exist from --broker-list: 5. Current existent brokers: 0\n',
    );
    fails(await k('log-dirs'), 'Missing required argument "[describe]"\n');
    fails(
      await k('log-dirs', '--describe', '--broker-list', 'x'),
      'Invalid broker id "x" in --broker-list: expected a comma-separated list of integers\n',
    );
  });

  test('DescribeLogDirs v0 and v4 on the wire', async () => {
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      const v0 = await client.send(35, { topics: [{ topic: 'alpha', partitions: [1, 7] }] }, { version: 0 });
      assert.equal(v0.results.length, 1);
      assert.deepEqual(v0.results[0].topics, [
        {
          name: 'alpha',
          partitions: [
            {
              partitionIndex: 1,
              partitionSize: broker.broker.topic('alpha')!.partitions[1]!.log.size,
              offsetLag: 0,
              isFutureKey: false,
            },
          ],
        },
      ]);
      const v4 = await client.send(35, { topics: null }, { version: 4 });
      assert.equal(v4.errorCode, 0);
      assert.deepEqual(
        v4.results[0].topics.map((t: { name: string }) => t.name),
        ['alpha', 'beta'],
      );
      assert.ok(v4.results[0].totalBytes > 0);
    } finally {
      client.close();
    }
  });
});
