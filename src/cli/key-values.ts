// `key=value` arguments (--override, --property, ...), parsed without loading the flag definitions.
import { KtoolError } from '../errors.js';

/** Parse `key=value` strings (as given to --override) into a record. */
export function parseKeyValues(values: readonly string[] | undefined, flagName = 'override'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new KtoolError(`Invalid --${flagName} "${item}": expected key=value`, {
        code: 'INVALID_ARGUMENTS',
        exitCode: 2,
      });
    }
    // Values are kept as given, like Kafka's parseKeyValueArgs: a separator may be a space or a tab.
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}
