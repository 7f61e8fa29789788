/**
 * `ktool console-consumer` and `ktool console-producer` on the start-up fast path (see
 * fast-path.ts): the tools themselves (tools/console-consumer/run.ts and
 * tools/console-producer/run.ts) with the flags parsed by console-flags.ts, and the base
 * command's duty done here instead of by oclif: the `Error: ...` line and the exit status. Loading oclif took more time and memory than
 * anything else in a short run. Nothing on this path colours.
 */
import { exitCodeOf, messageOf } from '../cli/errors.js';
import type { ConsoleConsumerFlagValues } from '../tools/console-consumer/run.js';
import type { ConsoleProducerFlagValues } from '../tools/console-producer/run.js';

/** Thrown by host.exit: the tool already printed its failure. */
class Exit {
  constructor(readonly code: number) {}
}

const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function runConsoleConsumerFast(flags: ConsoleConsumerFlagValues): Promise<void> {
  await withoutOclif(async () => {
    const { runConsoleConsumer } = await import('../tools/console-consumer/run.js');
    await runConsoleConsumer({ jsonEnabled: () => false, note }, flags);
  });
}

export async function runConsoleProducerFast(flags: ConsoleProducerFlagValues): Promise<void> {
  await withoutOclif(async () => {
    const { runConsoleProducer } = await import('../tools/console-producer/run.js');
    const host = {
      jsonEnabled: () => false,
      logJson: () => undefined,
      exit(code = 0): never {
        throw new Exit(code);
      },
    };
    await runConsoleProducer(host, flags);
  });
}

async function withoutOclif(run: () => Promise<void>): Promise<void> {
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
