// The embedded schema registry's store: the broker's own compacted `_schemas` topic,
// written and read in-process through the partition log, as Confluent's registry keeps
// it in Kafka. The topic is created on the first write, so a broker whose registry is
// never used has no extra topic.
import type { LogRecord, SchemaLog } from '../registry/index.js';
import { decodeBatches, encodeRecordBatch } from '../protocol/record-batch.js';
import { ErrorCode } from '../protocol/errors.js';
import { decompress, type CompressionCodec } from '../codecs/index.js';
import type { Broker } from './broker.js';

export const SCHEMAS_TOPIC = '_schemas';
const READ_CHUNK = 1024 * 1024;

export class BrokerSchemaLog implements SchemaLog {
  constructor(
    private readonly broker: Broker,
    private readonly topic = SCHEMAS_TOPIC,
  ) {}

  append(key: Buffer, value: Buffer | null): void {
    if (!this.broker.topic(this.topic)) {
      const created = this.broker.createTopic(
        {
          name: this.topic,
          numPartitions: 1,
          replicationFactor: -1,
          assignments: [],
          configs: { 'cleanup.policy': 'compact' },
        },
        false,
      );
      if (!created.ok) throw new Error(`Cannot create ${this.topic}: ${created.message}`);
    }
    const batch = encodeRecordBatch({ records: [{ key, value }] });
    const r = this.broker.appendRecords(this.topic, 0, batch, null);
    if (r.errorCode !== ErrorCode.NONE)
      throw new Error(r.message ?? `append to ${this.topic} failed with error code ${r.errorCode}`);
  }

  *readAll(): Iterable<LogRecord> {
    const partition = this.broker.topic(this.topic)?.partitions[0];
    if (!partition) return;
    let offset = partition.log.logStartOffset;
    const end = partition.log.highWatermark;
    while (offset < end) {
      const r = this.broker.readLog(partition, offset, READ_CHUNK, true);
      if (r.error !== ErrorCode.NONE) throw new Error(`Cannot read ${this.topic}: error code ${r.error}`);
      if (r.bytes === 0) break;
      const batches = decodeBatches(Buffer.concat(r.chunks), (codec, data) =>
        decompress(codec as CompressionCodec, data),
      );
      if (batches.length === 0) break;
      for (const b of batches) {
        for (const rec of b.records) if (rec.offset >= offset) yield { key: rec.key, value: rec.value };
        offset = Math.max(offset, b.header.lastOffset + 1);
      }
    }
  }
}
