// Produce v0-11. v3+ carry record batches v2: they are validated (CRC-32C, framing, size)
// and stored as received, compressed or not. v0-2 carry the legacy message set (magic 0 or
// 1, either magic in any of these versions): it is validated (CRC-32, sizes, codecs), its
// wrappers unpacked and the messages up-converted to one v2 batch, compressed again with the
// producer's codec, which is then appended like any v2 batch (max.message.bytes applies to
// the converted batch; there is no idempotence for these). Like Kafka, v0-2 may also carry
// v2 batches. zstd needs v7+ (and magic 2): older requests using it get
// UNSUPPORTED_COMPRESSION_TYPE. acks=0 gets no response; with one replica, acks=1 and
// acks=all are the same, except that acks=all honours min.insync.replicas (a lone
// broker's ISR is 1, so 2 or more gives NOT_ENOUGH_REPLICAS). Transactional batches are accepted for partitions
// added to the producer's open transaction. Left out: the topic's
// compression.type is not applied (batches keep the producer's codec).
import { compress, decompress, type CompressionCodec } from '../../codecs/index.js';
import type { AppendResult, Broker } from '../broker.js';
import { ErrorCode, errorName, type ErrorName } from '../../protocol/errors.js';
import { upConvertMessageSet } from '../../protocol/legacy-message-set.js';
import {
  batchSize,
  BATCH_HEADER_SIZE,
  Compression,
  COMPRESSION_MASK,
  OFF_ATTRIBUTES,
  OFF_MAGIC,
  readMagic,
} from '../../protocol/record-batch.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';

interface PartitionData {
  index: number;
  records: Buffer | null;
}
interface TopicData {
  name: string;
  partitionData: PartitionData[];
}

/** First Produce version whose batches may use zstd (KIP-110). */
const ZSTD_MIN_VERSION = 7;

const codecs = {
  compress: (codec: number, data: Buffer) => compress(codec as CompressionCodec, data),
  decompress: (codec: number, data: Buffer) => decompress(codec as CompressionCodec, data),
};

export const produce: ApiHandler = {
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 11,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    const acks: number = req.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const responses = (req.topicData as TopicData[]).map((td) => ({
      name: td.name,
      partitionResponses: td.partitionData.map((pd) => {
        const shortfall = acks === -1 ? broker.insyncShortfall(td.name, pd.index) : null;
        const result = !validAcks
          ? failed('INVALID_REQUIRED_ACKS')
          : shortfall !== null
            ? failed('NOT_ENOUGH_REPLICAS', shortfall)
            : append(broker, apiVersion, td.name, pd.index, pd.records, req.transactionalId ?? null);
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
    // acks=all on a cluster: answered once the in-sync replicas hold every batch appended.
    const replicas = broker.replicaManager;
    if (acks === -1 && replicas) {
      const timeoutMs: number = req.timeoutMs ?? 30_000;
      const waits: Promise<void>[] = [];
      for (const r of responses) {
        for (const pr of r.partitionResponses) {
          if (pr.errorCode !== ErrorCode.NONE) continue;
          const p = broker.topic(r.name)?.partitions[pr.index];
          if (!p) continue;
          const lastOffset = p.log.logEndOffset - 1;
          waits.push(
            replicas.awaitReplicated(r.name, pr.index, lastOffset, timeoutMs).then((error) => {
              if (error === null) return;
              pr.errorCode = ErrorCode[error];
              pr.baseOffset = -1;
              pr.errorMessage = errorName(pr.errorCode);
            }),
          );
        }
      }
      if (waits.length > 0) return Promise.all(waits).then(() => ({ responses, throttleTimeMs: 0 }));
    }
    if (acks === 0) {
      // With acks=0 the only way to tell the client about a failure is to drop the connection.
      const failedAny = responses.some((r) => r.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
      if (failedAny) throw new Error('a produce request with acks=0 failed');
      return NO_RESPONSE;
    }
    return { responses, throttleTimeMs: 0 };
  },
};

function failed(error: ErrorName, message: string | null = null): AppendResult {
  return { errorCode: ErrorCode[error], baseOffset: -1, logAppendTime: -1, logStartOffset: -1, message };
}

function append(
  broker: Broker,
  version: number,
  topic: string,
  index: number,
  records: Buffer | null,
  transactionalId: string | null,
): AppendResult {
  const magic = records && records.length > OFF_MAGIC ? readMagic(records, 0) : -1;
  if (version < 3 && (magic === 0 || magic === 1)) {
    if (!broker.topic(topic)?.partitions[index]) return failed('UNKNOWN_TOPIC_OR_PARTITION');
    const converted = upConvertMessageSet(records!, codecs);
    if (converted.error !== null) return failed(converted.error, converted.message);
    return broker.appendRecords(topic, index, converted.batch, transactionalId);
  }
  if (version < ZSTD_MIN_VERSION && records && usesZstd(records)) {
    if (!broker.topic(topic)?.partitions[index]) return failed('UNKNOWN_TOPIC_OR_PARTITION');
    return failed(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `Produce v${version} cannot carry zstd batches; zstd needs Produce v${ZSTD_MIN_VERSION} or later`,
    );
  }
  return broker.appendRecords(topic, index, records, transactionalId);
}

/** Whether any whole v2 batch header in `records` names zstd (framing is checked later). */
function usesZstd(records: Buffer): boolean {
  let pos = 0;
  while (records.length - pos >= BATCH_HEADER_SIZE && readMagic(records, pos) === 2) {
    if ((records.readInt16BE(pos + OFF_ATTRIBUTES) & COMPRESSION_MASK) === Compression.Zstd) return true;
    const size = batchSize(records, pos);
    if (size < BATCH_HEADER_SIZE) return false;
    pos += size;
  }
  return false;
}
