// DescribeGroups v0-5. An unknown group describes as "Dead" with no error, as Kafka does
// before v6. Member metadata, assignments and the protocol name are shown only while the
// group is Stable. Authorized operations (v3+, when asked) are every group operation: the
// dev broker has no authorizer.
import { coordinatorOf } from '../groups/index.js';
import type { ApiHandler } from './handler.js';

const NO_OPERATIONS = -2147483648;
// READ (3), DELETE (6), DESCRIBE (8), DESCRIBE_CONFIGS (10), ALTER_CONFIGS (11).
const GROUP_OPERATIONS = [3, 6, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);

export const describeGroups: ApiHandler = {
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const coordinator = coordinatorOf(ctx);
    const ops = req.includeAuthorizedOperations ? GROUP_OPERATIONS : NO_OPERATIONS;
    const groups = (req.groups as string[]).map((id) => ({
      ...coordinator.describeGroup(id),
      authorizedOperations: ops,
    }));
    return { throttleTimeMs: 0, groups };
  },
};
