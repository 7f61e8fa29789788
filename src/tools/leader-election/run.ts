/**
 * kafka-leader-election.sh's argument checks (with its own messages) and its run: one
 * ElectLeaders, then the lines for elected, already elected and failed partitions. Any
 * failed partition makes the run fail with "N replica(s) could not be elected".
 */
import { readFile } from 'node:fs/promises';
import { UsageError, CommandError } from '../../ops/tool-errors.js';
import type { ToolSession } from '../../cli/runner.js';
import type { ElectionType, TopicPartition } from '../../ops/leader-election.js';
import type { LeaderElectionJson } from '../../views/leader-election.js';
import { parseJavaInt } from '../../protocol/java-compat.js';

export interface LeaderElectionOptions {
  electionType: string | undefined;
  topic: string | undefined;
  partition: string | undefined;
  allTopicPartitions: boolean;
  pathToJsonFile: string | undefined;
}

export type LeaderElectionResult = LeaderElectionJson;

export class LeaderElectionError extends CommandError {
  constructor(message: string, code = 'ELECTION_FAILED') {
    super(message, code);
    this.name = 'LeaderElectionError';
  }
}

/** The election type as Kafka's enum converter reads it (either case). */
export function electionTypeOf(value: string): ElectionType {
  const upper = value.toUpperCase();
  if (upper === 'PREFERRED' || upper === 'UNCLEAN') return upper;
  throw new UsageError(`Invalid value '${value}' for option --election-type: expected one of preferred, unclean`);
}

export function checkLeaderElection(o: LeaderElectionOptions): ElectionType {
  if (o.electionType === undefined) throw new UsageError('Missing required option(s): election-type');
  const type = electionTypeOf(o.electionType);
  const chosen = [o.topic !== undefined, o.allTopicPartitions, o.pathToJsonFile !== undefined].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError(
      'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file',
    );
  if (o.topic !== undefined && o.partition === undefined) throw new UsageError('Missing required option(s): partition');
  if (o.topic === undefined && o.partition !== undefined)
    throw new UsageError('Option partition is only allowed if topic is used');
  return type;
}

/** Kafka's election JSON file: {"partitions": [{"topic": "t", "partition": 0}, ...]}. */
export function parseElectionFile(text: string): TopicPartition[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError('Replica election data is empty');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError('Replica election data is empty');
  const list = (data as { partitions?: unknown }).partitions;
  if (list === undefined) throw new UsageError('Replica election data is missing "partitions" field');
  if (!Array.isArray(list)) throw new UsageError('Expected JSON array for "partitions"');
  const out: TopicPartition[] = [];
  for (const entry of list as unknown[]) {
    const e = entry as { topic?: unknown; partition?: unknown };
    if (typeof e?.topic !== 'string') throw new UsageError('Expected "topic" to be a string in replica election data');
    if (typeof e.partition !== 'number' || !Number.isInteger(e.partition))
      throw new UsageError('Expected "partition" to be an integer in replica election data');
    out.push({ topic: e.topic, partition: e.partition });
  }
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const tp of out) {
    const key = `${tp.topic}-${tp.partition}`;
    if (seen.has(key)) dup.add(key);
    seen.add(key);
  }
  if (dup.size > 0)
    throw new UsageError(`Replica election data contains duplicate partitions: [${[...dup].join(', ')}]`);
  return out;
}

export async function runLeaderElection(
  o: LeaderElectionOptions,
  session: ToolSession,
  print: (text: string) => void,
): Promise<LeaderElectionResult> {
  const type = checkLeaderElection(o);
  let partitions: TopicPartition[] | null = null;
  if (o.pathToJsonFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.pathToJsonFile, 'utf8');
    } catch {
      throw new UsageError(`java.nio.file.NoSuchFileException: ${o.pathToJsonFile}`, 'ENOENT');
    }
    partitions = parseElectionFile(text);
  } else if (o.topic !== undefined) {
    const partition = parseJavaInt(o.partition!);
    if (partition === undefined) throw new UsageError(`Cannot parse argument '${o.partition}' of option partition`);
    partitions = [{ topic: o.topic, partition }];
  }
  const [ops, views] = await Promise.all([
    import('../../ops/leader-election.js'),
    import('../../views/leader-election.js'),
  ]);
  const results = views.leaderElectionJson(await ops.electLeaders(await session.connect(), type, partitions));
  print(views.renderLeaderElection(results));
  if (results.failed.length > 0)
    throw new LeaderElectionError(`${results.failed.length} replica(s) could not be elected`, results.failed[0]!.error);
  return results;
}
