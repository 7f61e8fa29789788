/**
 * Java properties files as commands read them (--command-config, profiles):
 * reading with one-line errors that name the file and line, locating a key's
 * line, and warning once about keys nobody reads.
 */
// Read synchronously: node:fs/promises would be loaded (readline, streams, watchers)
// by every command at start-up only to read a small file now and then.
import { readFileSync } from 'node:fs';
import { settingsError } from './property-origin.js';

export interface PropertiesFile {
  path: string;
  properties: Record<string, string>;
  /** 1-based line of each key's first definition. */
  lines: Record<string, number>;
}

/** Read and parse a Java properties file; errors name the file (and line). */
export async function readPropertiesFile(path: string): Promise<PropertiesFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw settingsError(`Cannot read properties file ${path}: ${why}`);
  }
  const { parsePropertiesWithLines } = await import('../broker/config/properties.js');
  let properties: Record<string, string>;
  let lines: Record<string, number>;
  try {
    ({ properties, lines } = parsePropertiesWithLines(text));
  } catch (error) {
    const line = (error as { line?: number }).line;
    const detail = (error as Error).message.replace(/^line \d+: /, '');
    throw settingsError(`Invalid properties file ${path}${line === undefined ? '' : ` (line ${line})`}: ${detail}`);
  }
  return { path, properties, lines };
}

/** The first line of a properties text that sets `key` (for messages). */
export function lineOfKey(text: string, key: string): number | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/^[ \t\f]+/, '');
    if (l.startsWith(key) && /^[ \t\f=:]|^$/.test(l.slice(key.length))) return i + 1;
  }
  return undefined;
}

const UNKNOWN_NAMES_SHOWN = 5;

/**
 * One line for all unknown keys, however many: a file of 20,000 stray keys must not
 * bury the output. Key names come from a file and are escaped, so a binary file
 * cannot send terminal control sequences.
 */
export function warnUnknown(keys: string[], known: Set<string>, where: string, warn: (line: string) => void): void {
  const unknown = keys.filter((key) => !known.has(key));
  if (unknown.length === 0) return;
  const shown = unknown.slice(0, UNKNOWN_NAMES_SHOWN).map((key) => `'${printable(key)}'`);
  if (unknown.length === 1) {
    warn(`Warning: unknown property ${shown[0]} ${where} is ignored`);
    return;
  }
  const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : '';
  warn(`Warning: ${unknown.length} unknown properties ${where} are ignored: ${shown.join(', ')}${more}`);
}

/** Control characters shown as escapes (\x1b), so they cannot drive a terminal. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\\]/g, (c) => {
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
