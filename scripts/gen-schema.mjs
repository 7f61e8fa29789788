#!/usr/bin/env node
// One-off generator: turns Apache Kafka's message definitions (common/message/*.json)
// into src/protocol/schema.ts. The output is committed, so the build never
// needs the definitions folder. Only wire facts are copied (names, types, version
// ranges, tags, defaults); descriptions and comments are left behind on purpose.
//
// usage: node scripts/gen-schema.mjs [messageDir] [outFile]

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const messageDir = process.argv[2] ?? '/work/shared/kafka-protocol/message';
const outFile = process.argv[3] ?? join(here, '..', 'src', 'protocol', 'schema.ts');
const recordsOutFile = join(dirname(outFile), 'record-schema.ts');
const typesOutFile = join(dirname(outFile), 'api-types.ts');

const OPEN_END = 32767;
// LeaderChangeMessage, SnapshotHeaderRecord and SnapshotFooterRecord are the values of the KRaft log's
// LEADER_CHANGE, SNAPSHOT_HEADER and SNAPSHOT_FOOTER control records.
const DATA_MESSAGES = new Set([
  'ConsumerProtocolSubscription',
  'ConsumerProtocolAssignment',
  'LeaderChangeMessage',
  'SnapshotHeaderRecord',
  'SnapshotFooterRecord',
]);
const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'uuid',
  'bytes',
  'records',
]);
const INTEGER_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64']);

// The definitions allow `//` comments, which JSON.parse does not; drop them while
// leaving `//` inside string literals (URLs in descriptions) alone.
function stripComments(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function parseVersions(spec, what) {
  if (spec === undefined) return undefined;
  const s = String(spec).trim();
  if (s === 'none') return null;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return [Number(m[1]), OPEN_END];
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^(\d+)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[1])];
  throw new Error(`bad version spec ${JSON.stringify(spec)} in ${what}`);
}

function parseDefault(type, raw, what) {
  if (raw === undefined) return undefined;
  if (raw === 'null' || raw === null) return null;
  if (type === 'bool') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
  } else if (INTEGER_TYPES.has(type)) {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (Number.isSafeInteger(n)) return n;
  } else if (type === 'float64') {
    const n = Number(raw);
    if (!Number.isNaN(n)) return n;
  } else if (type === 'string') {
    return String(raw);
  }
  throw new Error(`unsupported default ${JSON.stringify(raw)} for ${type} in ${what}`);
}

function elementType(type) {
  return type.startsWith('[]') ? type.slice(2) : type;
}

// Struct definitions may be given once (inline or in commonStructs) and referred
// to by name elsewhere in the same message; collect them so every use is inlined.
function collectStructs(message) {
  const structs = new Map();
  for (const s of message.commonStructs ?? []) structs.set(s.name, s.fields);
  const walk = (fields) => {
    for (const f of fields ?? []) {
      if (f.fields) {
        structs.set(elementType(f.type), f.fields);
        walk(f.fields);
      }
    }
  };
  walk(message.fields);
  for (const s of message.commonStructs ?? []) walk(s.fields);
  return structs;
}

function convertFields(fields, structs, where) {
  return fields.map((f) => {
    const what = `${where}.${f.name}`;
    const elem = elementType(f.type);
    const out = { name: f.name, type: f.type, versions: parseVersions(f.versions, what) };
    const nullable = parseVersions(f.nullableVersions, what);
    if (nullable) out.nullableVersions = nullable;
    if (f.tag !== undefined) {
      out.tag = f.tag;
      out.taggedVersions = parseVersions(f.taggedVersions, what);
    }
    const def = parseDefault(
      f.type.startsWith('[]') || !PRIMITIVES.has(f.type) ? 'null-only' : f.type,
      f.default,
      what,
    );
    if (def !== undefined) out.default = def;
    if (f.ignorable === true) out.ignorable = true;
    if (!PRIMITIVES.has(elem)) {
      const nested = f.fields ?? structs.get(elem);
      if (!nested) throw new Error(`unknown struct type ${f.type} in ${what}`);
      out.fields = convertFields(nested, structs, what);
    }
    return out;
  });
}

function convertMessage(message) {
  const structs = collectStructs(message);
  const spec = {
    name: message.name,
    validVersions: parseVersions(message.validVersions, message.name),
    flexibleVersions: parseVersions(message.flexibleVersions, message.name),
    fields: convertFields(message.fields ?? [], structs, message.name),
  };
  return spec;
}

// ---- rendering: one line per field, nested structs indented ----

const q = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const range = (r) => (r === null ? 'null' : `[${r[0]}, ${r[1] === OPEN_END ? 'N' : r[1]}]`);

