// Random, well-formed request bodies generated from the schema table, and an encoder of
// our own that writes them while recording where every length prefix, varint and
// tagged-field section sits in the frame. The generators that corrupt lengths or tagged
// fields patch exactly those places. The encoder is independent of the codec, so the
// codec decoding our bytes back to the generated value is itself a check.
import { encodeData, requestHeaderVersion, type ApiSpec, type FieldSpec } from '../../src/protocol/index.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { BROKER_CONFIGS, TOPIC_CONFIGS } from '../../src/broker/config/config-defs.js';
import type { Rng } from './prng.js';

type VersionRange = readonly [number, number];
const inRange = (v: number, r: VersionRange | null | undefined): boolean => !!r && v >= r[0] && v <= r[1];
export const jsName = (kafkaName: string): string => kafkaName[0]!.toLowerCase() + kafkaName.slice(1);
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Values the generators draw names and ids from, so requests reach real state. */
export interface Pools {
  /** Topics requests may create, change and delete. */
  topicNames: string[];
  /** Ids of existing topics (pool topics only). */
  topicIds: string[];
  groupIds: string[];
}

export function defaultPools(): Pools {
  return {
    topicNames: ['fuzz-a', 'fuzz-b', 'fz-0', 'fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5'],
    topicIds: [],
    groupIds: ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'],
  };
}

const CONFIG_NAMES = [
  ...TOPIC_CONFIGS.map((c) => c.name),
  ...BROKER_CONFIGS.filter((c) => c.dynamic).map((c) => c.name),
  'unknown.config',
  '',
  'listener.name.x.ssl.keystore.password',
];
// Values that keep the log's on-disk footprint bounded whatever config they land on.
// (and num.partitions: every auto-created topic would get that many partitions).
const SIZE_OR_TIME_CONFIGS = new Set([
  'segment.bytes',
  'log.segment.bytes',
  'segment.ms',
  'log.roll.ms',
  'segment.index.bytes',
  'log.index.size.max.bytes',
  'num.partitions',
]);
const CONFIG_VALUES = [
  '-1',
  '0',
  '1',
  '1000',
  'abc',
  '',
  ' ',
  'true',
  'false',
  'delete',
  'compact',
  'delete,compact',
  'gzip',
  'zstd',
  'LogAppendTime',
  'CreateTime',
  '1048576',
  '2147483647',
  '2147483648',
  '9223372036854775807',
  '-9223372036854775809',
  '1e3',
  ' 5 ',
  'PLAINTEXT://:1',
  'x://y:z',
  'INFO',
  'DEBUG',
  'nonsense',
  '0.5',
  'NaN',
];
const SAFE_SIZE_VALUES = ['-1', '0', 'abc', '', '1048576', '2147483647', '2147483648'];
const UNICODE = ['ü', '€', '𝄞', '日本', '\u0000', '\u007f', 'é\u0301'];

// ---------------------------------------------------------------- value generation

export interface GenOptions {
  rng: Rng;
  pools: Pools;
  apiKey: number;
  version: number;
  flexible: boolean;
}

function asciiString(rng: Rng, max: number): string {
  const n = rng.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.range(0x20, 0x7e));
  return s;
}

function anyString(o: GenOptions): string {
  const { rng } = o;
  switch (rng.int(10)) {
    case 0:
      return '';
    case 1:
      return rng.pick(o.pools.topicNames);
    case 2:
      return rng.pick(o.pools.groupIds);
    case 3: {
      let s = '';
      const n = rng.range(1, 4);
      for (let i = 0; i < n; i++) s += rng.pick(UNICODE);
      return s;
    }
    case 4:
      return rng.chance(0.9) ? 'x'.repeat(rng.range(200, 300)) : 'y'.repeat(rng.range(1000, 4000));
    case 5:
      return rng.pick(['.', '..', 'a/b', '__consumer_offsets', 'a b', 'a.b_c', 'A-Z', '-']);
    default:
      return asciiString(rng, 16);
  }
}

