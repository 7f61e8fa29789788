/**
 * kafka-leader-election.sh's output: the partitions elected, those already led by the wanted
 * replica, and one line per failure, each list in the order Java's HashSet gives it.
 */
import { javaExceptionClass } from '../ops/admin-errors.js';
import type { ElectionResults } from '../ops/leader-election.js';
import { topicPartitionMapOrder } from '../protocol/java-compat.js';

/** The --json shape of `ktool leader-election`. */
export interface LeaderElectionJson {
  electionType: 'PREFERRED' | 'UNCLEAN';
  elected: Array<{ topic: string; partition: number }>;
  alreadyElected: Array<{ topic: string; partition: number }>;
  failed: Array<{ topic: string; partition: number; error: string; message: string }>;
}

const name = (tp: { topic: string; partition: number }) => `${tp.topic}-${tp.partition}`;

export function leaderElectionJson(r: ElectionResults): LeaderElectionJson {
  return {
    electionType: r.electionType,
    elected: topicPartitionMapOrder(r.elected),
    alreadyElected: topicPartitionMapOrder(r.alreadyElected),
    failed: topicPartitionMapOrder(r.failed),
  };
}

export function renderLeaderElection(j: LeaderElectionJson): string {
  let out = '';
  if (j.elected.length > 0)
    out += `Successfully completed leader election (${j.electionType}) for partitions ${j.elected.map(name).join(', ')}\n`;
  if (j.alreadyElected.length > 0)
    out += `Valid replica already elected for partitions ${j.alreadyElected.map(name).join(', ')}\n`;
  for (const f of j.failed)
    out += `Error completing leader election (${j.electionType}) for partition: ${name(f)}: ${javaExceptionClass(f.error)}: ${f.message}\n`;
  return out;
}
