/**
 * A client's `sasl.jaas.config`: exactly one login module, read by the shared
 * parser (protocol/sasl/jaas.ts), which both the client and the broker use.
 */
import { JaasError, parseJaasEntries, type JaasEntry } from '../protocol/sasl/jaas.js';

export { JaasError, PLAIN_LOGIN_MODULE, impliedMechanism } from '../protocol/sasl/jaas.js';

export type JaasConfig = JaasEntry;

/** Parse a sasl.jaas.config value holding exactly one login module. */
export function parseJaasConfig(text: string): JaasConfig {
  let entries: JaasEntry[];
  try {
    entries = parseJaasEntries(text);
  } catch (error) {
    // The client has always said it this way; the broker's wording is the parser's.
    if (error instanceof JaasError && error.problem === 'unterminated-entry') {
      throw new JaasError("the login module must end with ';'", error.problem);
    }
    throw error;
  }
  if (entries.length !== 1) throw new JaasError(`it contains ${entries.length} login modules, should be 1 module`);
  return entries[0]!;
}
