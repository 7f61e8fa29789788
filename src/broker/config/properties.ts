// Java .properties files, as Kafka's tools read them (java.util.Properties.load semantics).

export class PropertiesError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'PropertiesError';
  }
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Parses properties text. Later keys override earlier ones, as in Java. */
export function parseProperties(text: string): Record<string, string> {
  return parsePropertiesWithLines(text).properties;
}

/**
 * Parses properties text and says on which line each key was first set (for
 * messages). Linear in the text: files with tens of thousands of keys are fine.
 */
export function parsePropertiesWithLines(text: string): {
  properties: Record<string, string>;
  lines: Record<string, number>;
} {
  // Own properties only (Object.fromEntries), so a key such as __proto__ is just a key.
  const values = new Map<string, string>();
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i].replace(/^[ \t\f]+/, '');
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    // An odd number of trailing backslashes continues the line.
    while (endsWithContinuation(logical)) {
      logical = logical.slice(0, -1);
      i++;
      if (i >= lines.length) break;
      logical += lines[i].replace(/^[ \t\f]+/, '');
    }
    const { key, value } = splitKeyValue(logical, startLine);
    values.set(key, value);
    if (!firstLine.has(key)) firstLine.set(key, startLine);
  }
  return { properties: Object.fromEntries(values), lines: Object.fromEntries(firstLine) };
}

function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function splitKeyValue(s: string, line: number): { key: string; value: string } {
  let j = 0;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    j++;
  }
  const rawKey = s.slice(0, j);
  let k = j;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  if (k < s.length && (s[k] === '=' || s[k] === ':')) k++;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  const key = unescape(rawKey, line);
  if (key === '') throw new PropertiesError(`line ${line}: missing key before '${s[j] ?? ''}'`, line);
  return { key, value: unescape(s.slice(k), line) };
}

function unescape(s: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesError(`line ${line}: malformed \\uxxxx escape`, line);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[n] ?? n;
    }
  }
  return out;
}
