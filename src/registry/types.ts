// The registry's records, in the shapes Confluent's REST API and `_schemas` topic use.
import type { SchemaType } from '../schemas/types.js';

export { COMPATIBILITY_LEVELS, isCompatibilityLevel, type CompatibilityLevel } from '../schemas/levels.js';
export { SCHEMA_TYPES, isSchemaType, type SchemaType } from '../schemas/types.js';

export interface Reference {
  name: string;
  subject: string;
  version: number;
}

/** One version of one subject. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: Reference[];
  deleted: boolean;
}

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

export function isMode(v: unknown): v is Mode {
  return typeof v === 'string' && (MODES as readonly string[]).includes(v);
}
