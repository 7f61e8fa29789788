// The SASL mechanisms ktool speaks, on both sides: the client offers them and the dev
// broker enables them. One list, so the two cannot drift apart. It is tiny on purpose:
// settings validate a mechanism name without loading any SASL code.

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export function isSaslMechanism(name: string): name is SaslMechanismName {
  return (SASL_MECHANISMS as readonly string[]).includes(name);
}
