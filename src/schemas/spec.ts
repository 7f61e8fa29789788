// Where a schema comes from on the command line: inline text, a file (or @path), id:N or
// subject:NAME[@version], and which type it is. No schema library needed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { SerdeError } from './errors.js';
import type { SchemaType } from './types.js';

export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081';
export const FORMAT_TYPE: Record<string, SchemaType> = { avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON' };

/** A schema given as inline text, a file path or @path: its text and type. */
export function readSchemaSpec(spec: string, type?: string): { schemaType: SchemaType; schema: string } {
  const src = sourceOf(spec);
  if (src.kind !== 'text') throw new SerdeError('Give the schema itself (inline or a file), not id: or subject:');
  const upper = type?.toUpperCase();
  if (upper !== undefined && upper !== 'AVRO' && upper !== 'JSON' && upper !== 'PROTOBUF')
    throw new SerdeError(`Unknown schema type '${type}': use AVRO, JSON or PROTOBUF`);
  return { schemaType: (upper as SchemaType | undefined) ?? inferType('auto', src.text, src.file), schema: src.text };
}

/** The type a schema text is, from the format flag, the file name, or the text itself. */
export function inferType(format: string, text: string, file?: string): SchemaType {
  if (format in FORMAT_TYPE) return FORMAT_TYPE[format];
  const ext = file ? extname(file).toLowerCase() : '';
  if (ext === '.avsc') return 'AVRO';
  if (ext === '.proto') return 'PROTOBUF';
  if (/^\s*(syntax|package|message|import)\b/.test(text)) return 'PROTOBUF';
  try {
    const j = JSON.parse(text);
    if (
      typeof j === 'object' &&
      j !== null &&
      ('$schema' in j || 'properties' in j || j.type === 'object' || j.type === 'array')
    )
      return 'JSON';
  } catch {
    /* not JSON: a bare Avro primitive name */
  }
  return ext === '.json' ? 'JSON' : 'AVRO';
}

export type Source =
  | { kind: 'text'; text: string; file?: string }
  | { kind: 'id'; id: number }
  | { kind: 'subject'; subject: string; version: string };

export function sourceOf(spec: string): Source {
  const id = /^id:(\d+)$/.exec(spec.trim());
  if (id) return { kind: 'id', id: Number(id[1]) };
  const subj = /^subject:(.+?)(?:@(\d+|latest))?$/.exec(spec.trim());
  if (subj) return { kind: 'subject', subject: subj[1], version: subj[2] ?? 'latest' };
  const path = spec.startsWith('@') ? spec.slice(1) : spec;
  if (spec.startsWith('@') || (!/[{\n"]/.test(spec) && existsSync(path) && statSync(path).isFile())) {
    try {
      return { kind: 'text', text: readFileSync(path, 'utf8'), file: path };
    } catch (err) {
      throw new SerdeError(
        `Cannot read schema file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return { kind: 'text', text: spec };
}
