// Kafka's legacy message formats (magic 0 and 1): parsing, up-conversion for Produce v0-2,
// down-conversion for Fetch v0-3, over TCP, and the reason for all of it: librdkafka (kcat)
// only compresses when the broker advertises Produce v2 and Fetch v2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compress, decompress, xxh32, type CompressionCodec } from '../../src/codecs/index.js';
import { crc32 } from '../../src/protocol/crc32.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  downConvertBatches,
  encodeLegacyMessageSet,
  parseLegacyMessageSet,
  upConvertMessageSet,
  type LegacyError,
  type LegacyMagic,
  type LegacyMessage,
  type ParsedMessageSet,
} from '../../src/protocol/legacy-message-set.js';
import {
  assignOffsets,
  batchSize,
  decodeBatches,
  decodeRecords,
  encodeControlBatch,
  encodeRecordBatch,
  readBatchHeader,
  validateBatches,
  type DecodedBatch,
} from '../../src/protocol/record-batch.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { requireTool, run } from '../helpers/tools.js';
import { WireClient } from '../helpers/wire.js';

const T0 = 1_700_000_000_000;
const GZIP = 1;
const SNAPPY = 2;
const LZ4 = 3;
const ZSTD = 4;
const CODEC_IDS = { gzip: GZIP, snappy: SNAPPY, lz4: LZ4, zstd: ZSTD } as const;

const comp = (codec: number, data: Buffer) => compress(codec as CompressionCodec, data);
const decomp = (codec: number, data: Buffer) => decompress(codec as CompressionCodec, data);
const codecs = { compress: comp, decompress: decomp };

function parsed(buf: Buffer, allowPartialTail = false): ParsedMessageSet {
  const r = parseLegacyMessageSet(buf, { decompress: decomp, allowPartialTail });
  if (r.error !== null) assert.fail(`${r.error}: ${r.message}`);
  return r;
}

function parseError(buf: Buffer): LegacyError {
  const r = parseLegacyMessageSet(buf, { decompress: decomp });
  assert.notEqual(r.error, null, 'expected the message set to be refused');
  return r as LegacyError;
}

const str = (b: Buffer | null) => (b === null ? null : b.toString());
const view = (m: LegacyMessage) => [m.offset, str(m.key), str(m.value), m.timestamp];

const SAMPLE = [
  { key: 'k0', value: 'v0', timestamp: T0 },
  { key: null, value: 'v1', timestamp: T0 + 5 },
  { key: 'k2', value: null, timestamp: T0 + 2 },
  { key: 'k3', value: 'a longer value '.repeat(20), timestamp: T0 + 9 },
];

/** An lz4 frame whose header checksum covers the magic too, as Kafka < 0.10 wrote it for magic 0. */
function brokenLz4(data: Buffer): Buffer {
  const frame = Buffer.from(comp(LZ4, data));
  const flg = frame[4]!;
  const descEnd = 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  const broken = (xxh32(frame, 0, 0, descEnd) >>> 8) & 0xff;
  assert.notEqual(broken, frame[descEnd], 'sample data gives the same checksum both ways; pick other data');
  frame[descEnd] = broken;
  return frame;
}

