// Primitive encodings: exact bytes, boundaries, and rejection of malformed input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolError, Reader, Writer, concatChunks } from '../../src/protocol/index.js';

const hex = (w: Writer) => concatChunks(w.finish()).toString('hex');
const reader = (h: string) => new Reader(Buffer.from(h, 'hex'));
const throwsProtocol = (fn: () => unknown) => assert.throws(fn, ProtocolError);

describe('fixed-size integers', () => {
  test('int8/int16/int32 round-trip at their limits', () => {
    for (const v of [-128, -1, 0, 1, 127])
      assert.equal(new Reader(concatChunks(new Writer().int8(v).finish())).int8(), v);
    for (const v of [-32768, -1, 0, 255, 32767])
      assert.equal(new Reader(concatChunks(new Writer().int16(v).finish())).int16(), v);
    for (const v of [-2147483648, -1, 0, 65536, 2147483647]) {
      assert.equal(new Reader(concatChunks(new Writer().int32(v).finish())).int32(), v);
    }
  });

  test('big-endian layout', () => {
    assert.equal(hex(new Writer().int16(0x0102).int32(0x03040506)), '010203040506');
    assert.equal(hex(new Writer().int32(-2)), 'fffffffe');
  });

  test('unsigned variants', () => {
    assert.equal(reader('ffff').uint16(), 65535);
    assert.equal(reader('ffffffff').uint32(), 4294967295);
    assert.equal(hex(new Writer().uint16(65535).uint32(4294967295)), 'ffffffffffff');
  });

  test('int64 as number, including negatives and 2^53 - 1', () => {
    const cases: [number, string][] = [
      [0, '0000000000000000'],
      [-1, 'ffffffffffffffff'],
      [1, '0000000000000001'],
      [4294967296, '0000000100000000'],
      [-4294967296, 'ffffffff00000000'],
      [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
      [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
    ];
    for (const [v, h] of cases) {
      assert.equal(hex(new Writer().int64(v)), h, `write ${v}`);
      assert.equal(reader(h).int64(), v, `read ${h}`);
    }
    // Cross-check against BigInt two's complement for values around the 32-bit seams.
    for (const v of [1795233766653, -1795233766653, 4294967295, -4294967295, 2147483648, -2147483649]) {
      const h = BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
      assert.equal(hex(new Writer().int64(v)), h, `write ${v}`);
      assert.equal(reader(h).int64(), v, `read ${h}`);
    }
  });

  test('float64 and bool', () => {
    assert.equal(reader(hex(new Writer().float64(-1.5e300))).float64(), -1.5e300);
    assert.equal(hex(new Writer().bool(true).bool(false)), '0100');
    assert.equal(reader('02').bool(), true);
  });
});

describe('varints', () => {
  test('unsigned varint boundaries', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2097151, 'ffff7f'],
      [2097152, '80808001'],
      [268435455, 'ffffff7f'],
      [268435456, '8080808001'],
      [4294967295, 'ffffffff0f'],
    ];
    for (const [v, h] of cases) {
      assert.equal(hex(new Writer().uvarint(v)), h, `write ${v}`);
      assert.equal(reader(h).uvarint(), v, `read ${h}`);
    }
  });

  test('zigzag varint, including negatives and int32 limits', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-2, '03'],
      [63, '7e'],
      [-64, '7f'],
      [64, '8001'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [v, h] of cases) {
      assert.equal(hex(new Writer().varint(v)), h, `write ${v}`);
      assert.equal(reader(h).varint(), v, `read ${h}`);
    }
  });

  test('zigzag varlong up to 2^53', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-65, '8101'],
      [2147483648, '8080808010'],
    ];
    for (const [v, h] of cases) {
      assert.equal(hex(new Writer().varlong(v)), h, `write ${v}`);
      assert.equal(reader(h).varlong(), v, `read ${h}`);
    }
    for (const v of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1795233766653, -1795233766653]) {
      assert.equal(reader(hex(new Writer().varlong(v))).varlong(), v);
    }
  });

  test('varint and varlong agree with a BigInt reference on random values', () => {
    const zigzagLeb = (v: bigint) => {
      let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      let out = '';
      do {
        const byte = Number(u & 0x7fn);
        u >>= 7n;
        out += (u > 0n ? byte | 0x80 : byte).toString(16).padStart(2, '0');
      } while (u > 0n);
      return out;
    };
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const v32 = Math.floor((next() - 0.5) * 2 ** (1 + Math.floor(next() * 32)));
      assert.equal(hex(new Writer().varint(v32)), zigzagLeb(BigInt(v32)), `varint ${v32}`);
      assert.equal(reader(zigzagLeb(BigInt(v32))).varint(), v32);
      const v64 = Math.floor((next() - 0.5) * 2 ** (1 + Math.floor(next() * 53)));
      assert.equal(hex(new Writer().varlong(v64)), zigzagLeb(BigInt(v64)), `varlong ${v64}`);
      assert.equal(reader(zigzagLeb(BigInt(v64))).varlong(), v64);
    }
  });

  test('malformed varints are rejected', () => {
    throwsProtocol(() => reader('8080808080').uvarint()); // 5 continuation bytes
    throwsProtocol(() => reader('ffffffffffffffff').varint());
    throwsProtocol(() => reader('80808080808080808080').varlong()); // 10 continuation bytes
    throwsProtocol(() => reader('80').uvarint()); // truncated
    throwsProtocol(() => reader('').varint());
  });
});

