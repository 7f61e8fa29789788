// Parses AVRO, JSON Schema and PROTOBUF schema text with their libraries (avsc, ajv,
// protobufjs). References are parsed first, into the same namespace as the schema.
import avro from 'avsc';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft7 from 'ajv/dist/ajv.js';
import Ajv2019 from 'ajv/dist/2019.js';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { SchemaParseError, type SchemaSource } from './types.js';

export interface ParsedAvro {
  type: 'AVRO';
  avro: avro.Type;
  /** The schema as JSON, for the compatibility rules that read it. */
  json: unknown;
  /** The same schema with every union value wrapped ({"string": "x"}), Avro's JSON encoding; built on first use. */
  wrapped: () => avro.Type;
}

export interface ParsedJson {
  type: 'JSON';
  json: Record<string, unknown> | boolean;
  /** Validates an instance; errors as one line each. */
  validate: (value: unknown) => string | null;
}

export interface ParsedProtobuf {
  type: 'PROTOBUF';
  root: protobuf.Root;
  /** The schema file's own package and top-level messages, in file order. */
  packageName: string;
  messages: protobuf.Type[];
  syntax: string;
}

export type ParsedSchema = ParsedAvro | ParsedJson | ParsedProtobuf;

export function parseSchema(src: SchemaSource): ParsedSchema {
  switch (src.schemaType) {
    case 'AVRO':
      return parseAvro(src);
    case 'JSON':
      return parseJsonSchema(src);
    case 'PROTOBUF':
      return parseProtobuf(src);
    default:
      throw new SchemaParseError(`Unknown schema type ${String((src as SchemaSource).schemaType)}`);
  }
}

function jsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SchemaParseError(`${what} is not JSON: ${(err as Error).message}`);
  }
}

function parseAvro(src: SchemaSource): ParsedAvro {
  const registry: Record<string, avro.Type> = {};
  try {
    for (const dep of src.dependencies ?? [])
      avro.Type.forSchema(jsonText(dep.schema, `Reference ${dep.name}`) as avro.Schema, { registry });
  } catch (err) {
    if (err instanceof SchemaParseError) throw err;
    throw new SchemaParseError(`reference: ${(err as Error).message}`);
  }
  // Avro allows a bare primitive name, which is not JSON: "string" is JSON, string is not.
  const trimmed = src.schema.trim();
  const json = /^[A-Za-z_][\w.]*$/.test(trimmed) ? trimmed : jsonText(trimmed, 'Avro schema');
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema, { registry });
  } catch (err) {
    throw new SchemaParseError((err as Error).message);
  }
  let wrapped: avro.Type | undefined;
  const wrappedType = () => {
    if (!wrapped) {
      const wrappedRegistry: Record<string, avro.Type> = {};
      for (const dep of src.dependencies ?? [])
        avro.Type.forSchema(JSON.parse(dep.schema) as avro.Schema, { registry: wrappedRegistry, wrapUnions: true });
      wrapped = avro.Type.forSchema(json as avro.Schema, { registry: wrappedRegistry, wrapUnions: true });
    }
    return wrapped;
  };
  return { type: 'AVRO', avro: type, json, wrapped: wrappedType };
}

type AjvLike = {
  compile(s: unknown): ((v: unknown) => boolean) & { errors?: unknown[] | null };
  addSchema(s: unknown, key?: string): unknown;
  errorsText(e?: unknown): string;
};

function ajvFor(schema: unknown): AjvLike {
  const dialect =
    typeof schema === 'object' && schema !== null ? String((schema as { $schema?: unknown }).$schema ?? '') : '';
  const opts = { strict: false, allErrors: false, validateFormats: false };
  // Drafts 4 and 6 are read as draft 7, their nearest relative ajv supports.
  if (dialect.includes('2020-12')) return new Ajv2020.default(opts) as unknown as AjvLike;
  if (dialect.includes('2019-09')) return new Ajv2019.default(opts) as unknown as AjvLike;
  return new AjvDraft7.default(opts) as unknown as AjvLike;
}

/** Draft-4/6 `$schema` URIs that ajv does not know would fail compilation; ajv treats them as draft 7. */
function withoutUnknownDialect(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const dialect = (schema as { $schema?: unknown }).$schema;
  if (typeof dialect === 'string' && /draft-0[346]/.test(dialect)) {
    const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
    return rest;
  }
  return schema;
}

