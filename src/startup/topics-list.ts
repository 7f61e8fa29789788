/**
 * `ktool topics --list` on the start-up fast path (see fast-path.ts): the command's own
 * runTopics, with the base command's duty (off-oclif.ts). Output and exit status are
 * those of the oclif command.
 */
import type { TopicsFlagValues } from '../tools/topics/flags.js';
import { runTopics } from '../tools/topics/run.js';
import { plainHost, withoutOclif } from './off-oclif.js';

export async function runTopicsList(flags: TopicsFlagValues): Promise<void> {
  await withoutOclif(() => runTopics(plainHost, 'list', flags));
}
