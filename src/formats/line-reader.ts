// Kafka's LineMessageReader: turns one input line into a record, with the same
// properties, defaults and error messages as kafka-console-producer.sh.

export interface LineReaderOptions {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

export interface ParsedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

/** A bad line, with Kafka's message. */
export class LineFormatError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number,
  ) {
    super(message);
    this.name = 'LineFormatError';
  }
}

const BOOLEAN_TRUE = (v: string | undefined) => v !== undefined && v.trim().toLowerCase() === 'true';

/** Builds reader options from `--property k=v` pairs; unknown keys are left to the caller. */
export function lineReaderOptions(props: Record<string, string>): LineReaderOptions {
  const o: LineReaderOptions = {
    parseKey: BOOLEAN_TRUE(props['parse.key']),
    keySeparator: props['key.separator'] ?? '\t',
    parseHeaders: BOOLEAN_TRUE(props['parse.headers']),
    headersDelimiter: props['headers.delimiter'] ?? '\t',
    headersSeparator: props['headers.separator'] ?? ',',
    headersKeySeparator: props['headers.key.separator'] ?? ':',
    ignoreError: BOOLEAN_TRUE(props['ignore.error']),
    nullMarker: props['null.marker'] ?? null,
  };
  // Checked in the order Kafka checks them, so the first message matches.
  const clashes: Array<[string, string, string, string]> = [
    ['headers.delimiter', o.headersDelimiter, 'headers.separator', o.headersSeparator],
    ['headers.delimiter', o.headersDelimiter, 'headers.key.separator', o.headersKeySeparator],
    ['headers.separator', o.headersSeparator, 'headers.key.separator', o.headersKeySeparator],
  ];
  if (o.nullMarker !== null) {
    clashes.push(
      ['null.marker', o.nullMarker, 'key.separator', o.keySeparator],
      ['null.marker', o.nullMarker, 'headers.separator', o.headersSeparator],
      ['null.marker', o.nullMarker, 'headers.delimiter', o.headersDelimiter],
      ['null.marker', o.nullMarker, 'headers.key.separator', o.headersKeySeparator],
    );
  }
  for (const [a, av, b, bv] of clashes) {
    if (av === bv) throw new Error(`${a} and ${b} may not be equal`);
  }
  return o;
}

export const LINE_READER_PROPERTIES = new Set([
  'parse.key',
  'key.separator',
  'parse.headers',
  'headers.delimiter',
  'headers.separator',
  'headers.key.separator',
  'ignore.error',
  'null.marker',
]);

export class LineMessageReader {
  private lineNumber = 0;
  private readonly headersPattern: RegExp;

  constructor(private readonly o: LineReaderOptions) {
    this.headersPattern = new RegExp(o.headersSeparator);
  }

  /** Parses the next line (without its line terminator). Throws LineFormatError. */
  read(line: string): ParsedRecord {
    this.lineNumber++;
    const o = this.o;
    const headers = this.cut(o.parseHeaders, line, 0, o.headersDelimiter, 'headers delimiter');
    const headerOffset = headers === null ? 0 : headers.length + o.headersDelimiter.length;
    const key = this.cut(o.parseKey, line, headerOffset, o.keySeparator, 'key separator');
    const keyOffset = key === null ? 0 : key.length + o.keySeparator.length;
    const value = line.slice(headerOffset + keyOffset);
    return {
      key: key !== null && key !== o.nullMarker ? Buffer.from(key, 'utf8') : null,
      value: value !== o.nullMarker ? Buffer.from(value, 'utf8') : null,
      headers: headers !== null && headers !== o.nullMarker ? this.splitHeaders(headers) : [],
    };
  }

  get linesRead(): number {
    return this.lineNumber;
  }

  private cut(enabled: boolean, line: string, start: number, separator: string, name: string): string | null {
    if (!enabled) return null;
    const index = line.indexOf(separator, start);
    if (index === -1) {
      if (this.o.ignoreError) return null;
      throw new LineFormatError(`No ${name} found on line number ${this.lineNumber}: '${line}'`, this.lineNumber);
    }
    return line.slice(start, index);
  }

  private splitHeaders(headers: string): ParsedRecord['headers'] {
    const o = this.o;
    // headers.separator is a regular expression, and like Java's split we drop trailing empty strings.
    const pairs = headers.split(this.headersPattern);
    while (pairs.length > 0 && pairs[pairs.length - 1] === '') pairs.pop();
    return pairs.map((pair) => {
      const i = pair.indexOf(o.headersKeySeparator);
      if (i === -1) {
        if (o.ignoreError) return { key: pair, value: null };
        throw new LineFormatError(
          `No header key separator found in pair '${pair}' on line number ${this.lineNumber}`,
          this.lineNumber,
        );
      }
      const key = pair.slice(0, i);
      if (key === o.nullMarker) {
        throw new LineFormatError(
          `Header keys should not be equal to the null marker '${o.nullMarker}' as they can't be null`,
          this.lineNumber,
        );
      }
      const value = pair.slice(i + o.headersKeySeparator.length);
      return { key, value: value === o.nullMarker ? null : Buffer.from(value, 'utf8') };
    });
  }
}
