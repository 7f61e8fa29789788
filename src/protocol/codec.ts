// One schema-driven interpreter for every Kafka message and version.
//
// For each (api, version, request|response) the field tree in schema.ts is
// compiled once, on first use, into a reader and a writer per struct. Version
// ranges, nullability and flexible (compact + tagged) encodings are resolved at
// compile time, so decoding or encoding a message runs no per-field checks.

import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { API_JSON, DATA_SPECS } from './schema.js';
import type { ApiSpec, FieldSpec, MessageBody, MessageKind, MessageSpec, RecordsValue, VersionRange } from './types.js';
import { Writer, chunksLength } from './writer.js';

export { concatChunks } from './writer.js';

/** Kafka's Uuid.ZERO_UUID as rendered by Uuid.toString. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const EMPTY_BUFFER = Buffer.alloc(0);
const EMPTY_OBJECT: MessageBody = Object.freeze({});
const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);

type Read = (r: Reader) => any;
/** Writers accept undefined (-> default) and, where not nullable, null (-> default). */
type Write = (w: Writer, v: any) => void;

interface ValueCodec {
  read: Read;
  write: Write;
  /** A fresh default value (arrays and structs must not be shared between decodes). */
  makeDefault: () => unknown;
  /** Whether a tagged field holding this value can be left out. */
  isDefault: (v: unknown) => boolean;
  /** Fewest bytes one value can take; bounds array counts read from the wire. */
  minSize: number;
}

export interface CompiledMessage {
  readonly flexible: boolean;
  readonly read: (r: Reader) => MessageBody;
  readonly write: (w: Writer, body: object) => void;
}

const inRange = (v: number, r: VersionRange | null | undefined): boolean => !!r && v >= r[0] && v <= r[1];

const jsName = (kafkaName: string): string => kafkaName[0]!.toLowerCase() + kafkaName.slice(1);

// ---------------------------------------------------------------- primitives

function naturalDefault(type: string): unknown {
  switch (type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return EMPTY_BUFFER;
    case 'records':
      return null;
    default:
      return 0;
  }
}

function fixedCodec(type: string, def: any): ValueCodec {
  const isDefault = (v: unknown) => v == null || v === def;
  const base = { makeDefault: () => def, isDefault };
  switch (type) {
    case 'bool':
      return { ...base, minSize: 1, read: (r) => r.bool(), write: (w, v) => w.bool(v ?? def) };
    case 'int8':
      return { ...base, minSize: 1, read: (r) => r.int8(), write: (w, v) => w.int8(v ?? def) };
    case 'int16':
      return { ...base, minSize: 2, read: (r) => r.int16(), write: (w, v) => w.int16(v ?? def) };
    case 'uint16':
      return { ...base, minSize: 2, read: (r) => r.uint16(), write: (w, v) => w.uint16(v ?? def) };
    case 'int32':
      return { ...base, minSize: 4, read: (r) => r.int32(), write: (w, v) => w.int32(v ?? def) };
    case 'uint32':
      return { ...base, minSize: 4, read: (r) => r.uint32(), write: (w, v) => w.uint32(v ?? def) };
    case 'int64':
      return { ...base, minSize: 8, read: (r) => r.int64(), write: (w, v) => w.int64(v ?? def) };
    case 'float64':
      return { ...base, minSize: 8, read: (r) => r.float64(), write: (w, v) => w.float64(v ?? def) };
    case 'uuid':
      return { ...base, minSize: 16, read: (r) => r.uuid(), write: (w, v) => w.uuid(v ?? def) };
    default:
      throw new Error(`not a fixed-size type: ${type}`);
  }
}

