/**
 * Keeping secrets out of output. Passwords and sasl.jaas.config contents
 * must never reach stdout, stderr, a log line or an error message.
 *
 * Two layers:
 * - every secret value ktool reads (SASL password, ssl.key.password, the
 *   whole sasl.jaas.config, ...) is registered here and replaced wherever it
 *   appears in text that goes out;
 * - pattern rules mask `password="..."`-style fragments and secret
 *   properties even when the value was never registered.
 */

export const MASK = '********';

/** Shorter registered secrets are only masked by the pattern rules (a 1-2 character match would mangle ordinary text). */
const MIN_LITERAL_LENGTH = 3;

const registered = new Set<string>();

/** Property names whose values are secret. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return (
    k === 'sasl.jaas.config' ||
    k.endsWith('.password') ||
    k.endsWith('password') ||
    k.includes('secret') ||
    k.endsWith('.token') ||
    k.includes('credential') ||
    k.endsWith('basic.auth.user.info') ||
    k === 'ssl.keystore.key' ||
    k === 'ssl.key.pem'
  );
}

/** Remember a secret value so that redact() masks it everywhere. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length === 0) return;
  registered.add(value);
  // The pieces of a JAAS config are secrets too (its password option).
  const trimmed = value.trim();
  if (trimmed !== value && trimmed.length > 0) registered.add(trimmed);
}

/** Register the secret values of a property set. */
export function registerSecretProperties(props: Record<string, string>): void {
  for (const [key, value] of Object.entries(props)) if (isSecretKey(key)) registerSecret(value);
}

/** Forget registered secrets (tests). */
export function clearSecrets(): void {
  registered.clear();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// password="..." / password='...' / password=bare, in JAAS configs and anywhere else.
const QUOTED_SECRET_OPTION = /\b([A-Za-z_.]*(?:password|secret|token))(\s*=\s*)"(?:[^"\\]|\\.)*"/gi;
const SINGLE_QUOTED_SECRET_OPTION = /\b([A-Za-z_.]*(?:password|secret|token))(\s*=\s*)'[^']*'/gi;
const BARE_SECRET_OPTION = /\b([A-Za-z_.]*(?:password|secret|token))(\s*[=:]\s*)(?!\*{8})[^\s"',;}]+/gi;
// sasl.jaas.config=<anything up to the end of the line>, and "sasl.jaas.config": "<json string>".
// A value already masked is left alone, so the rest of its line (an error's reason) stays readable.
const JAAS_PROPERTY = /(sasl\.jaas\.config)(\s*[=:]\s*)(?!\*{8}(?:[\s',]|$))[^\n]*/gi;
const JAAS_JSON = /("sasl\.jaas\.config"\s*:\s*")(?:[^"\\]|\\.)*"/gi;

/** Mask every registered secret and every password-like fragment in a text. */
export function redact(text: string, extra: Iterable<string> = []): string {
  if (text.length === 0) return text;
  let out = text;
  const literals = [...registered, ...extra]
    .filter((s) => s.length >= MIN_LITERAL_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const secret of literals) {
    if (out.includes(secret)) out = out.replace(new RegExp(escapeRegExp(secret), 'g'), MASK);
  }
  out = out.replace(JAAS_JSON, (_m, head: string) => `${head}${MASK}"`);
  out = out.replace(JAAS_PROPERTY, (_m, key: string, sep: string) => `${key}${sep}${MASK}`);
  out = out.replace(QUOTED_SECRET_OPTION, (_m, key: string, sep: string) => `${key}${sep}"${MASK}"`);
  out = out.replace(SINGLE_QUOTED_SECRET_OPTION, (_m, key: string, sep: string) => `${key}${sep}'${MASK}'`);
  out = out.replace(BARE_SECRET_OPTION, (_m, key: string, sep: string) => `${key}${sep}${MASK}`);
  return out;
}

/** A copy of a property set with secret values masked (for display). */
export function maskProperties(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) out[key] = isSecretKey(key) ? MASK : redact(value);
  return out;
}
