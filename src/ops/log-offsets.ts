// Log offsets for the group tools: the log end, log start and timestamp lookups (ListOffsets), and
// record timestamps for --time-lag.
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { API, type RequestOptions, type TopicPartition, tpKey } from './consumer-groups.js';

export interface OffsetLookup {
  /** key -> offset (missing: unknown, e.g. no leader or an error). */
  offsets: Map<string, number>;
  /** key -> timestamp of the found record (timestamp lookups). */
  timestamps: Map<string, number>;
}

/** Make sure the metadata covers these topics (one Metadata request for the missing ones). */
export async function ensureMetadata(client: ClusterClient, topics: Iterable<string>): Promise<void> {
  const wanted = [...new Set(topics)];
  const known = client.metadata?.topics;
  const missing = wanted.filter(
    (t) => known?.get(t) === undefined || known.get(t)!.partitions.some((p) => p.leader < 0),
  );
  if (missing.length > 0 || client.metadata === undefined)
    await client.refreshMetadata(wanted.length > 0 ? wanted : []);
}

/**
 * ListOffsets for many partitions: one request per leader. `timestamp` is
 * LATEST_TIMESTAMP, EARLIEST_TIMESTAMP or a time in ms. Partitions whose
 * leader is unknown or that fail are left out (Kafka's "Unknown").
 */
export async function listOffsets(
  client: ClusterClient,
  partitions: readonly TopicPartition[],
  timestamp: number | ((tp: TopicPartition) => number),
  options: RequestOptions = {},
): Promise<OffsetLookup> {
  const result: OffsetLookup = { offsets: new Map(), timestamps: new Map() };
  if (partitions.length === 0) return result;
  await ensureMetadata(
    client,
    partitions.map((p) => p.topic),
  );
  const byLeader = new Map<
    number,
    Map<string, Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }>>
  >();
  for (const tp of partitions) {
    const leader = client.leaderOf(tp.topic, tp.partition);
    if (leader === undefined) continue;
    let topics = byLeader.get(leader);
    if (!topics) byLeader.set(leader, (topics = new Map()));
    let list = topics.get(tp.topic);
    if (!list) topics.set(tp.topic, (list = []));
    const ts = typeof timestamp === 'function' ? timestamp(tp) : timestamp;
    list.push({ partitionIndex: tp.partition, currentLeaderEpoch: -1, timestamp: ts, maxNumOffsets: 1 });
  }
  await Promise.all(
    [...byLeader].map(async ([node, topics]) => {
      const body = await client.send(
        API.LIST_OFFSETS,
        { replicaId: -1, isolationLevel: 0, topics: [...topics].map(([name, ps]) => ({ name, partitions: ps })) },
        { node, minVersion: 1, timeoutMs: options.timeoutMs },
      );
      for (const t of body.topics as MessageBody[]) {
        for (const p of t.partitions as MessageBody[]) {
          if (p.errorCode !== ErrorCode.NONE) continue;
          result.offsets.set(tpKey(t.name, p.partitionIndex), p.offset);
          if (typeof p.timestamp === 'number') result.timestamps.set(tpKey(t.name, p.partitionIndex), p.timestamp);
        }
      }
    }),
  );
  return result;
}

/**
 * The timestamp of the first record at or after each given offset (one small
 * Fetch per leader). Partitions with nothing there are left out.
 */
export async function recordTimestamps(
  client: ClusterClient,
  positions: ReadonlyArray<TopicPartition & { offset: number }>,
  options: RequestOptions = {},
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (positions.length === 0) return out;
  await ensureMetadata(
    client,
    positions.map((p) => p.topic),
  );
  const byLeader = new Map<number, Map<string, Array<TopicPartition & { offset: number }>>>();
  for (const p of positions) {
    const leader = client.leaderOf(p.topic, p.partition);
    if (leader === undefined) continue;
    let topics = byLeader.get(leader);
    if (!topics) byLeader.set(leader, (topics = new Map()));
    let list = topics.get(p.topic);
    if (!list) topics.set(p.topic, (list = []));
    list.push(p);
  }
  const { decodeBatches } = await import('../protocol/record-batch.js');
  let decompress: ((codec: number, data: Buffer) => Buffer) | undefined;
  await Promise.all(
    [...byLeader].map(async ([node, topics]) => {
      const wanted = new Map<string, number>();
      const body = await client.send(
        API.FETCH,
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 16 * 1024 * 1024,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...topics].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => {
              wanted.set(tpKey(topic, p.partition), p.offset);
              return {
                partition: p.partition,
                currentLeaderEpoch: -1,
                fetchOffset: p.offset,
                lastFetchedEpoch: -1,
                logStartOffset: -1,
                partitionMaxBytes: 16 * 1024,
              };
            }),
          })),
          forgottenTopicsData: [],
          rackId: '',
        },
        { node, minVersion: 4, maxVersion: 12, timeoutMs: options.timeoutMs },
      );
      for (const t of body.responses as MessageBody[]) {
        for (const p of t.partitions as MessageBody[]) {
          if (p.errorCode !== ErrorCode.NONE || !p.records || p.records.length === 0) continue;
          const key = tpKey(t.topic, p.partitionIndex);
          const from = wanted.get(key) ?? 0;
          // Decode batch by batch: the first record at or after the position is all we need.
          let found: number | undefined;
          const buf: Buffer = p.records;
          try {
            for (const batch of decodeBatches(buf, (codec, data) => {
              if (decompress === undefined) throw new NeedCodecs();
              return decompress(codec, data);
            })) {
              if (batch.header.isControl || batch.header.lastOffset < from) continue;
              const rec = batch.records.find((r) => r.offset >= from);
              if (rec !== undefined) {
                found = rec.timestamp;
                break;
              }
            }
          } catch (error) {
            if (!(error instanceof NeedCodecs)) throw error;
            const codecs = await import('../codecs/index.js');
            decompress = (codec, data) => codecs.decompress(codec as 0 | 1 | 2 | 3 | 4, data);
            for (const batch of decodeBatches(buf, decompress)) {
              if (batch.header.isControl || batch.header.lastOffset < from) continue;
              const rec = batch.records.find((r) => r.offset >= from);
              if (rec !== undefined) {
                found = rec.timestamp;
                break;
              }
            }
          }
          if (found !== undefined) out.set(key, found);
        }
      }
    }),
  );
  return out;
}

class NeedCodecs extends Error {}
