// The console consumer's commonest lines (the value, or key and value, as they are) written
// straight from a batch's bytes to the output sink, with no object or string per record.
// The same text as formatRecord, which handles everything else.
import type { RecordCursor } from '../protocol/record-batch.js';
import type { OutputSink } from './output-sink.js';
import type { FormatterOptions } from './record-formatter.js';

export interface RawLineFormat {
  printKey: boolean;
  printValue: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  nullLiteral: Buffer;
}

/** The format, when the formatter prints nothing but key and value bytes as they are; else null. */
export function rawLineFormat(o: FormatterOptions): RawLineFormat | null {
  if (o.printTimestamp || o.printPartition || o.printOffset || o.printHeaders) return null;
  if (o.keyDeserializer || o.valueDeserializer) return null;
  return {
    printKey: o.printKey,
    printValue: o.printValue,
    keySeparator: o.keySeparator,
    lineSeparator: o.lineSeparator,
    nullLiteral: o.nullLiteral,
  };
}

/** The cursor's current record, as formatRecord writes it. */
export function writeRawLine(c: RecordCursor, f: RawLineFormat, out: OutputSink): void {
  if (f.printKey) {
    if (c.keyLength < 0) out.add(f.nullLiteral);
    else out.addRange(c.body, c.keyStart, c.keyStart + c.keyLength);
    out.add(f.printValue ? f.keySeparator : f.lineSeparator);
  }
  if (f.printValue) {
    if (c.valueLength < 0) out.add(f.nullLiteral);
    else out.addRange(c.body, c.valueStart, c.valueStart + c.valueLength);
    out.add(f.lineSeparator);
  }
}