// Names that create state (topics, groups) come from bounded sets, so a long run does not
// grow the broker without end: what is measured is the broker, not its workload.
const ODD_NAMES = [
  '',
  '.',
  '..',
  'a/b',
  'a b',
  '__consumer_offsets',
  'ü€𝄞',
  'x'.repeat(249),
  'x'.repeat(250),
  'y'.repeat(3000),
  '\u0000',
  'A-Z_0.9',
];

function topicName(o: GenOptions): string {
  const r = o.rng.int(20);
  if (r < 17) return o.rng.pick(o.pools.topicNames);
  if (r < 19) return o.rng.pick(ODD_NAMES);
  return `rz-${o.rng.int(16)}`;
}

function groupId(o: GenOptions): string {
  const r = o.rng.int(20);
  if (r < 17) return o.rng.pick(o.pools.groupIds);
  if (r < 19) return o.rng.pick(ODD_NAMES);
  return `rg-${o.rng.int(16)}`;
}

function uuid(o: GenOptions): string {
  const { rng } = o;
  const r = rng.int(10);
  if (r === 0) return ZERO_UUID;
  if (r < 5 && o.pools.topicIds.length > 0) return rng.pick(o.pools.topicIds);
  return rng.bytes(16).toString('base64url');
}

const I32_SPECIAL = [0, 1, -1, 2, 3, 0x7fffffff, -0x80000000];
const I64_SPECIAL = [0, 1, -1, -2, -3, -4, -5, 2 ** 53 - 1, -(2 ** 63), 2 ** 32, 1e12];

function int32(rng: Rng): number {
  const r = rng.int(10);
  if (r < 4) return rng.pick(I32_SPECIAL);
  if (r < 8) return rng.int(101);
  return rng.i32();
}

function int64(rng: Rng): number {
  const r = rng.int(10);
  if (r < 4) return rng.pick(I64_SPECIAL);
  if (r < 7) return rng.int(1001);
  if (r < 8) return Date.now() - rng.int(1e9);
  return rng.i32() * 1000 + rng.int(1000);
}

