// Compatibility levels over the three schema types. BACKWARD: the new schema reads data
// written with the old; FORWARD: the old reads the new; FULL: both. The _TRANSITIVE
// levels check every earlier version, the others only the latest.
import type { ParsedSchema } from '../parse.js';
import { avroCanRead } from './avro.js';
import { jsonCanRead } from './json.js';
import { protobufCanRead } from './protobuf.js';

import type { CompatibilityLevel } from '../levels.js';

export { COMPATIBILITY_LEVELS, isCompatibilityLevel, type CompatibilityLevel } from '../levels.js';

/** Empty when `reader` can read data written with `writer`; otherwise the reasons. */
export function canRead(reader: ParsedSchema, writer: ParsedSchema): string[] {
  if (reader.type !== writer.type) return [`TYPE_MISMATCH: a ${reader.type} schema cannot read ${writer.type} data`];
  if (reader.type === 'AVRO' && writer.type === 'AVRO') return avroCanRead(reader, writer);
  if (reader.type === 'JSON' && writer.type === 'JSON') return jsonCanRead(reader, writer);
  if (reader.type === 'PROTOBUF' && writer.type === 'PROTOBUF') return protobufCanRead(reader, writer);
  return [];
}

/**
 * Checks `candidate` against `previous` (oldest first) under `level`. Returns the
 * reasons it is incompatible, each prefixed with the version it fails against.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: ReadonlyArray<{ version: number; schema: ParsedSchema }>,
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const out: string[] = [];
  for (const p of against) {
    if (backward)
      for (const m of canRead(candidate, p.schema))
        out.push(`version ${p.version}: ${m} (the new schema cannot read data written with it)`);
    if (forward)
      for (const m of canRead(p.schema, candidate))
        out.push(`version ${p.version}: ${m} (it cannot read data written with the new schema)`);
  }
  return out;
}