function parseJsonSchema(src: SchemaSource): ParsedJson {
  const json = jsonText(src.schema, 'JSON schema');
  if (typeof json !== 'boolean' && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    throw new SchemaParseError('A JSON schema is an object or a boolean');
  }
  const ajv = ajvFor(json);
  try {
    for (const dep of src.dependencies ?? [])
      ajv.addSchema(withoutUnknownDialect(jsonText(dep.schema, `Reference ${dep.name}`)), dep.name);
    const fn = ajv.compile(withoutUnknownDialect(json));
    const validate = (value: unknown) => (fn(value) ? null : ajv.errorsText(fn.errors));
    return { type: 'JSON', json: json as Record<string, unknown> | boolean, validate };
  } catch (err) {
    if (err instanceof SchemaParseError) throw err;
    throw new SchemaParseError((err as Error).message);
  }
}

/**
 * Confluent's registries also take a PROTOBUF schema as a base64 FileDescriptorProto
 * (confluent-kafka-python's serializer registers it that way).
 */
function isBase64Descriptor(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

function decodeDescriptor(
  text: string,
): protobuf.Message & { package?: string; name?: string; messageType?: Array<{ name: string }> } {
  return descriptor.FileDescriptorProto.decode(Buffer.from(text.trim(), 'base64')) as never;
}

function parseProtobufDescriptor(src: SchemaSource): ParsedProtobuf {
  try {
    const files = [
      ...(src.dependencies ?? []).filter((d) => isBase64Descriptor(d.schema)).map((d) => decodeDescriptor(d.schema)),
      decodeDescriptor(src.schema),
    ];
    const own = files[files.length - 1];
    const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown, o: unknown): protobuf.Root }).fromDescriptor(
      { file: files },
      { keepCase: true },
    );
    root.resolveAll();
    const pkg = own.package ?? '';
    const messages = (own.messageType ?? []).map((m) => root.lookupType(pkg ? `${pkg}.${m.name}` : m.name));
    const syntax = (own as { syntax?: string }).syntax || 'proto2';
    return { type: 'PROTOBUF', root, packageName: pkg, messages, syntax };
  } catch (err) {
    throw new SchemaParseError(`a base64 FileDescriptorProto that does not decode: ${(err as Error).message}`);
  }
}

function parseProtobuf(src: SchemaSource): ParsedProtobuf {
  if (isBase64Descriptor(src.schema)) return parseProtobufDescriptor(src);
  const root = new protobuf.Root();
  try {
    for (const dep of src.dependencies ?? []) {
      // Well-known types (google/protobuf/*.proto) are built into protobufjs's common definitions.
      if (dep.name.startsWith('google/protobuf/')) continue;
      protobuf.parse(dep.schema, root, { keepCase: true });
    }
    const parsed = protobuf.parse(src.schema, root, { keepCase: true });
    addWellKnownTypes(root, [src.schema, ...(src.dependencies ?? []).map((d) => d.schema)]);
    root.resolveAll();
    const pkg = parsed.package ?? '';
    const ns = pkg ? root.lookup(pkg) : root;
    const messages = collectTopLevel(ns, src.schema);
    const syntax = /^\s*syntax\s*=\s*"(proto[23])"/m.exec(src.schema)?.[1] ?? 'proto2';
    return { type: 'PROTOBUF', root, packageName: pkg, messages, syntax };
  } catch (err) {
    throw new SchemaParseError((err as Error).message);
  }
}

/** Imports of google/protobuf/*.proto need no reference: protobufjs ships their definitions. */
function addWellKnownTypes(root: protobuf.Root, texts: string[]): void {
  const common = protobuf.common as unknown as { get(file: string): { nested?: Record<string, unknown> } | null };
  const added = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/import\s+(?:public\s+|weak\s+)?"(google\/protobuf\/[\w/]+\.proto)"/g)) {
      if (added.has(m[1])) continue;
      added.add(m[1]);
      const json = common.get(m[1]);
      try {
        if (json?.nested) root.addJSON(json.nested as never);
      } catch {
        /* already defined: a reference carried the same file */
      }
    }
  }
}

/** The file's own top-level messages in declaration order (the namespace may also hold imported ones). */
function collectTopLevel(ns: protobuf.ReflectionObject | null, text: string): protobuf.Type[] {
  if (!(ns instanceof protobuf.Namespace)) return [];
  const own = [...text.matchAll(/(?:^|[;}\s])message\s+([A-Za-z_]\w*)/g)].map((m) => m[1]);
  const types = ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  // Nested messages also match the pattern; keeping only names that are top level and in text order.
  const ordered: protobuf.Type[] = [];
  for (const name of own) {
    const t = types.find((x) => x.name === name);
    if (t && !ordered.includes(t)) ordered.push(t);
  }
  return ordered;
}

export { canonicalText } from './types.js';

export { avro, protobuf };