/** Field-specific values by (lowercased) field name; undefined = the generic generator. */
function special(key: string, type: string, path: readonly string[], o: GenOptions): unknown {
  const { rng } = o;
  const parent = path[path.length - 1] ?? '';
  const inConfigs = parent === 'configs' || parent === 'configurationKeys';
  switch (key) {
    case 'maxWaitMs':
      return rng.pick([0, 0, 0, 1, 5, 20, 50, 100, -1]);
    case 'minBytes':
      return rng.pick([0, 1, 1, 100, 1 << 20, -1]);
    case 'timeoutMs':
      return rng.pick([0, 100, 1000, -1, 30000]);
    case 'sessionTimeoutMs':
      return rng.pick([-1, 0, 10, 5999, 6000, 10000, 1800001, 0x7fffffff]);
    case 'rebalanceTimeoutMs':
      return rng.pick([-1, 0, 10, 100, 1000, 6000, 0x7fffffff]);
    case 'acks':
      return rng.pick([-1, -1, 1, 1, 0, 2, -2]);
    case 'numPartitions':
      return rng.pick([-1, 1, 2, 3, 0, -2, 0x7fffffff, 10001, 100000]);
    case 'replicationFactor':
      return rng.pick([-1, 1, 1, 0, 2, 3, -2]);
    // Partition counts are small or over the per-request cap: creating thousands of
    // partitions is legal but slow (see the report), and would only measure the disk.
    case 'count':
      return rng.pick([1, 2, 3, 4, 5, 0, -1, 0x7fffffff, 20001, 100000]);
    case 'partitionIndex':
    case 'partition':
    case 'index':
      return type === 'int32' ? rng.pick([0, 0, 1, 2, -1, 3, 100, 0x7fffffff]) : undefined;
    case 'partitionMaxBytes':
    case 'maxBytes':
      return rng.pick([0, 1, 100, 65536, 1 << 20, 0x7fffffff, -1]);
    case 'resourceType':
      return rng.pick([2, 2, 4, 4, 8, 0, 1, 3, 32, -1, 99]);
    case 'resourceName':
      return rng.pick(['', '0', '1', 'root', ...o.pools.topicNames, anyString(o)]);
    case 'keyType':
      return rng.pick([0, 0, 1, 2, 3, -1]);
    case 'configOperation':
      return rng.pick([0, 1, 2, 3, 4, -1]);
    case 'endpointType':
      return rng.pick([1, 1, 2, 0, -1]);
    case 'isolationLevel':
      return rng.pick([0, 1, 2, -1]);
    case 'sessionId':
      return rng.pick([0, 0, 0, 1, -1]);
    case 'sessionEpoch':
      return rng.pick([-1, 0, 1, -1]);
    case 'groupId':
    case 'groupsNames':
    case 'key':
    case 'coordinatorKeys':
    case 'statesFilter':
    case 'typesFilter':
      if (type === 'string' || type === '[]string') {
        if (key === 'statesFilter') return rng.pick(['Stable', 'Empty', 'PreparingRebalance', 'dead', anyString(o)]);
        if (key === 'typesFilter') return rng.pick(['classic', 'consumer', 'CLASSIC', anyString(o)]);
        return groupId(o);
      }
      return undefined;
    case 'memberId':
      return rng.pick(['', '', 'm-1', `consumer-${rng.int(5)}`, anyString(o)]);
    case 'groupInstanceId':
      return rng.pick(['i-1', 'i-2', '', anyString(o)]);
    case 'protocolType':
      return rng.pick(['consumer', 'consumer', '', 'connect', anyString(o)]);
    case 'protocolName':
      return rng.pick(['range', 'roundrobin', 'cooperative-sticky', anyString(o)]);
    case 'name':
    case 'topic':
    case 'topicName':
    case 'topicNames':
    case 'topics':
      if (type !== 'string' && type !== '[]string') return undefined;
      if (inConfigs) return rng.pick(CONFIG_NAMES);
      if (parent === 'protocols') return rng.pick(['range', 'roundrobin', 'cooperative-sticky', anyString(o)]);
      return topicName(o);
    case 'value':
      if (inConfigs && type === 'string') {
        const name = (o as GenOptions & { lastConfigName?: string }).lastConfigName;
        return rng.pick(name !== undefined && SIZE_OR_TIME_CONFIGS.has(name) ? SAFE_SIZE_VALUES : CONFIG_VALUES);
      }
      return undefined;
    case 'configurationKeys':
      return rng.pick(CONFIG_NAMES);
    case 'groups':
      return type === '[]string' ? groupId(o) : undefined;
    case 'brokerIds':
    case 'replicas':
      return rng.pick([0, 0, 1, -1, 1000]);
    case 'metadata':
      if (type === 'bytes' && parent === 'protocols' && rng.chance(0.5)) return subscriptionBytes(o);
      return undefined;
    case 'assignment':
      if (type === 'bytes' && rng.chance(0.5)) return assignmentBytes(o);
      return undefined;
    case 'topicId':
      return uuid(o);
    default:
      return undefined;
  }
}

function withVersionPrefix(version: number, chunks: Buffer[]): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(version, 0);
  return Buffer.concat([v, ...chunks]);
}

function subscriptionBytes(o: GenOptions): Buffer {
  const { rng } = o;
  const version = rng.pick([0, 1, 2, 3, 3]);
  const topics = Array.from({ length: rng.int(3) }, () => topicName(o));
  return withVersionPrefix(
    version,
    encodeData('ConsumerProtocolSubscription', version, {
      topics,
      userData: rng.chance(0.5) ? null : rng.bytes(rng.int(8)),
      ownedPartitions: rng.chance(0.5) ? [] : [{ topic: topicName(o), partitions: [0, 1] }],
      generationId: rng.pick([-1, 0, 1]),
      rackId: rng.chance(0.5) ? null : 'r1',
    }),
  );
}

