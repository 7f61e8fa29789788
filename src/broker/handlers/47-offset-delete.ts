// OffsetDelete v0. Offsets of topics an active consumer group subscribes to are kept
// (GROUP_SUBSCRIBED_TO_TOPIC); a group with members that is not a consumer group gets
// NON_EMPTY_GROUP. Nothing left out.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const offsetDelete: ApiHandler = {
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const r = coordinator.deleteOffsets(
      req.groupId,
      req.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
    );
    if (r.errorCode === ErrorCode.NONE) {
      const durable = await coordinator.awaitDurable(req.groupId);
      if (durable !== ErrorCode.NONE) return { errorCode: durable, throttleTimeMs: 0, topics: [] };
    }
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics };
  },
};
