// Schema types and reference shapes shared by the registry and the serializers.

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

export function isSchemaType(v: unknown): v is SchemaType {
  return v === 'AVRO' || v === 'JSON' || v === 'PROTOBUF';
}

/** A schema as the registry hands it out, with its references already resolved. */
export interface SchemaSource {
  schemaType: SchemaType;
  schema: string;
  /** Referenced schemas, dependencies first; `name` is what the schema imports or `$ref`s. */
  dependencies?: ReadonlyArray<{ name: string; schema: string }>;
}

export class SchemaParseError extends Error {}

/** A stable text form for deciding whether two registrations are the same schema. */
export function canonicalText(type: SchemaType, text: string): string {
  if (type === 'PROTOBUF') return text.trim();
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.trim();
  }
}