describe('strings, bytes, uuid', () => {
  test('string and nullable string', () => {
    assert.equal(hex(new Writer().string('ab')), '00026162');
    assert.equal(hex(new Writer().nullableString(null)), 'ffff');
    assert.equal(hex(new Writer().string('')), '0000');
    assert.equal(reader('00026162').string(), 'ab');
    assert.equal(reader('ffff').nullableString(), null);
    assert.equal(reader(hex(new Writer().string('héllo ✓'))).string(), 'héllo ✓');
  });

  test('compact strings use length + 1', () => {
    assert.equal(hex(new Writer().compactString('ab')), '036162');
    assert.equal(hex(new Writer().compactNullableString(null)), '00');
    assert.equal(hex(new Writer().compactString('')), '01');
    assert.equal(reader('036162').compactString(), 'ab');
    assert.equal(reader('00').compactNullableString(), null);
    const long = 'x'.repeat(200);
    assert.equal(reader(hex(new Writer().compactString(long))).compactString(), long);
  });

  test('null where not allowed is rejected', () => {
    throwsProtocol(() => reader('ffff').string());
    throwsProtocol(() => reader('00').compactString());
    throwsProtocol(() => reader('ffffffff').bytes());
    throwsProtocol(() => reader('fffe').nullableString()); // -2 is not null
  });

  test('bytes are views into the frame', () => {
    const frame = Buffer.from('00000003010203ff', 'hex');
    const b = new Reader(frame).bytes();
    assert.deepEqual([...b], [1, 2, 3]);
    assert.equal(b.buffer, frame.buffer);
    assert.equal(reader('ffffffff').nullableBytes(), null);
    assert.deepEqual([...reader('03aabb').compactBytes()], [0xaa, 0xbb]);
    assert.equal(reader('00').compactNullableBytes(), null);
    assert.equal(hex(new Writer().bytes(Buffer.from([9]))), '0000000109');
    assert.equal(hex(new Writer().compactNullableBytes(null)), '00');
  });

  test('uuid <-> 22-char base64url', () => {
    assert.equal(reader('00'.repeat(16)).uuid(), 'AAAAAAAAAAAAAAAAAAAAAA');
    const raw = Buffer.from('5c2b37de0b8a44f8a2a16f41c1f3e6b7', 'hex');
    const id = new Reader(raw).uuid();
    assert.equal(id.length, 22);
    assert.equal(id, raw.toString('base64url'));
    assert.equal(hex(new Writer().uuid(id)), raw.toString('hex'));
    assert.throws(() => new Writer().uuid('not-a-uuid'), RangeError);
  });
});

