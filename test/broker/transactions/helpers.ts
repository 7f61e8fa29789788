// Transactional requests over the wire, as a producer and a read_committed consumer send them.
import assert from 'node:assert/strict';
import { encodeRecordBatch } from '../../../src/protocol/record-batch.js';
import { decodeBatches } from '../../../src/protocol/record-batch.js';
import type { WireClient } from '../../helpers/wire.js';

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  CreateTopics: 19,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  OffsetFetch: 9,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
} as const;

export interface Pid {
  producerId: number;
  producerEpoch: number;
}

export async function createTopic(c: WireClient, name: string, partitions = 1): Promise<void> {
  const r = await c.request(API.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(r.topics[0].errorCode, 0, r.topics[0].errorMessage);
}

export async function initPid(
  c: WireClient,
  transactionalId: string,
  timeoutMs = 60_000,
  version = 4,
  expected?: Pid,
): Promise<Pid & { errorCode: number }> {
  return c.request(API.InitProducerId, version, {
    transactionalId,
    transactionTimeoutMs: timeoutMs,
    producerId: expected?.producerId ?? -1,
    producerEpoch: expected?.producerEpoch ?? -1,
  });
}

export async function addPartitions(
  c: WireClient,
  transactionalId: string,
  pid: Pid,
  topic: string,
  partitions: number[],
  version = 3,
): Promise<number[]> {
  const r = await c.request(API.AddPartitionsToTxn, version, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: pid.producerId,
    v3AndBelowProducerEpoch: pid.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return r.resultsByTopicV3AndBelow[0].resultsByPartition.map(
    (p: { partitionErrorCode: number }) => p.partitionErrorCode,
  );
}

export async function produceTxn(
  c: WireClient,
  transactionalId: string | null,
  pid: Pid,
  topic: string,
  partition: number,
  values: string[],
  baseSequence: number,
) {
  const records = encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: v })),
    producerId: pid.producerId,
    producerEpoch: pid.producerEpoch,
    baseSequence,
    isTransactional: transactionalId !== null,
  });
  const r = await c.request(API.Produce, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return r.responses[0].partitionResponses[0] as { errorCode: number; baseOffset: number };
}

export async function endTxn(
  c: WireClient,
  transactionalId: string,
  pid: Pid,
  commit: boolean,
  version = 3,
): Promise<number> {
  const r = await c.request(API.EndTxn, version, {
    transactionalId,
    producerId: pid.producerId,
    producerEpoch: pid.producerEpoch,
    committed: commit,
  });
  return r.errorCode;
}

export interface FetchedPartition {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null;
  /** Data records (control batches left out) with their producer ids. */
  records: Array<{ offset: number; value: string; producerId: number }>;
  controlBatches: number;
  /** Every batch in order, control batches included. */
  batches: Array<{ baseOffset: number; producerId: number; isControl: boolean; values: string[] }>;
}

export async function fetch(
  c: WireClient,
  topic: string,
  partition: number,
  fetchOffset: number,
  isolationLevel: 0 | 1,
  maxWaitMs = 0,
): Promise<FetchedPartition> {
  const r = await c.request(API.Fetch, 11, {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 8 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          { partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 4 << 20 },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
  const p = r.responses[0].partitions[0];
  const records: FetchedPartition['records'] = [];
  let controlBatches = 0;
  const batches: FetchedPartition['batches'] = [];
  for (const b of p.records ? decodeBatches(p.records, undefined, { verifyCrc: true }) : []) {
    batches.push({
      baseOffset: b.header.baseOffset,
      producerId: b.header.producerId,
      isControl: b.header.isControl,
      values: b.records.map((x) => x.value?.toString() ?? ''),
    });
    if (b.header.isControl) {
      controlBatches++;
      continue;
    }
    for (const rec of b.records)
      records.push({ offset: rec.offset, value: rec.value!.toString(), producerId: b.header.producerId });
  }
  return {
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    abortedTransactions: p.abortedTransactions,
    records,
    controlBatches,
    batches,
  };
}

/**
 * What a read_committed consumer delivers, by the consumer's rule: a producer's batches
 * from an aborted transaction's first offset up to its next control batch are dropped.
 */
export function committedValues(f: FetchedPartition): string[] {
  const pending = [...(f.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  const aborting = new Set<number>();
  const out: string[] = [];
  for (const b of f.batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= b.baseOffset) aborting.add(pending.shift()!.producerId);
    if (b.isControl) {
      aborting.delete(b.producerId);
      continue;
    }
    if (!aborting.has(b.producerId)) out.push(...b.values);
  }
  return out;
}

export async function latestOffset(
  c: WireClient,
  topic: string,
  partition: number,
  isolationLevel: 0 | 1,
): Promise<number> {
  const r = await c.request(API.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1 }] }],
  });
  assert.equal(r.topics[0].partitions[0].errorCode, 0);
  return r.topics[0].partitions[0].offset;
}
