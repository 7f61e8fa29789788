/**
 * How every ktool command reports a failure: any Error (usually a KtoolError, see
 * src/errors.ts) becomes exactly one `Error: <message>` line on stderr (or a JSON
 * document with --json) and a non-zero exit status.
 */

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  exitCode?: unknown;
  oclif?: { exit?: unknown };
  parse?: unknown;
  stack?: unknown;
}

function asErrorLike(err: unknown): ErrorLike {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : { message: String(err) };
}

/** True for oclif's argument/flag parsing errors (unknown flag, missing arg, ...). */
export function isParseError(err: unknown): boolean {
  const e = asErrorLike(err);
  return e.parse !== undefined && typeof e.oclif === 'object';
}

/** The process exit status for an error: its exitCode, then oclif's exit, then 1. */
export function exitCodeOf(err: unknown): number {
  const e = asErrorLike(err);
  if (typeof e.exitCode === 'number' && Number.isInteger(e.exitCode) && e.exitCode > 0) return e.exitCode;
  const oclifExit = e.oclif?.exit;
  if (typeof oclifExit === 'number' && Number.isInteger(oclifExit) && oclifExit > 0) return oclifExit;
  return 1;
}

/** The machine-readable code used in --json error documents. */
export function errorCodeOf(err: unknown): string {
  const e = asErrorLike(err);
  if (typeof e.code === 'string' && e.code.length > 0) return e.code;
  if (isParseError(err)) return 'INVALID_ARGUMENTS';
  return 'ERROR';
}

/**
 * Squash a possibly multi-line message into one line (ANSI colours removed).
 * oclif's parse errors end with a "See more help with --help" line; it is
 * kept, joined to the message with ". ".
 */
export function oneLine(message: string): string {
  const parts = message
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line.length > 0);
  let out = '';
  for (const part of parts) {
    if (out === '') out = part;
    else if (/[.:;!?,]$/.test(out)) out += ` ${part}`;
    else out += `. ${part}`;
  }
  return out;
}

/** The one-line message of any thrown value. */
export function messageOf(err: unknown): string {
  const e = asErrorLike(err);
  const raw = typeof e.message === 'string' ? e.message : typeof err === 'object' ? '' : String(err);
  const message = oneLine(raw);
  return message.length > 0 ? message : 'unknown error';
}

export function stackOf(err: unknown): string | undefined {
  const e = asErrorLike(err);
  return typeof e.stack === 'string' ? e.stack : undefined;
}

/** `{"error": {"message": ..., "code": ...}}`, the --json form of an error. */
export function errorDocument(err: unknown): { error: { message: string; code: string } } {
  return { error: { message: messageOf(err), code: errorCodeOf(err) } };
}
