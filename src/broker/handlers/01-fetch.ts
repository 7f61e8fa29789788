// Fetch v4-17. Serves stored batch bytes as they are on disk. Long-polls until MinBytes
// are available or MaxWaitMs passes. Fetch sessions (KIP-227) are not kept: every response
// carries session id 0, which tells clients to send full fetches. With no transactions,
// the last stable offset is the high watermark.
import { ErrorCode } from '../protocol/errors.js';
import type { ApiHandler, RequestContext } from './handler.js';
import type { Partition } from '../broker.js';

const EMPTY = Buffer.alloc(0);
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

interface FetchPartitionReq { partition: number; currentLeaderEpoch: number; fetchOffset: number; partitionMaxBytes: number }
interface FetchTopicReq { topic: string; topicId: string; partitions: FetchPartitionReq[] }

interface Resolved { topicName: string; topicId: string; partition: Partition | undefined; req: FetchPartitionReq; error: number }

export const fetch: ApiHandler = {
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 17,
  async handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    if (apiVersion >= 7 && req.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const byId = apiVersion >= 13;
    const resolved: Resolved[][] = (req.topics as FetchTopicReq[]).map((t) => {
      const topic = byId ? broker.topicById(t.topicId) : broker.topic(t.topic);
      return t.partitions.map((p) => {
        let error: number = ErrorCode.NONE;
        const partition = topic?.partitions[p.partition];
        if (!topic) error = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!partition) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (p.currentLeaderEpoch > 0) error = ErrorCode.UNKNOWN_LEADER_EPOCH;
        return { topicName: topic?.name ?? t.topic, topicId: topic?.topicId ?? t.topicId ?? ZERO_UUID, partition, req: p, error };
      });
    });

    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    for (;;) {
      const { responses, bytes, errors } = readAll(resolved, req.maxBytes, req.isolationLevel, ctx);
      const remaining = deadline - Date.now();
      if (bytes >= req.minBytes || errors || remaining <= 0 || broker.closing) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
      }
      const partitions = resolved.flat().map((r) => r.partition).filter((p): p is Partition => !!p);
      await broker.waitForAppend(partitions, remaining);
    }
  },
};

function readAll(resolved: Resolved[][], maxBytes: number, isolationLevel: number, ctx: RequestContext) {
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
        abortedTransactions: isolationLevel === 1 ? [] : null,
        preferredReadReplica: -1,
        records: EMPTY as Buffer | Buffer[],
      };
      if (r.error !== ErrorCode.NONE || !r.partition) { errors = true; return base; }
      const log = r.partition.log;
      base.highWatermark = log.highWatermark;
      base.lastStableOffset = log.highWatermark;
      base.logStartOffset = log.logStartOffset;
      const offset = r.req.fetchOffset;
      if (offset < log.logStartOffset || offset > log.logEndOffset) {
        base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        errors = true;
        return base;
      }
      const limit = Math.min(r.req.partitionMaxBytes, budget);
      if (limit <= 0 && !first) return base;
      const result = ctx.broker.readLog(r.partition, offset, Math.max(limit, 0), first);
      if (result.error !== ErrorCode.NONE) { base.errorCode = result.error; errors = true; return base; }
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