function stringCodec(flexible: boolean, nullable: boolean, def: string | null): ValueCodec {
  const fallback = def ?? '';
  const isDefault = (v: unknown) => v === undefined || v === def || (v === null && !nullable);
  const minSize = flexible ? 1 : 2;
  const makeDefault = () => def;
  if (nullable) {
    return flexible
      ? {
          makeDefault,
          isDefault,
          minSize,
          read: (r) => r.compactNullableString(),
          write: (w, v) => w.compactNullableString(v === undefined ? def : v),
        }
      : {
          makeDefault,
          isDefault,
          minSize,
          read: (r) => r.nullableString(),
          write: (w, v) => w.nullableString(v === undefined ? def : v),
        };
  }
  return flexible
    ? {
        makeDefault,
        isDefault,
        minSize,
        read: (r) => r.compactString(),
        write: (w, v) => w.compactString(v ?? fallback),
      }
    : { makeDefault, isDefault, minSize, read: (r) => r.string(), write: (w, v) => w.string(v ?? fallback) };
}

function bytesCodec(flexible: boolean, nullable: boolean, def: Buffer | null): ValueCodec {
  const isDefault = (v: unknown) =>
    v === undefined || (v === null ? !nullable || def === null : def !== null && (v as Buffer).length === 0);
  const minSize = flexible ? 1 : 4;
  const makeDefault = () => def;
  if (nullable) {
    return flexible
      ? {
          makeDefault,
          isDefault,
          minSize,
          read: (r) => r.compactNullableBytes(),
          write: (w, v) => w.compactNullableBytes(v === undefined ? def : v),
        }
      : {
          makeDefault,
          isDefault,
          minSize,
          read: (r) => r.nullableBytes(),
          write: (w, v) => w.nullableBytes(v === undefined ? def : v),
        };
  }
  return flexible
    ? {
        makeDefault,
        isDefault,
        minSize,
        read: (r) => r.compactBytes(),
        write: (w, v) => w.compactBytes(v ?? EMPTY_BUFFER),
      }
    : { makeDefault, isDefault, minSize, read: (r) => r.bytes(), write: (w, v) => w.bytes(v ?? EMPTY_BUFFER) };
}

/** `records`: decoded as a view into the frame; encoded from one buffer or several, unjoined. */
/** A length (or null as -1) in the compact (uvarint n+1) or classic (int32) form. */
function writeLength(w: Writer, flexible: boolean, n: number): void {
  if (flexible) w.uvarint(n + 1);
  else w.int32(n);
}

function recordsCodec(flexible: boolean, nullable: boolean): ValueCodec {
  const writeRecords = (w: Writer, v: RecordsValue | undefined) => {
    if (v == null) {
      writeLength(w, flexible, nullable ? -1 : 0);
      return;
    }
    if (Buffer.isBuffer(v)) {
      writeLength(w, flexible, v.length);
      w.chunk(v);
      return;
    }
    writeLength(w, flexible, chunksLength(v));
    for (const part of v) w.chunk(part);
  };
  const read: Read = flexible
    ? nullable
      ? (r) => r.compactNullableBytes()
      : (r) => r.compactBytes()
    : nullable
      ? (r) => r.nullableBytes()
      : (r) => r.bytes();
  return {
    read,
    write: writeRecords,
    makeDefault: () => null,
    isDefault: (v) => v == null,
    minSize: flexible ? 1 : 4,
  };
}

// ---------------------------------------------------------------- arrays and structs

function arrayCodec(element: ValueCodec, flexible: boolean, nullable: boolean, defaultIsNull: boolean): ValueCodec {
  const readElement = element.read;
  const writeElement = element.write;
  const minElement = element.minSize;
  const read: Read = flexible
    ? nullable
      ? (r) => r.compactNullableArray(readElement, minElement)
      : (r) => r.compactArray(readElement, minElement)
    : nullable
      ? (r) => r.nullableArray(readElement, minElement)
      : (r) => r.array(readElement, minElement);
  const write: Write = (w, v) => {
    if (v === undefined) v = defaultIsNull ? null : EMPTY_ARRAY;
    if (v === null) {
      writeLength(w, flexible, nullable ? -1 : 0);
      return;
    }
    const n = v.length;
    writeLength(w, flexible, n);
    for (let i = 0; i < n; i++) writeElement(w, v[i]);
  };
  return {
    read,
    write,
    makeDefault: defaultIsNull ? () => null : () => [],
    isDefault: (v) =>
      v === undefined || (v === null ? !nullable || defaultIsNull : !defaultIsNull && (v as unknown[]).length === 0),
    minSize: flexible ? 1 : 4,
  };
}

