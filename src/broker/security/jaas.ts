// The `sasl.jaas.config` value syntax Kafka accepts:
//   <LoginModuleClass> <required|requisite|sufficient|optional> [name=value ...];
// Values are bare words or double-quoted strings (backslash escapes the next character).
// Errors give a position only: the text may hold passwords and never goes into a message.

export interface JaasModule {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

export class JaasError extends Error {}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

type Token = { kind: 'word' | 'string' | 'eq' | 'semi'; text: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new JaasError(`unterminated comment at character ${i + 1}`);
      i = end + 2;
      continue;
    }
    if (c === '=') { out.push({ kind: 'eq', text: c, at: i }); i++; continue; }
    if (c === ';') { out.push({ kind: 'semi', text: c, at: i }); i++; continue; }
    if (c === '"') {
      const start = i;
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JaasError(`unterminated quoted value at character ${start + 1}`);
        const d = src[i];
        if (d === '\\' && i + 1 < src.length) { s += src[i + 1]; i += 2; continue; }
        if (d === '"') { i++; break; }
        s += d;
        i++;
      }
      out.push({ kind: 'string', text: s, at: start });
      continue;
    }
    const start = i;
    while (i < src.length && !/[\s=;"]/.test(src[i])) i++;
    out.push({ kind: 'word', text: src.slice(start, i), at: start });
  }
  return out;
}

/** Parses one or more login module entries. */
export function parseJaasConfig(src: string): JaasModule[] {
  const tokens = tokenize(src);
  const modules: JaasModule[] = [];
  let i = 0;
  const where = (t: Token | undefined) => (t ? `character ${t.at + 1}` : 'the end');
  while (i < tokens.length) {
    const mod = tokens[i++];
    if (mod.kind !== 'word') throw new JaasError(`expected a login module class name at ${where(mod)}`);
    const flag = tokens[i++];
    if (!flag || flag.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasError(`expected a control flag (required, requisite, sufficient or optional) at ${where(flag)}`);
    }
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (!t) throw new JaasError('missing \';\' at the end of the login module entry');
      if (t.kind === 'semi') break;
      if (t.kind !== 'word') throw new JaasError(`expected an option name at ${where(t)}`);
      const eq = tokens[i++];
      if (!eq || eq.kind !== 'eq') throw new JaasError(`expected '=' after an option name at ${where(eq)}`);
      const v = tokens[i++];
      if (!v || (v.kind !== 'word' && v.kind !== 'string')) throw new JaasError(`expected an option value at ${where(v)}`);
      options.set(t.text, v.text);
    }
    modules.push({ loginModule: mod.text, flag: flag.text.toLowerCase(), options });
  }
  if (modules.length === 0) throw new JaasError('no login module entry');
  return modules;
}

/** `user_<name>="<password>"` options of a PlainLoginModule entry. */
export function plainUsersFromJaas(modules: JaasModule[]): Array<[string, string]> {
  const users: Array<[string, string]> = [];
  for (const m of modules) {
    if (!/(^|\.)PlainLoginModule$/.test(m.loginModule)) continue;
    for (const [k, v] of m.options) if (k.startsWith('user_') && k.length > 5) users.push([k.slice(5), v]);
  }
  return users;
}
