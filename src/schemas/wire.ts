// Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then
// the payload. Protobuf payloads start with the message indexes: the path from the
// file's top-level messages to the message used, as zigzag varints prefixed by their
// count, with the common path [0] written as a single 0.

export const MAGIC = 0;
export const HEADER_SIZE = 5;

export class WireFormatError extends Error {}

export function frame(id: number, payload: Buffer, indexes?: readonly number[]): Buffer {
  const prefix = indexes === undefined ? Buffer.alloc(0) : encodeIndexes(indexes);
  const out = Buffer.allocUnsafe(HEADER_SIZE + prefix.length + payload.length);
  out[0] = MAGIC;
  out.writeInt32BE(id, 1);
  prefix.copy(out, HEADER_SIZE);
  payload.copy(out, HEADER_SIZE + prefix.length);
  return out;
}

/** The schema id of a framed record, or null when the bytes do not start with the wire format. */
export function schemaIdOf(bytes: Buffer | null): number | null {
  if (bytes === null || bytes.length < HEADER_SIZE || bytes[0] !== MAGIC) return null;
  const id = bytes.readInt32BE(1);
  return id > 0 ? id : null;
}

export function unframe(bytes: Buffer): { id: number; payload: Buffer } {
  const id = schemaIdOf(bytes);
  if (id === null)
    throw new WireFormatError(`Unknown magic byte: the record does not start with the schema registry wire format`);
  return { id, payload: bytes.subarray(HEADER_SIZE) };
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function writeVarint(out: number[], value: number): void {
  let v = zigzag(value);
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function encodeIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(out, indexes.length);
  for (const i of indexes) writeVarint(out, i);
  return Buffer.from(out);
}

export function decodeIndexes(buf: Buffer): { indexes: number[]; size: number } {
  let pos = 0;
  const read = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (pos >= buf.length) throw new WireFormatError('Truncated protobuf message indexes');
      const b = buf[pos++];
      result += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 128;
      if (shift > 2 ** 35) throw new WireFormatError('Malformed protobuf message indexes');
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  };
  const count = read();
  if (count === 0) return { indexes: [0], size: pos };
  if (count < 0 || count > 100) throw new WireFormatError(`Malformed protobuf message indexes (count ${count})`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(read());
  return { indexes, size: pos };
}
