// console-producer and producer-perf-test are idempotent unless told otherwise, with
// Kafka's rules: a setting that rules idempotence out turns it off quietly when
// enable.idempotence was not given, and is Kafka's ConfigException when it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read-log.js';
import { run } from '../helpers/tools.js';
import { BIN, freePort, hasStack, lines, runCli } from './helpers.js';

const env = {
  KAFKA_BOOTSTRAP_SERVERS: undefined,
  XDG_CONFIG_HOME: '/nonexistent-ktool-config',
  KTOOL_NO_EMBEDDED: '1',
};
const ACKS = 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.';

describe('producer idempotence settings', () => {
  let nowhere: string;
  before(async () => {
    nowhere = `127.0.0.1:${await freePort()}`;
  });

  const refusals: Array<[string, string[], string]> = [
    [
      'console-producer: enable.idempotence=true with --request-required-acks 1',
      [
        'console-producer',
        '--topic',
        't',
        '--producer-property',
        'enable.idempotence=true',
        '--request-required-acks',
        '1',
      ],
      ACKS,
    ],
    [
      'console-producer: enable.idempotence=true with acks=0',
      [
        'console-producer',
        '--topic',
        't',
        '--producer-property',
        'enable.idempotence=true',
        '--producer-property',
        'acks=0',
      ],
      ACKS,
    ],
    [
      'console-producer: enable.idempotence=true with --message-send-max-retries 0',
      [
        'console-producer',
        '--topic',
        't',
        '--producer-property',
        'enable.idempotence=true',
        '--message-send-max-retries',
        '0',
      ],
      'Must set retries to non-zero when using the idempotent producer.',
    ],
    [
      'console-producer: enable.idempotence=true with 6 requests in flight',
      [
        'console-producer',
        '--topic',
        't',
        '--producer-property',
        'enable.idempotence=true',
        '--producer-property',
        'max.in.flight.requests.per.connection=6',
      ],
      'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
    ],
    [
      'console-producer: enable.idempotence=maybe',
      ['console-producer', '--topic', 't', '--producer-property', 'enable.idempotence=maybe'],
      'Invalid value maybe for configuration enable.idempotence: Expected value to be either true or false',
    ],
    [
      'console-producer: delivery.timeout.ms below linger.ms + request.timeout.ms',
      ['console-producer', '--topic', 't', '--producer-property', 'delivery.timeout.ms=2000'],
      'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    ],
    [
      'producer-perf-test: enable.idempotence=true with acks=1',
      [
        'producer-perf-test',
        '--topic',
        't',
        '--num-records',
        '1',
        '--record-size',
        '10',
        '--throughput',
        '-1',
        '--producer-props',
        'acks=1',
        'enable.idempotence=true',
      ],
      ACKS,
    ],
  ];
  for (const [name, args, message] of refusals) {
    test(`${name}: Kafka's message, exit 1, before connecting`, async () => {
      const started = Date.now();
      const r = await runCli([...args, '--bootstrap-server', nowhere], { env });
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(lines(r.stderr), [`Error: ${message}`]);
      assert.ok(!hasStack(r.stderr));
      assert.ok(Date.now() - started < 5000);
    });
  }

  test('--json names the code INVALID_CONFIG', async () => {
    const r = await runCli(
      [
        'console-producer',
        '--topic',
        't',
        '--producer-property',
        'enable.idempotence=true',
        '--request-required-acks',
        '1',
        '--bootstrap-server',
        nowhere,
        '--json',
      ],
      { env },
    );
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: { message: ACKS, code: 'INVALID_CONFIG' } });
  });
});

describe('producer idempotence on the wire', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
    for (const topic of ['idem.default', 'idem.acks1', 'idem.off', 'idem.perf']) {
      const r = await runCli(['topics', '--create', '--topic', topic, '--bootstrap-server', broker.bootstrap], { env });
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await broker?.destroy();
  });

  const produce = (topic: string, extra: string[]) =>
    run(
      process.execPath,
      [
        BIN,
        'console-producer',
        '--topic',
        topic,
        '--bootstrap-server',
        broker.bootstrap,
        '--batch-size',
        '100',
        ...extra,
      ],
      {
        input: Array.from({ length: 50 }, (_, i) => `line-${i}`).join('\n') + '\n',
        env: { ...process.env, ...env, KAFKA_BOOTSTRAP_SERVERS: '' },
      },
    );

  test('by default batches carry a producer id and sequences from 0 without a gap', async () => {
    // --sync: one batch per line, so there are many to number.
    const r = await produce('idem.default', ['--sync']);
    assert.equal(r.code, 0, r.stderr);
    const { values, batches } = await readPartition(broker.port, 'idem.default', 0);
    assert.equal(values.length, 50);
    assert.ok(batches.length > 1);
    let next = 0;
    for (const b of batches) {
      assert.ok(b.producerId >= 0);
      assert.equal(b.producerId, batches[0]!.producerId);
      assert.equal(b.baseSequence, next);
      next += b.recordsCount;
    }
  });

  test('--request-required-acks 1 without enable.idempotence: idempotence off quietly, as in Kafka 3.x', async () => {
    const r = await produce('idem.acks1', ['--request-required-acks', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const { values, batches } = await readPartition(broker.port, 'idem.acks1', 0);
    assert.equal(values.length, 50);
    assert.ok(batches.every((b) => b.producerId === -1 && b.baseSequence === -1));
  });

  test('enable.idempotence=false turns it off', async () => {
    const r = await produce('idem.off', ['--producer-property', 'enable.idempotence=false']);
    assert.equal(r.code, 0, r.stderr);
    const { batches } = await readPartition(broker.port, 'idem.off', 0);
    assert.ok(batches.every((b) => b.producerId === -1));
  });

  test('producer-perf-test is idempotent by default too', async () => {
    const r = await runCli(
      [
        'producer-perf-test',
        '--topic',
        'idem.perf',
        '--num-records',
        '500',
        '--record-size',
        '50',
        '--throughput',
        '2000',
        '--producer-props',
        `bootstrap.servers=${broker.bootstrap}`,
        'batch.size=1000',
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const { values, batches } = await readPartition(broker.port, 'idem.perf', 0);
    assert.equal(values.length, 500);
    assert.ok(batches.length > 1 && batches.every((b) => b.producerId >= 0 && b.producerId === batches[0]!.producerId));
  });
});
