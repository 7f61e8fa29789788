/**
 * The base command's duty for tools run on the start-up fast path, done here instead of by
 * oclif: a failure becomes one `Error: ...` line on stderr and the tool's exit status, and
 * host.exit(code) ends the tool with that status once it printed its failure itself. The
 * colour policy is not applied: nothing on these paths colours.
 */
import { exitCodeOf, messageOf } from '../cli/errors.js';

/** Thrown by host.exit: the tool already printed its failure. */
class Exit {
  constructor(readonly code: number) {}
}

/** A host without --json, whose exit(code) ends the run with that status. */
export const plainHost = {
  jsonEnabled: (): boolean => false,
  exit(code = 0): never {
    throw new Exit(code);
  },
};

export async function withoutOclif(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Exit) {
      process.exitCode = error.code;
      return;
    }
    process.stderr.write(`Error: ${messageOf(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
