// Reads a partition from offset 0 to its end over the wire (CRC-checked), for tests that
// count what a producer really wrote.
import assert from 'node:assert/strict';
import { decodeBatches, type BatchHeader } from '../../src/protocol/record-batch.js';
import { WireClient } from './wire.js';

export interface PartitionContent {
  values: string[];
  batches: BatchHeader[];
}

export async function readPartition(port: number, topic: string, partition: number): Promise<PartitionContent> {
  const client = await WireClient.open(port);
  const out: PartitionContent = { values: [], batches: [] };
  let offset = 0;
  try {
    for (;;) {
      const r = await client.request(1, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 8 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                logStartOffset: -1,
                partitionMaxBytes: 8 << 20,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const p = r.responses[0].partitions[0];
      assert.equal(p.errorCode, 0);
      if (!p.records || p.records.length === 0) return out;
      for (const b of decodeBatches(p.records, undefined, { verifyCrc: true })) {
        if (b.header.lastOffset < offset) continue;
        out.batches.push(b.header);
        for (const rec of b.records) {
          if (rec.offset < offset) continue;
          out.values.push(rec.value!.toString());
          offset = rec.offset + 1;
        }
      }
    }
  } finally {
    client.close();
  }
}
