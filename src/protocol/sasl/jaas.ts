/**
 * The `sasl.jaas.config` syntax, as Kafka reads it on both sides (a client's
 * credentials, a broker listener's PLAIN users):
 *
 *   <LoginModuleClass> <required|requisite|sufficient|optional> [name=value ...];
 *
 * Values are bare words or quoted strings ('...' or "...", backslash escapes as in
 * Java: \n, \t, \r, otherwise the next character); // and slash-star comments are
 * skipped, as Java's StreamTokenizer does. Errors give a position and option names,
 * never a value: the text holds passwords.
 */

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';

const CONTROL_FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

export interface JaasEntry {
  loginModule: string;
  /** Lower case. */
  controlFlag: string;
  options: Record<string, string>;
}

/** What went wrong, for a caller that words one problem its own way. */
export type JaasProblem = 'syntax' | 'unterminated-entry';

export class JaasError extends Error {
  constructor(
    message: string,
    readonly problem: JaasProblem = 'syntax',
  ) {
    super(message);
    this.name = 'JaasError';
  }
}

type Token = { kind: 'word' | 'quoted' | 'eq' | 'semi'; text: string; at: number };

function isWordChar(c: string): boolean {
  // Java's StreamTokenizer takes every character from U+00A0 up as part of a word.
  return /[A-Za-z0-9_.$\-/:@+*!#%&?~^|[\]{}<>`]/.test(c) || c >= '\u00a0';
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new JaasError(`unterminated comment at character ${i + 1}`);
      i = end + 2;
      continue;
    }
    if (c === '=' || c === ';') {
      out.push({ kind: c === '=' ? 'eq' : 'semi', text: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JaasError(`unterminated quoted value at character ${start + 1}`);
        const d = src[i]!;
        if (d === '\\' && i + 1 < src.length) {
          const n = src[i + 1]!;
          text += ESCAPES[n] ?? n;
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        text += d;
      }
      out.push({ kind: 'quoted', text, at: start });
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      while (i < src.length && isWordChar(src[i]!) && !(src[i] === '/' && /[/*]/.test(src[i + 1] ?? ''))) i++;
      out.push({ kind: 'word', text: src.slice(start, i), at: start });
      continue;
    }
    throw new JaasError(`unexpected character '${c}' at position ${i + 1}`);
  }
  return out;
}

const FLAG_NAMES = 'required, requisite, sufficient or optional';

/** Every login module entry of a `sasl.jaas.config` value (none for an empty text). */
export function parseJaasEntries(text: string): JaasEntry[] {
  const tokens = tokenize(text);
  const entries: JaasEntry[] = [];
  const where = (t: Token | undefined) => (t ? `character ${t.at + 1}` : 'the end');
  let i = 0;
  while (i < tokens.length) {
    const name = tokens[i++]!;
    if (name.kind !== 'word') throw new JaasError(`expected a login module class name at ${where(name)}`);
    const flag = tokens[i++];
    if (flag?.kind !== 'word') throw new JaasError(`expected a control flag (${FLAG_NAMES}) at ${where(flag)}`);
    if (!CONTROL_FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasError(`invalid control flag '${flag.text}' at ${where(flag)} (expected ${FLAG_NAMES})`);
    }
    const options: Record<string, string> = {};
    for (;;) {
      const t = tokens[i++];
      if (t === undefined) {
        throw new JaasError("missing ';' at the end of the login module entry", 'unterminated-entry');
      }
      if (t.kind === 'semi') break;
      if (t.kind !== 'word') throw new JaasError(`expected an option name at ${where(t)}`);
      const eq = tokens[i++];
      if (eq?.kind !== 'eq') throw new JaasError(`expected '=' after option ${t.text} at ${where(eq)}`);
      const value = tokens[i++];
      if (value?.kind !== 'word' && value?.kind !== 'quoted') {
        throw new JaasError(`expected a value for option ${t.text} at ${where(value)}`);
      }
      // defineProperty: an option named __proto__ is an option, not the object's prototype.
      Object.defineProperty(options, t.text, {
        value: value.text,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    entries.push({ loginModule: name.text, controlFlag: flag.text.toLowerCase(), options });
  }
  return entries;
}

/** The SASL mechanism a login module implies when sasl.mechanism is unset (PLAIN only: SCRAM needs the hash named). */
export function impliedMechanism(loginModule: string): 'PLAIN' | undefined {
  return loginModule === PLAIN_LOGIN_MODULE || loginModule.endsWith('.PlainLoginModule') ? 'PLAIN' : undefined;
}

/** The `user_<name>="<password>"` options of PlainLoginModule entries: a broker's PLAIN users. */
export function plainUsers(entries: readonly JaasEntry[]): Array<[string, string]> {
  const users: Array<[string, string]> = [];
  for (const e of entries) {
    if (!/(^|\.)PlainLoginModule$/.test(e.loginModule)) continue;
    for (const [k, v] of Object.entries(e.options))
      if (k.startsWith('user_') && k.length > 5) users.push([k.slice(5), v]);
  }
  return users;
}