describe('arrays and tagged fields', () => {
  test('int32-counted and compact arrays, with null', () => {
    const w = new Writer()
      .arrayLength(2)
      .int32(7)
      .int32(8)
      .compactArrayLength(1)
      .int16(5)
      .arrayLength(-1)
      .compactArrayLength(-1);
    const r = new Reader(concatChunks(w.finish()));
    assert.deepEqual(
      r.array((x) => x.int32(), 4),
      [7, 8],
    );
    assert.deepEqual(
      r.compactArray((x) => x.int16(), 2),
      [5],
    );
    assert.equal(
      r.nullableArray((x) => x.int32()),
      null,
    );
    assert.equal(
      r.compactNullableArray((x) => x.int32()),
      null,
    );
    assert.equal(r.remaining, 0);
  });

  test('array counts larger than the remaining bytes are rejected before reading', () => {
    let calls = 0;
    throwsProtocol(() => reader('7fffffff').array(() => calls++));
    throwsProtocol(() => reader('00000003' + '00000001').array((x) => x.int32(), 4));
    throwsProtocol(() => reader('ffffffff0f').compactArray(() => calls++));
    throwsProtocol(() => reader('fffffffe').nullableArray(() => calls++)); // -2
    assert.equal(calls, 0);
  });

  test('tagged sections: known tags are read within their size, unknown skipped', () => {
    // two fields: tag 0 (int32 7), tag 5 (3 unknown bytes), then a trailing int8
    const frame = Buffer.from('02' + '0004' + '00000007' + '0503' + 'aabbcc' + '2a', 'hex');
    const r = new Reader(frame);
    const seen: [number, number][] = [];
    r.taggedFields((tag, inner) => {
      if (tag === 0) seen.push([tag, inner.int32()]);
    });
    assert.deepEqual(seen, [[0, 7]]);
    assert.equal(r.int8(), 42);
  });

  test('a tagged field cannot read past its declared size', () => {
    const frame = Buffer.from('01' + '0002' + '0000' + '00000000', 'hex');
    throwsProtocol(() => new Reader(frame).taggedFields((_tag, inner) => inner.int32()));
    throwsProtocol(() => reader('01' + '00' + '05' + '0000').taggedFields()); // size past end
  });
});

describe('truncation', () => {
  test('every read checks the bytes left', () => {
    throwsProtocol(() => reader('').int8());
    throwsProtocol(() => reader('00').int16());
    throwsProtocol(() => reader('000000').int32());
    throwsProtocol(() => reader('00000000000000').int64());
    throwsProtocol(() => reader('00000000').float64());
    throwsProtocol(() => reader('0005616263').string());
    throwsProtocol(() => reader('0a6162').compactString());
    throwsProtocol(() => reader('00000010aabb').bytes());
    throwsProtocol(() => reader('7fffffff').bytes());
    throwsProtocol(() => reader('00'.repeat(15)).uuid());
  });

  test('a reader window is respected', () => {
    const r = new Reader(Buffer.from('0000000100000002', 'hex'), 0, 4);
    assert.equal(r.int32(), 1);
    throwsProtocol(() => r.int32());
    throwsProtocol(() => new Reader(Buffer.alloc(2), 3));
  });
});

describe('writer chunks', () => {
  test('grows geometrically and keeps earlier bytes', () => {
    const w = new Writer(4);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const buf = concatChunks(w.finish());
    assert.equal(buf.length, 4000);
    const r = new Reader(buf);
    for (let i = 0; i < 1000; i++) assert.equal(r.int32(), i);
  });

  test('large external buffers become their own chunk without a copy', () => {
    const big = Buffer.alloc(64 * 1024, 1);
    const w = new Writer(8).int32(big.length).chunk(big).int16(7);
    assert.equal(w.length, 4 + big.length + 2);
    const chunks = w.finish();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], big);
    assert.equal(concatChunks(chunks).readInt16BE(4 + big.length), 7);
  });

  test('small external buffers are copied inline', () => {
    const w = new Writer()
      .int8(1)
      .chunk(Buffer.from([2, 3]))
      .int8(4);
    const chunks = w.finish();
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]!.toString('hex'), '01020304');
  });

  test('growing after a chunk does not disturb sealed chunks', () => {
    const big = Buffer.alloc(4096, 9);
    const w = new Writer(16).int32(1).chunk(big);
    for (let i = 0; i < 100; i++) w.int32(i);
    const buf = concatChunks(w.finish());
    assert.equal(buf.readInt32BE(0), 1);
    assert.equal(buf[4 + 4095], 9);
    assert.equal(buf.readInt32BE(4 + 4096 + 99 * 4), 99);
  });
});
