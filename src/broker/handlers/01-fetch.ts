// Fetch v0-17. v4+ serve stored batch bytes as they are on disk. v0-3 predate record
// batches: each partition's stored batches are down-converted to the legacy message set
// (magic 0 for v0-1, magic 1 for v2-3) with their absolute offsets, as uncompressed
// messages; control batches and record headers are dropped (magic 0/1 cannot carry them).
// Down-converted data is cut at whole messages within the partition limit (v3 also the
// request limit); the first partition with data always gets at least one whole message,
// where Kafka would send v0-2 a truncated one. Topics with message.downconversion.enable=false
// answer v0-3 with UNSUPPORTED_VERSION, and topics with compression.type=zstd answer v0-9
// with UNSUPPORTED_COMPRESSION_TYPE, as Kafka does. Long-polls until MinBytes are available
// or MaxWaitMs passes. Fetch sessions (KIP-227) are not kept: every response carries session
// id 0, which tells clients to send full fetches. read_committed fetches (isolation level 1,
// v4+) stop at the last stable offset and list the aborted transactions in what they return.
import { decompress, type CompressionCodec } from '../../codecs/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { downConvertBatches, type LegacyMagic } from '../../protocol/legacy-message-set.js';
import type { ApiHandler, RequestContext } from './handler.js';
import type { Partition } from '../broker.js';
import { readCommitted } from '../transactions/read-committed.js';
import { BATCH_HEADER_SIZE, batchSize, readBaseOffset } from '../../protocol/record-batch.js';

/** Fetch v4 is the first to carry record batches v2; older versions get message sets. */
const FIRST_V2_VERSION = 4;
/** First Fetch version that may return zstd data (KIP-110). */
const ZSTD_MIN_VERSION = 10;

const decompressAny = (codec: number, data: Buffer) => decompress(codec as CompressionCodec, data);

const EMPTY = Buffer.alloc(0);
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

interface FetchPartitionReq {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch?: number;
  partitionMaxBytes: number;
}
interface FetchTopicReq {
  topic: string;
  topicId: string;
  partitions: FetchPartitionReq[];
}

interface Resolved {
  topicName: string;
  topicId: string;
  partition: Partition | undefined;
  req: FetchPartitionReq;
  error: number;
  /** A follower's log diverged from this leader's: where the leader's copy of that epoch ends. */
  diverging?: { epoch: number; endOffset: number };
}

export const fetch: ApiHandler = {
  apiKey: 1,
  name: 'Fetch',
  minVersion: 0,
  maxVersion: 17,
  async handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    if (apiVersion >= 7 && req.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const byId = apiVersion >= 13;
    // A follower's fetch carries its broker id (ReplicaState from v15); consumers send -1.
    const replicaId: number = apiVersion >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
    const replicas = broker.replicaManager;
    const resolved: Resolved[][] = (req.topics as FetchTopicReq[]).map((t) => {
      const topic = byId ? broker.topicById(t.topicId) : broker.topic(t.topic);
      return t.partitions.map((p) => {
        let error: number = ErrorCode.NONE;
        const partition = topic?.partitions[p.partition];
        if (!topic) error = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!partition) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (replicas) {
          const refused = replicas.leaderError(partition, p.currentLeaderEpoch);
          if (refused) error = ErrorCode[refused];
        } else if (p.currentLeaderEpoch > 0) error = ErrorCode.UNKNOWN_LEADER_EPOCH;
        else if (
          apiVersion < FIRST_V2_VERSION &&
          broker.config.topicValue('message.downconversion.enable', topic.configs) === 'false'
        ) {
          error = ErrorCode.UNSUPPORTED_VERSION;
        } else if (
          apiVersion < ZSTD_MIN_VERSION &&
          broker.config.topicValue('compression.type', topic.configs) === 'zstd'
        ) {
          error = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
        }
        let diverging: Resolved['diverging'];
        if (replicas && partition && replicaId >= 0 && error === ErrorCode.NONE) {
          replicas.onFollowerFetch(partition, replicaId, p.fetchOffset);
          const last = p.lastFetchedEpoch ?? -1;
          if (last >= 0) {
            const end = replicas.endOffsetFor(partition, last);
            if (end.endOffset < p.fetchOffset || end.epoch < last) diverging = end;
          }
        }
        return {
          topicName: topic?.name ?? t.topic,
          topicId: topic?.topicId ?? t.topicId ?? ZERO_UUID,
          partition,
          req: p,
          error,
          diverging,
        };
      });
    });

    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    for (;;) {
      const { responses, bytes, errors } = readAll(resolved, req.maxBytes, req.isolationLevel, ctx, replicaId >= 0);
      const remaining = deadline - Date.now();
      if (bytes >= req.minBytes || errors || remaining <= 0 || broker.closing) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
      }
      const partitions = resolved
        .flat()
        .map((r) => r.partition)
        .filter((p): p is Partition => !!p);
      await broker.waitForAppend(partitions, remaining);
    }
  },
};

