// A listener's `sasl.jaas.config` as the broker reads it: one or more login module
// entries, read by the parser the client shares (protocol/sasl/jaas.ts).
import { JaasError, parseJaasEntries, plainUsers } from '../../protocol/sasl/jaas.js';

export { JaasError } from '../../protocol/sasl/jaas.js';

export interface JaasModule {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

/** Parses one or more login module entries. */
export function parseJaasConfig(src: string): JaasModule[] {
  const entries = parseJaasEntries(src);
  if (entries.length === 0) throw new JaasError('no login module entry');
  return entries.map((e) => ({
    loginModule: e.loginModule,
    flag: e.controlFlag,
    options: new Map(Object.entries(e.options)),
  }));
}

/** `user_<name>="<password>"` options of a PlainLoginModule entry. */
export function plainUsersFromJaas(modules: JaasModule[]): Array<[string, string]> {
  return plainUsers(
    modules.map((m) => ({ loginModule: m.loginModule, controlFlag: m.flag, options: Object.fromEntries(m.options) })),
  );
}
