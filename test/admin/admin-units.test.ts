// Pure parts of the admin tools (configs, get-offsets, delete-records,
// broker-api-versions, log-dirs): parsers, Java ordering, and the views,
// including kafka-broker-api-versions.sh's text for the real Kafka 2.4.1
// broker of the captures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeResponseFrame } from '../../src/protocol/headers.js';
import { echoedArgs } from '../../src/tools/configs/checks.js';
import { UsageError, javaExceptionClass } from '../../src/ops/admin-errors.js';
import {
  parseAddConfig,
  parseScramCredential,
  saltedPassword,
  scramMechanism,
  scramSalt,
} from '../../src/ops/configs.js';
import { duplicatePartitions, parseOffsetJson } from '../../src/ops/delete-records.js';
import { parseBrokerList } from '../../src/ops/log-dirs.js';
import {
  compareTopicPartitions,
  parseOffsetSpec,
  topicAndPartitionsFilter,
  topicPartitionsFilter,
} from '../../src/ops/offsets.js';
import { renderBrokerApiVersions } from '../../src/views/api-versions.js';
import { alterJson, renderConfigEntry } from '../../src/views/configs.js';
import { duplicatesMessage, renderDeleteOutcomes } from '../../src/views/delete-records.js';
import { javaHashMapOrder, javaHashOrder, javaStringHash, topicPartitionHash } from '../../src/protocol/java-compat.js';
import { kafkaLogDirsDocument, receivedLine } from '../../src/views/log-dirs.js';
import { ROOT } from '../cli/helpers.js';

const usage = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof UsageError && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );

describe('kafka-configs --add-config syntax', () => {
  test('pairs, bracketed lists, empty values, spaces around "="', () => {
    assert.deepEqual(parseAddConfig('retention.ms=1000,cleanup.policy=[compact,delete]'), [
      ['retention.ms', '1000'],
      ['cleanup.policy', 'compact,delete'],
    ]);
    assert.deepEqual(parseAddConfig('ssl.endpoint.identification.algorithm='), [
      ['ssl.endpoint.identification.algorithm', ''],
    ]);
    assert.deepEqual(parseAddConfig(' a = 1 ,b=2,'), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(parseAddConfig('a=1,a=2'), [['a', '2']], 'a later value replaces an earlier one');
  });

  test('SCRAM credentials keep their inner "=" and "," and lose the brackets', () => {
    assert.deepEqual(
      parseAddConfig('SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'),
      [
        ['SCRAM-SHA-256', 'iterations=8192,password=alice-secret'],
        ['SCRAM-SHA-512', 'password=alice-secret'],
      ],
    );
  });

  test('anything but key=value is Kafka\'s "Invalid entity config" message', () => {
    const msg =
      'Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.';
    for (const bad of ['retention.ms', 'a=1,b', 'a=b=c', ',a=1']) usage(() => parseAddConfig(bad), msg);
  });

  test('SCRAM credential values: iterations default to 4096, minimum 4096, never echoed', () => {
    const sha256 = scramMechanism('SCRAM-SHA-256')!;
    assert.equal(parseScramCredential(sha256, 'password=p').iterations, 4096);
    assert.equal(parseScramCredential(sha256, 'iterations=-1,password=p').iterations, 4096);
    assert.equal(parseScramCredential(sha256, 'iterations=8192,password=a,b').password, 'a,b');
    usage(
      () => parseScramCredential(sha256, 'iterations=100,password=p'),
      'Iterations 100 is less than the minimum 4096 required for SCRAM-SHA-256',
    );
    assert.throws(
      () => parseScramCredential(sha256, 'pasword=top-secret-1'),
      (e: Error) => e.message === 'Invalid credential property SCRAM-SHA-256=********',
    );
  });

  test('the salt is a base-36 random number as Kafka makes it; the salted password is PBKDF2', () => {
    const salt = scramSalt();
    assert.match(salt.toString('ascii'), /^[0-9a-z]{1,26}$/);
    assert.notDeepEqual(scramSalt(), salt);
    const upsert = parseScramCredential(scramMechanism('SCRAM-SHA-512')!, 'password=pencil');
    assert.equal(saltedPassword(upsert, Buffer.from('salt')).length, 64);
  });

  test('echoed arguments and --json never show a secret', async () => {
    const args = await echoedArgs([
      '--alter',
      '--user',
      'alice',
      '--add-config',
      'SCRAM-SHA-256=[password=s3cret-x],retention.ms=5,ssl.key.password=k3y-x',
    ]);
    assert.equal(
      args,
      '--alter --user alice --add-config SCRAM-SHA-256=********,retention.ms=5,ssl.key.password=********',
    );
    assert.deepEqual(alterJson('users', 'alice', [['SCRAM-SHA-256', 'iterations=8192,password=s3cret-x']], []).set, {
      'SCRAM-SHA-256': 'iterations=8192',
    });
  });

  test('a describe line: value, sensitivity and synonyms with their sources', () => {
    assert.equal(
      renderConfigEntry({
        name: 'retention.ms',
        value: '1000',
        source: 1,
        sensitive: false,
        readOnly: false,
        synonyms: [
          { name: 'retention.ms', value: '1000', source: 1 },
          { name: 'log.retention.hours', value: '168', source: 5 },
        ],
      }),
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}',
    );
    assert.equal(
      renderConfigEntry({
        name: 'ssl.key.password',
        value: null,
        source: 4,
        sensitive: true,
        readOnly: true,
        synonyms: [{ name: 'ssl.key.password', value: null, source: 4 }],
      }),
      '  ssl.key.password=null sensitive=true synonyms={STATIC_BROKER_CONFIG:ssl.key.password=null}',
    );
  });
});

