// AlterPartitionReassignments v0. A KRaft broker passes it on to the active controller. A
// single broker is the only replica there is: moving a partition onto itself is done at
// once, any other broker is unknown, and there is never a move to cancel.
import { ErrorCode } from '../../protocol/errors.js';
import { forwardAlterPartitionReassignments } from '../cluster/forward.js';
import type { ApiHandler } from './handler.js';

export const alterPartitionReassignments: ApiHandler = {
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { broker } = ctx;
    if (broker.controllerChannel) return forwardAlterPartitionReassignments(broker.controllerChannel, req);
    const topics = req.topics as Array<{
      name: string;
      partitions: Array<{ partitionIndex: number; replicas: number[] | null }>;
    }>;
    const responses = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const answer = (errorCode: number, errorMessage: string | null = null) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage,
        });
        if (broker.topic(t.name)?.partitions[p.partitionIndex] === undefined)
          return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (p.replicas === null) return answer(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
        if (p.replicas.length === 0)
          return answer(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'The manual partition assignment includes an empty replica list.',
          );
        const other = p.replicas.find((id) => id !== broker.nodeId);
        if (other !== undefined)
          return answer(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment includes broker ${other}, but no such broker is registered.`,
          );
        if (p.replicas.length > 1)
          return answer(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'The manual partition assignment includes duplicate replicas.',
          );
        return answer(ErrorCode.NONE);
      }),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
};
