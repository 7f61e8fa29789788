/**
 * Rendering `ktool log-dirs --describe`: Kafka 3.9's kafka-log-dirs.sh text
 * and the --json shape.
 *
 *   Querying brokers for log directories information
 *   Received log directory information from brokers 0
 *   {"brokers":[{"broker":0,"logDirs":[{"partitions":[{"partition":"t-0","size":123,"offsetLag":0,"isFuture":false}],"error":null,"logDir":"/data"}]}],"version":1}
 *
 * Kafka's LogDirsCommand (Java since 3.7) builds that document from
 * HashMaps and serializes it with Jackson, so every key, broker, log dir and
 * partition comes in Java's HashMap order; this file reproduces it (for the
 * log-dir object that order is partitions, error, logDir). The --json
 * output is the same data sorted, plus the volume sizes.
 */
import type { BrokerLogDirs, ReplicaInfo } from '../ops/log-dirs.js';
import { javaHashMapOrder, javaHashOrder, javaIntSetOrder, topicPartitionHash } from '../protocol/java-compat.js';

export const QUERYING_LINE = 'Querying brokers for log directories information\n';

export function receivedLine(brokers: readonly number[]): string {
  return `Received log directory information from brokers ${javaIntSetOrder(brokers).join(',')}\n`;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { entries: Array<[string, JsonValue]> };

/** A JSON object whose keys come in the order a default-sized Java HashMap iterates them. */
function hashMapObject(entries: Array<[string, JsonValue]>): { entries: Array<[string, JsonValue]> } {
  return { entries: javaHashMapOrder(entries, ([k]) => k) };
}

function serialize(v: JsonValue): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(serialize).join(',')}]`;
  return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${serialize(x)}`).join(',')}}`;
}

const tpHash = (r: ReplicaInfo): number => topicPartitionHash(r.topic, r.partition);

/** The document exactly as kafka-log-dirs.sh prints it (without the newline). */
export function kafkaLogDirsDocument(results: readonly BrokerLogDirs[], topics: readonly string[]): string {
  const wanted = new Set(topics);
  // DescribeLogDirsResult: a HashMap<Integer, ...>(n) filled from another one.
  const brokers = javaHashOrder(
    javaHashOrder(results, (b) => b.broker, results.length),
    (b) => b.broker,
    results.length,
  );
  const doc = hashMapObject([
    ['version', 1],
    [
      'brokers',
      brokers.map((b) =>
        hashMapObject([
          ['broker', b.broker],
          [
            'logDirs',
            javaHashMapOrder(b.logDirs, (d) => d.path, b.logDirs.length).map((d) => {
              // The admin client's HashMap of replicas, then the tool's filtered copy.
              const replicas = javaHashOrder(
                javaHashOrder(d.replicas, tpHash).filter((r) => wanted.size === 0 || wanted.has(r.topic)),
                tpHash,
              );
              return hashMapObject([
                ['logDir', d.path],
                ['error', d.error],
                [
                  'partitions',
                  replicas.map((r) =>
                    hashMapObject([
                      ['partition', `${r.topic}-${r.partition}`],
                      ['size', r.size],
                      ['offsetLag', r.offsetLag],
                      ['isFuture', r.isFuture],
                    ]),
                  ),
                ],
              ]);
            }),
          ],
        ]),
      ),
    ],
  ]);
  return serialize(doc);
}

export interface LogDirPartitionJson {
  /** `topic-partition`, as Kafka prints it. */
  partition: string;
  topic: string;
  partitionIndex: number;
  size: number;
  offsetLag: number;
  isFuture: boolean;
}

export interface LogDirJson {
  logDir: string;
  /** The Java exception class of the dir's error, or null. */
  error: string | null;
  partitions: LogDirPartitionJson[];
  /** Volume size and free space in bytes (brokers answering DescribeLogDirs v4+), else null. */
  totalBytes: number | null;
  usableBytes: number | null;
}

export interface LogDirsJson {
  version: 1;
  brokers: Array<{ broker: number; logDirs: LogDirJson[] }>;
}

export function logDirsJson(results: readonly BrokerLogDirs[], topics: readonly string[]): LogDirsJson {
  const wanted = new Set(topics);
  return {
    version: 1,
    brokers: [...results]
      .sort((a, b) => a.broker - b.broker)
      .map((b) => ({
        broker: b.broker,
        logDirs: [...b.logDirs]
          .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
          .map((d) => ({
            logDir: d.path,
            error: d.error,
            partitions: d.replicas
              .filter((r) => wanted.size === 0 || wanted.has(r.topic))
              .sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition))
              .map((r) => ({
                partition: `${r.topic}-${r.partition}`,
                topic: r.topic,
                partitionIndex: r.partition,
                size: r.size,
                offsetLag: r.offsetLag,
                isFuture: r.isFuture,
              })),
            totalBytes: d.totalBytes,
            usableBytes: d.usableBytes,
          })),
      })),
  };
}