function assignmentBytes(o: GenOptions): Buffer {
  const { rng } = o;
  const version = rng.pick([0, 1, 3]);
  return withVersionPrefix(
    version,
    encodeData('ConsumerProtocolAssignment', version, {
      assignedPartitions: Array.from({ length: rng.int(3) }, () => ({ topic: topicName(o), partitions: [rng.int(3)] })),
      userData: rng.chance(0.5) ? null : rng.bytes(rng.int(8)),
    }),
  );
}

/** A valid record batch (most of the time), or none, or junk. */
export function genRecords(rng: Rng, nullable: boolean): Buffer | null {
  const r = rng.int(20);
  if (r < 6 && nullable) return null;
  if (r === 6) return Buffer.alloc(0);
  if (r === 7) return rng.bytes(rng.int(80));
  const n = rng.range(1, 3);
  const idempotent = rng.chance(0.2);
  return encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({
      key: rng.chance(0.3) ? null : `k${i}`,
      value: rng.chance(0.1) ? null : rng.bytes(rng.int(40)),
      headers: rng.chance(0.2) ? [{ key: 'h', value: rng.chance(0.5) ? null : 'v' }] : [],
    })),
    producerId: idempotent ? rng.int(3) : -1,
    producerEpoch: idempotent ? 0 : -1,
    baseSequence: idempotent ? rng.int(10) : -1,
  });
}

function primitive(type: string, nullable: boolean, o: GenOptions): unknown {
  const { rng } = o;
  switch (type) {
    case 'bool':
      return rng.chance(0.5);
    case 'int8':
      return rng.chance(0.5) ? rng.pick([0, 1, -1, 127, -128]) : (rng.u32() & 0xff) - 128;
    case 'int16':
      return rng.chance(0.6) ? rng.pick([0, 1, -1, 2, 32767, -32768, rng.int(10)]) : (rng.u32() & 0xffff) - 32768;
    case 'uint16':
      return rng.chance(0.5) ? rng.pick([0, 1, 65535]) : rng.u32() & 0xffff;
    case 'int32':
      return int32(rng);
    case 'uint32':
      return rng.chance(0.5) ? rng.pick([0, 1, 0xffffffff]) : rng.u32();
    case 'int64':
      return int64(rng);
    case 'float64':
      return rng.pick([0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, rng.float() * 1e6]);
    case 'uuid':
      return uuid(o);
    case 'string':
      if (nullable && rng.chance(0.25)) return null;
      return anyString(o);
    case 'bytes':
      if (nullable && rng.chance(0.25)) return null;
      return rng.bytes(rng.chance(0.9) ? rng.int(16) : rng.int(300));
    case 'records':
      return genRecords(rng, nullable);
    default:
      throw new Error(`unknown primitive ${type}`);
  }
}

function arrayLength(rng: Rng, depth: number): number {
  const r = rng.int(20);
  if (depth > 3) return rng.int(2);
  if (r < 4) return 0;
  if (r < 12) return 1;
  if (r < 18) return rng.range(2, 3);
  return rng.range(4, 10);
}

export function genStruct(
  fields: readonly FieldSpec[],
  o: GenOptions,
  path: readonly string[] = [],
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { version, flexible, rng } = o;
  for (const f of fields) {
    if (!inRange(version, f.versions)) continue;
    const tagged = flexible && f.tag !== undefined && inRange(version, f.taggedVersions);
    if (tagged && rng.chance(0.5)) continue;
    out[jsName(f.name)] = genField(f, o, path, depth);
  }
  return out;
}