describe('legacy message sets (unit)', () => {
  test('CRC-32 (IEEE) matches the standard check value and continues across pieces', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
    const data = Buffer.from('The quick brown fox jumps over the lazy dog, several times over.');
    assert.equal(crc32(data), crc32(data, 20, data.length, crc32(data, 0, 20)));
    assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  });

  test('a magic 0 and a magic 1 message are laid out byte for byte as the spec says', () => {
    const v0 = encodeLegacyMessageSet({ magic: 0, messages: [{ key: null, value: 'hello' }] });
    assert.equal(
      v0.toString('hex'),
      [
        '0000000000000000', // offset
        '00000013', // message size 19
        '87a77ab2', // CRC-32 of magic .. value (computed independently with Python's zlib.crc32)
        '00',
        '00', // magic 0, attributes
        'ffffffff', // null key
        '00000005',
        Buffer.from('hello').toString('hex'),
      ].join(''),
    );
    const v1 = encodeLegacyMessageSet({ magic: 1, baseOffset: 7, messages: [{ key: 'k', value: 'v', timestamp: T0 }] });
    assert.equal(
      v1.toString('hex'),
      [
        '0000000000000007',
        '00000018',
        '39268c33',
        '01',
        '00',
        T0.toString(16).padStart(16, '0'),
        '00000001',
        '6b',
        '00000001',
        '76',
      ].join(''),
    );
    assert.deepEqual(parsed(v1).messages.map(view), [[7, 'k', 'v', T0]]);
  });

  for (const magic of [0, 1] as LegacyMagic[]) {
    test(`magic ${magic}: uncompressed messages parse with their offsets, nulls and timestamps`, () => {
      const set = encodeLegacyMessageSet({ magic, baseOffset: 100, messages: SAMPLE });
      const p = parsed(set);
      assert.equal(p.magic, magic);
      assert.equal(p.compression, 0);
      assert.equal(p.entries, 4);
      assert.equal(p.bytes, set.length);
      assert.deepEqual(
        p.messages.map(view),
        SAMPLE.map((m, i) => [100 + i, m.key, m.value, magic === 0 ? -1 : m.timestamp]),
      );
    });

    for (const [name, codec] of [
      ['gzip', GZIP],
      ['snappy', SNAPPY],
      ['lz4', LZ4],
    ] as const) {
      test(`magic ${magic}: a ${name} wrapper unpacks to absolute offsets`, () => {
        const set = encodeLegacyMessageSet({
          magic,
          baseOffset: 40,
          messages: SAMPLE,
          compression: codec,
          compress: comp,
        });
        // The wrapper carries the last inner offset.
        assert.equal(Number(set.readBigInt64BE(0)), 43);
        assert.equal(set[17]! & 7, codec);
        const p = parsed(set);
        assert.deepEqual([p.magic, p.compression, p.entries], [magic, codec, 1]);
        assert.deepEqual(
          p.messages.map(view),
          SAMPLE.map((m, i) => [40 + i, m.key, m.value, magic === 0 ? -1 : m.timestamp]),
        );
        assert.ok(p.messages.every((m) => m.wrapperCompression === codec));
      });
    }
  }

  test('magic 1 inner offsets are relative to the wrapper; magic 0 inner offsets are absolute', () => {
    // A magic 1 wrapper at offset 500 with relative inner offsets 0..3.
    const v1 = encodeLegacyMessageSet({
      magic: 1,
      baseOffset: 497,
      messages: SAMPLE,
      compression: GZIP,
      compress: comp,
    });
    assert.deepEqual(
      parsed(v1).messages.map((m) => m.offset),
      [497, 498, 499, 500],
    );
    // Magic 0 wrappers hold absolute inner offsets, whatever the wrapper's own offset.
    const innerSet = encodeLegacyMessageSet({ magic: 0, baseOffset: 20, messages: SAMPLE.slice(0, 2) });
    const wrapper = encodeLegacyMessageSet({
      magic: 0,
      baseOffset: 99,
      messages: [{ key: null, value: comp(GZIP, innerSet) }],
    });
    wrapper[17] = GZIP;
    wrapper.writeUInt32BE(crc32(wrapper, 16), 12);
    assert.deepEqual(
      parsed(wrapper).messages.map((m) => m.offset),
      [20, 21],
    );
  });

  test('a magic 1 wrapper with LogAppendTime gives its inner messages the wrapper timestamp', () => {
    const set = encodeLegacyMessageSet({
      magic: 1,
      messages: SAMPLE,
      compression: SNAPPY,
      compress: comp,
      timestampType: 1,
    });
    const p = parsed(set);
    assert.ok(p.messages.every((m) => m.timestamp === T0 + 9 && m.timestampType === 1));
  });

  test('lz4 with magic 0 accepts the old broken header checksum', () => {
    const inner = encodeLegacyMessageSet({ magic: 0, messages: SAMPLE });
    const frame = brokenLz4(inner);
    const wrapper = encodeLegacyMessageSet({ magic: 0, messages: [{ key: null, value: frame }] });
    wrapper[17] = LZ4;
    wrapper.writeUInt32BE(crc32(wrapper, 16), 12);
    assert.deepEqual(
      parsed(wrapper).messages.map((m) => str(m.value)),
      SAMPLE.map((m) => m.value),
    );
    const up = upConvertMessageSet(wrapper, codecs);
    assert.equal(up.error, null);
  });

  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const codec of [0, GZIP, SNAPPY, LZ4]) {
      test(`up-conversion of magic ${magic} codec ${codec} keeps records and codec, and down-converts back`, () => {
        const set = encodeLegacyMessageSet({ magic, messages: SAMPLE, compression: codec, compress: comp });
        const up = upConvertMessageSet(set, codecs);
        if (up.error !== null) assert.fail(up.message);
        assert.deepEqual([up.recordCount, up.magic, up.compression], [4, magic, codec]);
        const checked = validateBatches(up.batch);
        assert.equal(checked.error, null);
        const [batch] = decodeBatches(up.batch, decomp, { verifyCrc: true }) as [DecodedBatch];
        assert.deepEqual(
          [batch.header.compression, batch.header.producerId, batch.header.baseSequence, batch.header.timestampType],
          [codec, -1, -1, 0],
        );
        const wantTs = (ts: number) => (magic === 0 ? -1 : ts);
        assert.deepEqual(
          batch.records.map((r) => [r.offset, str(r.key), str(r.value), r.timestamp, r.headers.length]),
          SAMPLE.map((m, i) => [i, m.key, m.value, wantTs(m.timestamp), 0]),
        );
        assert.equal(batch.header.maxTimestamp, magic === 0 ? -1 : T0 + 9);
        // As stored at offset 30, then served to an old consumer of either magic.
        assignOffsets(up.batch, 0, 30);
        for (const to of [0, 1] as LegacyMagic[]) {
          const down = downConvertBatches(up.batch, { magic: to, decompress: decomp });
          assert.deepEqual([down.messages, down.nextOffset, down.full], [4, 34, false]);
          const back = parsed(down.records);
          assert.equal(back.compression, 0);
          assert.equal(back.magic, to);
          assert.deepEqual(
            back.messages.map(view),
            SAMPLE.map((m, i) => [30 + i, m.key, m.value, to === 0 ? -1 : wantTs(m.timestamp)]),
          );
        }
      });
    }
  }

  test('several uncompressed and wrapped messages become one batch with the wrapper codec', () => {
    const set = Buffer.concat([
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE.slice(0, 2) }),
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE.slice(2), compression: GZIP, compress: comp }),
      encodeLegacyMessageSet({ magic: 0, messages: [{ key: 'old', value: 'zero' }] }),
    ]);
    const up = upConvertMessageSet(set, codecs);
    if (up.error !== null) assert.fail(up.message);
    assert.deepEqual([up.recordCount, up.compression, up.magic], [5, GZIP, 1]);
    assert.deepEqual(
      decodeRecords(up.batch, decomp).map((r) => [r.offset, str(r.key), r.timestamp]),
      [
        [0, 'k0', T0],
        [1, null, T0 + 5],
        [2, 'k2', T0 + 2],
        [3, 'k3', T0 + 9],
        [4, 'old', -1],
      ],
    );
  });

  test('down-conversion drops control batches and headers, skips records below the fetch offset and stops at whole messages', () => {
    const stored = Buffer.concat([
      encodeRecordBatch({
        baseOffset: 10,
        records: [
          { key: 'a', value: 'A', timestamp: T0, headers: [{ key: 'h', value: 'x' }] },
          { key: null, value: 'B', timestamp: T0 + 1 },
          { key: 'c', value: null, timestamp: T0 + 2 },
        ],
      }),
      encodeControlBatch({ commit: true, producerId: 7, producerEpoch: 0, baseOffset: 13, timestamp: T0 }),
      encodeRecordBatch({
        baseOffset: 14,
        compression: GZIP,
        compress: comp,
        records: [
          { key: 'd', value: 'D', timestamp: T0 + 3 },
          { key: 'e', value: 'E', timestamp: T0 + 4 },
        ],
      }),
    ]);
    const all = downConvertBatches(stored, { magic: 1, decompress: decomp });
    assert.deepEqual(parsed(all.records).messages.map(view), [
      [10, 'a', 'A', T0],
      [11, null, 'B', T0 + 1],
      [12, 'c', null, T0 + 2],
      [14, 'd', 'D', T0 + 3],
      [15, 'e', 'E', T0 + 4],
    ]);
    assert.deepEqual([all.messages, all.nextOffset, all.full], [5, 16, false]);
    // Split into chunks as the log returns them: same result.
    const split = downConvertBatches(
      [stored.subarray(0, batchSize(stored, 0)), stored.subarray(batchSize(stored, 0))],
      { magic: 1, decompress: decomp },
    );
    assert.deepEqual(split.records, all.records);

    const from11 = downConvertBatches(stored, { magic: 0, decompress: decomp, fromOffset: 11 });
    assert.deepEqual(
      parsed(from11.records).messages.map((m) => m.offset),
      [11, 12, 14, 15],
    );
    // magic 0 message with 1-byte key and value: 12 + 14 + 2 = 28 bytes.
    const two = downConvertBatches(stored, { magic: 0, decompress: decomp, fromOffset: 14, maxBytes: 28 * 2 - 1 });
    assert.deepEqual([two.messages, two.nextOffset, two.full, two.records.length], [1, 15, true, 28]);
    const none = downConvertBatches(stored, { magic: 0, decompress: decomp, maxBytes: 10 });
    assert.deepEqual([none.messages, none.nextOffset, none.full, none.records.length], [0, 10, true, 0]);
    const one = downConvertBatches(stored, { magic: 0, decompress: decomp, maxBytes: 10, minOneMessage: true });
    assert.deepEqual([one.messages, one.nextOffset], [1, 11]);
    // Only a control batch past the fetch offset: nothing to send, but the offset moves on.
    const control = downConvertBatches(stored.subarray(batchSize(stored, 0)), {
      magic: 1,
      decompress: decomp,
      fromOffset: 13,
      maxBytes: 0,
    });
    assert.deepEqual([control.messages, control.nextOffset, control.full], [0, 14, true]);
  });

  test('down-conversion to magic 1 keeps LogAppendTime', () => {
    const b = encodeRecordBatch({
      baseOffset: 0,
      timestampType: 1,
      records: [
        { value: 'x', timestamp: T0 },
        { value: 'y', timestamp: T0 + 1 },
      ],
    });
    const d = downConvertBatches(b, { magic: 1, decompress: decomp });
    const p = parsed(d.records);
    assert.ok(p.messages.every((m) => m.timestampType === 1 && m.timestamp === T0 + 1));
    assert.ok(
      parsed(downConvertBatches(b, { magic: 0, decompress: decomp }).records).messages.every(
        (m) => m.timestamp === -1 && m.timestampType === 0,
      ),
    );
  });

  test('CRC failures, truncation and garbage are refused with Kafka error names', () => {
    for (const magic of [0, 1] as LegacyMagic[]) {
      const good = encodeLegacyMessageSet({ magic, messages: SAMPLE });
      const flipped = Buffer.from(good);
      flipped[good.length - 1] ^= 1;
      expectErr(parseError(flipped), 'CORRUPT_MESSAGE', /message 3 failed its CRC-32 check/);
      const badCrc = Buffer.from(good);
      badCrc[13] ^= 0x40;
      assert.equal(parseError(badCrc).error, 'CORRUPT_MESSAGE');
      expectErr(parseError(good.subarray(0, good.length - 1)), 'CORRUPT_MESSAGE', /message 3 is truncated/);
      expectErr(parseError(good.subarray(0, good.length - 3 - 30)), 'CORRUPT_MESSAGE', /truncated/);
      expectErr(parseError(Buffer.concat([good, Buffer.alloc(5)])), 'CORRUPT_MESSAGE', /truncated: 5 bytes left/);
      // A partial trailing message is fine where fetch responses are read.
      assert.equal(parsed(good.subarray(0, good.length - 1), true).messages.length, 3);

      const one = encodeLegacyMessageSet({ magic, messages: [{ key: 'k', value: 'v' }] });
      const withCrc = (b: Buffer) => {
        b.writeUInt32BE(crc32(b, 16), 12);
        return b;
      };
      const small = Buffer.from(one);
      small.writeInt32BE(magic === 0 ? 13 : 21, 8);
      expectErr(parseError(small), 'CORRUPT_MESSAGE', /less than the/);
      const badKey = withCrc(Buffer.from(one));
      badKey.writeInt32BE(-7, magic === 0 ? 18 : 26);
      expectErr(parseError(withCrc(badKey)), 'CORRUPT_MESSAGE', /invalid key length/);
      const longKey = Buffer.from(one);
      longKey.writeInt32BE(100, magic === 0 ? 18 : 26);
      expectErr(parseError(withCrc(longKey)), 'CORRUPT_MESSAGE', /invalid key length/);
      const padded = Buffer.concat([one, Buffer.alloc(2)]);
      padded.writeInt32BE(one.readInt32BE(8) + 2, 8);
      expectErr(parseError(withCrc(padded)), 'CORRUPT_MESSAGE', /2 bytes after its value/);
      const magic5 = Buffer.from(one);
      magic5[16] = 5;
      expectErr(parseError(withCrc(magic5)), 'CORRUPT_MESSAGE', /unknown magic 5/);
      const codec7 = Buffer.from(one);
      codec7[17] = 7;
      expectErr(parseError(withCrc(codec7)), 'CORRUPT_MESSAGE', /unknown compression codec 7/);

      // Compressed wrappers: undecodable payload, null value, nothing inside, nested compression.
      const garbage = encodeLegacyMessageSet({ magic, messages: [{ value: 'definitely not gzip' }] });
      garbage[17] = GZIP;
      expectErr(parseError(withCrc(garbage)), 'CORRUPT_MESSAGE', /cannot decompress gzip/);
      const nullValue = encodeLegacyMessageSet({ magic, messages: [{ value: null }] });
      nullValue[17] = SNAPPY;
      expectErr(parseError(withCrc(nullValue)), 'INVALID_RECORD', /null value/);
      const empty = encodeLegacyMessageSet({ magic, messages: [{ value: comp(GZIP, Buffer.alloc(0)) }] });
      empty[17] = GZIP;
      expectErr(parseError(withCrc(empty)), 'INVALID_RECORD', /no inner messages/);
      const inner = encodeLegacyMessageSet({ magic, messages: SAMPLE, compression: GZIP, compress: comp });
      const nested = encodeLegacyMessageSet({ magic, messages: [{ value: comp(GZIP, inner) }] });
      nested[17] = GZIP;
      expectErr(parseError(withCrc(nested)), 'INVALID_RECORD', /compressed inside a compressed message/);
      const otherMagic = encodeLegacyMessageSet({ magic: magic === 0 ? 1 : 0, messages: SAMPLE });
      const mixed = encodeLegacyMessageSet({ magic, messages: [{ value: comp(GZIP, otherMagic) }] });
      mixed[17] = GZIP;
      expectErr(parseError(withCrc(mixed)), 'INVALID_RECORD', /inside a magic/);
    }
    const negative = encodeLegacyMessageSet({ magic: 1, messages: [{ key: 'k', value: 'v', timestamp: -5 }] });
    expectErr(parseError(negative), 'INVALID_TIMESTAMP', /invalid timestamp -5/);
    // A v2 batch after a legacy message.
    const mixedFormats = Buffer.concat([
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE }),
      encodeRecordBatch({ records: [{ value: 'x' }] }),
    ]);
    expectErr(parseError(mixedFormats), 'INVALID_RECORD', /magic 2 record batch/);
    expectErr(upConvertMessageSet(Buffer.alloc(0), codecs) as LegacyError, 'INVALID_RECORD', /no messages/);
  });

  test('mutated message sets never throw, and whatever is accepted converts to a valid batch', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const seeds = [0, GZIP, SNAPPY, LZ4].flatMap((codec) =>
      [0, 1].map((magic) =>
        encodeLegacyMessageSet({ magic: magic as LegacyMagic, messages: SAMPLE, compression: codec, compress: comp }),
      ),
    );
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const buf = Buffer.from(seeds[rand(seeds.length)]!);
      const edits = 1 + rand(3);
      for (let e = 0; e < edits; e++) buf[rand(buf.length)] = rand(256);
      // Half the time fix the outer CRC so the mutation reaches the fields behind it.
      if (rand(2) === 0 && buf.length >= 16)
        buf.writeUInt32BE(crc32(buf, 16, Math.min(buf.length, 12 + Math.max(0, buf.readInt32BE(8)))), 12);
      const cut = rand(4) === 0 ? buf.subarray(0, rand(buf.length + 1)) : buf;
      const r = upConvertMessageSet(cut, codecs);
      if (r.error !== null) {
        assert.ok(
          ['CORRUPT_MESSAGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP', 'UNSUPPORTED_COMPRESSION_TYPE'].includes(r.error),
        );
        continue;
      }
      accepted++;
      assert.equal(validateBatches(r.batch).error, null);
      assert.equal(decodeRecords(r.batch, decomp).length, r.recordCount);
    }
    assert.ok(accepted > 0);
  });

  test('zstd needs magic 2: a magic 0/1 zstd wrapper is UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const magic of [0, 1] as LegacyMagic[]) {
      const set = encodeLegacyMessageSet({ magic, messages: SAMPLE, compression: ZSTD, compress: comp });
      expectErr(parseError(set), 'UNSUPPORTED_COMPRESSION_TYPE', /zstd/);
      assert.equal((upConvertMessageSet(set, codecs) as LegacyError).error, 'UNSUPPORTED_COMPRESSION_TYPE');
    }
  });
});

