/**
 * The operations behind `ktool transactions` (kafka-transactions.sh): list the
 * transactional ids of every broker, describe one at its coordinator, describe
 * the producers of a partition at its leader, abort a partition's open
 * transaction with a marker (WriteTxnMarkers, as Kafka's admin client does),
 * and find hanging transactions: open in a partition longer than the maximum
 * transaction timeout while their coordinator does not count the partition in
 * an ongoing transaction.
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { AdminCommandError, UsageError, kafkaErrorText } from './admin-errors.js';

const API = {
  FIND_COORDINATOR: 10,
  WRITE_TXN_MARKERS: 27,
  DESCRIBE_PRODUCERS: 61,
  DESCRIBE_TRANSACTIONS: 65,
  LIST_TRANSACTIONS: 66,
} as const;
const TRANSACTION_KEY = 1;

export interface TransactionListing {
  transactionalId: string;
  coordinator: number;
  producerId: number;
  state: string;
}

export interface TransactionDescription {
  coordinatorId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: string;
  transactionTimeoutMs: number;
  /** null when no transaction is open. */
  transactionStartTimeMs: number | null;
  topicPartitions: Array<{ topic: string; partition: number }>;
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  /** null when the producer never wrote a marker here. */
  coordinatorEpoch: number | null;
  lastSequence: number;
  lastTimestamp: number;
  /** null when no transaction is open. */
  currentTransactionStartOffset: number | null;
}

export interface HangingTransaction extends ProducerState {
  topic: string;
  partition: number;
}

/** The message Kafka's tool prints for a failed step: "<what>: <cause>. Enable debug logging for additional detail." */
export function stepFailed(what: string, error: unknown): AdminCommandError {
  const cause = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? 'UNKNOWN_SERVER_ERROR';
  return new AdminCommandError(`${what}: ${cause}. Enable debug logging for additional detail.`, code);
}

function check(code: number, message?: string | null): void {
  if (code !== ErrorCode.NONE) throw new AdminCommandError(kafkaErrorText(code, message), errorName(code));
}

/** Parses a number flag as Kafka's argument parser would (an integer in the type's range). */
export function parseInteger(flag: string, text: string | undefined, bits: 16 | 32 | 64): number | undefined {
  if (text === undefined) return undefined;
  const max = bits === 16 ? 32767 : bits === 32 ? 2147483647 : Number.MAX_SAFE_INTEGER;
  if (!/^[+-]?\d+$/.test(text.trim()) || Math.abs(Number(text)) > max) {
    throw new UsageError(
      `argument ${flag}: could not convert '${text}' to ${bits === 16 ? 'Short' : bits === 32 ? 'Integer' : 'Long'}`,
    );
  }
  return Number(text);
}

async function brokerIds(client: ClusterClient): Promise<number[]> {
  const md = await client.refreshMetadata([]);
  return [...md.brokers.keys()].sort((a, b) => a - b);
}

export async function listTransactions(
  client: ClusterClient,
  durationFilterMs?: number,
): Promise<TransactionListing[]> {
  const out: TransactionListing[] = [];
  for (const broker of await brokerIds(client)) {
    const body = await client.send(
      API.LIST_TRANSACTIONS,
      { stateFilters: [], producerIdFilters: [], durationFilter: durationFilterMs ?? -1 },
      { node: broker, minVersion: durationFilterMs !== undefined ? 1 : 0 },
    );
    check(body.errorCode);
    for (const t of body.transactionStates as MessageBody[]) {
      out.push({
        transactionalId: t.transactionalId,
        coordinator: broker,
        producerId: t.producerId,
        state: t.transactionState,
      });
    }
  }
  return out;
}

async function coordinatorOf(client: ClusterClient, transactionalId: string): Promise<number> {
  const body = client.supports(API.FIND_COORDINATOR, 4)
    ? (
        await client.send(
          API.FIND_COORDINATOR,
          { keyType: TRANSACTION_KEY, coordinatorKeys: [transactionalId] },
          { minVersion: 4 },
        )
      ).coordinators[0]
    : await client.send(API.FIND_COORDINATOR, { key: transactionalId, keyType: TRANSACTION_KEY }, { maxVersion: 3 });
  check(body.errorCode, body.errorMessage);
  return body.nodeId;
}

