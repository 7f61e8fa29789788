/**
 * The operation behind `ktool log-dirs --describe` (kafka-log-dirs.sh):
 * which brokers to ask (--broker-list, checked against the cluster), then
 * DescribeLogDirs on each of them for every partition; --topic-list only
 * filters what is printed, as in Kafka.
 */
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { UsageError, javaExceptionClass, responseError } from './admin-errors.js';
import { describeCluster } from './cluster.js';
import { javaIntSetOrder, parseJavaInt } from '../protocol/java-compat.js';

const DESCRIBE_LOG_DIRS = 35;

/** Kafka splits at commas and drops empty items. */
function splitList(text: string | undefined): string[] {
  return (text ?? '').split(',').filter((s) => s.length > 0);
}

export function parseTopicList(text: string | undefined): string[] {
  return [...new Set(splitList(text))];
}

/** --broker-list: broker ids (Integer.valueOf each item). */
export function parseBrokerList(text: string | undefined): number[] {
  return [
    ...new Set(
      splitList(text).map((item) => {
        const id = parseJavaInt(item);
        if (id === undefined) {
          throw new UsageError(
            `Invalid broker id "${item}" in --broker-list: expected a comma-separated list of integers`,
          );
        }
        return id;
      }),
    ),
  ];
}

export interface BrokerSelection {
  /** The brokers to ask. */
  brokers: number[];
  /** Every broker of the cluster. */
  clusterBrokers: number[];
}

/** Kafka's check: every --broker-list id must exist; without the list, every broker is asked. */
export async function selectBrokers(client: ClusterClient, requested: readonly number[]): Promise<BrokerSelection> {
  const cluster = (await describeCluster(client)).brokers.map((b) => b.id);
  const known = new Set(cluster);
  const missing = requested.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new UsageError(
      `ERROR: The given brokers do not exist from --broker-list: ${javaIntSetOrder(missing).join(',')}. Current existent brokers: ${javaIntSetOrder(cluster).join(',')}`,
      'BROKER_NOT_AVAILABLE',
    );
  }
  return { brokers: requested.length === 0 ? cluster : [...requested], clusterBrokers: cluster };
}

export interface ReplicaInfo {
  topic: string;
  partition: number;
  size: number;
  offsetLag: number;
  isFuture: boolean;
}

export interface LogDirInfo {
  path: string;
  /** The Java exception class of the dir's error (Kafka prints the class name), or null. */
  error: string | null;
  /** In the broker's order. */
  replicas: ReplicaInfo[];
  /** Bytes of the volume (DescribeLogDirs v4+); null when unknown. */
  totalBytes: number | null;
  usableBytes: number | null;
}

export interface BrokerLogDirs {
  broker: number;
  logDirs: LogDirInfo[];
}

export async function describeLogDirs(client: ClusterClient, brokers: readonly number[]): Promise<BrokerLogDirs[]> {
  return Promise.all(
    brokers.map(async (broker): Promise<BrokerLogDirs> => {
      const body = await client.send(DESCRIBE_LOG_DIRS, { topics: null }, { node: broker });
      if (typeof body.errorCode === 'number' && body.errorCode !== ErrorCode.NONE)
        throw responseError(body.errorCode, null);
      const logDirs = (body.results as MessageBody[]).map((r): LogDirInfo => {
        const replicas: ReplicaInfo[] = [];
        for (const t of r.topics as MessageBody[]) {
          for (const p of t.partitions as MessageBody[]) {
            replicas.push({
              topic: t.name,
              partition: p.partitionIndex,
              size: p.partitionSize,
              offsetLag: p.offsetLag,
              isFuture: p.isFutureKey === true,
            });
          }
        }
        const bytes = (v: unknown): number | null => (typeof v === 'number' && v >= 0 ? v : null);
        return {
          path: r.logDir,
          error: r.errorCode === ErrorCode.NONE ? null : javaExceptionClass(errorName(r.errorCode)),
          replicas,
          totalBytes: bytes(r.totalBytes),
          usableBytes: bytes(r.usableBytes),
        };
      });
      return { broker, logDirs };
    }),
  );
}