describe('Java HashMap order for TopicPartition, Node and Integer keys', () => {
  test('javaHashOrder agrees with the string-keyed javaHashMapOrder', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i * 7}.${String.fromCharCode(97 + (i % 26))}`);
    assert.deepEqual(
      javaHashOrder(keys, javaStringHash),
      javaHashMapOrder(keys, (k) => k),
    );
    assert.deepEqual(
      javaHashOrder(keys.slice(0, 5), javaStringHash, 5),
      javaHashMapOrder(keys.slice(0, 5), (k) => k, 5),
    );
  });

  test('TopicPartition.hashCode and the order of a HashMap keyed by it', () => {
    assert.equal(topicPartitionHash('t', 0), 1077);
    const tps = [0, 1, 2].map((partition) => ({ topic: 't', partition }));
    assert.deepEqual(
      javaHashOrder(tps, (tp) => topicPartitionHash(tp.topic, tp.partition)).map((tp) => tp.partition),
      [2, 1, 0],
    );
  });
});

describe('kafka-get-offsets options', () => {
  test('--time names, special values and timestamps; anything else is refused', () => {
    assert.deepEqual(parseOffsetSpec('latest'), { timestamp: -1, minVersion: 1 });
    assert.deepEqual(parseOffsetSpec('-2'), { timestamp: -2, minVersion: 1 });
    assert.deepEqual(parseOffsetSpec('max-timestamp'), { timestamp: -3, minVersion: 7 });
    assert.deepEqual(parseOffsetSpec('earliest-local'), { timestamp: -4, minVersion: 8 });
    assert.deepEqual(parseOffsetSpec('1700000000000'), { timestamp: 1700000000000, minVersion: 1 });
    usage(() => parseOffsetSpec('yesterday'), /^Malformed time argument yesterday\. Please use -1 or latest/);
  });

  test('--topic-partitions rules: number, ranges (upper bound exclusive), any topic', () => {
    const f = topicPartitionsFilter('orders:1,audit.*:2-4,logs:5-,:0');
    const allowed = (t: string, p: number) => f.partitionAllowed(t, p);
    assert.ok(allowed('orders', 1) && !allowed('orders', 2));
    assert.ok(allowed('audit-x', 2) && allowed('audit-x', 3) && !allowed('audit-x', 4));
    assert.ok(allowed('logs', 5) && allowed('logs', 500) && !allowed('logs', 4));
    assert.ok(allowed('anything', 0), 'an empty topic part matches any topic');
    assert.ok(
      topicPartitionsFilter('t:-2').partitionAllowed('t', 1) && !topicPartitionsFilter('t:-2').partitionAllowed('t', 2),
    );
    assert.ok(topicPartitionsFilter('t').partitionAllowed('t', 9));
    usage(() => topicPartitionsFilter('t:x'), 'Invalid rule specification: t:x');
  });

  test('--topic is a whole-name regex, --partitions a set of ids', () => {
    const f = topicAndPartitionsFilter('ord.*', '0,2');
    assert.ok(f.partitionAllowed('orders', 2) && !f.partitionAllowed('orders', 1) && !f.partitionAllowed('xorders', 0));
    usage(
      () => topicAndPartitionsFilter(undefined, '1,,2'),
      '--partitions expects a comma separated list of numeric partition ids, but received: 1,,2',
    );
  });

  test('results sort by the "topic-partition" text, as Kafka\'s TreeMap does', () => {
    const tps = [2, 10, 1, 0, 11].map((partition) => ({ topic: 't', partition }));
    assert.deepEqual(
      tps.sort(compareTopicPartitions).map((t) => t.partition),
      [0, 1, 10, 11, 2],
    );
  });
});

describe('kafka-delete-records offset JSON', () => {
  test('the version may be left out; offsets are kept per partition', () => {
    assert.deepEqual(
      parseOffsetJson(
        '{"partitions":[{"topic":"t","partition":0,"offset":3},{"topic":"u","partition":1,"offset":-1}]}',
      ),
      [
        { topic: 't', partition: 0, offset: 3 },
        { topic: 'u', partition: 1, offset: -1 },
      ],
    );
  });

  test('every malformed document is a clear message naming the problem', () => {
    usage(() => parseOffsetJson('{"partitions": ['), /^The input string is not a valid JSON: /);
    usage(() => parseOffsetJson('{"version":1}'), 'Missing partitions field');
    usage(() => parseOffsetJson('{"partitions":[],"version":2}'), 'Not supported version field value 2');
    usage(() => parseOffsetJson('{"partitions":{}}'), 'The "partitions" field must be an array, found an object');
    usage(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0}]}'), 'partitions[0] has no "offset" field');
    usage(
      () => parseOffsetJson('{"partitions":[{"topic":"t","partition":"0","offset":1}]}'),
      'partitions[0].partition must be an integer, found string "0"',
    );
    usage(() => parseOffsetJson('[1]'), 'The offset JSON must be an object with a "partitions" field, found an array');
  });

  test('duplicates are named in Java HashSet order', () => {
    const dups = duplicatePartitions([
      { topic: 't', partition: 0, offset: 1 },
      { topic: 't', partition: 2, offset: 1 },
      { topic: 't', partition: 0, offset: 2 },
      { topic: 't', partition: 2, offset: 3 },
    ]);
    assert.equal(duplicatesMessage(dups), 'Offset json file contains duplicate topic partitions: t-2,t-0');
  });

  test('result lines: low watermark or the Java exception, in HashMap order', () => {
    assert.equal(
      renderDeleteOutcomes([
        { topic: 't', partition: 0, lowWatermark: 3, code: null, error: null },
        {
          topic: 't',
          partition: 1,
          lowWatermark: null,
          code: 'OFFSET_OUT_OF_RANGE',
          error: 'org.apache.kafka.common.errors.OffsetOutOfRangeException: x',
        },
      ]),
      'partition: t-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: x\npartition: t-0\tlow_watermark: 3\n',
    );
  });

  test('Java exception class names for Kafka error names', () => {
    assert.equal(
      javaExceptionClass('UNKNOWN_TOPIC_OR_PARTITION'),
      'org.apache.kafka.common.errors.UnknownTopicOrPartitionException',
    );
    assert.equal(
      javaExceptionClass('TOPIC_AUTHORIZATION_FAILED'),
      'org.apache.kafka.common.errors.TopicAuthorizationException',
    );
    assert.equal(javaExceptionClass('KAFKA_STORAGE_ERROR'), 'org.apache.kafka.common.errors.KafkaStorageException');
  });
});

describe('kafka-log-dirs document', () => {
  test("keys, brokers and partitions in the order Kafka's HashMaps give them", () => {
    const doc = kafkaLogDirsDocument(
      [
        {
          broker: 0,
          logDirs: [
            {
              path: '/data',
              error: null,
              totalBytes: 100,
              usableBytes: 50,
              replicas: [
                { topic: 't', partition: 0, size: 10, offsetLag: 0, isFuture: false },
                { topic: 't', partition: 1, size: 0, offsetLag: 0, isFuture: false },
                { topic: 'u', partition: 0, size: 7, offsetLag: 0, isFuture: false },
              ],
            },
          ],
        },
      ],
      ['t'],
    );
    assert.equal(
      doc,
      '{"brokers":[{"broker":0,"logDirs":[{"partitions":[{"partition":"t-1","size":0,"offsetLag":0,"isFuture":false},{"partition":"t-0","size":10,"offsetLag":0,"isFuture":false}],"error":null,"logDir":"/data"}]}],"version":1}',
    );
    assert.equal(receivedLine([2, 0, 1]), 'Received log directory information from brokers 0,1,2\n');
  });

  test('--broker-list must be integers', () => {
    assert.deepEqual(parseBrokerList('0,1,,1'), [0, 1]);
    usage(
      () => parseBrokerList('0,x'),
      'Invalid broker id "x" in --broker-list: expected a comma-separated list of integers',
    );
  });
});

describe('kafka-broker-api-versions text', () => {
  test('for the real Kafka 2.4.1 broker of the captures', () => {
    const rows = readFileSync(join(ROOT, 'test', 'fixtures', 'captures', 'java.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { scenario: string; apiKey: number; apiVersion: number; response: string })
      .filter((r) => r.scenario === 'broker-api-versions');
    const av = rows.filter((r) => r.apiKey === 18).at(-1)!;
    const md = rows.find((r) => r.apiKey === 3)!;
    const body = decodeResponseFrame(18, av.apiVersion, Buffer.from(av.response, 'hex')).body;
    const broker = decodeResponseFrame(3, md.apiVersion, Buffer.from(md.response, 'hex')).body.brokers[0];
    const versions = new Map<number, { minVersion: number; maxVersion: number }>(
      body.apiKeys.map((k: { apiKey: number; minVersion: number; maxVersion: number }) => [
        k.apiKey,
        { minVersion: k.minVersion, maxVersion: k.maxVersion },
      ]),
    );
    const text = renderBrokerApiVersions([
      { id: broker.nodeId, host: broker.host, port: broker.port, rack: broker.rack, versions, error: null },
    ]);
    const lines = text.split('\n');
    assert.equal(lines[0], '127.0.0.1:19094 (id: 0 rack: null) -> (');
    assert.equal(lines[1], '\tProduce(0): 0 to 8 [usable: 8],');
    assert.ok(lines.includes('\tLeaderAndIsr(4): 0 to 4 [usable: 4],'));
    assert.ok(lines.includes('\tWriteTxnMarkers(27): 0 [usable: 0],'), 'a single version prints alone');
    assert.ok(lines.includes('\tDescribeConfigs(32): 0 to 2 [usable: 2],'));
    assert.ok(lines.includes('\tDescribeUserScramCredentials(50): UNSUPPORTED,'), 'newer than 2.4.1');
    assert.ok(!text.includes('Vote(52)'), 'controller-only APIs are not client APIs');
    assert.equal(lines.at(-3), '\tReadShareGroupStateSummary(87): UNSUPPORTED');
    assert.equal(lines.at(-2), ')');
    assert.equal(lines.at(-1), '');
  });
});