export async function describeTransaction(
  client: ClusterClient,
  transactionalId: string,
): Promise<TransactionDescription> {
  const coordinator = await coordinatorOf(client, transactionalId);
  const body = await client.send(
    API.DESCRIBE_TRANSACTIONS,
    { transactionalIds: [transactionalId] },
    { node: coordinator },
  );
  const s = (body.transactionStates as MessageBody[])[0]!;
  check(s.errorCode);
  const topicPartitions: TransactionDescription['topicPartitions'] = [];
  for (const t of s.topics as MessageBody[])
    for (const p of t.partitions as number[]) topicPartitions.push({ topic: t.topic, partition: p });
  return {
    coordinatorId: coordinator,
    transactionalId,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    state: s.transactionState,
    transactionTimeoutMs: s.transactionTimeoutMs,
    transactionStartTimeMs: s.transactionStartTimeMs >= 0 ? s.transactionStartTimeMs : null,
    topicPartitions,
  };
}

async function leaderOf(client: ClusterClient, topic: string, partition: number): Promise<number> {
  await client.refreshMetadata([topic]);
  const t = client.metadata?.topics.get(topic);
  if (!t || t.errorCode !== ErrorCode.NONE) check(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const leader = client.leaderOf(topic, partition);
  if (leader === undefined || leader < 0)
    check(leader === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.LEADER_NOT_AVAILABLE);
  return leader!;
}

export async function describeProducers(
  client: ClusterClient,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
  brokerId?: number,
): Promise<Map<string, ProducerState[]>> {
  const byNode = new Map<number, Array<{ topic: string; partition: number }>>();
  for (const tp of partitions) {
    const node = brokerId ?? (await leaderOf(client, tp.topic, tp.partition));
    const list = byNode.get(node) ?? [];
    list.push(tp);
    byNode.set(node, list);
  }
  const out = new Map<string, ProducerState[]>();
  for (const [node, tps] of byNode) {
    const topics = new Map<string, number[]>();
    for (const tp of tps) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
    const body = await client.send(
      API.DESCRIBE_PRODUCERS,
      { topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) },
      { node },
    );
    for (const t of body.topics as MessageBody[]) {
      for (const p of t.partitions as MessageBody[]) {
        check(p.errorCode, p.errorMessage);
        out.set(
          `${t.name}-${p.partitionIndex}`,
          (p.activeProducers as MessageBody[]).map((a) => ({
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            coordinatorEpoch: a.coordinatorEpoch >= 0 ? a.coordinatorEpoch : null,
            lastSequence: a.lastSequence,
            lastTimestamp: a.lastTimestamp,
            currentTransactionStartOffset: a.currentTxnStartOffset >= 0 ? a.currentTxnStartOffset : null,
          })),
        );
      }
    }
  }
  return out;
}

