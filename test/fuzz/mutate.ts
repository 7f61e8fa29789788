// Byte-level mutations of encoded frames, and targeted corruptions of the length
// prefixes and tagged-field sections an encoding trace located. Each targeted corruption
// says whether, from the wire format alone, no correct decoder could accept the result.
import type { Rng } from './prng.js';
import type { LengthSite, TagSection, Trace } from './schema-gen.js';

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80];
const INTERESTING_I16 = [-1, 0, 0x7fff, -2, -0x8000, 1];
const INTERESTING_I32 = [-1, 0, 0x7fffffff, -2, -0x80000000, 1, 0x10000];

function splice(buf: Buffer, start: number, end: number, insert: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([buf.subarray(0, start), insert, buf.subarray(end)]);
}

export function uvarintBytes(v: number): Buffer {
  const out: number[] = [];
  let x = v >>> 0;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
  return Buffer.from(out);
}

function readUvarint(buf: Buffer, pos: number): number {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  return result;
}

// ---------------------------------------------------------------- generator 1: blind byte mutations

export type ByteMutation = 'bitflip' | 'replace' | 'truncate' | 'insert' | 'delete' | 'duplicate' | 'int';

/** Applies 1-5 random byte-level mutations; mostly to the body, sometimes to the header. */
export function mutateBytes(payload: Buffer, bodyStart: number, rng: Rng): { payload: Buffer; ops: ByteMutation[] } {
  let buf: Buffer = Buffer.from(payload);
  const ops: ByteMutation[] = [];
  const n = rng.chance(0.6) ? 1 : rng.chance(0.6) ? 2 : rng.range(3, 5);
  const where = (len: number) => {
    if (len === 0) return 0;
    if (rng.chance(0.8) && len > bodyStart) return rng.range(bodyStart, len - 1);
    return rng.int(len);
  };
  for (let i = 0; i < n; i++) {
    const op = rng.weighted<ByteMutation>({
      bitflip: 3,
      replace: 3,
      truncate: 1,
      insert: 2,
      delete: 2,
      duplicate: 1,
      int: 3,
    });
    ops.push(op);
    switch (op) {
      case 'bitflip': {
        if (buf.length === 0) break;
        const p = where(buf.length);
        buf[p] = buf[p]! ^ (1 << rng.int(8));
        break;
      }
      case 'replace': {
        if (buf.length === 0) break;
        buf[where(buf.length)] = rng.chance(0.8) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
        break;
      }
      case 'truncate':
        buf = buf.subarray(0, where(buf.length));
        break;
      case 'insert': {
        const p = where(buf.length + 1);
        const ins = rng.chance(0.5)
          ? Buffer.from(Array.from({ length: rng.range(1, 8) }, () => rng.pick(INTERESTING_BYTES)))
          : rng.bytes(rng.range(1, 8));
        buf = splice(buf, p, p, ins);
        break;
      }
      case 'delete': {
        if (buf.length === 0) break;
        const p = where(buf.length);
        buf = splice(buf, p, Math.min(buf.length, p + rng.range(1, 8)));
        break;
      }
      case 'duplicate': {
        if (buf.length === 0) break;
        const a = rng.int(buf.length);
        const seg = Buffer.from(buf.subarray(a, Math.min(buf.length, a + rng.range(1, 32))));
        const p = where(buf.length + 1);
        buf = splice(buf, p, p, seg);
        break;
      }
      case 'int': {
        if (buf.length < 4) break;
        const p = Math.min(where(buf.length), buf.length - 4);
        if (rng.chance(0.5)) buf.writeInt16BE(rng.pick(INTERESTING_I16), p);
        else buf.writeInt32BE(rng.pick(INTERESTING_I32), p);
        break;
      }
    }
  }
  return { payload: buf, ops };
}

// ---------------------------------------------------------------- generator 4: bad lengths

export interface TargetedMutation {
  payload: Buffer;
  /** No decoder that follows the wire format may accept this frame. */
  mustReject: boolean;
  desc: string;
}

