// ktool get-offsets and ktool delete-records end to end (built CLI against an
// in-process broker), with literal kafka-get-offsets.sh / kafka-delete-records.sh
// 3.9 output.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { assertOk, assertFails, runCli, type CliResult } from '../cli/helpers.js';

describe('ktool get-offsets and delete-records', () => {
  let broker: TestBroker;
  let dir: string;
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: undefined,
    XDG_CONFIG_HOME: '/nonexistent-ktool-config',
    KTOOL_NO_EMBEDDED: '1',
  };

  before(async () => {
    broker = await startTestBroker();
    dir = mkdtempSync(join(tmpdir(), 'ktool-offsets-'));
    for (const [name, partitions] of [
      ['events', 3],
      ['wide', 12],
      ['__consumer_offsets', 1],
    ] as const) {
      assert.ok(
        broker.broker.createTopic(
          { name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: {} },
          false,
        ).ok,
      );
    }
    const kafka = new Kafka({
      clientId: 'offsets-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // events-0: offsets 0-4 at 1000..1004 ms; events-1: empty; events-2: offsets 0-2 at 2000..2002 ms.
    await producer.send({
      topic: 'events',
      acks: -1,
      messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `a${i}`, timestamp: String(1000 + i) })),
    });
    await producer.send({
      topic: 'events',
      acks: -1,
      messages: [0, 1, 2].map((i) => ({ partition: 2, value: `b${i}`, timestamp: String(2000 + i) })),
    });
    await producer.disconnect();
  });
  after(async () => {
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const go = (...args: string[]): Promise<CliResult> =>
    runCli(['get-offsets', ...args, '--bootstrap-server', broker.bootstrap], { env });
  const dr = (...args: string[]): Promise<CliResult> =>
    runCli(['delete-records', ...args, '--bootstrap-server', broker.bootstrap], { env });
  const ok = assertOk;
  const fails = assertFails;
  const wideLatest = [0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => `wide:${p}:0\n`).join('');
  const offsetFile = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test('latest by default, every topic (internal ones included), sorted by "topic-partition" text', async () => {
    ok(await go(), `__consumer_offsets:0:0\nevents:0:5\nevents:1:0\nevents:2:3\n${wideLatest}`);
    ok(await go('--exclude-internal-topics'), `events:0:5\nevents:1:0\nevents:2:3\n${wideLatest}`);
  });

  test('--time: earliest/-2, latest/-1, max-timestamp/-3, a timestamp', async () => {
    const earliest = 'events:0:0\nevents:1:0\nevents:2:0\n';
    ok(await go('--topic', 'events', '--time', 'earliest'), earliest);
    ok(await go('--topic', 'events', '--time', '-2'), earliest);
    ok(await go('--topic', 'events', '--time', '-1'), 'events:0:5\nevents:1:0\nevents:2:3\n');
    // An empty partition has no record with a max timestamp: no line for it.
    ok(await go('--topic', 'events', '--time', 'max-timestamp'), 'events:0:4\nevents:2:2\n');
    ok(await go('--topic', 'events', '--time', '-3'), 'events:0:4\nevents:2:2\n');
    // The first offset whose timestamp is at or after the time; none found, no line.
    ok(await go('--topic', 'events', '--time', '1002'), 'events:0:2\nevents:2:0\n');
    ok(await go('--topic', 'events', '--time', '1500'), 'events:2:0\n');
    ok(await go('--topic', 'events', '--time', '5000'), '');
  });

  test('--topic regex and --partitions', async () => {
    ok(await go('--topic', 'ev.*', '--partitions', '0,2'), 'events:0:5\nevents:2:3\n');
    ok(await go('--topic', 'events,wide', '--partitions', '11'), 'wide:11:0\n');
  });

  test('--topic-partitions rules', async () => {
    ok(await go('--topic-partitions', 'events:1-'), 'events:1:0\nevents:2:3\n');
    ok(await go('--topic-partitions', 'events:0-2'), 'events:0:5\nevents:1:0\n');
    ok(await go('--topic-partitions', 'wide:-2,events:2'), 'events:2:3\nwide:0:0\nwide:1:0\n');
    ok(await go('--topic-partitions', ':0', '--exclude-internal-topics'), 'events:0:5\nwide:0:0\n');
    ok(await go('--topic-partitions', 'e.*'), 'events:0:5\nevents:1:0\nevents:2:3\n');
  });

  test('--json: every selected partition, null offset when none matches', async () => {
    const r = await go('--topic', 'events', '--time', '1500', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      offsets: [
        { topic: 'events', partition: 0, offset: null, timestamp: null },
        { topic: 'events', partition: 1, offset: null, timestamp: null },
        { topic: 'events', partition: 2, offset: 0, timestamp: 2000 },
      ],
      errors: [],
    });
  });

  test('mistakes: "Error occurred: ..." on stderr, exit 1', async () => {
    fails(
      await go('--topic', 'nope'),
      'Error occurred: Could not match any topic-partitions with the specified filters\n',
    );
    fails(
      await go('--topic', 'events', '--partitions', '7'),
      'Error occurred: Could not match any topic-partitions with the specified filters\n',
    );
    fails(
      await go('--time', 'yesterday'),
      'Error occurred: Malformed time argument yesterday. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp\n',
    );
    fails(
      await go('--partitions', '0,x'),
      'Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: 0,x\n',
    );
    fails(
      await go('--topic-partitions', 'events:1', '--topic', 'events'),
      'Error occurred: --topic-partitions cannot be used with --topic or --partitions\n',
    );
    fails(await go('--topic-partitions', 'events:x'), 'Error occurred: Invalid rule specification: events:x\n');
    fails(await go('--topic', '('), 'Error occurred: ( is an invalid regex.\n');
    const j = await go('--topic', 'nope', '--json');
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), {
      error: { message: 'Could not match any topic-partitions with the specified filters', code: 'INVALID_ARGUMENTS' },
    });
  });

  test("delete-records: low watermarks and per-partition errors in Kafka's order", async () => {
    const file = offsetFile(
      'delete.json',
      JSON.stringify({
        partitions: [
          { topic: 'events', partition: 0, offset: 2 },
          { topic: 'events', partition: 2, offset: -1 },
          { topic: 'wide', partition: 0, offset: 1 },
          { topic: 'nope', partition: 0, offset: 1 },
        ],
        version: 1,
      }),
    );
    // Java's HashMap order of TopicPartition (hash buckets 3, 4, 13, 15), not the file's order.
    ok(
      await dr('--offset-json-file', file),
      'Executing records delete operation\n' +
        'Records delete operation completed:\n' +
        'partition: wide-0\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: Offset is outside the range held by the partition\n' +
        'partition: nope-0\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic or partition does not exist on this broker\n' +
        'partition: events-0\tlow_watermark: 2\n' +
        'partition: events-2\tlow_watermark: 3\n',
    );
    ok(await go('--topic', 'events', '--time', 'earliest'), 'events:0:2\nevents:1:0\nevents:2:3\n');
    assert.equal(broker.broker.topic('events')!.partitions[0]!.log.logStartOffset, 2);
  });

  test('delete-records --json, and "version" may be left out', async () => {
    const file = offsetFile('delete2.json', '{"partitions":[{"topic":"events","partition":0,"offset":3}]}');
    const r = await dr('--offset-json-file', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      partitions: [{ topic: 'events', partition: 0, lowWatermark: 3, code: null, error: null }],
    });
  });

  test('delete-records: a bad offset file is one clear line, nothing deleted', async () => {
    const cases: Array<[string, string]> = [
      [
        '{"partitions":[{"topic":"events","partition":0,"offset":4}',
        "The input string is not a valid JSON: Expected ',' or ']' after array element in JSON at position 58",
      ],
      ['{"partitions":[{"topic":"events","partition":0}]}', 'partitions[0] has no "offset" field'],
      [
        '{"partitions":[{"topic":"events","partition":0,"offset":"4"}]}',
        'partitions[0].offset must be an integer, found string "4"',
      ],
      ['{"version":1}', 'Missing partitions field'],
      ['{"partitions":[],"version":3}', 'Not supported version field value 3'],
      [
        '{"partitions":[{"topic":"events","partition":0,"offset":4},{"topic":"events","partition":0,"offset":5}]}',
        'Offset json file contains duplicate topic partitions: events-0',
      ],
    ];
    for (const [i, [text, message]] of cases.entries())
      fails(await dr('--offset-json-file', offsetFile(`bad${i}.json`, text)), `${message}\n`);
    fails(
      await dr('--offset-json-file', join(dir, 'missing.json')),
      `Cannot read offset JSON file ${join(dir, 'missing.json')}: no such file\n`,
    );
    fails(await dr(), 'Missing required argument "[offset-json-file]"\n');
    assert.equal(broker.broker.topic('events')!.partitions[0]!.log.logStartOffset, 3);
    const j = await dr('--offset-json-file', offsetFile('bad-json.json', '{'), '--json');
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).error.code, 'INVALID_JSON');
  });
});
