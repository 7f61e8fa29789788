/**
 * kafka-transactions.sh's output: tables printed by Kafka's ToolsUtils.prettyPrintTable
 * (every column padded to its widest cell and followed by a tab), and the --json forms.
 */
import type {
  HangingTransaction,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from '../ops/transactions.js';

export function prettyTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => cell.padEnd(widths[i]!) + '\t').join('') + '\n';
  return line(headers) + rows.map(line).join('');
}

export function listTable(listings: readonly TransactionListing[]): string {
  return prettyTable(
    ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
    listings.map((l) => [l.transactionalId, String(l.coordinator), String(l.producerId), l.state]),
  );
}

export function describeTable(d: TransactionDescription, now: number): string {
  return prettyTable(
    [
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ],
    [
      [
        String(d.coordinatorId),
        d.transactionalId,
        String(d.producerId),
        String(d.producerEpoch),
        d.state,
        String(d.transactionTimeoutMs),
        d.transactionStartTimeMs === null ? 'None' : String(d.transactionStartTimeMs),
        d.transactionStartTimeMs === null ? 'None' : String(now - d.transactionStartTimeMs),
        d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
      ],
    ],
  );
}

export function producersTable(producers: readonly ProducerState[]): string {
  return prettyTable(
    [
      'ProducerId',
      'ProducerEpoch',
      'LatestCoordinatorEpoch',
      'LastSequence',
      'LastTimestamp',
      'CurrentTransactionStartOffset',
    ],
    producers.map((p) => [
      String(p.producerId),
      String(p.producerEpoch),
      String(p.coordinatorEpoch ?? -1),
      String(p.lastSequence),
      String(p.lastTimestamp),
      p.currentTransactionStartOffset === null ? 'None' : String(p.currentTransactionStartOffset),
    ]),
  );
}

export function hangingTable(hanging: readonly HangingTransaction[], now: number): string {
  return prettyTable(
    [
      'Topic',
      'Partition',
      'ProducerId',
      'ProducerEpoch',
      'CoordinatorEpoch',
      'StartOffset',
      'LastTimestamp',
      'Duration(min)',
    ],
    hanging.map((h) => [
      h.topic,
      String(h.partition),
      String(h.producerId),
      String(h.producerEpoch),
      String(h.coordinatorEpoch ?? -1),
      String(h.currentTransactionStartOffset ?? -1),
      String(h.lastTimestamp),
      String(Math.floor((now - h.lastTimestamp) / 60_000)),
    ]),
  );
}