function genField(f: FieldSpec, o: GenOptions, path: readonly string[], depth: number): unknown {
  const { rng, version } = o;
  const key = jsName(f.name);
  const nullable = inRange(version, f.nullableVersions);
  if (f.type.startsWith('[]')) {
    if (nullable && rng.chance(0.2)) return null;
    const elem = f.type.slice(2);
    const n = arrayLength(rng, depth);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      if (f.fields) {
        out.push(genStruct(f.fields, o, [...path, key], depth + 1));
      } else {
        const s = special(key, f.type, path, o);
        out.push(s !== undefined ? s : primitive(elem, false, o));
      }
    }
    return out;
  }
  if (f.fields) {
    if (nullable && rng.chance(0.3)) return null;
    return genStruct(f.fields, o, [...path, key], depth + 1);
  }
  if (nullable && f.type === 'string' && rng.chance(0.15)) return null;
  const s = special(key, f.type, path, o);
  const v = s !== undefined ? s : primitive(f.type, nullable, o);
  if (key === 'name' && path[path.length - 1] === 'configs')
    (o as GenOptions & { lastConfigName?: string }).lastConfigName = v as string;
  return v;
}

// ---------------------------------------------------------------- tracing encoder

export type LengthEncoding = 'i16' | 'i32' | 'uv';

/** A length prefix in the frame: where it is, how it is written, what it counts. */
export interface LengthSite {
  pos: number;
  /** First byte after the prefix. */
  end: number;
  enc: LengthEncoding;
  kind: 'string' | 'bytes' | 'array';
  nullable: boolean;
  /** Fewest bytes one element takes (arrays); 1 for strings and bytes. */
  elemMin: number;
}

export interface TagEntry {
  tag: number;
  start: number;
  end: number;
  /** Position and end of the size varint. */
  sizePos: number;
  sizeEnd: number;
}

export interface TagSection {
  /** Position of the count varint. */
  pos: number;
  countEnd: number;
  end: number;
  entries: TagEntry[];
}

export interface Trace {
  lengths: LengthSite[];
  varints: Array<{ pos: number; end: number }>;
  tagSections: TagSection[];
  bodyStart: number;
}

