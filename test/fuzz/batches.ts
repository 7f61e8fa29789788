// Produce payloads for generator 7: record batches that are valid, or broken in one
// specific way. `mustFail` says whether Kafka's rules require the broker to refuse it.
import { computeBatchCrc, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import type { Rng } from './prng.js';

export type BatchCorruption =
  | 'valid'
  | 'badCrc'
  | 'badMagic'
  | 'shortLength'
  | 'hugeLength'
  | 'countMismatch'
  | 'zeroCount'
  | 'truncated'
  | 'negativeLastOffsetDelta'
  | 'lastOffsetDeltaTooBig'
  | 'lastOffsetDeltaTooSmall'
  | 'compressedGarbage'
  | 'unknownCodec'
  | 'recordVarint'
  | 'trailingGarbage'
  | 'secondBatchBad'
  | 'controlBatch'
  | 'empty';

export interface GarbageBatch {
  records: Buffer;
  kind: BatchCorruption;
  mustFail: boolean;
  desc: string;
}

const OFF_BATCH_LENGTH = 8;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_RECORDS_COUNT = 57;
const HEADER = 61;

function fixCrc(b: Buffer): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, 0, b.length), OFF_CRC);
  return b;
}

export function validBatch(rng: Rng, n = rng.range(1, 4)): Buffer {
  return encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({
      key: rng.chance(0.5) ? null : `key-${i}`,
      value: rng.chance(0.05) ? null : rng.bytes(rng.int(64)),
      headers: rng.chance(0.3)
        ? [
            { key: 'h1', value: 'v1' },
            { key: 'h2', value: null },
          ]
        : [],
    })),
  });
}

/** Overwrites one record-level varint inside an uncompressed batch, CRC fixed. */
function corruptRecords(rng: Rng): { records: Buffer; desc: string } {
  // Small records, so every record's length and first fields are one-byte varints.
  const b = encodeRecordBatch({
    records: Array.from({ length: rng.range(1, 3) }, (_, i) => ({
      key: rng.chance(0.5) ? null : `k${i}`,
      value: rng.bytes(rng.int(10)),
    })),
  });
  const body = b.subarray(HEADER);
  const choice = rng.int(5);
  let replacement: Buffer;
  let desc: string;
  let at = 0;
  switch (choice) {
    case 0:
      replacement = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
      desc = 'overlong record length varint';
      break;
    case 1:
      replacement = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]);
      desc = 'record length 2^31-1';
      break;
    case 2:
      replacement = Buffer.from([0x03]);
      desc = 'record length -2';
      break;
    case 3: {
      // Record length v, attributes, timestamp delta (1 byte: 0), offset delta, key length.
      // Point the key length past the record.
      at = 1 + 1 + 1 + 1;
      replacement = Buffer.from([0xfe, 0xff, 0x03]);
      desc = 'key length past the record';
      break;
    }
    default: {
      replacement = Buffer.from([0x00]);
      desc = 'record length 0';
      break;
    }
  }
  const recordsRegion = Buffer.concat([body.subarray(0, at), replacement, body.subarray(at + 1)]);
  const out = Buffer.concat([b.subarray(0, HEADER), recordsRegion]);
  out.writeInt32BE(out.length - 12, OFF_BATCH_LENGTH);
  return { records: fixCrc(out), desc };
}

