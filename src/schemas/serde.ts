// Serializers and deserializers between JSON text and the three schema formats in
// Confluent's wire format. Encoding is synchronous once the schema id is known;
// decoding fetches each schema id once (prepare) and then decodes synchronously.
import type avro from 'avsc';
import protobuf from 'protobufjs';
import { parseSchema, type ParsedAvro, type ParsedJson, type ParsedProtobuf, type ParsedSchema } from './parse.js';
import type { RegistryClient } from './registry-client.js';
import { decodeIndexes, frame, schemaIdOf } from './wire.js';
import { SerdeError } from './errors.js';

export type RecordFormat = 'avro' | 'protobuf' | 'json-schema' | 'string' | 'bytes' | 'auto';
export const RECORD_FORMATS: readonly RecordFormat[] = ['avro', 'protobuf', 'json-schema', 'string', 'bytes', 'auto'];

const FORMAT_TYPE = { avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON' } as const;

export { SerdeError };

export type Encode = (text: Buffer) => Buffer;

function parseJsonText(text: Buffer): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new SerdeError(`Not JSON: ${(err as Error).message}`);
  }
}

/**
 * With wrapped unions, avsc's values are Avro's JSON encoding as it is, so JSON.parse and
 * JSON.stringify convert directly: several times faster than avsc's fromString/toString.
 * Not for bytes and fixed, whose JSON encoding is a string of code points.
 */
function plainJsonType(s: ParsedAvro): avro.Type | null {
  const wrapped = s.wrapped();
  const text = JSON.stringify(wrapped.schema());
  return /"(bytes|fixed)"/.test(text) ? null : wrapped;
}

function avroEncoder(s: ParsedAvro, id: number): Encode {
  const type = s.avro;
  const fast = plainJsonType(s);
  return (text) => {
    const str = text.toString('utf8');
    if (fast) {
      // A value that does not fit as written (bare union values, missing defaults) takes the slow path.
      try {
        return frame(id, fast.toBuffer(JSON.parse(str)));
      } catch {
        /* below */
      }
    }
    let value: unknown;
    try {
      // Avro's JSON encoding first (unions as {"type": value}), as Confluent's console producer reads it.
      value = type.fromString(str);
    } catch (first) {
      // Then plain JSON, for unions written as bare values.
      try {
        value = type.clone(JSON.parse(str), { wrapUnions: true, coerceBuffers: true } as never);
      } catch {
        throw new SerdeError(`Does not match the Avro schema: ${(first as Error).message}`);
      }
    }
    return frame(id, type.toBuffer(value));
  };
}

/** The path of message indexes from the file's top level to `target`. */
export function messageIndexes(s: ParsedProtobuf, target: protobuf.Type): number[] {
  const path: number[] = [];
  let cur: protobuf.Type = target;
  for (;;) {
    const parent = cur.parent;
    if (parent instanceof protobuf.Type) {
      path.unshift(parent.nestedArray.filter((n) => n instanceof protobuf.Type).indexOf(cur));
      cur = parent;
      continue;
    }
    const top = s.messages.indexOf(cur);
    if (top < 0) throw new SerdeError(`Message ${target.fullName.slice(1)} is not declared in this schema`);
    path.unshift(top);
    return path;
  }
}

function messageAt(s: ParsedProtobuf, indexes: number[]): protobuf.Type {
  let cur = s.messages[indexes[0]];
  for (let i = 1; cur && i < indexes.length; i++)
    cur = cur.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)[indexes[i]];
  if (!cur) throw new SerdeError(`No message at indexes [${indexes.join(', ')}] in the schema`);
  return cur;
}

/** The message to encode: named (fully qualified or not), else the file's first. */
export function pickMessage(s: ParsedProtobuf, name?: string): protobuf.Type {
  if (name === undefined) {
    const first = s.messages[0];
    if (!first) throw new SerdeError('The protobuf schema declares no message');
    return first;
  }
  const qualified = name.includes('.') || !s.packageName ? name : `${s.packageName}.${name}`;
  const found = s.root.lookup(qualified);
  if (!(found instanceof protobuf.Type)) throw new SerdeError(`The protobuf schema has no message ${name}`);
  return found;
}

function protobufEncoder(s: ParsedProtobuf, id: number, messageName?: string): Encode {
  const type = pickMessage(s, messageName);
  const indexes = messageIndexes(s, type);
  return (text) => {
    const obj = parseJsonText(text);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new SerdeError(`A ${type.name} message is a JSON object`);
    let msg: protobuf.Message;
    try {
      msg = type.fromObject(obj as Record<string, unknown>);
    } catch (err) {
      throw new SerdeError(`Does not match message ${type.name}: ${(err as Error).message}`);
    }
    const problem = type.verify(msg);
    if (problem) throw new SerdeError(`Does not match message ${type.name}: ${problem}`);
    return frame(id, Buffer.from(type.encode(msg).finish()), indexes);
  };
}

