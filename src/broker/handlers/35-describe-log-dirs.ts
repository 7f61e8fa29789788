// DescribeLogDirs v0-4. The dev broker keeps every partition in one directory (the first
// of log.dirs), so it always reports exactly one log dir, with the replicas it hosts. Left out: future replicas
// (isFutureKey is always false, offsetLag always 0) and per-dir errors (a dir that
// cannot be read still reports its partitions). v4's totalBytes/usableBytes come from
// statfs on the directory, -1 when the platform cannot tell.
import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import type { Topic } from '../broker.js';
import type { ApiHandler } from './handler.js';

interface TopicRequest {
  topic: string;
  partitions: number[];
}

export const describeLogDirs: ApiHandler = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const { broker } = ctx;
    const wanted = req.topics as TopicRequest[] | null;
    // On a cluster a broker reports only the replicas the metadata assigns it.
    const hosted = (topic: Topic, i: number) =>
      topic.partitions[i] !== undefined &&
      (broker.cluster === undefined ||
        broker.cluster.partition(topic.name, i)?.replicas.includes(broker.nodeId) === true);
    // null asks for every partition; a list asks for those partitions only.
    const selected: Array<{ topic: Topic; partitions: number[] }> = [];
    if (wanted === null) {
      for (const topic of broker.listTopics())
        selected.push({ topic, partitions: topic.partitions.map((p) => p.index).filter((i) => hosted(topic, i)) });
    } else {
      for (const t of wanted) {
        const topic = broker.topic(t.topic);
        if (topic) selected.push({ topic, partitions: t.partitions.filter((i) => hosted(topic, i)) });
      }
    }
    const topics = selected
      .filter((s) => s.partitions.length > 0)
      .map(({ topic, partitions }) => ({
        name: topic.name,
        partitions: partitions.map((i) => ({
          partitionIndex: i,
          partitionSize: topic.partitions[i]!.log.size,
          offsetLag: 0,
          isFutureKey: false,
        })),
      }));
    const logDir = resolve(broker.config.dataDir);
    const space = diskSpace(logDir);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir, topics, totalBytes: space.total, usableBytes: space.usable }],
    };
  },
};

function diskSpace(dir: string): { total: number; usable: number } {
  try {
    const s = statfsSync(dir);
    return { total: s.blocks * s.bsize, usable: s.bavail * s.bsize };
  } catch {
    return { total: -1, usable: -1 };
  }
}
