/**
 * The operation behind `ktool delete-records` (kafka-delete-records.sh):
 * read Kafka's offset JSON document and move each partition's log start
 * offset forward with DeleteRecords, sent to the partition leaders.
 *
 *   {"partitions": [{"topic": "t", "partition": 0, "offset": 3}], "version": 1}
 *
 * "version" may be left out (1); offset -1 means the high watermark. A
 * partition given twice is refused, as Kafka refuses it. One difference:
 * Kafka's admin client keeps retrying a partition the cluster does not know
 * until its API timeout (60 s) runs out; ktool reports it at once as
 * UnknownTopicOrPartitionException.
 */
import { readFile } from 'node:fs/promises';
import type { ClusterClient } from '../client/cluster.js';
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import { UsageError, javaExceptionClass, javaExceptionText } from './admin-errors.js';

const DELETE_RECORDS = 21;
const SUPPORTED_VERSION = 1;

export interface RecordsToDelete {
  topic: string;
  partition: number;
  /** Delete the records before this offset (-1: the high watermark). */
  offset: number;
}

const describeJson = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${JSON.stringify(v)}`;

/** Parse Kafka's offset JSON; every problem is an UsageError naming the field. */
export function parseOffsetJson(text: string): RecordsToDelete[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The input string is not a valid JSON: ${(error as Error).message}`, 'INVALID_JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(
      `The offset JSON must be an object with a "partitions" field, found ${describeJson(doc)}`,
      'INVALID_JSON',
    );
  }
  const obj = doc as Record<string, unknown>;
  const version = obj.version ?? SUPPORTED_VERSION;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new UsageError(`The "version" field must be an integer, found ${describeJson(version)}`, 'INVALID_JSON');
  }
  if (version !== SUPPORTED_VERSION)
    throw new UsageError(`Not supported version field value ${version}`, 'INVALID_JSON');
  if (!('partitions' in obj)) throw new UsageError('Missing partitions field', 'INVALID_JSON');
  const partitions = obj.partitions;
  if (!Array.isArray(partitions))
    throw new UsageError(`The "partitions" field must be an array, found ${describeJson(partitions)}`, 'INVALID_JSON');
  const out: RecordsToDelete[] = [];
  partitions.forEach((entry: unknown, i) => {
    const where = `partitions[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new UsageError(`${where} must be an object, found ${describeJson(entry)}`, 'INVALID_JSON');
    }
    const e = entry as Record<string, unknown>;
    for (const field of ['topic', 'partition', 'offset']) {
      if (!(field in e)) throw new UsageError(`${where} has no "${field}" field`, 'INVALID_JSON');
    }
    if (typeof e.topic !== 'string')
      throw new UsageError(`${where}.topic must be a string, found ${describeJson(e.topic)}`, 'INVALID_JSON');
    const isInt = (v: unknown, max: number): v is number =>
      typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= max;
    if (!isInt(e.partition, 2147483647))
      throw new UsageError(`${where}.partition must be an integer, found ${describeJson(e.partition)}`, 'INVALID_JSON');
    if (!isInt(e.offset, Number.MAX_SAFE_INTEGER))
      throw new UsageError(`${where}.offset must be an integer, found ${describeJson(e.offset)}`, 'INVALID_JSON');
    out.push({ topic: e.topic, partition: e.partition, offset: e.offset });
  });
  return out;
}

/** Read and parse the --offset-json-file. */
export async function readOffsetJsonFile(path: string): Promise<RecordsToDelete[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new UsageError(`Cannot read offset JSON file ${path}: ${why}`, 'INVALID_ARGUMENTS');
  }
  return parseOffsetJson(text);
}

/** Partitions named more than once, each once, in input order. */
export function duplicatePartitions(records: readonly RecordsToDelete[]): Array<{ topic: string; partition: number }> {
  const seen = new Set<string>();
  const dups = new Map<string, { topic: string; partition: number }>();
  for (const r of records) {
    const key = `${r.topic}\u0000${r.partition}`;
    if (seen.has(key)) dups.set(key, { topic: r.topic, partition: r.partition });
    seen.add(key);
  }
  return [...dups.values()];
}

export interface DeleteRecordsOutcome {
  topic: string;
  partition: number;
  /** The partition's new log start offset; null on error. */
  lowWatermark: number | null;
  /** A Kafka error name; null on success. */
  code: string | null;
  /** Java's text of the exception (`org.apache.kafka.common.errors.X: message`); null on success. */
  error: string | null;
}

/** Delete the records; one outcome per partition, in input order. Duplicates must be checked first. */
export async function deleteRecords(
  client: ClusterClient,
  records: readonly RecordsToDelete[],
): Promise<DeleteRecordsOutcome[]> {
  const outcomes = new Map<string, DeleteRecordsOutcome>();
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  const fail = (r: { topic: string; partition: number }, code: number | string, message?: string | null) => {
    const name = typeof code === 'string' ? code : errorName(code);
    const error =
      typeof code === 'string' ? `${javaExceptionClass(code)}: ${message ?? code}` : javaExceptionText(code, message);
    outcomes.set(key(r.topic, r.partition), {
      topic: r.topic,
      partition: r.partition,
      lowWatermark: null,
      code: name,
      error,
    });
  };
  if (records.length > 0) {
    const md = await client.refreshMetadata([...new Set(records.map((r) => r.topic))]);
    const byLeader = new Map<number, RecordsToDelete[]>();
    for (const r of records) {
      const t = md.topics.get(r.topic);
      const p = t?.errorCode === ErrorCode.NONE ? t.partitions.find((x) => x.partition === r.partition) : undefined;
      if (p === undefined) {
        fail(r, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      if (p.leader < 0 || !md.brokers.has(p.leader)) {
        fail(r, ErrorCode.LEADER_NOT_AVAILABLE);
        continue;
      }
      byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), r]);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        const topics = new Map<string, RecordsToDelete[]>();
        for (const r of list) topics.set(r.topic, [...(topics.get(r.topic) ?? []), r]);
        const body = {
          topics: [...topics].map(([name, rs]) => ({
            name,
            partitions: rs.map((r) => ({ partitionIndex: r.partition, offset: r.offset })),
          })),
          timeoutMs: 30_000,
        };
        let response: MessageBody;
        try {
          response = await client.send(DELETE_RECORDS, body, { node: leader });
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          for (const r of list) fail(r, error.errorName, error.message);
          return;
        }
        for (const t of response.topics as MessageBody[]) {
          for (const p of t.partitions as MessageBody[]) {
            const tp = { topic: t.name as string, partition: p.partitionIndex as number };
            if (p.errorCode !== ErrorCode.NONE) fail(tp, p.errorCode);
            else
              outcomes.set(key(tp.topic, tp.partition), {
                ...tp,
                lowWatermark: p.lowWatermark,
                code: null,
                error: null,
              });
          }
        }
      }),
    );
  }
  return records.map(
    (r) =>
      outcomes.get(key(r.topic, r.partition)) ?? {
        topic: r.topic,
        partition: r.partition,
        lowWatermark: null,
        code: 'UNKNOWN_SERVER_ERROR',
        error: javaExceptionText(ErrorCode.UNKNOWN_SERVER_ERROR, 'The broker did not answer for this partition'),
      },
  );
}
