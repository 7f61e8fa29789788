// ListGroups v0-5: states filter (v4+) and types filter (v5+), both case-insensitive; every
// group here is a "classic" group.
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

export const listGroups: ApiHandler = {
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const r = coordinatorOf(ctx).listGroups(
      (req.statesFilter as string[] | undefined) ?? [],
      (req.typesFilter as string[] | undefined) ?? [],
    );
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
  },
};
