// Protocol fuzzing of the dev broker: KTOOL_FUZZ_CASES cases (default 100000) against one
// live in-process broker. Replay a run with KTOOL_FUZZ_SEED=<the seed printed>.
// KTOOL_FUZZ_GEN=mutated,badBatch restricts the generators; KTOOL_FUZZ_STRICT=1 also fails
// on decodable requests whose connection the broker closed (handler errors);
// KTOOL_FUZZ_VERBOSE=1 prints progress. See test/fuzz/runner.ts for what is checked.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import type { GenName } from './runner.js';
import { runSession, startFuzzBroker } from './session.js';

const CASES = Number(process.env.KTOOL_FUZZ_CASES ?? 100_000);
const SEED = process.env.KTOOL_FUZZ_SEED !== undefined ? Number(process.env.KTOOL_FUZZ_SEED) >>> 0 : randomInt(2 ** 32);
const ONLY = (process.env.KTOOL_FUZZ_GEN ?? '').split(',').filter(Boolean) as GenName[];

test(`protocol fuzz: ${CASES} cases against one live broker`, { timeout: Math.max(900_000, CASES * 20) }, async (t) => {
  const processErrors: string[] = [];
  const onUncaught = (err: unknown) => {
    processErrors.push(`uncaughtException: ${(err as Error)?.stack ?? String(err)}`);
  };
  const onUnhandled = (reason: unknown) => {
    processErrors.push(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  t.diagnostic(`seed ${SEED}`);
  const broker = await startFuzzBroker();
  try {
    const { report, failures, lines } = await runSession(broker, {
      cases: CASES,
      seed: SEED,
      lanes: Number(process.env.KTOOL_FUZZ_LANES ?? 12),
      caseTimeoutMs: Number(process.env.KTOOL_FUZZ_TIMEOUT_MS ?? 2000),
      only: ONLY,
      strict: process.env.KTOOL_FUZZ_STRICT === '1',
      progress: process.env.KTOOL_FUZZ_VERBOSE ? (l) => process.stderr.write(`[fuzz] ${l}\n`) : undefined,
    });
    for (const l of lines) t.diagnostic(l);
    const all = [...processErrors, ...failures];
    for (const f of all.slice(0, 30)) t.diagnostic(`FAILURE: ${f}`);
    assert.equal(report.cases, CASES);
    assert.deepEqual(
      all,
      [],
      `${all.length} failure(s); replay with KTOOL_FUZZ_SEED=${SEED} KTOOL_FUZZ_CASES=${CASES}`,
    );
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    await broker.destroy();
  }
});