function readAll(
  resolved: Resolved[][],
  maxBytes: number,
  isolationLevel: number,
  ctx: RequestContext,
  fromFollower: boolean,
) {
  let budget = maxBytes;
  let bytes = 0;
  let errors = false;
  let first = true;
  const responses = resolved.map((parts) => ({
    topic: parts[0]?.topicName ?? '',
    topicId: parts[0]?.topicId ?? ZERO_UUID,
    partitions: parts.map((r) => {
      const base = {
        partitionIndex: r.req.partition,
        errorCode: r.error,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: (isolationLevel === 1 ? [] : null) as Array<{
          producerId: number;
          firstOffset: number;
        }> | null,
        preferredReadReplica: -1,
        records: EMPTY as Buffer | Buffer[],
        divergingEpoch: r.diverging ?? { epoch: -1, endOffset: -1 },
      };
      if (r.error !== ErrorCode.NONE || !r.partition) {
        errors = true;
        return base;
      }
      const log = r.partition.log;
      base.highWatermark = log.highWatermark;
      base.lastStableOffset = r.partition.txns.lastStableOffset(log.highWatermark);
      base.logStartOffset = log.logStartOffset;
      const offset = r.req.fetchOffset;
      if (offset < log.logStartOffset || offset > log.logEndOffset) {
        base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        errors = true;
        return base;
      }
      if (r.diverging) {
        errors = true;
        return base;
      }
      const limit = Math.min(r.req.partitionMaxBytes, budget);
      if (limit <= 0 && !first) return base;
      if (ctx.apiVersion < FIRST_V2_VERSION) {
        const legacy = readLegacy(ctx, r.partition, offset, Math.max(limit, 0), first);
        if (legacy.error !== ErrorCode.NONE) {
          base.errorCode = legacy.error;
          errors = true;
          return base;
        }
        if (legacy.records.length > 0) {
          base.records = legacy.records;
          budget -= legacy.records.length;
          bytes += legacy.records.length;
          first = false;
        }
        return base;
      }
      const result = ctx.broker.readLog(r.partition, offset, Math.max(limit, 0), first, ctx.broker.readBuffers.take);
      if (result.error !== ErrorCode.NONE) {
        base.errorCode = result.error;
        errors = true;
        return base;
      }
      // Consumers read what the in-sync replicas hold; followers read to the log end.
      if (!fromFollower && log.highWatermark < log.logEndOffset) {
        const capped = batchesBelow(result.chunks, log.highWatermark);
        result.chunks = capped.chunks;
        result.bytes = capped.bytes;
      }
      if (isolationLevel === 1 && result.bytes > 0) {
        const committed = readCommitted(r.partition, offset, result.chunks);
        result.chunks = committed.chunks;
        result.bytes = committed.bytes;
        base.abortedTransactions = committed.abortedTransactions;
      }
      if (result.bytes > 0) {
        base.records = result.chunks;
        budget -= result.bytes;
        bytes += result.bytes;
        first = false;
      }
      return base;
    }),
  }));
  return { responses, bytes, errors };
}

/** The whole batches of `chunks` that start before `end` (the high watermark is a batch boundary). */
function batchesBelow(chunks: Buffer[], end: number): { chunks: Buffer[]; bytes: number } {
  const out: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    let pos = 0;
    while (pos + BATCH_HEADER_SIZE <= chunk.length && readBaseOffset(chunk, pos) < end) pos += batchSize(chunk, pos);
    if (pos > 0) {
      out.push(pos === chunk.length ? chunk : chunk.subarray(0, pos));
      bytes += pos;
    }
    if (pos < chunk.length) break;
  }
  return { chunks: out, bytes };
}

/**
 * Fetch v0-3: read stored batches and down-convert them, keeping whole messages within
 * `limit` converted bytes. Stored and converted sizes differ (v2 batches share a header
 * and may be compressed), so the stored read asks for `limit` bytes but always at least one
 * batch, and reads on when a stretch converts to nothing (only records below the fetch
 * offset, or control batches).
 */
function readLegacy(
  ctx: RequestContext,
  partition: Partition,
  fetchOffset: number,
  limit: number,
  first: boolean,
): { error: number; records: Buffer } {
  const magic: LegacyMagic = ctx.apiVersion <= 1 ? 0 : 1;
  let offset = fetchOffset;
  for (;;) {
    const end = partition.log.logEndOffset;
    if (offset >= end) return { error: ErrorCode.NONE, records: EMPTY };
    const stored = ctx.broker.readLog(partition, offset, Math.max(limit, 1), true);
    if (stored.error !== ErrorCode.NONE) return { error: stored.error, records: EMPTY };
    if (stored.bytes === 0) return { error: ErrorCode.NONE, records: EMPTY };
    let converted;
    try {
      converted = downConvertBatches(stored.chunks, {
        magic,
        decompress: decompressAny,
        fromOffset: offset,
        maxBytes: limit,
        minOneMessage: first,
      });
    } catch (err) {
      ctx.broker.log(
        `Down-conversion of ${partition.topic.name}-${partition.index} from offset ${offset} failed: ${(err as Error).message}`,
      );
      return { error: ErrorCode.KAFKA_STORAGE_ERROR, records: EMPTY };
    }
    if (converted.messages > 0 || converted.full || converted.nextOffset <= offset) {
      return { error: ErrorCode.NONE, records: converted.records };
    }
    offset = converted.nextOffset;
  }
}
