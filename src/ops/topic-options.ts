// Kafka's kafka-topics.sh option parsing: ints, broker ids, replica assignments, topic configs.
import { javaSplit, parseJavaInt } from '../protocol/java-compat.js';
import { TopicCommandError } from './topics.js';

/** joptsimple's Integer conversion: a decimal int32. */
export function parseIntOption(value: string, option: string): number {
  const n = parseJavaInt(value);
  if (n === undefined) throw new TopicCommandError(`Cannot parse argument '${value}' of option ${option}`);
  return n;
}

/** Java's Integer.parseInt, failing with its NumberFormatException message. */
function parseBrokerId(text: string): number {
  const n = parseJavaInt(text);
  if (n === undefined) throw new TopicCommandError(`For input string: "${text}"`);
  return n;
}

/** Kafka's parseReplicaAssignment: "0:1,1:2" -> [[0,1],[1,2]]. */
export function parseReplicaAssignment(text: string): number[][] {
  const out: number[][] = [];
  const partitions = javaSplit(text, ',');
  for (let i = 0; i < partitions.length; i++) {
    const brokers = javaSplit(partitions[i]!, ':').map((s) => parseBrokerId(s.trim()));
    const seen = new Set<number>();
    const dups: number[] = [];
    for (const b of brokers) {
      if (seen.has(b) && !dups.includes(b)) dups.push(b);
      seen.add(b);
    }
    if (dups.length > 0) {
      throw new TopicCommandError(`Partition replica lists may not contain duplicate entries: ${dups.join(',')}`);
    }
    out.push(brokers);
    if (brokers.length !== out[0]!.length) {
      throw new TopicCommandError(`Partition ${i} has different replication factor: [${brokers.join(', ')}]`);
    }
  }
  return out;
}

/** Kafka's parseTopicConfigsToBeAdded: "k=v" items (spaces around '=' allowed). */
export function parseTopicConfigs(items: readonly string[]): Array<[string, string]> {
  const pairs = items.map((s) => javaSplit(s, /\s*=\s*/));
  if (!pairs.every((p) => p.length === 2)) {
    throw new TopicCommandError(
      'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
    );
  }
  const out = new Map<string, string>();
  for (const [k, v] of pairs) out.set(k!.trim(), v!.trim());
  return [...out];
}