interface TaggedSlot {
  tag: number;
  key: string;
  codec: ValueCodec;
}

function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean): ValueCodec {
  const keys: string[] = [];
  const steps: Read[] = [];
  const writeKeys: string[] = [];
  const writers: Write[] = [];
  const allCodecs: { key: string; codec: ValueCodec }[] = [];
  const tagged: TaggedSlot[] = [];
  let minSize = flexible ? 1 : 0;

  for (const field of fields) {
    const key = jsName(field.name);
    const codec = compileField(field, version, flexible);
    allCodecs.push({ key, codec });
    keys.push(key);
    const present = inRange(version, field.versions);
    if (present && flexible && field.tag !== undefined && inRange(version, field.taggedVersions)) {
      tagged.push({ tag: field.tag, key, codec });
      steps.push(codec.makeDefault);
    } else if (present) {
      steps.push(codec.read);
      writeKeys.push(key);
      writers.push(codec.write);
      minSize += codec.minSize;
    } else {
      steps.push(codec.makeDefault);
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);

  const readTags = compileTaggedReader(tagged);
  const writeTags = compileTaggedWriter(tagged);

  const read = generate<Read>(
    ['steps', 'readTags'],
    `return function read(r) {
      const o = { ${keys.map((k, i) => `${JSON.stringify(k)}: steps[${i}](r)`).join(', ')} };
      ${flexible ? 'r.taggedFields(readTags, o);' : ''}
      return o;
    };`,
    steps,
    readTags,
  );
  const write = generate<Write>(
    ['writers', 'writeTags', 'EMPTY'],
    `return function write(w, v) {
      const o = v == null ? EMPTY : v;
      ${writeKeys.map((k, i) => `writers[${i}](w, o[${JSON.stringify(k)}]);`).join('\n')}
      ${flexible ? 'writeTags(w, o);' : ''}
    };`,
    writers,
    writeTags,
    EMPTY_OBJECT,
  );
  const makeDefault = () => {
    const o: MessageBody = {};
    for (const { key, codec } of allCodecs) o[key] = codec.makeDefault();
    return o;
  };
  const isDefault = (v: unknown) => {
    if (v == null) return true;
    for (const { key, codec } of allCodecs) if (!codec.isDefault((v as MessageBody)[key])) return false;
    return true;
  };
  return { read, write, makeDefault, isDefault, minSize };
}

/**
 * Builds a function from source so that decoded objects come out of one object
 * literal (a single stable shape) and field accesses are constant property names;
 * both are markedly faster than keyed loops. Only our own field names (JSON-quoted)
 * reach the source text.
 */
function generate<T>(params: string[], body: string, ...args: unknown[]): T {
  return new Function(...params, body)(...args) as T;
}

function compileTaggedReader(tagged: readonly TaggedSlot[]): (tag: number, r: Reader, o: MessageBody) => void {
  const byTag = new Map(tagged.map((t) => [t.tag, t]));
  return (tag, r, o) => {
    const slot = byTag.get(tag);
    if (slot !== undefined) o[slot.key] = slot.codec.read(r);
  };
}

function compileTaggedWriter(tagged: readonly TaggedSlot[]): (w: Writer, o: MessageBody) => void {
  if (tagged.length === 0) return (w) => void w.uvarint(0);
  return (w, o) => {
    let count = 0;
    for (const t of tagged) if (!t.codec.isDefault(o[t.key])) count++;
    w.uvarint(count);
    if (count === 0) return;
    for (const t of tagged) {
      const v = o[t.key];
      if (t.codec.isDefault(v)) continue;
      // The size prefix comes first, so encode the value aside; tagged values are small.
      const scratch = new Writer(64);
      t.codec.write(scratch, v);
      const parts = scratch.finish();
      w.uvarint(t.tag).uvarint(chunksLength(parts));
      for (const p of parts) w.raw(p);
    }
  };
}

function compileField(field: FieldSpec, version: number, flexible: boolean): ValueCodec {
  const nullable = inRange(version, field.nullableVersions);
  const type = field.type;
  if (type.startsWith('[]')) {
    const elementType = type.slice(2);
    const element = field.fields
      ? compileStruct(field.fields, version, flexible)
      : compilePrimitive(elementType, flexible, false, naturalDefault(elementType));
    return arrayCodec(element, flexible, nullable, field.default === null);
  }
  if (field.fields)
    return structFieldCodec(compileStruct(field.fields, version, flexible), nullable, field.default === null);
  const def = field.default !== undefined ? field.default : naturalDefault(type);
  return compilePrimitive(type, flexible, nullable, def);
}

function compilePrimitive(type: string, flexible: boolean, nullable: boolean, def: unknown): ValueCodec {
  switch (type) {
    case 'string':
      return stringCodec(flexible, nullable, def as string | null);
    case 'bytes':
      return bytesCodec(flexible, nullable, def as Buffer | null);
    case 'records':
      return recordsCodec(flexible, nullable);
    default:
      return fixedCodec(type, def);
  }
}

/** A struct-typed (non-array) field; nullable ones carry an int8 presence marker. */
function structFieldCodec(struct: ValueCodec, nullable: boolean, defaultIsNull: boolean): ValueCodec {
  const makeDefault = defaultIsNull ? () => null : struct.makeDefault;
  const isDefault = (v: unknown) =>
    defaultIsNull ? v == null : v === undefined || (v === null ? !nullable : struct.isDefault(v));
  if (!nullable) {
    return { read: struct.read, write: struct.write, makeDefault, isDefault, minSize: struct.minSize };
  }
  const structRead = struct.read;
  const structWrite = struct.write;
  return {
    read: (r) => (r.int8() < 0 ? null : structRead(r)),
    write: (w, v) => {
      if (v === undefined && defaultIsNull) v = null;
      if (v === null) {
        w.int8(-1);
      } else {
        w.int8(1);
        structWrite(w, v);
      }
    },
    makeDefault,
    isDefault,
    minSize: 1,
  };
}

// ---------------------------------------------------------------- message lookup and cache

// Each API's entry is parsed from the schema's JSON text the first time it is used.
const API_BY_KEY: (ApiSpec | undefined)[] = [];

function apiByKey(apiKey: number): ApiSpec | undefined {
  const parsed = API_BY_KEY[apiKey];
  if (parsed !== undefined) return parsed;
  const text = Number.isInteger(apiKey) && Object.hasOwn(API_JSON, apiKey) ? API_JSON[apiKey] : undefined;
  if (text === undefined) return undefined;
  return (API_BY_KEY[apiKey] = JSON.parse(text) as ApiSpec);
}

let allApis: readonly ApiSpec[] | undefined;

const requestCache: (CompiledMessage | undefined)[][] = [];
const responseCache: (CompiledMessage | undefined)[][] = [];
const dataCache = new Map<string, CompiledMessage>();

function compileMessage(spec: MessageSpec, version: number): CompiledMessage {
  const flexible = inRange(version, spec.flexibleVersions);
  const struct = compileStruct(spec.fields, version, flexible);
  return { flexible, read: struct.read, write: struct.write };
}

/** The compiled codec for one API message version; throws ProtocolError if unknown. */
export function compiledMessage(apiKey: number, version: number, kind: MessageKind): CompiledMessage {
  const cache = kind === 'request' ? requestCache : responseCache;
  const hit = cache[apiKey]?.[version];
  if (hit !== undefined) return hit;
  const api = apiByKey(apiKey);
  if (api === undefined) throw new ProtocolError(`unknown apiKey ${apiKey}`);
  const spec = api[kind];
  if (!Number.isInteger(version) || !inRange(version, spec.validVersions)) {
    throw new ProtocolError(
      `${api.name} ${kind} version ${version} is not supported (valid ${spec.validVersions[0]}-${spec.validVersions[1]})`,
    );
  }
  const compiled = compileMessage(spec, version);
  (cache[apiKey] ??= [])[version] = compiled;
  return compiled;
}

function compiledData(name: string, version: number): CompiledMessage {
  const cacheKey = `${name}/${version}`;
  const hit = dataCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const spec = Object.hasOwn(DATA_SPECS, name) ? DATA_SPECS[name] : undefined;
  if (spec === undefined) throw new ProtocolError(`unknown data structure ${name}`);
  // Newer versions of these structures only append fields, so a version above
  // the known range is read as the newest one we know.
  if (!Number.isInteger(version) || version < spec.validVersions[0]) {
    throw new ProtocolError(`${name} version ${version} is not supported`);
  }
  const compiled = compileMessage(spec, Math.min(version, spec.validVersions[1]));
  dataCache.set(cacheKey, compiled);
  return compiled;
}

const specCache = new WeakMap<MessageSpec, CompiledMessage[]>();

/** The compiled codec for a spec that is not an API message (log records, for one). */
export function compiledSpec(spec: MessageSpec, version: number): CompiledMessage {
  let byVersion = specCache.get(spec);
  if (byVersion === undefined) specCache.set(spec, (byVersion = []));
  const hit = byVersion[version];
  if (hit !== undefined) return hit;
  if (!Number.isInteger(version) || !inRange(version, spec.validVersions)) {
    throw new ProtocolError(`${spec.name} version ${version} is not supported`);
  }
  return (byVersion[version] = compileMessage(spec, version));
}

// ---------------------------------------------------------------- public API

export function decodeRequest(apiKey: number, version: number, buf: Buffer, offset = 0): MessageBody {
  return compiledMessage(apiKey, version, 'request').read(new Reader(buf, offset));
}

export function decodeResponse(apiKey: number, version: number, buf: Buffer, offset = 0): MessageBody {
  return compiledMessage(apiKey, version, 'response').read(new Reader(buf, offset));
}

/** Body only (no header, no size prefix), as chunks to be written in order. */
export function encodeRequest(apiKey: number, version: number, body: object): Buffer[] {
  const w = new Writer();
  compiledMessage(apiKey, version, 'request').write(w, body);
  return w.finish();
}

export function encodeResponse(apiKey: number, version: number, body: object): Buffer[] {
  const w = new Writer();
  compiledMessage(apiKey, version, 'response').write(w, body);
  return w.finish();
}

/** Decodes ConsumerProtocolSubscription / ConsumerProtocolAssignment (without their int16 version prefix). */
export function decodeData(name: string, version: number, buf: Buffer, offset = 0): MessageBody {
  return compiledData(name, version).read(new Reader(buf, offset));
}

export function encodeData(name: string, version: number, body: object): Buffer[] {
  const w = new Writer();
  compiledData(name, version).write(w, body);
  return w.finish();
}

export function isFlexible(apiKey: number, version: number, kind: MessageKind): boolean {
  const api = apiByKey(apiKey);
  return api !== undefined && inRange(version, api[kind].flexibleVersions);
}

/** Schema entry of an API (name, valid and flexible versions, fields), or undefined. */
export function apiSpec(apiKey: number): ApiSpec | undefined {
  return apiByKey(apiKey);
}

/** Every API the schema knows, in apiKey order. */
export function allApiSpecs(): readonly ApiSpec[] {
  allApis ??= Object.keys(API_JSON)
    .map(Number)
    .sort((a, b) => a - b)
    .map((apiKey) => apiByKey(apiKey)!);
  return allApis;
}
