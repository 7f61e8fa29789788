// JSON Schema compatibility as a containment question: a reader accepts what a writer
// wrote when every instance valid under the writer's schema is valid under the reader's.
// Decided structurally over the keywords that constrain data (type, properties, required,
// additionalProperties, items, enum, const, bounds, combinators); a keyword the rules do
// not model makes the pair incompatible unless both schemas carry it unchanged, so the
// answer errs towards refusing. Open content models (additionalProperties absent) mean an
// old writer may have sent any property, which is why adding a typed property to an open
// model is not backward compatible, as in Confluent's registry.
import { isDeepStrictEqual } from 'node:util';
import type { ParsedJson } from '../parse.js';

type Schema = Record<string, unknown> | boolean;

const TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];
const MODELED = new Set([
  '$schema',
  '$id',
  'id',
  'title',
  'description',
  '$comment',
  'examples',
  'default',
  'format',
  'deprecated',
  'readOnly',
  'writeOnly',
  'definitions',
  '$defs',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'pattern',
  'multipleOf',
  'uniqueItems',
  'oneOf',
  'anyOf',
  'allOf',
  '$ref',
]);

interface Ctx {
  readerRoot: Schema;
  writerRoot: Schema;
  out: string[];
  depth: number;
}

/** Empty when `reader` accepts everything `writer` accepts; otherwise why not. */
export function jsonCanRead(reader: ParsedJson, writer: ParsedJson): string[] {
  const ctx: Ctx = { readerRoot: reader.json, writerRoot: writer.json, out: [], depth: 0 };
  contains(reader.json, writer.json, '#', ctx);
  return ctx.out;
}

function obj(s: Schema): Record<string, unknown> {
  return typeof s === 'boolean' ? {} : s;
}

function deref(s: Schema, root: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 32 && typeof cur === 'object' && typeof cur.$ref === 'string' && cur.$ref.startsWith('#'); i++) {
    const path = cur.$ref
      .slice(1)
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')));
    let target: unknown = root;
    for (const p of path) target = (target as Record<string, unknown> | undefined)?.[p];
    if (target === undefined) return cur;
    const { $ref: _ref, ...rest } = cur;
    cur = Object.keys(rest).length === 0 ? (target as Schema) : { ...(target as object), ...rest };
  }
  return cur;
}

function acceptsAnything(s: Schema): boolean {
  if (s === true) return true;
  if (s === false) return false;
  return Object.keys(s).every(
    (k) =>
      !MODELED.has(k) ||
      [
        '$schema',
        '$id',
        'id',
        'title',
        'description',
        '$comment',
        'examples',
        'default',
        'deprecated',
        'definitions',
        '$defs',
      ].includes(k),
  );
}

/** The instance types a schema allows, or null for any. */
function typesOf(s: Record<string, unknown>): Set<string> | null {
  const t = s.type;
  if (t === undefined) {
    if (s.enum !== undefined || s.const !== undefined) return null;
    return null;
  }
  const list = Array.isArray(t) ? (t as string[]) : [t as string];
  const set = new Set(list);
  if (set.has('number')) set.add('integer');
  return set;
}