function renderFields(fields, indent) {
  const lines = [];
  for (const f of fields) {
    let s = `${indent}{ name: ${q(f.name)}, type: ${q(f.type)}, versions: ${range(f.versions)}`;
    if (f.nullableVersions) s += `, nullableVersions: ${range(f.nullableVersions)}`;
    if (f.tag !== undefined) s += `, tag: ${f.tag}, taggedVersions: ${range(f.taggedVersions)}`;
    if (f.default !== undefined) s += `, default: ${typeof f.default === 'string' ? q(f.default) : String(f.default)}`;
    if (f.ignorable) s += ', ignorable: true';
    if (f.fields) {
      lines.push(`${s}, fields: [`);
      lines.push(...renderFields(f.fields, indent + '  '));
      lines.push(`${indent}] },`);
    } else {
      lines.push(`${s} },`);
    }
  }
  return lines;
}

function renderMessage(spec, indent) {
  return [
    `{`,
    `${indent}  name: ${q(spec.name)}, validVersions: ${range(spec.validVersions)}, flexibleVersions: ${range(spec.flexibleVersions)},`,
    `${indent}  fields: [`,
    ...renderFields(spec.fields, indent + '    '),
    `${indent}  ],`,
    `${indent}}`,
  ].join('\n');
}

function main() {
  const byKey = new Map();
  const data = [];
  for (const file of readdirSync(messageDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const message = JSON.parse(stripComments(readFileSync(join(messageDir, file), 'utf8')));
    if (message.type === 'data' && DATA_MESSAGES.has(message.name)) {
      data.push(convertMessage(message));
      continue;
    }
    if (message.type !== 'request' && message.type !== 'response') continue;
    const entry = byKey.get(message.apiKey) ?? { apiKey: message.apiKey };
    entry[message.type] = convertMessage(message);
    if (message.type === 'request') {
      entry.name = message.name.replace(/Request$/, '');
      entry.listeners = message.listeners ?? [];
      entry.latestVersionUnstable = message.latestVersionUnstable === true;
    }
    byKey.set(message.apiKey, entry);
  }

  const apis = [...byKey.values()].sort((a, b) => a.apiKey - b.apiKey);
  for (const api of apis) {
    if (!api.request || !api.response) throw new Error(`apiKey ${api.apiKey} lacks a request or response`);
  }

  // Emitted as JSON text: V8 parses JSON.parse('...') faster than an object literal,
  // which matters because the CLI loads this table on every start.
  const plainRange = (r) => (r === null ? null : [r[0], r[1] === OPEN_END ? 32767 : r[1]]);
  const plainFields = (fields) =>
    fields.map((f) => {
      const o = { name: f.name, type: f.type, versions: plainRange(f.versions) };
      if (f.nullableVersions) o.nullableVersions = plainRange(f.nullableVersions);
      if (f.tag !== undefined) {
        o.tag = Number(f.tag);
        o.taggedVersions = plainRange(f.taggedVersions);
      }
      if (f.default !== undefined) o.default = f.default;
      if (f.ignorable) o.ignorable = true;
      if (f.fields) o.fields = plainFields(f.fields);
      return o;
    });
  const plainMessage = (m) => ({
    name: m.name,
    validVersions: plainRange(m.validVersions),
    flexibleVersions: plainRange(m.flexibleVersions),
    fields: plainFields(m.fields),
  });
  const apiJson = apis.map((api) => ({
    apiKey: api.apiKey,
    name: api.name,
    listeners: api.listeners,
    ...(api.latestVersionUnstable ? { latestVersionUnstable: true } : {}),
    request: plainMessage(api.request),
    response: plainMessage(api.response),
  }));
  const dataJson = Object.fromEntries(data.map((spec) => [spec.name, plainMessage(spec)]));
  const out = [];
  out.push('// Generated by scripts/gen-schema.mjs from the Apache Kafka 3.9 message definitions.');
  out.push('// Wire facts only. Do not edit by hand: change the generator and re-run it.');
  out.push('// Open-ended version ranges ("N+") end at 32767.');
  out.push("import type { MessageSpec } from './types.js';");
  out.push('');
  // One JSON text per API, parsed on first use: a tool needs two or three APIs, and
  // parsing all of them would be a good part of its start-up.
  out.push("/** Each API's ApiSpec as JSON text, by apiKey (parse on use). */");
  out.push('export const API_JSON: Readonly<Record<number, string>> = {');
  for (const api of apiJson) out.push(`  ${api.apiKey}: ${JSON.stringify(JSON.stringify(api))},`);
  out.push('};');
  out.push('');
  out.push('/** Versioned structures carried inside other messages (group protocol metadata). */');
  out.push(
    `export const DATA_SPECS: Readonly<Record<string, MessageSpec>> = JSON.parse(${JSON.stringify(JSON.stringify(dataJson))});`,
  );
  out.push('');
  writeFileSync(outFile, out.join('\n'));
  console.log(`wrote ${outFile}: ${apis.length} APIs, ${data.length} data structures`);
  writeRecordSchemas(plainMessage);
  writeApiTypes(apis);
}

// The KRaft metadata log records (metadata/*.json) and the __consumer_offsets /
// __transaction_state records (coordinator/*.json) share the message grammar, so
// the same interpreter reads them. They go to their own file: only the broker and
// the admin paths that read those logs load it, never the CLI's start-up path.
function writeRecordSchemas(plainMessage) {
  const records = [];
  for (const kind of ['metadata', 'coordinator']) {
    const dir = join(messageDir, '..', kind);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const message = JSON.parse(stripComments(readFileSync(join(dir, file), 'utf8')));
      const spec = plainMessage(convertMessage(message));
      records.push({ kind, apiKey: message.apiKey ?? null, ...spec });
    }
  }
  const out = [];
  out.push('// Generated by scripts/gen-schema.mjs from the Apache Kafka 3.9 metadata and coordinator');
  out.push('// record definitions. Wire facts only. Do not edit by hand: change the generator and re-run it.');
  out.push("import type { MessageSpec } from './types.js';");
  out.push('');
  out.push('export interface RecordSpec extends MessageSpec {');
  out.push("  kind: 'metadata' | 'coordinator';");
  out.push("  /** The metadata record type (the frame's apiKey); null for coordinator records. */");
  out.push('  apiKey: number | null;');
  out.push('}');
  out.push('');
  out.push(
    `export const RECORD_SPECS: readonly RecordSpec[] = JSON.parse(${JSON.stringify(JSON.stringify(records))});`,
  );
  out.push('');
  writeFileSync(recordsOutFile, out.join('\n'));
  console.log(`wrote ${recordsOutFile}: ${records.length} record definitions`);
}

