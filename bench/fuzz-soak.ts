// Long protocol-fuzzing soak outside the test runner, with progress on stderr:
//   node --import tsx bench/fuzz-soak.ts [cases] [seed]
// Cases default to KTOOL_FUZZ_CASES or 1000000; the seed to KTOOL_FUZZ_SEED or a random
// one. Exits 1 if the broker failed any check (see test/fuzz/runner.ts). The CI-sized
// run is test/fuzz/fuzz.test.ts; `npm run test:soak` runs it with a larger count.
import { randomInt } from 'node:crypto';
import { runSession, startFuzzBroker } from '../test/fuzz/session.js';

const cases = Number(process.argv[2] ?? process.env.KTOOL_FUZZ_CASES ?? 1_000_000);
const seedArg = process.argv[3] ?? process.env.KTOOL_FUZZ_SEED;
const seed = seedArg !== undefined ? Number(seedArg) >>> 0 : randomInt(2 ** 32);

const processErrors: string[] = [];
process.on('uncaughtException', (err) => {
  processErrors.push(`uncaughtException: ${err.stack ?? String(err)}`);
});
process.on('unhandledRejection', (reason) => {
  processErrors.push(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
});

process.stderr.write(`fuzz soak: ${cases} cases, seed ${seed}\n`);
const broker = await startFuzzBroker();
let failed = true;
try {
  const { failures, lines } = await runSession(broker, {
    cases,
    seed,
    lanes: Number(process.env.KTOOL_FUZZ_LANES ?? 12),
    caseTimeoutMs: Number(process.env.KTOOL_FUZZ_TIMEOUT_MS ?? 2000),
    progress: (l) => process.stderr.write(`[fuzz] ${l}\n`),
  });
  for (const l of lines) process.stdout.write(`${l}\n`);
  const all = [...processErrors, ...failures];
  for (const f of all) process.stdout.write(`FAILURE: ${f}\n`);
  failed = all.length > 0;
  process.stdout.write(failed ? `FAILED: ${all.length} failure(s); replay with KTOOL_FUZZ_SEED=${seed}\n` : 'OK\n');
} finally {
  await broker.destroy();
}
process.exitCode = failed ? 1 : 0;
