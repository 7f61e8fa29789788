// node --import ./test/helpers/trace-imports.mjs ...: appends every ES module URL the
// process resolves to $KTOOL_TRACE_IMPORTS (one per line). Used to check startup cost.
import { register } from 'node:module';

if (process.env.KTOOL_TRACE_IMPORTS) {
  register(new URL('./trace-imports-hooks.mjs', import.meta.url), { data: { file: process.env.KTOOL_TRACE_IMPORTS } });
}
