// Avro compatibility is Avro's own schema resolution: a reader can read a writer's data
// when avsc can build a resolver between them (field defaults, promotions, aliases, unions).
import type { ParsedAvro } from '../parse.js';

/** Empty when `reader` can read what `writer` wrote; otherwise why not. */
export function avroCanRead(reader: ParsedAvro, writer: ParsedAvro): string[] {
  try {
    reader.avro.createResolver(writer.avro);
    return [];
  } catch (err) {
    return [`READER_CANNOT_READ_WRITER: ${(err as Error).message}`];
  }
}
