// Walks the records of one (decompressed) batch body in place: each field is a range of the
// body, and nothing is allocated per record. For readers that copy bytes straight to their
// output (the console consumer); decodeBatches makes record objects for everyone else.
import type { BatchHeader } from './batch-header.js';
import { readVarint, readVarlong, type Cursor } from './varint.js';

export class RecordCursor {
  /** The current record's offset and timestamp deltas from the batch's base. */
  offsetDelta = 0;
  timestampDelta = 0;
  keyStart = 0;
  /** -1: null. */
  keyLength = -1;
  valueStart = 0;
  valueLength = -1;
  headerCount = 0;
  /** Records visited so far. */
  index = 0;
  private readonly at: Cursor;
  private readonly field: Cursor;

  constructor(
    readonly body: Buffer,
    readonly header: BatchHeader,
  ) {
    this.at = { buf: body, pos: 0, end: body.length };
    this.field = { buf: body, pos: 0, end: 0 };
  }

  /** The current record's offset. */
  get offset(): number {
    return this.header.baseOffset + this.offsetDelta;
  }

  /** The current record's timestamp (the batch's for LogAppendTime). */
  get timestamp(): number {
    const h = this.header;
    return h.timestampType === 1 ? h.maxTimestamp : h.baseTimestamp + this.timestampDelta;
  }

  /** Moves to the next record; false after the last. Throws on a malformed record. */
  next(): boolean {
    if (this.index >= this.header.recordsCount) return false;
    const at = this.at;
    const length = readVarint(at);
    if (length === null || length < 0 || at.pos + length > at.end) this.fail('bad length');
    const c = this.field;
    c.pos = at.pos + 1; // attributes: unused
    c.end = at.pos + length!;
    const tsDelta = readVarlong(c);
    const offsetDelta = readVarint(c);
    if (tsDelta === null || offsetDelta === null) this.fail('bad timestamp or offset delta');
    this.timestampDelta = tsDelta!;
    this.offsetDelta = offsetDelta!;
    this.keyLength = this.range(c, 'key');
    this.keyStart = c.pos - Math.max(this.keyLength, 0);
    this.valueLength = this.range(c, 'value');
    this.valueStart = c.pos - Math.max(this.valueLength, 0);
    const hc = readVarint(c);
    if (hc === null || hc < 0) this.fail('bad header count');
    this.headerCount = hc!;
    at.pos = c.end;
    this.index++;
    return true;
  }

  /** Skips a length-prefixed field, returning its length (-1 null). */
  private range(c: Cursor, what: string): number {
    const n = readVarint(c);
    if (n === null || n < -1 || c.pos + Math.max(n, 0) > c.end) this.fail(`bad ${what}`);
    if (n! > 0) c.pos += n!;
    return n!;
  }

  private fail(what: string): never {
    throw new Error(`malformed record ${this.index} in batch at offset ${this.header.baseOffset}: ${what}`);
  }
}