function expectErr(e: LegacyError, error: string, pattern: RegExp): void {
  assert.equal(e.error, error, e.message);
  assert.match(e.message, pattern);
}

// ---------------------------------------------------------------------------
// Over TCP
// ---------------------------------------------------------------------------

const API = { Produce: 0, Fetch: 1, ApiVersions: 18, CreateTopics: 19 } as const;

async function createTopic(c: WireClient, name: string, partitions = 1, configs: Record<string, string> = {}) {
  const r = await c.request(API.CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(r.topics[0].errorCode, 0, r.topics[0].errorMessage);
}

async function produce(c: WireClient, version: number, topic: string, records: Buffer, partition = 0) {
  const r = await c.request(API.Produce, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return r.responses[0].partitionResponses[0];
}

function fetchBody(
  topic: string,
  fetchOffset: number,
  o: { partitionMaxBytes?: number; maxBytes?: number; maxWaitMs?: number; partitions?: number[] } = {},
) {
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes: o.maxBytes ?? 52428800,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: (o.partitions ?? [0]).map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset,
          logStartOffset: -1,
          partitionMaxBytes: o.partitionMaxBytes ?? 1048576,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function fetchPartition(
  c: WireClient,
  version: number,
  topic: string,
  offset: number,
  o: Parameters<typeof fetchBody>[2] = {},
) {
  const r = await c.request(API.Fetch, version, fetchBody(topic, offset, o));
  return r.responses[0].partitions[0] as { errorCode: number; highWatermark: number; records: Buffer | null };
}

describe('legacy formats over TCP', () => {
  let broker: TestBroker;
  let c: WireClient;
  before(async () => {
    broker = await startTestBroker();
    c = await WireClient.open(broker.port);
  });
  after(async () => {
    c?.close();
    await broker?.destroy();
  });

  test('ApiVersions advertises Produce 0-11 and Fetch 0-17', async () => {
    const r = await c.request(API.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const range = (k: number) => r.apiKeys.find((a: { apiKey: number }) => a.apiKey === k);
    assert.deepEqual(range(0), { apiKey: 0, minVersion: 0, maxVersion: 11 });
    assert.deepEqual(range(1), { apiKey: 1, minVersion: 0, maxVersion: 17 });
  });

  test('Produce v0, v1 and v2 with message sets are stored as v2 batches that Fetch v11 serves', async () => {
    await createTopic(c, 'legacy.produce');
    const a = await produce(c, 0, 'legacy.produce', encodeLegacyMessageSet({ magic: 0, messages: SAMPLE }));
    assert.deepEqual([a.errorCode, a.baseOffset], [0, 0]);
    const b = await produce(
      c,
      1,
      'legacy.produce',
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE, compression: GZIP, compress: comp }),
    );
    assert.deepEqual([b.errorCode, b.baseOffset], [0, 4]);
    const d = await produce(
      c,
      2,
      'legacy.produce',
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE, compression: SNAPPY, compress: comp }),
    );
    assert.deepEqual([d.errorCode, d.baseOffset, d.logAppendTimeMs], [0, 8, -1]);
    // v0/v1 requests may carry magic 1, v2 magic 0; lz4 with the old magic 0 frame checksum.
    const e = await produce(
      c,
      0,
      'legacy.produce',
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE.slice(0, 1), compression: LZ4, compress: comp }),
    );
    assert.deepEqual([e.errorCode, e.baseOffset], [0, 12]);
    const wrapper = encodeLegacyMessageSet({
      magic: 0,
      baseOffset: 0,
      messages: [{ key: null, value: brokenLz4(encodeLegacyMessageSet({ magic: 0, messages: SAMPLE.slice(1, 3) })) }],
    });
    wrapper[17] = LZ4;
    wrapper.writeUInt32BE(crc32(wrapper, 16), 12);
    const f = await produce(c, 2, 'legacy.produce', wrapper);
    assert.deepEqual([f.errorCode, f.baseOffset], [0, 13]);
    // A v2 batch in a v2 request is accepted too (Kafka does not check the magic below v3).
    const g = await produce(
      c,
      2,
      'legacy.produce',
      encodeRecordBatch({ records: [{ key: 'v2', value: 'batch', timestamp: T0 }] }),
    );
    assert.deepEqual([g.errorCode, g.baseOffset], [0, 15]);

    const p = await fetchPartition(c, 11, 'legacy.produce', 0);
    assert.equal(p.highWatermark, 16);
    const batches = decodeBatches(p.records!, decomp, { verifyCrc: true });
    assert.deepEqual(
      batches.map((x) => [x.header.baseOffset, x.header.recordsCount, x.header.compression, x.header.producerId]),
      [
        [0, 4, 0, -1],
        [4, 4, GZIP, -1],
        [8, 4, SNAPPY, -1],
        [12, 1, LZ4, -1],
        [13, 2, LZ4, -1],
        [15, 1, 0, -1],
      ],
    );
    const records = batches.flatMap((x) => x.records);
    assert.deepEqual(
      records.map((r) => [r.offset, str(r.key), str(r.value), r.timestamp]),
      [
        ...SAMPLE.map((m, i) => [i, m.key, m.value, -1]),
        ...SAMPLE.map((m, i) => [4 + i, m.key, m.value, m.timestamp]),
        ...SAMPLE.map((m, i) => [8 + i, m.key, m.value, m.timestamp]),
        [12, 'k0', 'v0', T0],
        [13, null, 'v1', -1],
        [14, 'k2', null, -1],
        [15, 'v2', 'batch', T0],
      ],
    );
  });

  test('Produce v0-2 errors: CRC, truncation, zstd, unknown topic, max.message.bytes on the converted batch', async () => {
    await createTopic(c, 'legacy.errors', 1, { 'max.message.bytes': '300' });
    const good = encodeLegacyMessageSet({ magic: 1, messages: SAMPLE.slice(0, 2) });
    const flipped = Buffer.from(good);
    flipped[30] ^= 1;
    const crc = await produce(c, 2, 'legacy.errors', flipped);
    assert.equal(crc.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(
      (await produce(c, 1, 'legacy.errors', good.subarray(0, good.length - 2))).errorCode,
      ErrorCode.CORRUPT_MESSAGE,
    );
    const zstd = await produce(
      c,
      1,
      'legacy.errors',
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE, compression: ZSTD, compress: comp }),
    );
    assert.equal(zstd.errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    // zstd in a v2 batch needs Produce v7.
    const zstdBatch = encodeRecordBatch({ records: [{ value: 'z' }], compression: ZSTD, compress: comp });
    assert.equal((await produce(c, 6, 'legacy.errors', zstdBatch)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal((await produce(c, 2, 'legacy.errors', zstdBatch)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal((await produce(c, 7, 'legacy.errors', zstdBatch)).errorCode, 0);
    assert.equal((await produce(c, 0, 'legacy.nope', good)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Legacy messages in a v3+ request are refused.
    assert.equal((await produce(c, 3, 'legacy.errors', good)).errorCode, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    // Each message is small, but together they make a batch over max.message.bytes.
    const many = encodeLegacyMessageSet({
      magic: 0,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(40) })),
    });
    const big = await produce(c, 0, 'legacy.errors', many);
    assert.equal(big.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(broker.broker.topic('legacy.errors')!.partitions[0].log.logEndOffset, 1);
  });

  test('Produce v2 on a LogAppendTime topic returns the append time, and Fetch v2 shows it', async () => {
    await createTopic(c, 'legacy.lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const before = Date.now();
    const r = await produce(
      c,
      2,
      'legacy.lat',
      encodeLegacyMessageSet({ magic: 1, messages: SAMPLE, compression: GZIP, compress: comp }),
    );
    assert.equal(r.errorCode, 0);
    assert.ok(r.logAppendTimeMs >= before && r.logAppendTimeMs <= Date.now());
    const p = await fetchPartition(c, 2, 'legacy.lat', 0);
    const msgs = parsed(p.records!).messages;
    assert.equal(msgs.length, 4);
    assert.ok(msgs.every((m) => m.timestampType === 1 && m.timestamp === r.logAppendTimeMs));
  });

  test('Produce v7 batches come back from Fetch v0, v1, v2 and v3 as message sets with the right offsets', async () => {
    await createTopic(c, 'legacy.fetch');
    const r1 = await produce(
      c,
      7,
      'legacy.fetch',
      encodeRecordBatch({ records: SAMPLE.map((m) => ({ ...m, headers: [{ key: 'h', value: 'dropped' }] })) }),
    );
    const r2 = await produce(
      c,
      7,
      'legacy.fetch',
      encodeRecordBatch({ records: SAMPLE, compression: GZIP, compress: comp }),
    );
    const r3 = await produce(
      c,
      9,
      'legacy.fetch',
      encodeRecordBatch({ records: SAMPLE, compression: ZSTD, compress: comp }),
    );
    assert.deepEqual([r1.baseOffset, r2.baseOffset, r3.baseOffset], [0, 4, 8]);
    const expected = (from: number, magic: LegacyMagic) =>
      Array.from({ length: 12 - from }, (_, i) => {
        const m = SAMPLE[(from + i) % 4]!;
        return [from + i, m.key, m.value, magic === 0 ? -1 : m.timestamp];
      });
    for (const version of [0, 1, 2, 3]) {
      const magic: LegacyMagic = version <= 1 ? 0 : 1;
      const p = await fetchPartition(c, version, 'legacy.fetch', 0);
      assert.deepEqual([p.errorCode, p.highWatermark], [0, 12]);
      const set = parsed(p.records!);
      assert.equal(set.magic, magic, `Fetch v${version}`);
      assert.equal(set.compression, 0);
      assert.deepEqual(set.messages.map(view), expected(0, magic), `Fetch v${version}`);
      // From the middle of a compressed batch.
      const mid = await fetchPartition(c, version, 'legacy.fetch', 6);
      assert.deepEqual(parsed(mid.records!).messages.map(view), expected(6, magic));
      const end = await fetchPartition(c, version, 'legacy.fetch', 12);
      assert.deepEqual([end.errorCode, end.records?.length ?? 0], [0, 0]);
      const oor = await fetchPartition(c, version, 'legacy.fetch', 13);
      assert.equal(oor.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    }
  });

  test('Fetch v0-3 cut down-converted data at whole messages within the byte limits', async () => {
    await createTopic(c, 'legacy.limits', 2);
    // Records of equal size: magic 0 message = 12 + 14 + 2 + 8 = 36 bytes, magic 1 = 44.
    const recs = Array.from({ length: 10 }, (_, i) => ({
      key: `k${i}`,
      value: `value-${String(i).padStart(2, '0')}`,
      timestamp: T0 + i,
    }));
    await produce(c, 7, 'legacy.limits', encodeRecordBatch({ records: recs, compression: SNAPPY, compress: comp }), 0);
    await produce(c, 7, 'legacy.limits', encodeRecordBatch({ records: recs }), 1);
    const offsets = (p: { records: Buffer | null }) => parsed(p.records!).messages.map((m) => m.offset);
    for (const version of [0, 1, 2, 3]) {
      const size = version <= 1 ? 36 : 44;
      const three = await fetchPartition(c, version, 'legacy.limits', 2, { partitionMaxBytes: size * 3 + size - 1 });
      assert.deepEqual(offsets(three), [2, 3, 4], `Fetch v${version}`);
      assert.equal(three.records!.length, size * 3);
      // A limit below one message still returns one whole message to the first partition.
      const tiny = await fetchPartition(c, version, 'legacy.limits', 5, { partitionMaxBytes: 10 });
      assert.deepEqual(offsets(tiny), [5]);
      // Two partitions: the second gets its own limit (and, for v3, what the request limit leaves).
      const r = await c.request(
        API.Fetch,
        version,
        fetchBody('legacy.limits', 0, { partitions: [0, 1], partitionMaxBytes: size * 4, maxBytes: size * 6 }),
      );
      const [p0, p1] = r.responses[0].partitions;
      assert.deepEqual(offsets(p0), [0, 1, 2, 3]);
      assert.deepEqual(offsets(p1), version === 3 ? [0, 1] : [0, 1, 2, 3]);
    }
  });

  test('Fetch v0 long-polls for data produced with Produce v0', async () => {
    await createTopic(c, 'legacy.poll');
    const waiter = await WireClient.open(broker.port);
    const pending = waiter.request(API.Fetch, 0, fetchBody('legacy.poll', 0, { maxWaitMs: 5000 }));
    await new Promise((r) => setTimeout(r, 200));
    await produce(
      c,
      0,
      'legacy.poll',
      encodeLegacyMessageSet({ magic: 0, messages: [{ key: 'late', value: 'arrival' }] }),
    );
    const r = await pending;
    assert.deepEqual(parsed(r.responses[0].partitions[0].records).messages.map(view), [[0, 'late', 'arrival', -1]]);
    waiter.close();
  });

  test('down-conversion can be disabled per topic; zstd topics refuse Fetch below v10', async () => {
    await createTopic(c, 'legacy.noconv', 1, { 'message.downconversion.enable': 'false' });
    await produce(c, 7, 'legacy.noconv', encodeRecordBatch({ records: [{ value: 'x' }] }));
    assert.equal((await fetchPartition(c, 3, 'legacy.noconv', 0)).errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.equal((await fetchPartition(c, 4, 'legacy.noconv', 0)).errorCode, 0);
    await createTopic(c, 'legacy.zstd', 1, { 'compression.type': 'zstd' });
    assert.equal((await fetchPartition(c, 2, 'legacy.zstd', 0)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal((await fetchPartition(c, 9, 'legacy.zstd', 0)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal((await fetchPartition(c, 10, 'legacy.zstd', 0)).errorCode, 0);
  });
});

// ---------------------------------------------------------------------------
// kcat (librdkafka): compression now happens
// ---------------------------------------------------------------------------

const KCAT_COUNT = 1000;

function keyedLines(n: number, tag: string): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`k${i}:${tag}-${i}`);
  return lines.join('\n') + '\n';
}

/** The stored batches of partition 0, read through the broker's log. */
function storedBatches(broker: TestBroker, topic: string) {
  const log = broker.broker.topic(topic)!.partitions[0].log;
  const r = log.read(log.logStartOffset, 64 * 1024 * 1024, { minOneBatch: true });
  const headers = [];
  for (const chunk of r.chunks) {
    for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) headers.push(readBatchHeader(chunk, pos));
  }
  return headers;
}

describe('kcat compresses now that Produce v2 and Fetch v2 are advertised', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    test(`kcat -P -z ${codec} stores ${codec} batches; kcat -C reads them back`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const topic = `legacy.kcat.${codec}`;
      const input = keyedLines(KCAT_COUNT, codec);
      // A little linger so records travel in batches (each is compressed on its own).
      const p = await run(
        'kcat',
        ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-X', 'linger.ms=100', '-d', 'feature'],
        { input, timeoutMs: 60_000 },
      );
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stderr, /Enabling feature MsgVer1/);
      assert.doesNotMatch(p.stderr, /does not support compression/i);
      const batches = storedBatches(broker, topic);
      assert.equal(
        batches.reduce((n, b) => n + b.recordsCount, 0),
        KCAT_COUNT,
      );
      // librdkafka sends a batch uncompressed when compressing would not make it smaller,
      // which can happen for a lone first record; every batch of several records is compressed.
      const compressed = batches.filter((b) => b.compression === CODEC_IDS[codec]);
      const multi = batches.filter((b) => b.recordsCount > 1);
      assert.ok(multi.length > 0);
      assert.deepEqual(
        multi.map((b) => b.compression),
        multi.map(() => CODEC_IDS[codec]),
        `stored codecs: ${batches.map((b) => `${b.recordsCount}x${b.compression}`).join(' ')}`,
      );
      assert.ok(compressed.reduce((n, b) => n + b.recordsCount, 0) >= KCAT_COUNT * 0.9);
      t.diagnostic(
        `${codec}: stored batches (records x codec id): ${batches.map((b) => `${b.recordsCount}x${b.compression}`).join(' ')}`,
      );
      const cons = await run(
        'kcat',
        ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'],
        { timeoutMs: 60_000 },
      );
      assert.equal(cons.code, 0, cons.stderr);
      assert.equal(cons.stdout.toString(), input);
    });
  }

  for (const codec of ['none', 'gzip', 'snappy', 'lz4'] as const) {
    test(`kcat speaking Kafka 0.9 (Produce v1 magic 0, Fetch v1) with ${codec}`, async (t) => {
      if (!requireTool(t, 'kcat')) return;
      const topic = `legacy.kcat09.${codec}`;
      const old = ['-X', 'api.version.request=false', '-X', 'broker.version.fallback=0.9.0'];
      const input = keyedLines(KCAT_COUNT, `old-${codec}`);
      const p = await run(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-P',
          '-t',
          topic,
          '-K:',
          '-z',
          codec,
          '-X',
          'linger.ms=100',
          ...old,
          '-d',
          'protocol',
        ],
        { input, timeoutMs: 60_000 },
      );
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stderr, /Sent ProduceRequest \(v[01],/);
      const batches = storedBatches(broker, topic);
      assert.equal(
        batches.reduce((n, b) => n + b.recordsCount, 0),
        KCAT_COUNT,
      );
      if (codec !== 'none') {
        const compressed = batches
          .filter((b) => b.compression === CODEC_IDS[codec])
          .reduce((n, b) => n + b.recordsCount, 0);
        assert.ok(
          compressed >= KCAT_COUNT * 0.9,
          `stored codecs: ${batches.map((b) => `${b.recordsCount}x${b.compression}`).join(' ')}`,
        );
      }
      const cons = await run(
        'kcat',
        [
          '-b',
          broker.bootstrap,
          '-C',
          '-t',
          topic,
          '-o',
          'beginning',
          '-e',
          '-q',
          '-f',
          '%k:%s:%o\n',
          ...old,
          '-d',
          'protocol',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(cons.code, 0, cons.stderr);
      assert.match(cons.stderr, /Sent FetchRequest \(v[01],/);
      const want =
        input
          .split('\n')
          .filter(Boolean)
          .map((l, i) => `${l}:${i}`)
          .join('\n') + '\n';
      assert.equal(cons.stdout.toString(), want);
    });
  }
});
