/**
 * `ktool console-consumer` and `ktool console-producer` on the start-up fast path (see
 * fast-path.ts): the tools themselves (tools/console-consumer/run.ts and
 * tools/console-producer/run.ts) with the flags parsed by fast-flags.ts, and the base
 * command's duty (off-oclif.ts). Loading oclif took more time and memory than anything
 * else in a short run.
 */
import type { ConsoleConsumerFlagValues } from '../tools/console-consumer/run.js';
import type { ConsoleProducerFlagValues } from '../tools/console-producer/run.js';
import { plainHost, withoutOclif } from './off-oclif.js';

export async function runConsoleConsumerFast(flags: ConsoleConsumerFlagValues): Promise<void> {
  await withoutOclif(async () => {
    const { runConsoleConsumer } = await import('../tools/console-consumer/run.js');
    const note = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    await runConsoleConsumer({ ...plainHost, note }, flags);
  });
}

export async function runConsoleProducerFast(flags: ConsoleProducerFlagValues): Promise<void> {
  await withoutOclif(async () => {
    const { runConsoleProducer } = await import('../tools/console-producer/run.js');
    await runConsoleProducer({ ...plainHost, logJson: () => undefined }, flags);
  });
}
