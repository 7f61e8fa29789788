// confluent-kafka (librdkafka) transactions against the embedded broker over TCP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { PYTHON, requireTool, run } from '../../helpers/tools.js';

const script = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  'interop',
  'python',
  'confluent_transactions.py',
);

describe('confluent-kafka transactions', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
  });
  after(async () => {
    await broker?.destroy();
  });

  test('commit, abort, read_committed, a fenced zombie and send_offsets_to_transaction', async (t) => {
    if (!requireTool(t, 'confluent-kafka')) return;
    const r = await run(PYTHON, [script, broker.bootstrap, 'ck.txn'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    const committed = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
    // read_committed sees exactly the committed records, read_uncommitted the aborted ones too;
    // markers reach neither.
    assert.deepEqual(out.read_committed, committed);
    assert.deepEqual(out.read_uncommitted, ['c0', 'c1', 'c2', 'c3', 'c4', 'a0', 'a1', 'a2', 'c5']);
    assert.equal(out.zombie, '_FENCED');
    assert.equal(out.zombie_fatal, true);
    assert.deepEqual(out.after_zombie, [...committed, 'successor']);
    assert.equal(out.ctp_committed_offset, 4);
    assert.deepEqual(out.ctp_out, ['IN0', 'IN1', 'IN2', 'IN3']);
    // Six committed records, three aborted, one zombie record aborted by the fence, one from
    // the successor, and a marker per transaction (3 + fence abort + successor commit).
    const log = broker.broker.topic('ck.txn')!.partitions[0]!.log;
    assert.equal(log.highWatermark, 6 + 3 + 1 + 1 + 5);
  });
});