class Sink {
  buf = Buffer.allocUnsafe(256);
  len = 0;
  trace: Trace = { lengths: [], varints: [], tagSections: [], bodyStart: 0 };

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.len);
    this.len += 1;
  }
  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
  }
  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
  }
  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
  }
  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  int64(v: number): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.len);
    this.len += 8;
  }
  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  uvarint(v: number): void {
    const pos = this.len;
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.len++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.len++] = x;
    this.trace.varints.push({ pos, end: this.len });
  }

  length(enc: LengthEncoding, value: number, kind: LengthSite['kind'], nullable: boolean, elemMin: number): void {
    const pos = this.len;
    if (enc === 'i16') this.int16(value);
    else if (enc === 'i32') this.int32(value);
    else this.uvarint(value);
    this.trace.lengths.push({ pos, end: this.len, enc, kind, nullable, elemMin });
  }

  /** Appends another sink's bytes and trace. */
  append(other: Sink): void {
    const shift = this.len;
    this.raw(other.buf.subarray(0, other.len));
    for (const l of other.trace.lengths) this.trace.lengths.push({ ...l, pos: l.pos + shift, end: l.end + shift });
    for (const v of other.trace.varints) this.trace.varints.push({ pos: v.pos + shift, end: v.end + shift });
    for (const s of other.trace.tagSections) {
      this.trace.tagSections.push({
        pos: s.pos + shift,
        countEnd: s.countEnd + shift,
        end: s.end + shift,
        entries: s.entries.map((e) => ({
          tag: e.tag,
          start: e.start + shift,
          end: e.end + shift,
          sizePos: e.sizePos + shift,
          sizeEnd: e.sizeEnd + shift,
        })),
      });
    }
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

const FIXED_SIZE: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

function minSize(f: FieldSpec, version: number, flexible: boolean): number {
  if (f.type.startsWith('[]')) return flexible ? 1 : 4;
  if (f.fields) return inRange(version, f.nullableVersions) ? 1 : structMinSize(f.fields, version, flexible);
  if (f.type in FIXED_SIZE) return FIXED_SIZE[f.type]!;
  if (f.type === 'string') return flexible ? 1 : 2;
  return flexible ? 1 : 4;
}

function structMinSize(fields: readonly FieldSpec[], version: number, flexible: boolean): number {
  let n = flexible ? 1 : 0;
  for (const f of fields) {
    if (!inRange(version, f.versions)) continue;
    if (flexible && f.tag !== undefined && inRange(version, f.taggedVersions)) continue;
    n += minSize(f, version, flexible);
  }
  return n;
}

function writePrimitive(s: Sink, type: string, nullable: boolean, flexible: boolean, v: unknown): void {
  switch (type) {
    case 'bool':
      s.int8(v ? 1 : 0);
      return;
    case 'int8':
      s.int8(v as number);
      return;
    case 'int16':
      s.int16(v as number);
      return;
    case 'uint16':
      s.uint16(v as number);
      return;
    case 'int32':
      s.int32(v as number);
      return;
    case 'uint32':
      s.uint32(v as number);
      return;
    case 'int64':
      s.int64(v as number);
      return;
    case 'float64':
      s.float64(v as number);
      return;
    case 'uuid':
      s.raw(Buffer.from(v as string, 'base64url'));
      return;
    case 'string': {
      if (v === null) {
        s.length(flexible ? 'uv' : 'i16', flexible ? 0 : -1, 'string', nullable, 1);
        return;
      }
      const b = Buffer.from(v as string, 'utf8');
      s.length(flexible ? 'uv' : 'i16', flexible ? b.length + 1 : b.length, 'string', nullable, 1);
      s.raw(b);
      return;
    }
    case 'bytes':
    case 'records': {
      if (v === null) {
        s.length(flexible ? 'uv' : 'i32', flexible ? 0 : -1, 'bytes', nullable, 1);
        return;
      }
      const b = v as Buffer;
      s.length(flexible ? 'uv' : 'i32', flexible ? b.length + 1 : b.length, 'bytes', nullable, 1);
      s.raw(b);
      return;
    }
    default:
      throw new Error(`unknown primitive ${type}`);
  }
}

function writeField(s: Sink, f: FieldSpec, version: number, flexible: boolean, v: unknown): void {
  const nullable = inRange(version, f.nullableVersions);
  if (f.type.startsWith('[]')) {
    const elemMin = f.fields
      ? structMinSize(f.fields, version, flexible)
      : minSize({ ...f, type: f.type.slice(2) }, version, flexible);
    if (v === null) {
      s.length(flexible ? 'uv' : 'i32', flexible ? 0 : -1, 'array', nullable, elemMin);
      return;
    }
    const items = v as unknown[];
    s.length(flexible ? 'uv' : 'i32', flexible ? items.length + 1 : items.length, 'array', nullable, elemMin);
    for (const item of items) {
      if (f.fields) writeStruct(s, f.fields, version, flexible, item as Record<string, unknown>);
      else writePrimitive(s, f.type.slice(2), false, flexible, item);
    }
    return;
  }
  if (f.fields) {
    if (nullable) {
      if (v === null) {
        s.int8(-1);
        return;
      }
      s.int8(1);
    }
    writeStruct(s, f.fields, version, flexible, v as Record<string, unknown>);
    return;
  }
  writePrimitive(s, f.type, nullable, flexible, v);
}

function writeStruct(
  s: Sink,
  fields: readonly FieldSpec[],
  version: number,
  flexible: boolean,
  obj: Record<string, unknown>,
): void {
  const tagged: FieldSpec[] = [];
  for (const f of fields) {
    if (!inRange(version, f.versions)) continue;
    if (flexible && f.tag !== undefined && inRange(version, f.taggedVersions)) {
      if (jsName(f.name) in obj) tagged.push(f);
      continue;
    }
    writeField(s, f, version, flexible, obj[jsName(f.name)]);
  }
  if (!flexible) return;
  tagged.sort((a, b) => a.tag! - b.tag!);
  const section: TagSection = { pos: s.len, countEnd: 0, end: 0, entries: [] };
  s.uvarint(tagged.length);
  section.countEnd = s.len;
  for (const f of tagged) {
    const inner = new Sink();
    writeField(inner, f, version, flexible, obj[jsName(f.name)]);
    const start = s.len;
    s.uvarint(f.tag!);
    const sizePos = s.len;
    s.uvarint(inner.len);
    const sizeEnd = s.len;
    s.append(inner);
    section.entries.push({ tag: f.tag!, start, end: s.len, sizePos, sizeEnd });
  }
  section.end = s.len;
  s.trace.tagSections.push(section);
}

export interface EncodedFrame {
  /** The frame without its size prefix. */
  payload: Buffer;
  trace: Trace;
}

/** Header (v0-v2 as the API and version require) + body, with the positions of interest. */
export function encodeFrame(
  api: ApiSpec,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Record<string, unknown>,
): EncodedFrame {
  const s = new Sink();
  s.int16(api.apiKey);
  s.int16(version);
  s.int32(correlationId);
  const headerVersion = requestHeaderVersion(api.apiKey, version);
  if (headerVersion >= 1) {
    // The header's client id is an int16-length string even in flexible versions.
    if (clientId === null) s.length('i16', -1, 'string', true, 1);
    else {
      const b = Buffer.from(clientId, 'utf8');
      s.length('i16', b.length, 'string', true, 1);
      s.raw(b);
    }
  }
  if (headerVersion >= 2) {
    const pos = s.len;
    s.uvarint(0);
    s.trace.tagSections.push({ pos, countEnd: s.len, end: s.len, entries: [] });
  }
  s.trace.bodyStart = s.len;
  writeStruct(s, api.request.fields, version, isFlexibleVersion(api, version), body);
  return { payload: s.bytes(), trace: s.trace };
}

export function isFlexibleVersion(api: ApiSpec, version: number): boolean {
  return inRange(version, api.request.flexibleVersions);
}

export function genBody(api: ApiSpec, version: number, rng: Rng, pools: Pools): Record<string, unknown> {
  return genStruct(api.request.fields, {
    rng,
    pools,
    apiKey: api.apiKey,
    version,
    flexible: isFlexibleVersion(api, version),
  });
}

export function genClientId(rng: Rng): string | null {
  return rng.pick(['fuzz', 'fuzz', '', null, 'x'.repeat(rng.int(100)), '𝄞']);
}

// ---------------------------------------------------------------- decoded-vs-generated

/**
 * Compares the codec's decoding of our bytes with the value we generated, field by
 * field (fields we left out take defaults and are not compared). Returns the path of
 * the first difference, or null.
 */
export function diffDecoded(expected: unknown, actual: unknown, path = 'body'): string | null {
  if (expected === null || typeof expected !== 'object') {
    if (typeof expected === 'number' && typeof actual === 'number') {
      return Object.is(expected, actual) || (expected === 0 && actual === 0)
        ? null
        : `${path}: ${expected} != ${actual}`;
    }
    return expected === actual ? null : `${path}: ${JSON.stringify(expected)} != ${JSON.stringify(actual)}`;
  }
  if (Buffer.isBuffer(expected)) {
    return Buffer.isBuffer(actual) && expected.equals(actual) ? null : `${path}: bytes differ`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${path}: array length ${expected.length} != ${Array.isArray(actual) ? actual.length : typeof actual}`;
    for (let i = 0; i < expected.length; i++) {
      const d = diffDecoded(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (actual === null || typeof actual !== 'object') return `${path}: object != ${JSON.stringify(actual)}`;
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    const d = diffDecoded(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}