// ---- TypeScript types: one request and one response interface per API ----
// Each is the union over the API's versions: a field every version carries is required,
// one only some versions carry (or a tagged field) is optional. Nested structs are
// inline, so two APIs' `TopicData` never collide; reach them by indexed access
// (ProduceRequest['topicData'][number]).

const TS_PRIMITIVE = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'number',
  float64: 'number',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
};

const coversAll = (fieldVersions, valid) =>
  fieldVersions !== null && fieldVersions[0] <= valid[0] && fieldVersions[1] >= valid[1];

function tsFields(fields, valid, indent) {
  const lines = [];
  for (const f of fields) {
    const name = f.name[0].toLowerCase() + f.name.slice(1);
    const optional = f.tag !== undefined || !coversAll(f.versions, valid);
    const elem = elementType(f.type);
    let t;
    if (f.fields) t = `{\n${tsFields(f.fields, valid, indent + '  ').join('\n')}\n${indent}}`;
    else t = TS_PRIMITIVE[elem];
    if (f.type.startsWith('[]')) t = f.fields ? `Array<${t}>` : `${t}[]`;
    if (f.nullableVersions) t += ' | null';
    lines.push(`${indent}${name}${optional ? '?' : ''}: ${t};`);
  }
  return lines;
}

function writeApiTypes(apis) {
  const out = [];
  out.push('// Generated by scripts/gen-schema.mjs from the Apache Kafka 3.9 message definitions.');
  out.push('// Do not edit by hand: change the generator and re-run it.');
  out.push('');
  out.push('/** Every API by its key, as Kafka names it. */');
  out.push('export enum ApiKey {');
  for (const api of apis) out.push(`  ${api.name} = ${api.apiKey},`);
  out.push('}');
  for (const api of apis) {
    for (const kind of ['request', 'response']) {
      const spec = api[kind];
      const valid = spec.validVersions;
      out.push('');
      out.push(`/** ${spec.name}, versions ${valid[0]}-${valid[1]}. */`);
      const fields = tsFields(spec.fields, valid, '  ');
      if (fields.length === 0) {
        // A body with no fields: only the empty object.
        out.push(`export type ${spec.name} = Record<string, never>;`);
      } else {
        out.push(`export interface ${spec.name} {`);
        out.push(...fields);
        out.push('}');
      }
    }
  }
  out.push('');
  writeFileSync(typesOutFile, out.join('\n'));
  console.log(`wrote ${typesOutFile}: ${apis.length * 2} interfaces`);
}

main();