export function garbageBatch(rng: Rng): GarbageBatch {
  const kind = rng.weighted<BatchCorruption>({
    valid: 4,
    badCrc: 3,
    badMagic: 3,
    shortLength: 2,
    hugeLength: 2,
    countMismatch: 3,
    zeroCount: 1,
    truncated: 3,
    negativeLastOffsetDelta: 2,
    lastOffsetDeltaTooBig: 2,
    lastOffsetDeltaTooSmall: 1,
    compressedGarbage: 2,
    unknownCodec: 2,
    recordVarint: 4,
    trailingGarbage: 2,
    secondBatchBad: 2,
    controlBatch: 1,
    empty: 1,
  });
  const out = (records: Buffer, mustFail: boolean, desc: string): GarbageBatch => ({ records, kind, mustFail, desc });
  const b = validBatch(rng);
  const count = b.readInt32BE(OFF_RECORDS_COUNT);
  switch (kind) {
    case 'valid':
      return out(b, false, `${count} records`);
    case 'badCrc': {
      const p = rng.range(OFF_CRC, b.length - 1);
      b[p] = b[p]! ^ (1 << rng.int(8));
      return out(b, true, `bit flipped at byte ${p}`);
    }
    case 'badMagic': {
      const magic = rng.pick([0, 1, 3, 255, 0x7f, 0x80]);
      b[OFF_MAGIC] = magic;
      return out(b, true, `magic ${magic}`);
    }
    case 'shortLength': {
      const len = rng.pick([-1, -0x80000000, 0, 48, 10]);
      b.writeInt32BE(len, OFF_BATCH_LENGTH);
      return out(b, true, `batchLength ${len}`);
    }
    case 'hugeLength': {
      const len = rng.pick([0x7fffffff, b.length - 12 + 1 + rng.int(100), 0x40000000]);
      b.writeInt32BE(len, OFF_BATCH_LENGTH);
      return out(b, true, `batchLength ${len} for ${b.length - 12} bytes`);
    }
    case 'countMismatch': {
      const n = rng.chance(0.5) ? count + rng.range(1, 3) : Math.max(1, count - rng.range(1, 3));
      if (n === count) return out(b, false, 'no change');
      b.writeInt32BE(n, OFF_RECORDS_COUNT);
      b.writeInt32BE(n - 1, OFF_LAST_OFFSET_DELTA);
      return out(fixCrc(b), true, `recordsCount ${n} (and lastOffsetDelta ${n - 1}) for ${count} records`);
    }
    case 'zeroCount': {
      const n = rng.pick([0, -1, -0x80000000]);
      b.writeInt32BE(n, OFF_RECORDS_COUNT);
      return out(fixCrc(b), true, `recordsCount ${n}`);
    }
    case 'truncated': {
      const cut = rng.range(1, b.length - 1);
      return out(b.subarray(0, cut), true, `cut to ${cut} of ${b.length} bytes`);
    }
    case 'negativeLastOffsetDelta': {
      const d = rng.pick([-1, -0x80000000, -2]);
      b.writeInt32BE(d, OFF_LAST_OFFSET_DELTA);
      return out(fixCrc(b), true, `lastOffsetDelta ${d}`);
    }
    case 'lastOffsetDeltaTooBig': {
      // Kafka refuses a client batch whose offset range does not match its record count.
      const d = rng.pick([count, count + 1000, 0x7fffffff]);
      b.writeInt32BE(d, OFF_LAST_OFFSET_DELTA);
      return out(fixCrc(b), true, `lastOffsetDelta ${d} for ${count} records`);
    }
    case 'lastOffsetDeltaTooSmall': {
      if (count < 2) {
        b.writeInt32BE(0, OFF_RECORDS_COUNT);
        return out(fixCrc(b), true, 'recordsCount 0');
      }
      b.writeInt32BE(0, OFF_LAST_OFFSET_DELTA);
      return out(fixCrc(b), true, `lastOffsetDelta 0 for ${count} records`);
    }
    case 'compressedGarbage': {
      const codec = rng.range(1, 4);
      const body = rng.bytes(rng.range(1, 64));
      const g = Buffer.concat([b.subarray(0, HEADER), body]);
      g.writeInt32BE(g.length - 12, OFF_BATCH_LENGTH);
      g.writeInt16BE(codec, OFF_ATTRIBUTES);
      // Compressed batches are stored as received (their payload is not inflated), so the
      // broker cannot see this is garbage; reported, not required.
      return out(fixCrc(g), false, `codec ${codec} with ${body.length} random bytes`);
    }
    case 'unknownCodec': {
      const codec = rng.range(5, 7);
      b.writeInt16BE(codec, OFF_ATTRIBUTES);
      return out(fixCrc(b), true, `compression codec id ${codec}`);
    }
    case 'recordVarint': {
      const r = corruptRecords(rng);
      return out(r.records, true, r.desc);
    }
    case 'trailingGarbage': {
      const extra = rng.bytes(rng.range(1, 11));
      return out(Buffer.concat([b, extra]), true, `${extra.length} bytes after the batch`);
    }
    case 'secondBatchBad': {
      const second = validBatch(rng);
      second[OFF_MAGIC] = 1;
      return out(Buffer.concat([b, second]), true, 'second batch has magic 1');
    }
    case 'controlBatch': {
      const attrs = b.readInt16BE(OFF_ATTRIBUTES) | 0x20 | (rng.chance(0.5) ? 0x10 : 0);
      b.writeInt16BE(attrs, OFF_ATTRIBUTES);
      return out(fixCrc(b), true, `attributes 0x${attrs.toString(16)} (control)`);
    }
    case 'empty':
      return out(Buffer.alloc(0), true, 'zero-length records');
  }
}
