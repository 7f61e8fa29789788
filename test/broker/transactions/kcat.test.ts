// kcat (librdkafka) with -X transactional.id and -X isolation.level against the embedded broker.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../helpers/broker.js';
import { requireTool, run } from '../../helpers/tools.js';
import { WireClient } from '../../helpers/wire.js';
import { addPartitions, createTopic, endTxn, initPid, produceTxn } from './helpers.js';

describe('kcat transactions', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  test('kcat produces in a transaction; read_committed and read_uncommitted consumers see what they should', async (t) => {
    if (!requireTool(t, 'kcat')) return;
    const p = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'kc.tx', '-X', 'transactional.id=kc-tx'], {
      input: 'a\nb\nc\n',
      timeoutMs: 30_000,
    });
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /Transaction successfully committed/);
    assert.equal(broker.broker.transactions.describe('kc-tx').transactionState, 'CompleteCommit');

    const c = await WireClient.open(broker.port);
    await createTopic(c, 'kc.mixed');
    const pid = await initPid(c, 'kc-mixed');
    for (const [values, commit] of [
      [['c1', 'c2'], true],
      [['aborted'], false],
      [['c3'], true],
      [['open'], null],
    ] as const) {
      await addPartitions(c, 'kc-mixed', pid, 'kc.mixed', [0]);
      const seq = broker.broker.topic('kc.mixed')!.partitions[0]!.txns.producer(pid.producerId)?.lastSequence ?? -1;
      await produceTxn(c, 'kc-mixed', pid, 'kc.mixed', 0, [...values], seq + 1);
      if (commit !== null) assert.equal(await endTxn(c, 'kc-mixed', pid, commit), 0);
    }
    c.close();
    const read = async (topic: string, isolation: string) => {
      const r = await run(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-C',
          '-t',
          topic,
          '-o',
          'beginning',
          '-e',
          '-q',
          '-X',
          `isolation.level=${isolation}`,
          '-f',
          '%s\n',
        ],
        { timeoutMs: 30_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.toString().trim().split('\n');
    };
    assert.deepEqual(await read('kc.tx', 'read_committed'), ['a', 'b', 'c']);
    assert.deepEqual(await read('kc.mixed', 'read_committed'), ['c1', 'c2', 'c3']);
    assert.deepEqual(await read('kc.mixed', 'read_uncommitted'), ['c1', 'c2', 'aborted', 'c3', 'open']);
  });
});
