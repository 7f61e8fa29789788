// kafka-python and confluent-kafka-python against the embedded broker over TCP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { PYTHON, requireTool, run } from '../../helpers/tools.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const script = (name: string) => join(here, 'python', name);

describe('python clients interop', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  test('kafka-python produces and consumes by partition assignment', async (t) => {
    if (!requireTool(t, 'kafka-python')) return;
    const r = await run(PYTHON, [script('kafka_python_roundtrip.py'), broker.bootstrap, 'kafka.test-topic', '500'], {
      timeoutMs: 90_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.equal(out.end, 500);
    assert.equal(out.consumed.length, 500);
    out.consumed.forEach((m: { offset: number; key: string; n: number }, i: number) => {
      assert.deepEqual(m, { offset: i, key: `k${i}`, n: i });
    });
  });

  test('confluent-kafka AdminClient creates, lists, describes and deletes topics', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    const r = await run(PYTHON, [script('confluent_admin.py'), broker.bootstrap, 'ck.admin'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), {
      listed: true,
      partitions: 3,
      'retention.ms': '3600000',
      'retention.source': 1,
      'cleanup.policy': 'delete',
      duplicate: 'TOPIC_ALREADY_EXISTS',
      after_delete: false,
    });
    assert.equal(broker.broker.topic('ck.admin'), undefined);
  });

  test('confluent-kafka idempotent producer sends 100k records with no duplicates', async (t) => {
    if (!requireTool(t, 'confluent-kafka') || !requireTool(t, 'kcat')) return;
    const n = 100_000;
    const r = await run(PYTHON, [script('confluent_idempotent.py'), broker.bootstrap, 'ck.idempotent', String(n)], {
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.toString()), { delivered: n, errors: [], left: 0 });
    const c = await run(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', 'ck.idempotent', '-o', 'beginning', '-e', '-q', '-f', '%k\n'],
      { timeoutMs: 60_000 },
    );
    assert.equal(c.code, 0, c.stderr);
    const keys = c.stdout.toString().trim().split('\n');
    assert.equal(keys.length, n);
    assert.equal(new Set(keys).size, n);
  });
});
