// Real producer output: the compressed record batches that kcat (librdkafka 2.0.2)
// and kafkajs sent to Apache Kafka 2.4.1 (test/fixtures/captures). Each batch must
// decompress and its records must decode to what the scenario produced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeRequestFrame } from '../../src/protocol/index.js';
import { BATCH_HEADER_SIZE, decodeRecords } from '../../src/protocol/record-batch.js';
import { CodecError, decompress, type CompressionCodec } from '../../src/codecs/index.js';

const CAPTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captures');

interface Capture {
  scenario: string;
  apiKey: number;
  request: string;
}

interface Batch {
  scenario: string;
  codec: number;
  records: Buffer;
}

function producedBatches(file: string): Batch[] {
  const out: Batch[] = [];
  for (const line of readFileSync(join(CAPTURES, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const c = JSON.parse(line) as Capture;
    if (c.apiKey !== 0) continue;
    const frame = decodeRequestFrame(Buffer.from(c.request, 'hex')) as unknown as {
      body: { topicData: Array<{ partitionData: Array<{ records: Buffer | null }> }> };
    };
    for (const td of frame.body.topicData) {
      for (const pd of td.partitionData) {
        if (pd.records === null) continue;
        out.push({ scenario: c.scenario, codec: pd.records.readInt16BE(21) & 7, records: pd.records });
      }
    }
  }
  return out;
}

const dec = (c: number, d: Buffer): Buffer => decompress(c as CompressionCodec, d);

describe('captured producer batches', () => {
  const kcat = producedBatches('kcat.jsonl');

  for (const [codecName, codec] of [
    ['gzip', 1],
    ['snappy', 2],
    ['lz4', 3],
    ['zstd', 4],
  ] as const) {
    test(`kcat -z ${codecName}: 100 keyed messages decode`, () => {
      const batches = kcat.filter((b) => b.scenario === `produce-${codecName}`);
      assert.ok(batches.length > 0);
      // librdkafka sent the first message alone, uncompressed (compression did not
      // shrink it); the batch carrying the rest must use the codec.
      assert.ok(
        batches.some((b) => b.codec === codec),
        `no ${codecName} batch in the capture`,
      );
      const records = batches.flatMap((b) => decodeRecords(b.records, dec, { verifyCrc: true }));
      assert.equal(records.length, 100);
      records.forEach((r, i) => {
        const n = String(i).padStart(3, '0');
        assert.equal(r.key?.toString(), `key-${n}`);
        assert.equal(r.value?.toString(), `value-${n} ${codecName}`);
      });
    });
  }

  test('kcat snappy is a raw block (no xerial framing)', () => {
    const b = kcat.find((x) => x.scenario === 'produce-snappy' && x.codec === 2)!;
    const payload = b.records.subarray(BATCH_HEADER_SIZE);
    assert.notEqual(payload[0], 0x82);
    assert.ok(decompress(2, payload).length > payload.length);
  });

  test('kcat lz4 is an LZ4 frame with independent blocks', () => {
    const b = kcat.find((x) => x.scenario === 'produce-lz4' && x.codec === 3)!;
    const payload = b.records.subarray(BATCH_HEADER_SIZE);
    assert.equal(payload.readUInt32LE(0), 0x184d2204);
    assert.ok((payload[4] & 0x20) !== 0);
  });

  test('kafkajs gzip batches decode', () => {
    const batches = producedBatches('kafkajs.jsonl').filter((b) => b.codec === 1);
    assert.ok(batches.length >= 2);
    const records = batches.flatMap((b) => decodeRecords(b.records, dec, { verifyCrc: true }));
    assert.equal(records.length, 20);
    const keys = records.map((r) => r.key!.toString()).sort();
    assert.deepEqual(
      keys,
      Array.from({ length: 20 }, (_, i) => `key-${String(i).padStart(3, '0')}`),
    );
    for (const r of records) assert.equal(r.value!.toString(), r.key!.toString().replace('key', 'value'));
  });

  test('every truncation of a captured compressed payload throws CodecError', () => {
    for (const b of kcat.filter((x) => x.codec !== 0)) {
      const payload = b.records.subarray(BATCH_HEADER_SIZE);
      for (let n = 0; n < payload.length; n++) {
        const cut = payload.subarray(0, n);
        let result: Buffer | undefined;
        try {
          result = decompress(b.codec as CompressionCodec, cut);
        } catch (e) {
          assert.ok(e instanceof CodecError, `codec ${b.codec} at ${n}: ${String(e)}`);
          continue;
        }
        // A gzip member cut inside its trailer can still inflate; nothing else may.
        assert.fail(
          `codec ${b.codec} accepted a payload truncated to ${n} of ${payload.length} bytes (${result.length} bytes out)`,
        );
      }
    }
  });
});
