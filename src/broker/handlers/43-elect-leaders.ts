// ElectLeaders v0-2 (preferred, and unclean from v1). A KRaft broker passes it on to the
// active controller. A single broker is the only replica of every partition, so its leaders
// are always the preferred ones and there is never a leaderless partition to elect for.
import { ErrorCode } from '../../protocol/errors.js';
import { forwardElectLeaders } from '../cluster/forward.js';
import type { ApiHandler } from './handler.js';

export const electLeaders: ApiHandler = {
  apiKey: 43,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { broker } = ctx;
    if (broker.controllerChannel) return forwardElectLeaders(broker.controllerChannel, req);
    const wanted = req.topicPartitions as Array<{ topic: string; partitions: number[] }> | null;
    // Electing for every partition reports only those that needed an election: none here.
    const results =
      wanted === null
        ? []
        : wanted.map((t) => ({
            topic: t.topic,
            partitionResult: t.partitions.map((partitionId) => {
              const exists = broker.topic(t.topic)?.partitions[partitionId] !== undefined;
              return exists
                ? { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null }
                : {
                    partitionId,
                    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    errorMessage: broker.topic(t.topic)
                      ? `No such partition as ${t.topic}-${partitionId}`
                      : `No such topic as ${t.topic}`,
                  };
            }),
          }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  },
};