/** Rewrites one length prefix to a negative, null-where-not-nullable or past-the-end value. */
export function corruptLength(payload: Buffer, site: LengthSite, rng: Rng): TargetedMutation {
  const name = `${site.kind}@${site.pos}/${site.enc}`;
  if (site.enc === 'uv') {
    const choice = rng.int(site.nullable ? 2 : 3);
    let value: number;
    let what: string;
    if (choice === 2) {
      value = 0;
      what = 'null in a non-nullable field';
    } else if (choice === 1) {
      value = 0xffffffff;
      what = 'length 2^32-2';
    } else {
      // Past the end: more than the bytes after the prefix can hold (they do not move).
      const remaining = payload.length - site.end;
      const count = Math.floor(remaining / Math.max(1, site.elemMin)) + 1 + rng.int(3);
      return {
        payload: splice(payload, site.pos, site.end, uvarintBytes(count + 1)),
        mustReject: site.elemMin > 0,
        desc: `${name} -> ${count} (past the end)`,
      };
    }
    const bytes = uvarintBytes(value);
    return { payload: splice(payload, site.pos, site.end, bytes), mustReject: true, desc: `${name} -> ${what}` };
  }
  const out = Buffer.from(payload);
  const remaining = payload.length - site.end;
  const wide = site.enc === 'i32';
  const options: Array<[number, boolean, string]> = [
    [-2, true, 'negative'],
    [wide ? -0x80000000 : -0x8000, true, 'most negative'],
    [wide ? 0x7fffffff : 0x7fff, (wide ? 0x7fffffff : 0x7fff) * Math.max(1, site.elemMin) > remaining, 'max'],
  ];
  if (!site.nullable) options.push([-1, true, 'null in a non-nullable field']);
  const past = Math.floor(remaining / Math.max(1, site.elemMin)) + 1 + rng.int(4);
  if (past <= (wide ? 0x7fffffff : 0x7fff)) options.push([past, site.elemMin > 0, 'past the end']);
  const [value, mustReject, what] = rng.pick(options);
  if (wide) out.writeInt32BE(value, site.pos);
  else out.writeInt16BE(value, site.pos);
  return { payload: out, mustReject, desc: `${name} -> ${value} (${what})` };
}

// ---------------------------------------------------------------- generator 6: varints and tagged fields

export type TagMutation =
  | 'overlongVarint'
  | 'nonMinimalVarint'
  | 'hugeTagCount'
  | 'tagSizePastEnd'
  | 'unknownTag'
  | 'duplicateTag'
  | 'reorderTags'
  | 'shrinkTagSize'
  | 'garbageTag';

export interface TagMutationResult extends TargetedMutation {
  op: TagMutation;
  /** Unknown tags must be skipped: the frame must fare as the original did. */
  sameAsOriginal: boolean;
}

function rewriteCount(payload: Buffer, section: TagSection, count: number): { buf: Buffer; shift: number } {
  const bytes = uvarintBytes(count);
  return {
    buf: splice(payload, section.pos, section.countEnd, bytes),
    shift: bytes.length - (section.countEnd - section.pos),
  };
}

/**
 * After bytes in [start, end) (original positions) grew or shrank by `delta`, rewrites the
 * size of every tagged field whose content encloses them, innermost first, so the change
 * stays inside its field.
 */
function resizeEnclosing(buf: Buffer, trace: Trace, start: number, end: number, delta: number): Buffer {
  if (delta === 0) return buf;
  const enclosing = trace.tagSections
    .flatMap((s) => s.entries)
    .filter((e) => e.sizeEnd <= start && end <= e.end)
    .sort((a, b) => b.sizePos - a.sizePos);
  let out = buf;
  let d = delta;
  for (const e of enclosing) {
    const bytes = uvarintBytes(e.end - e.sizeEnd + d);
    out = splice(out, e.sizePos, e.sizeEnd, bytes);
    d += bytes.length - (e.sizeEnd - e.sizePos);
  }
  return out;
}

export function mutateTagged(payload: Buffer, trace: Trace, rng: Rng): TagMutationResult {
  const r = mutateTaggedRaw(payload, trace, rng);
  if (r.region)
    r.payload = resizeEnclosing(r.payload, trace, r.region[0], r.region[1], r.payload.length - payload.length);
  return r;
}

