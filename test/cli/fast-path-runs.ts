// Running the CLI through the start-up fast path and through oclif, for tests that compare
// the two. A preloaded probe (fixtures/oclif-loaded.mjs) records which way each run went,
// so a silent fall-back to oclif cannot pass as fast.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, type CliResult } from './helpers.js';

const PROBE = join(ROOT, 'test', 'cli', 'fixtures', 'oclif-loaded.mjs');
let runs = 0;

export type WayResult = CliResult & { way: string };

/** One run of args, on the fast path or (KTOOL_FAST_PATH=0) through oclif; `work` holds the probe's marks. */
export async function runOneWay(
  work: string,
  args: string[],
  fast: boolean,
  options: { env?: Record<string, string>; stdinFile?: string } = {},
): Promise<WayResult> {
  const mark = join(work, `mark-${runs++}`);
  const result = await runCli(args, {
    stdinFile: options.stdinFile,
    env: {
      KTOOL_FAST_PATH: fast ? undefined : '0',
      DEBUG: undefined,
      OCLIF_COLUMNS: undefined,
      // What makes oclif colour its help on a pipe.
      FORCE_COLOR: undefined,
      NODE_OPTIONS: `--import ${pathToFileURL(PROBE).href}`,
      KTOOL_TEST_OCLIF_MARK: mark,
      ...options.env,
    },
  });
  return { ...result, way: readFileSync(mark, 'utf8') };
}

/** The fast run went the fast way, the other through oclif, and both printed and exited the same. */
export function assertSameOutput(fast: WayResult, slow: WayResult): void {
  assert.equal(fast.way, 'fast');
  assert.equal(slow.way, 'oclif');
  assert.equal(fast.stdout, slow.stdout);
  assert.equal(fast.stderr, slow.stderr);
  assert.equal(fast.code, slow.code);
}
