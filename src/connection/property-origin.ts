/**
 * Where a client property came from (a profile, a file and line, the command
 * line), and the errors that name it: every settings module reports a bad
 * value the same way, and never shows a secret's value.
 */
import { KtoolError } from '../errors.js';
import { isSecretKey } from './redact.js';

export interface Origin {
  source: string;
  line?: number;
}

/** Each property's origin, by name. */
export type Origins = Map<string, Origin>;

export function settingsError(message: string, code = 'INVALID_CONFIG'): KtoolError {
  return new KtoolError(message, { code });
}

/** " in FILE (line N)", " in profile P", or nothing when the origin is unknown. */
export function where(origin: Origin | undefined): string {
  if (origin === undefined) return '';
  return origin.line === undefined ? ` in ${origin.source}` : ` in ${origin.source} (line ${origin.line})`;
}

export function invalidValue(key: string, value: string, origin: Origin | undefined, why: string): KtoolError {
  const shown = isSecretKey(key) ? '(hidden)' : value;
  return settingsError(`Invalid value ${shown} for configuration ${key}${where(origin)}: ${why}`);
}
