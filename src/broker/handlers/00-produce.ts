// Produce v3-11 (record batch v2 only; v0-2 carry the old message formats, which the dev
// broker does not store). Batches are validated (CRC-32C, framing, size) and stored as
// received, compressed or not. acks=0 gets no response; with one replica, acks=1 and
// acks=all are the same. Transactions are not supported.
import { ErrorCode, errorName } from '../protocol/errors.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';

interface PartitionData { index: number; records: Buffer | null }
interface TopicData { name: string; partitionData: PartitionData[] }

export const produce: ApiHandler = {
  apiKey: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 11,
  handle(req, ctx) {
    const { broker } = ctx;
    const acks: number = req.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const responses = (req.topicData as TopicData[]).map((td) => ({
      name: td.name,
      partitionResponses: td.partitionData.map((pd) => {
        const result = validAcks
          ? broker.appendRecords(td.name, pd.index, pd.records, req.transactionalId ?? null)
          : { errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1, logAppendTime: -1, logStartOffset: -1, message: null };
        return {
          index: pd.index,
          errorCode: result.errorCode,
          baseOffset: result.baseOffset,
          logAppendTimeMs: result.logAppendTime,
          logStartOffset: result.logStartOffset,
          recordErrors: [],
          errorMessage: result.errorCode === ErrorCode.NONE ? null : (result.message ?? errorName(result.errorCode)),
        };
      }),
    }));
    if (acks === 0) {
      // With acks=0 the only way to tell the client about a failure is to drop the connection.
      const failed = responses.some((r) => r.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
      if (failed) throw new Error('a produce request with acks=0 failed');
      return NO_RESPONSE;
    }
    return { responses, throttleTimeMs: 0 };
  },
};
