// DeleteGroups v0-2: groups without members are deleted with their committed offsets;
// others get NON_EMPTY_GROUP, unknown ones GROUP_ID_NOT_FOUND. Nothing left out.
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const deleteGroups: ApiHandler = {
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    return { throttleTimeMs: 0, results: coordinatorOf(ctx).deleteGroups(req.groupsNames as string[]) };
  },
};
