// Builds deterministic pseudo-random message bodies from the schema, together with
// what decoding them at a given version must give back. Written independently of
// the codec (its own defaults and version rules) so the two can check each other.
import type { FieldSpec, VersionRange } from '../../src/protocol/index.js';

type Body = Record<string, any>;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const within = (v: number, r: VersionRange | null | undefined) => !!r && v >= r[0] && v <= r[1];
const key = (name: string) => name[0]!.toLowerCase() + name.slice(1);

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const WORDS = ['', 'a', 'topic-1', 'héllo', '✓ ok', 'x'.repeat(40)];

export class SampleBuilder {
  constructor(private readonly random: () => number) {}

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private primitive(type: string): any {
    const range = INT_RANGES[type];
    if (range) {
      // Mix small values with extremes: both stress different encoding paths.
      const pick = this.random();
      if (pick < 0.2) return range[0];
      if (pick < 0.4) return range[1];
      return this.int(Math.max(range[0], -100000), Math.min(range[1], 100000));
    }
    switch (type) {
      case 'bool':
        return this.random() < 0.5;
      case 'float64':
        return Math.round((this.random() - 0.5) * 1e9) / 1024;
      case 'string':
        return WORDS[this.int(0, WORDS.length - 1)]! + this.int(0, 999);
      case 'uuid':
        return Buffer.from(Array.from({ length: 16 }, () => this.int(0, 255))).toString('base64url');
      case 'bytes':
        return Buffer.from(Array.from({ length: this.int(0, 6) }, () => this.int(0, 255)));
      case 'records': {
        // Sometimes as several buffers, which the encoder must write back to back.
        const all = Buffer.from(Array.from({ length: this.int(2, 12) }, () => this.int(0, 255)));
        return this.random() < 0.5 ? all : [all.subarray(0, 1), all.subarray(1)];
      }
      default:
        throw new Error(`unknown primitive ${type}`);
    }
  }

  /** A value for `field` valid at `version`. */
  value(field: FieldSpec, version: number): any {
    const nullable = within(version, field.nullableVersions);
    if (nullable && this.random() < 0.2) return null;
    if (field.type.startsWith('[]')) {
      const n = this.int(1, 2);
      return Array.from({ length: n }, () =>
        field.fields ? this.struct(field.fields, version) : this.primitive(field.type.slice(2)),
      );
    }
    if (field.fields) return this.struct(field.fields, version);
    return this.primitive(field.type);
  }

  /** Every field gets a value, including ones the version lacks (they must be ignored). */
  struct(fields: readonly FieldSpec[], version: number): Body {
    const out: Body = {};
    for (const f of fields) out[key(f.name)] = this.value(f, version);
    return out;
  }
}

export function defaultOf(field: FieldSpec): any {
  if (field.default !== undefined) return field.default;
  if (field.type.startsWith('[]')) return [];
  if (field.fields) return defaultStruct(field.fields);
  switch (field.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return 0;
  }
}

export function defaultStruct(fields: readonly FieldSpec[]): Body {
  const out: Body = {};
  for (const f of fields) out[key(f.name)] = defaultOf(f);
  return out;
}

/** What decoding `body` encoded at `version` must produce. */
export function expectedAt(fields: readonly FieldSpec[], version: number, body: Body): Body {
  const out: Body = {};
  for (const f of fields) {
    const k = key(f.name);
    if (!within(version, f.versions)) {
      out[k] = defaultOf(f);
      continue;
    }
    const v = body[k];
    if (f.type === 'records' && Array.isArray(v)) out[k] = Buffer.concat(v);
    else if (v === null || !f.fields) out[k] = v;
    else if (f.type.startsWith('[]')) out[k] = v.map((e: Body) => expectedAt(f.fields!, version, e));
    else out[k] = expectedAt(f.fields, version, v);
  }
  return out;
}