export interface AbortSpec {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

export function describeAbortSpec(s: AbortSpec): string {
  return `AbortTransactionSpec(topicPartition=${s.topic}-${s.partition}, producerId=${s.producerId}, producerEpoch=${s.producerEpoch}, coordinatorEpoch=${s.coordinatorEpoch})`;
}

/** Kafka's abort by start offset: the producer whose open transaction starts there. */
export async function abortSpecAt(
  client: ClusterClient,
  topic: string,
  partition: number,
  startOffset: number,
): Promise<AbortSpec> {
  let producers: ProducerState[];
  try {
    producers = (await describeProducers(client, [{ topic, partition }])).get(`${topic}-${partition}`) ?? [];
  } catch (error) {
    throw stepFailed(`Failed to validate producer state for partition ${topic}-${partition}`, error);
  }
  const found = producers.find((p) => p.currentTransactionStartOffset === startOffset);
  if (!found)
    throw new AdminCommandError(
      `Could not find any open transactions starting at offset ${startOffset} on partition ${topic}-${partition}`,
      'INVALID_TXN_STATE',
    );
  return {
    topic,
    partition,
    producerId: found.producerId,
    producerEpoch: found.producerEpoch,
    coordinatorEpoch: found.coordinatorEpoch ?? 0,
  };
}

export async function abortTransaction(client: ClusterClient, spec: AbortSpec): Promise<void> {
  try {
    const leader = await leaderOf(client, spec.topic, spec.partition);
    const body = await client.send(
      API.WRITE_TXN_MARKERS,
      {
        markers: [
          {
            producerId: spec.producerId,
            producerEpoch: spec.producerEpoch,
            transactionResult: false,
            topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
            coordinatorEpoch: spec.coordinatorEpoch,
          },
        ],
      },
      { node: leader },
    );
    for (const m of body.markers as MessageBody[])
      for (const t of m.topics as MessageBody[]) for (const p of t.partitions as MessageBody[]) check(p.errorCode);
  } catch (error) {
    throw stepFailed(`Failed to abort transaction ${describeAbortSpec(spec)}`, error);
  }
}

export async function findHanging(
  client: ClusterClient,
  scope: { topic?: string; partition?: number; brokerId?: number },
  maxTransactionTimeoutMs: number,
  now: number,
): Promise<HangingTransaction[]> {
  let partitions: Array<{ topic: string; partition: number }>;
  if (scope.topic !== undefined && scope.partition !== undefined) {
    partitions = [{ topic: scope.topic, partition: scope.partition }];
  } else {
    const md = await client.refreshMetadata(scope.topic !== undefined ? [scope.topic] : null);
    partitions = [];
    for (const t of md.topics.values()) {
      if (scope.topic !== undefined && t.name !== scope.topic) continue;
      check(t.errorCode);
      for (const p of t.partitions) {
        if (scope.brokerId === undefined || p.replicas.includes(scope.brokerId))
          partitions.push({ topic: t.name, partition: p.partition });
      }
    }
  }
  let producers: Map<string, ProducerState[]>;
  try {
    producers = await describeProducers(client, partitions, scope.brokerId);
  } catch (error) {
    throw stepFailed(
      `Failed to describe producers for ${partitions.length} partitions on broker ${scope.brokerId === undefined ? 'Optional.empty' : `Optional[${scope.brokerId}]`}`,
      error,
    );
  }
  const candidates: HangingTransaction[] = [];
  for (const tp of partitions) {
    for (const p of producers.get(`${tp.topic}-${tp.partition}`) ?? []) {
      if (p.currentTransactionStartOffset !== null && now - p.lastTimestamp > maxTransactionTimeoutMs)
        candidates.push({ ...tp, ...p });
    }
  }
  if (candidates.length === 0) return [];
  const pids = [...new Set(candidates.map((c) => c.producerId))];
  const ids = new Map<number, string>();
  for (const broker of await brokerIds(client)) {
    const body = await client.send(
      API.LIST_TRANSACTIONS,
      { stateFilters: [], producerIdFilters: pids },
      { node: broker },
    );
    check(body.errorCode);
    for (const t of body.transactionStates as MessageBody[])
      if (pids.includes(t.producerId)) ids.set(t.producerId, t.transactionalId);
  }
  const descriptions = new Map<string, TransactionDescription | null>();
  for (const id of new Set(ids.values())) {
    try {
      descriptions.set(id, await describeTransaction(client, id));
    } catch (error) {
      if ((error as { code?: string }).code !== 'TRANSACTIONAL_ID_NOT_FOUND')
        throw stepFailed(`Failed to describe ${ids.size} transactions`, error);
      descriptions.set(id, null);
    }
  }
  return candidates.filter((c) => {
    const id = ids.get(c.producerId);
    const d = id === undefined ? null : (descriptions.get(id) ?? null);
    // The coordinator still lists the partition: it will write the marker itself.
    return d === null || !d.topicPartitions.some((tp) => tp.topic === c.topic && tp.partition === c.partition);
  });
}
