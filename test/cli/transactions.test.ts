// ktool transactions against the embedded broker: Kafka's tables for list, describe and
// describe-producers; find-hanging finds a transaction its coordinator lost and abort
// ends it; console-consumer --isolation-level read_committed drops aborted records.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';
import {
  addPartitions,
  createTopic,
  endTxn,
  initPid,
  latestOffset,
  produceTxn,
} from '../broker/transactions/helpers.js';
import { runCli } from './helpers.js';

const cells = (line: string) =>
  line
    .split('\t')
    .map((c) => c.trim())
    .filter((c, i, all) => i < all.length - 1 || c !== '');

describe('ktool transactions', () => {
  const dir = tempDir();
  let broker: TestBroker;
  let pid: { producerId: number; producerEpoch: number };
  before(async () => {
    broker = await startTestBroker({}, dir);
    const c = await WireClient.open(broker.port);
    await createTopic(c, 'cli.txn', 2);
    const done = await initPid(c, 'cli-done');
    await addPartitions(c, 'cli-done', done, 'cli.txn', [0]);
    await produceTxn(c, 'cli-done', done, 'cli.txn', 0, ['kept-1', 'kept-2'], 0);
    assert.equal(await endTxn(c, 'cli-done', done, true), 0);
    await addPartitions(c, 'cli-done', done, 'cli.txn', [0]);
    await produceTxn(c, 'cli-done', done, 'cli.txn', 0, ['dropped'], 2);
    assert.equal(await endTxn(c, 'cli-done', done, false), 0);
    pid = await initPid(c, 'cli-open', 120_000);
    await addPartitions(c, 'cli-open', pid, 'cli.txn', [1]);
    await produceTxn(c, 'cli-open', pid, 'cli.txn', 1, ['open-1', 'open-2'], 0);
    c.close();
  });
  after(async () => {
    await broker?.destroy();
  });

  test("list and describe print Kafka's columns", async () => {
    const list = await runCli(['transactions', 'list', '--bootstrap-server', broker.bootstrap]);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trimEnd().split('\n').map(cells);
    assert.deepEqual(rows[0], ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']);
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => [r[0], r[1], r[3]])
        .sort(),
      [
        ['cli-done', '0', 'CompleteAbort'],
        ['cli-open', '0', 'Ongoing'],
      ],
    );
    assert.match(list.stdout.split('\n')[0]!, /^TransactionalId\tCoordinator\tProducerId\tTransactionState\t$/);

    const d = await runCli([
      'transactions',
      'describe',
      '--transactional-id',
      'cli-open',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(d.code, 0, d.stderr);
    const [head, row] = d.stdout.trimEnd().split('\n').map(cells);
    assert.deepEqual(head, [
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ]);
    assert.deepEqual(
      [row![0], row![1], row![2], row![4], row![5], row![8]],
      ['0', 'cli-open', String(pid.producerId), 'Ongoing', '120000', 'cli.txn-1'],
    );
    assert.ok(Number(row![7]) >= 0);

    const missing = await runCli([
      'transactions',
      'describe',
      '--transactional-id',
      'nobody',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'Failed to describe transaction state of transactional-id `nobody`: Transactional id not found. Enable debug logging for additional detail.\n',
    );
    const json = await runCli([
      'transactions',
      'describe',
      '--transactional-id',
      'cli-open',
      '--json',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(JSON.parse(json.stdout).state, 'Ongoing');
  });

  test("describe-producers shows the open transaction's start offset", async () => {
    const r = await runCli([
      'transactions',
      'describe-producers',
      '--topic',
      'cli.txn',
      '--partition',
      '1',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').map(cells);
    assert.deepEqual(rows[0], [
      'ProducerId',
      'ProducerEpoch',
      'LatestCoordinatorEpoch',
      'LastSequence',
      'LastTimestamp',
      'CurrentTransactionStartOffset',
    ]);
    assert.deepEqual([rows[1]![0], rows[1]![2], rows[1]![3], rows[1]![5]], [String(pid.producerId), '-1', '1', '0']);
  });

  test('argument mistakes are one line and exit 1', async () => {
    const r = await runCli([
      'transactions',
      'abort',
      '--topic',
      'cli.txn',
      '--partition',
      '1',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^The transaction to abort must be identified either with --start-offset/);
    const f = await runCli(['transactions', 'find-hanging', '--bootstrap-server', broker.bootstrap]);
    assert.equal(f.code, 1);
    assert.equal(
      f.stderr,
      'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n',
    );
    const bad = await runCli([
      'transactions',
      'describe-producers',
      '--topic',
      'cli.txn',
      '--partition',
      'x',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.split('\n').length, 2);
  });

  test('console-consumer --isolation-level read_committed reads only committed records', async () => {
    const committed = await runCli([
      'console-consumer',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'cli.txn',
      '--partition',
      '0',
      '--offset',
      'earliest',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      '1500',
    ]);
    assert.equal(committed.stdout, 'kept-1\nkept-2\n', committed.stderr);
    const all = await runCli([
      'console-consumer',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'cli.txn',
      '--partition',
      '0',
      '--offset',
      'earliest',
      '--timeout-ms',
      '1500',
    ]);
    assert.equal(all.stdout, 'kept-1\nkept-2\ndropped\n', all.stderr);
    const open = await runCli([
      'console-consumer',
      '--bootstrap-server',
      broker.bootstrap,
      '--topic',
      'cli.txn',
      '--partition',
      '1',
      '--offset',
      'earliest',
      '--isolation-level',
      'read_committed',
      '--timeout-ms',
      '1500',
    ]);
    assert.equal(open.stdout, '', 'nothing past the LSO');
  });

  test('find-hanging finds a transaction its coordinator lost; abort --start-offset ends it', async () => {
    await broker.close();
    rmSync(join(dir, '__transaction_state-state'), { recursive: true, force: true });
    broker = await startTestBroker({}, dir);
    await new Promise((r) => setTimeout(r, 5));
    const f = await runCli([
      'transactions',
      'find-hanging',
      '--broker-id',
      '0',
      '--max-transaction-timeout',
      '0',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(f.code, 0, f.stderr);
    const rows = f.stdout.trimEnd().split('\n').map(cells);
    assert.deepEqual(rows[0], [
      'Topic',
      'Partition',
      'ProducerId',
      'ProducerEpoch',
      'CoordinatorEpoch',
      'StartOffset',
      'LastTimestamp',
      'Duration(min)',
    ]);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1]!.slice(0, 6), [
      'cli.txn',
      '1',
      String(pid.producerId),
      String(pid.producerEpoch),
      '-1',
      '0',
    ]);

    const abort = await runCli([
      'transactions',
      'abort',
      '--topic',
      'cli.txn',
      '--partition',
      '1',
      '--start-offset',
      '0',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(abort.code, 0, abort.stderr);
    assert.equal(abort.stdout, '');
    const c = await WireClient.open(broker.port);
    try {
      assert.equal(await latestOffset(c, 'cli.txn', 1, 1), 3);
    } finally {
      c.close();
    }
    const again = await runCli([
      'transactions',
      'find-hanging',
      '--topic',
      'cli.txn',
      '--max-transaction-timeout',
      '0',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(again.stdout.trimEnd().split('\n').length, 1, 'only the header is left');
    const none = await runCli([
      'transactions',
      'abort',
      '--topic',
      'cli.txn',
      '--partition',
      '1',
      '--start-offset',
      '0',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Could not find any open transactions starting at offset 0 on partition cli.txn-1\n');
  });
});