function mutateTaggedRaw(payload: Buffer, trace: Trace, rng: Rng): TagMutationResult & { region?: [number, number] } {
  const sections = trace.tagSections;
  const op = rng.weighted<TagMutation>({
    overlongVarint: 3,
    nonMinimalVarint: 1,
    hugeTagCount: 2,
    tagSizePastEnd: 2,
    unknownTag: 3,
    duplicateTag: 1,
    reorderTags: 1,
    shrinkTagSize: 1,
    garbageTag: 1,
  });
  const result = (p: Buffer, mustReject: boolean, desc: string, sameAsOriginal = false, region?: [number, number]) => ({
    payload: p,
    mustReject,
    desc: `${op}: ${desc}`,
    op,
    sameAsOriginal,
    region,
  });
  switch (op) {
    case 'overlongVarint': {
      const site = rng.pick(trace.varints);
      const k = rng.range(6, 10);
      const bytes = Buffer.alloc(k);
      for (let i = 0; i < k - 1; i++) bytes[i] = 0x80 | rng.int(128);
      bytes[k - 1] = rng.int(128);
      return result(splice(payload, site.pos, site.end, bytes), true, `${k}-byte varint at ${site.pos}`, false, [
        site.pos,
        site.end,
      ]);
    }
    case 'nonMinimalVarint': {
      const site = rng.pick(trace.varints);
      const v = readUvarint(payload, site.pos);
      if (v >= 2 ** 28) return result(payload, false, 'no change');
      const bytes = Buffer.from([
        0x80 | (v & 0x7f),
        0x80 | ((v >>> 7) & 0x7f),
        0x80 | ((v >>> 14) & 0x7f),
        0x80 | ((v >>> 21) & 0x7f),
        0,
      ]);
      return result(splice(payload, site.pos, site.end, bytes), false, `5-byte form of ${v} at ${site.pos}`, false, [
        site.pos,
        site.end,
      ]);
    }
    case 'hugeTagCount': {
      const s = rng.pick(sections);
      const remaining = payload.length - s.countEnd;
      const count = rng.pick([0xffffffff, 0x7fffffff, remaining + 1 + rng.int(100)]);
      return result(rewriteCount(payload, s, count).buf, true, `count ${count} at ${s.pos}`, false, [s.pos, s.end]);
    }
    case 'tagSizePastEnd': {
      const s = rng.pick(sections);
      const { buf, shift } = rewriteCount(payload, s, s.entries.length + 1);
      const at = s.end + shift;
      const tag = uvarintBytes(900 + rng.int(100));
      // Everything after the insertion point is all the field could cover.
      const remaining = buf.length - at;
      const size = remaining + 1 + rng.int(1000);
      return result(
        splice(buf, at, at, Buffer.concat([tag, uvarintBytes(size)])),
        true,
        `tag with size ${size} at ${at}`,
        false,
        [s.pos, s.end],
      );
    }
    case 'unknownTag': {
      const s = rng.pick(sections);
      const { buf, shift } = rewriteCount(payload, s, s.entries.length + 1);
      const tag = rng.chance(0.7) ? 1000 + rng.int(1000) : rng.pick([0x7fffffff, 0xffffffff, 100]);
      const content = rng.bytes(rng.int(24));
      // Tags are written in ascending order: an unknown tag above every known one goes last.
      const at = s.end + shift;
      const entry = Buffer.concat([uvarintBytes(tag), uvarintBytes(content.length), content]);
      const known = new Set(s.entries.map((e) => e.tag));
      return result(
        splice(buf, at, at, entry),
        false,
        `unknown tag ${tag} (${content.length} bytes) at ${at}`,
        !known.has(tag),
        [s.pos, s.end],
      );
    }
    case 'duplicateTag': {
      const withEntries = sections.filter((s) => s.entries.length > 0);
      if (withEntries.length === 0) return result(payload, false, 'no tagged field present');
      const s = rng.pick(withEntries);
      const e = rng.pick(s.entries);
      const { buf, shift } = rewriteCount(payload, s, s.entries.length + 1);
      const copy = Buffer.from(payload.subarray(e.start, e.end));
      const at = s.end + shift;
      return result(splice(buf, at, at, copy), false, `tag ${e.tag} twice`, false, [s.pos, s.end]);
    }
    case 'reorderTags': {
      const multi = sections.filter((s) => s.entries.length > 1);
      if (multi.length === 0) return result(payload, false, 'fewer than two tagged fields');
      const s = rng.pick(multi);
      const parts = s.entries.map((e) => payload.subarray(e.start, e.end)).reverse();
      return result(
        splice(payload, s.entries[0]!.start, s.end, Buffer.concat(parts)),
        false,
        'tags in descending order',
      );
    }
    case 'shrinkTagSize': {
      const withContent = sections.flatMap((s) => s.entries.filter((e) => e.end > e.sizeEnd));
      if (withContent.length === 0) return result(payload, false, 'no tagged field with content');
      const e = rng.pick(withContent);
      const size = e.end - e.sizeEnd;
      const smaller = rng.int(size);
      return result(
        splice(payload, e.sizePos, e.sizeEnd, uvarintBytes(smaller)),
        false,
        `tag ${e.tag} size ${size} -> ${smaller}`,
        false,
        [e.sizePos, e.end],
      );
    }
    case 'garbageTag': {
      const s = rng.pick(sections);
      const garbage = rng.bytes(rng.range(1, 16));
      return result(
        splice(payload, s.pos, s.end, Buffer.concat([uvarintBytes(1), garbage])),
        false,
        `tag section at ${s.pos} replaced by garbage`,
        false,
        [s.pos, s.end],
      );
    }
  }
}
