/**
 * Parsing `sasl.jaas.config` values, as Kafka's Java clients accept them:
 *
 *   org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";
 *   org.apache.kafka.common.security.scram.ScramLoginModule required username=alice password="p\"w";
 *
 * One login module, a control flag, then `name=value` options (values
 * quoted with double quotes, backslash escapes allowed, or bare words), and
 * a closing semicolon. Error messages describe the problem by position and
 * never quote option values: they may hold the password.
 */

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule'
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule'

const CONTROL_FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional'])

export interface JaasConfig {
  loginModule: string
  controlFlag: string
  options: Record<string, string>
}

export class JaasError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JaasError'
  }
}

type Token = { kind: 'word'; text: string } | { kind: 'quoted'; text: string } | { kind: 'char'; text: string }

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_.$\-/:@+*!#%&?~^|[\]{}<>`]/.test(c)
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      const quote = c
      let text = ''
      i++
      let closed = false
      while (i < input.length) {
        const d = input[i]!
        if (d === '\\' && i + 1 < input.length) {
          const n = input[i + 1]!
          text += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n
          i += 2
          continue
        }
        if (d === quote) {
          closed = true
          i++
          break
        }
        text += d
        i++
      }
      if (!closed) throw new JaasError('unterminated quoted value')
      tokens.push({ kind: 'quoted', text })
      continue
    }
    if (c === '=' || c === ';') {
      tokens.push({ kind: 'char', text: c })
      i++
      continue
    }
    if (isWordChar(c)) {
      let text = ''
      while (i < input.length && isWordChar(input[i]!)) text += input[i++]!
      tokens.push({ kind: 'word', text })
      continue
    }
    throw new JaasError(`unexpected character '${c}' at position ${i + 1}`)
  }
  return tokens
}

/** Parse a sasl.jaas.config value holding exactly one login module. */
export function parseJaasConfig(text: string): JaasConfig {
  const tokens = tokenize(text)
  const modules: JaasConfig[] = []
  let i = 0
  while (i < tokens.length) {
    const name = tokens[i]
    if (name?.kind !== 'word') throw new JaasError('expected a login module class name')
    const flag = tokens[i + 1]
    if (flag?.kind !== 'word') throw new JaasError(`expected a control flag (required, requisite, sufficient or optional) after ${name.text}`)
    if (!CONTROL_FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasError(`invalid control flag '${flag.text}' (expected required, requisite, sufficient or optional)`)
    }
    i += 2
    const options: Record<string, string> = {}
    for (;;) {
      const t = tokens[i]
      if (t === undefined) throw new JaasError("the login module must end with ';'")
      if (t.kind === 'char' && t.text === ';') {
        i++
        break
      }
      if (t.kind !== 'word') throw new JaasError('expected an option name')
      const eq = tokens[i + 1]
      const value = tokens[i + 2]
      if (eq?.kind !== 'char' || eq.text !== '=') throw new JaasError(`expected '=' after option ${t.text}`)
      if (value === undefined || value.kind === 'char') throw new JaasError(`expected a value for option ${t.text}`)
      options[t.text] = value.text
      i += 3
    }
    modules.push({ loginModule: name.text, controlFlag: flag.text.toLowerCase(), options })
  }
  if (modules.length !== 1) {
    throw new JaasError(`it contains ${modules.length} login modules, should be 1 module`)
  }
  return modules[0]!
}

/** The SASL mechanism a login module implies when sasl.mechanism is unset (PLAIN only: SCRAM needs the hash named). */
export function impliedMechanism(loginModule: string): 'PLAIN' | undefined {
  return loginModule === PLAIN_LOGIN_MODULE || loginModule.endsWith('.PlainLoginModule') ? 'PLAIN' : undefined
}
