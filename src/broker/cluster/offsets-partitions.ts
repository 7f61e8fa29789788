// The group coordinator's view of this broker's __consumer_offsets replicas: appends as the
// partition's leader (the same path a producer's batch takes, so followers copy it), reads
// a partition back to load its groups, and waits for the in-sync replicas.
import { ErrorCode, errorName, type ErrorName } from '../../protocol/errors.js';
import { decodeBatches, encodeRecordBatch } from '../../protocol/record-batch.js';
import { decompress, type CompressionCodec } from '../../codecs/index.js';
import type { Broker } from '../broker.js';
import type { OffsetsPartitions } from '../groups/replicated-offsets.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
const READ_CHUNK_BYTES = 1024 * 1024;

export function offsetsPartitionsOf(broker: Broker, now: () => number = Date.now): OffsetsPartitions {
  return {
    count: broker.config.int('offsets.topic.num.partitions'),
    append(partition, records) {
      const batch = encodeRecordBatch({
        records: records.map((r) => ({ key: r.key, value: r.value })),
        now: now(),
      });
      const res = broker.appendRecords(OFFSETS_TOPIC, partition, batch, null);
      if (res.errorCode !== ErrorCode.NONE) return { error: errorName(res.errorCode) as ErrorName, lastOffset: -1 };
      return { error: null, lastOffset: res.baseOffset + records.length - 1 };
    },
    *read(partition) {
      const p = broker.topic(OFFSETS_TOPIC)?.partitions[partition];
      if (!p) return;
      let offset = p.log.logStartOffset;
      while (offset < p.log.logEndOffset) {
        const r = p.log.read(offset, READ_CHUNK_BYTES, { minOneBatch: true });
        if (r.chunks.length === 0 || r.nextOffset <= offset) break;
        for (const chunk of r.chunks) {
          for (const b of decodeBatches(chunk, (codec, data) => decompress(codec as CompressionCodec, data))) {
            if (b.header.isControl) continue;
            for (const rec of b.records) yield { key: rec.key, value: rec.value };
          }
        }
        offset = r.nextOffset;
      }
    },
    awaitReplicated(partition, lastOffset, timeoutMs) {
      const rm = broker.replicaManager;
      if (!rm) return Promise.resolve(null);
      return rm.awaitReplicated(OFFSETS_TOPIC, partition, lastOffset, timeoutMs);
    },
  };
}
