/**
 * `ktool topics --list` on the start-up fast path (see fast-path.ts): the
 * command's own runTopics, with the base command's duty that applies to it
 * (the `Error: ...` line and exit status) done here instead of by oclif.
 * Output and exit status are those of the oclif command. The colour policy is
 * not applied: nothing on this path colours, and asking whether stderr is a
 * terminal would open it for nothing.
 */
import { exitCodeOf, messageOf } from '../cli/errors.js';
import type { ToolHost } from '../cli/runner.js';
import { runTopics } from '../tools/topics/run.js';
import type { TopicsFlagValues } from '../tools/topics/flags.js';

/** Thrown by host.exit: the tool already printed its failure. */
class Exit {
  constructor(readonly code: number) {}
}

const host: ToolHost = {
  jsonEnabled: () => false,
  exit(code = 0): never {
    throw new Exit(code);
  },
};

export async function runTopicsList(flags: TopicsFlagValues): Promise<void> {
  try {
    await runTopics(host, 'list', flags);
  } catch (error) {
    if (error instanceof Exit) {
      process.exitCode = error.code;
      return;
    }
    process.stderr.write(`Error: ${messageOf(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
