// DeleteGroups v0-2: groups without members are deleted with their committed offsets;
// others get NON_EMPTY_GROUP, unknown ones GROUP_ID_NOT_FOUND. Nothing left out.
import { ErrorCode } from '../../protocol/errors.js';
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const deleteGroups: ApiHandler = {
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const results = coordinator.deleteGroups(req.groupsNames as string[]);
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE) continue;
      r.errorCode = await coordinator.awaitDurable(r.groupId);
    }
    return { throttleTimeMs: 0, results };
  },
};