function jsonEncoder(s: ParsedJson, id: number): Encode {
  return (text) => {
    const value = parseJsonText(text);
    const problem = s.validate(value);
    if (problem) throw new SerdeError(`Does not match the JSON schema: ${problem}`);
    return frame(id, Buffer.from(JSON.stringify(value), 'utf8'));
  };
}

export function encoderFor(s: ParsedSchema, id: number, messageName?: string): Encode {
  switch (s.type) {
    case 'AVRO':
      return avroEncoder(s, id);
    case 'PROTOBUF':
      return protobufEncoder(s, id, messageName);
    case 'JSON':
      return jsonEncoder(s, id);
  }
}

/** Decodes a payload (after the 5-byte header) to JSON text. */
type DecodePayload = (payload: Buffer) => string;

function decoderFor(s: ParsedSchema): DecodePayload {
  switch (s.type) {
    case 'AVRO': {
      const type = s.avro;
      const fast = plainJsonType(s);
      return (payload) => {
        try {
          if (fast) return JSON.stringify(fast.fromBuffer(payload));
          return type.toString(type.fromBuffer(payload));
        } catch (err) {
          throw new SerdeError(`Cannot decode Avro: ${(err as Error).message}`);
        }
      };
    }
    case 'PROTOBUF':
      return (payload) => {
        try {
          const { indexes, size } = decodeIndexes(payload);
          const type = messageAt(s, indexes);
          const msg = type.decode(payload.subarray(size));
          return JSON.stringify(type.toObject(msg, { longs: String, enums: String, bytes: String }));
        } catch (err) {
          if (err instanceof SerdeError) throw err;
          throw new SerdeError(`Cannot decode protobuf: ${(err as Error).message}`);
        }
      };
    case 'JSON':
      return (payload) => {
        const text = payload.toString('utf8');
        try {
          JSON.parse(text);
        } catch (err) {
          throw new SerdeError(`The payload is not JSON: ${(err as Error).message}`);
        }
        return text;
      };
  }
}

/**
 * Turns framed records into JSON text, by the schema id each carries. `format` says
 * what to expect: a schema format (records not in it are errors), or `auto` (records
 * that are not framed, or whose id the registry does not know, pass through raw).
 */
export class RecordDecoder {
  private readonly decoders = new Map<number, DecodePayload | Error>();
  private warned = false;

  constructor(
    private readonly client: RegistryClient,
    readonly format: RecordFormat,
    private readonly warn: (line: string) => void = () => {},
  ) {}

  /** Fetches and parses the schemas of every id among `values` not seen yet. */
  async prepare(values: Iterable<Buffer | null>): Promise<void> {
    const missing = new Set<number>();
    for (const v of values) {
      const id = schemaIdOf(v);
      if (id !== null && !this.decoders.has(id)) missing.add(id);
    }
    await Promise.all([...missing].map((id) => this.load(id)));
  }

  private async load(id: number): Promise<void> {
    try {
      const found = await this.client.schemaById(id);
      const want = this.format in FORMAT_TYPE ? FORMAT_TYPE[this.format as keyof typeof FORMAT_TYPE] : null;
      if (want !== null && found.schemaType !== want) {
        this.decoders.set(id, new SerdeError(`Schema ${id} is ${found.schemaType}, not ${want}`));
        return;
      }
      const dependencies = await this.client.dependencies(found.references);
      this.decoders.set(
        id,
        decoderFor(parseSchema({ schemaType: found.schemaType, schema: found.schema, dependencies })),
      );
    } catch (err) {
      const status = (err as { status?: number }).status;
      // Unreachable registries are retried with the next batch; an unknown id is final.
      if (status === 0 && this.format === 'auto') {
        if (!this.warned) this.warn(`WARN ${(err as Error).message}; printing framed records raw`);
        this.warned = true;
        return;
      }
      if (status === 0) throw new SerdeError((err as Error).message);
      this.decoders.set(id, err instanceof SerdeError ? err : new SerdeError((err as Error).message));
    }
  }

  /** JSON text for a framed record (after prepare), or the bytes unchanged where `auto` allows. */
  decode(bytes: Buffer | null): Buffer | null {
    if (bytes === null) return null;
    const id = schemaIdOf(bytes);
    if (id === null) {
      if (this.format === 'auto') return bytes;
      throw new SerdeError(
        `Unknown magic byte: the record is not in the schema registry wire format (expected ${this.format})`,
      );
    }
    const d = this.decoders.get(id);
    if (d === undefined || d instanceof Error) {
      if (this.format === 'auto') return bytes;
      throw d ?? new SerdeError(`Schema ${id} could not be fetched`);
    }
    return Buffer.from(d(bytes.subarray(5)), 'utf8');
  }
}
