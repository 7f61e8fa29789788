// Shapes of the generated schema table (schema.ts) and of decoded messages.

/** Inclusive [min, max]; an open-ended range ("N+") has max = 32767. */
export type VersionRange = readonly [number, number];

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records';

export interface FieldSpec {
  /** Kafka's field name (PascalCase); JS objects use it with the first letter lowered. */
  readonly name: string;
  /** A primitive, `[]<primitive>`, `[]<StructName>` or `<StructName>`. */
  readonly type: string;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  readonly tag?: number;
  readonly taggedVersions?: VersionRange;
  /** Only present when the definition overrides the type's natural default. */
  readonly default?: number | boolean | string | null;
  readonly ignorable?: boolean;
  /** Struct and struct-array fields: the element's fields (common structs are inlined). */
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  /** e.g. 'ProduceRequest', 'ConsumerProtocolSubscription'. */
  readonly name: string;
  readonly validVersions: VersionRange;
  /** null when no version is flexible. */
  readonly flexibleVersions: VersionRange | null;
  readonly fields: readonly FieldSpec[];
}

export interface ApiSpec {
  readonly apiKey: number;
  /** API name without the Request/Response suffix, e.g. 'Produce'. */
  readonly name: string;
  /** Which Kafka listeners serve it ('broker', 'zkBroker', 'controller'). */
  readonly listeners: readonly string[];
  /** Kafka 3.9 marks its newest version as not yet stable. */
  readonly latestVersionUnstable?: boolean;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

export type MessageKind = 'request' | 'response';

/**
 * A decoded message body. Field names are Kafka's with the first letter lowered;
 * int64 -> number, uuid -> 22-char base64url string, bytes/records -> Buffer views.
 * Loosely typed because one interpreter serves every API and version.
 */
export type MessageBody = Record<string, any>;

/** `records` values accepted by the encoder: one buffer, a list written back to back, or null. */
export type RecordsValue = Buffer | readonly Buffer[] | null;