function contains(readerIn: Schema, writerIn: Schema, path: string, ctx: Ctx): void {
  if (ctx.depth > 64) return;
  ctx.depth++;
  try {
    const reader = deref(readerIn, ctx.readerRoot);
    const writer = deref(writerIn, ctx.writerRoot);
    if (acceptsAnything(reader) || writer === false) return;
    if (reader === false) {
      ctx.out.push(`${path}: the reader accepts nothing`);
      return;
    }
    const r = obj(reader);
    const w = obj(writer);
    // A $ref to another document (a registry reference) is compared by name, not followed.
    const external = (x: Record<string, unknown>) =>
      typeof x.$ref === 'string' && !x.$ref.startsWith('#') ? x.$ref : undefined;
    if ((external(r) !== undefined || external(w) !== undefined) && external(r) !== external(w)) {
      ctx.out.push(`${path}: REFERENCE_CHANGED`);
      return;
    }

    // Combinators: a writer's anyOf/oneOf branch must each fit; a reader's anyOf/oneOf must fit the writer whole.
    for (const k of ['anyOf', 'oneOf'] as const) {
      if (Array.isArray(w[k]) && !isDeepStrictEqual(w[k], r[k])) {
        const { [k]: branches, ...restW } = w;
        for (const [i, b] of (branches as Schema[]).entries())
          contains(r, { ...restW, ...obj(b) }, `${path}/${k}/${i}`, ctx);
        return;
      }
    }
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (r[k] !== undefined && !isDeepStrictEqual(r[k], w[k])) {
        if (k !== 'allOf' && Array.isArray(r[k])) {
          const { [k]: branches, ...restR } = r;
          const fits = (branches as Schema[]).some((b) => {
            const probe: Ctx = { ...ctx, out: [] };
            contains({ ...restR, ...obj(b) }, w, path, probe);
            return probe.out.length === 0;
          });
          if (!fits) ctx.out.push(`${path}: no ${k} branch of the reader accepts the writer's schema`);
          return;
        }
        if (k === 'allOf' && Array.isArray(r.allOf)) {
          for (const [i, b] of (r.allOf as Schema[]).entries()) contains(b, w, `${path}/allOf/${i}`, ctx);
          continue;
        }
        ctx.out.push(`${path}: ${k} changed`);
      }
    }

    // Keywords not modelled here must be unchanged.
    for (const k of new Set([...Object.keys(r), ...Object.keys(w)])) {
      if (!MODELED.has(k) && !isDeepStrictEqual(r[k], w[k])) ctx.out.push(`${path}: ${k} changed`);
    }

    const rt = typesOf(r);
    const wt = typesOf(w);
    if (rt !== null) {
      if (wt === null && w.enum === undefined && w.const === undefined) {
        ctx.out.push(`${path}: TYPE_NARROWED: the writer allowed any type, the reader only ${[...rt].join(', ')}`);
      } else if (wt !== null) {
        const missing = [...wt].filter((t) => !rt.has(t) && TYPES.includes(t));
        if (missing.length > 0) ctx.out.push(`${path}: TYPE_CHANGED: the reader does not accept ${missing.join(', ')}`);
      }
    }

    if (r.enum !== undefined) {
      const values = (w.enum as unknown[] | undefined) ?? (w.const !== undefined ? [w.const] : undefined);
      if (values === undefined) ctx.out.push(`${path}: ENUM_ADDED: the reader restricts values to an enum`);
      else {
        const missing = values.filter((v) => !(r.enum as unknown[]).some((x) => isDeepStrictEqual(x, v)));
        if (missing.length > 0)
          ctx.out.push(`${path}: ENUM_ARRAY_NARROWED: the reader lacks ${JSON.stringify(missing)}`);
      }
    }
    if (
      r.const !== undefined &&
      !isDeepStrictEqual(r.const, w.const) &&
      !(Array.isArray(w.enum) && w.enum.length === 1 && isDeepStrictEqual(w.enum[0], r.const))
    ) {
      ctx.out.push(`${path}: CONST_CHANGED`);
    }

    bounds(r, w, path, ctx);

    // Objects.
    const rProps = (r.properties ?? {}) as Record<string, Schema>;
    const wProps = (w.properties ?? {}) as Record<string, Schema>;
    const rAdd = (r.additionalProperties ?? true) as Schema;
    const wAdd = (w.additionalProperties ?? true) as Schema;
    const rReq = new Set((r.required ?? []) as string[]);
    const wReq = new Set((w.required ?? []) as string[]);
    for (const p of rReq) if (!wReq.has(p)) ctx.out.push(`${path}: REQUIRED_PROPERTY_ADDED: ${p}`);
    for (const [p, rs] of Object.entries(rProps)) {
      if (p in wProps) contains(rs, wProps[p], `${path}/properties/${p}`, ctx);
      else if (wAdd !== false) {
        // The writer's open model let it send `p` as anything the writer's additionalProperties allowed.
        const probe: Ctx = { ...ctx, out: [] };
        contains(rs, wAdd, `${path}/properties/${p}`, probe);
        if (probe.out.length > 0) ctx.out.push(`${path}: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: ${p}`);
      }
    }
    for (const [p, ws] of Object.entries(wProps)) {
      if (p in rProps) continue;
      if (rAdd === false) ctx.out.push(`${path}: PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: ${p}`);
      else contains(rAdd, ws, `${path}/properties/${p}`, ctx);
    }
    if (wAdd !== false && rAdd !== true) {
      if (rAdd === false) ctx.out.push(`${path}: ADDITIONAL_PROPERTIES_REMOVED`);
      else contains(rAdd, wAdd, `${path}/additionalProperties`, ctx);
    }

    // Arrays.
    if (r.items !== undefined && !Array.isArray(r.items)) {
      const wi = w.items === undefined ? true : Array.isArray(w.items) ? null : (w.items as Schema);
      if (wi === null) {
        if (!isDeepStrictEqual(r.items, w.items)) ctx.out.push(`${path}: ITEMS_CHANGED`);
      } else contains(r.items as Schema, wi, `${path}/items`, ctx);
    } else if (Array.isArray(r.items) && !isDeepStrictEqual(r.items, w.items)) {
      ctx.out.push(`${path}: ITEMS_CHANGED`);
    }
  } finally {
    ctx.depth--;
  }
}

/** Lower bounds may only drop and upper bounds only rise. */
function bounds(r: Record<string, unknown>, w: Record<string, unknown>, path: string, ctx: Ctx): void {
  const lows = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
  const highs = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
  for (const k of lows) {
    const rv = r[k];
    if (typeof rv !== 'number') continue;
    const wv = w[k];
    if (typeof wv !== 'number' || wv < rv) ctx.out.push(`${path}: ${k.toUpperCase()}_ADDED_OR_INCREASED`);
  }
  for (const k of highs) {
    const rv = r[k];
    if (typeof rv !== 'number') continue;
    const wv = w[k];
    if (typeof wv !== 'number' || wv > rv) ctx.out.push(`${path}: ${k.toUpperCase()}_ADDED_OR_DECREASED`);
  }
  for (const k of ['pattern', 'multipleOf', 'uniqueItems']) {
    if (r[k] !== undefined && !isDeepStrictEqual(r[k], w[k])) ctx.out.push(`${path}: ${k} changed`);
  }
}
