// ListOffsets v0-9. Special timestamps: -1 latest, -2 earliest, -3 max timestamp (v7+),
// -4 earliest local (v8+, same as earliest: there is no tiered storage), -5 earliest
// tiered (v9, none: -1). v0 answers in the old list-of-offsets form. With isolation level 1
// (read_committed, v2+) latest is the last stable offset.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const EARLIEST_TIERED = -5;

interface PartitionReq {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: number;
}

export const listOffsets: ApiHandler = {
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 9,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    const topics = (req.topics as Array<{ name: string; partitions: PartitionReq[] }>).map((t) => {
      const topic = broker.topic(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const out = {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.NONE as number,
            oldStyleOffsets: [] as number[],
            timestamp: -1,
            offset: -1,
            leaderEpoch: -1,
          };
          const partition = topic?.partitions[p.partitionIndex];
          if (!partition) {
            out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            return out;
          }
          if (p.currentLeaderEpoch > 0) {
            out.errorCode = ErrorCode.UNKNOWN_LEADER_EPOCH;
            return out;
          }
          const log = partition.log;
          out.leaderEpoch = 0;
          switch (p.timestamp) {
            case LATEST:
              out.offset =
                req.isolationLevel === 1 ? partition.txns.lastStableOffset(log.highWatermark) : log.highWatermark;
              break;
            case EARLIEST:
            case EARLIEST_LOCAL:
              out.offset = log.logStartOffset;
              break;
            case EARLIEST_TIERED:
              out.offset = -1;
              break;
            case MAX_TIMESTAMP: {
              const found = log.maxTimestampOffset();
              if (found) {
                out.offset = found.offset;
                out.timestamp = found.timestamp;
              }
              break;
            }
            default: {
              if (p.timestamp < 0) {
                out.errorCode = ErrorCode.INVALID_REQUEST;
                out.leaderEpoch = -1;
                return out;
              }
              const found = log.offsetForTimestamp(p.timestamp);
              if (found) {
                out.offset = found.offset;
                out.timestamp = found.timestamp;
              } else out.leaderEpoch = -1;
            }
          }
          if (apiVersion === 0) out.oldStyleOffsets = out.offset >= 0 ? [out.offset] : [];
          return out;
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};
