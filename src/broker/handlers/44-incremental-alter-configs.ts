// IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT, applied to a resource
// atomically (all of a resource's operations land, or none).
import { TOPIC_CONFIG_BY_NAME, BROKER_CONFIG_BY_NAME } from '../config/config-defs.js';
import { ConfigOpError as OpError } from '../config/validate.js';
import type { ApiHandler } from './handler.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

interface Op {
  name: string;
  configOperation: number;
  value: string | null;
}

export const incrementalAlterConfigs: ApiHandler = {
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const responses = (req.resources as Array<{ resourceType: number; resourceName: string; configs: Op[] }>).map((r) =>
      ctx.broker.alterConfigs(
        r.resourceType,
        r.resourceName,
        (current, effective) => {
          const next = { ...current };
          for (const op of r.configs) {
            const type = TOPIC_CONFIG_BY_NAME.get(op.name)?.type ?? BROKER_CONFIG_BY_NAME.get(op.name)?.type;
            switch (op.configOperation) {
              case SET:
                if (op.value === null)
                  throw new OpError('INVALID_REQUEST', `Null value not supported for : ${op.name}`);
                next[op.name] = op.value;
                break;
              case DELETE:
                delete next[op.name];
                break;
              case APPEND:
              case SUBTRACT: {
                if (type !== 'LIST')
                  throw new OpError('INVALID_CONFIG', `Config value append is not allowed for config key: ${op.name}`);
                const items = (next[op.name] ?? effective(op.name) ?? '')
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean);
                const given = (op.value ?? '')
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean);
                const result =
                  op.configOperation === APPEND
                    ? [...items, ...given.filter((g) => !items.includes(g))]
                    : items.filter((i) => !given.includes(i));
                next[op.name] = result.join(',');
                break;
              }
              default:
                throw new OpError('INVALID_REQUEST', `Unknown config operation ${op.configOperation}`);
            }
          }
          return next;
        },
        req.validateOnly,
      ),
    );
    return { throttleTimeMs: 0, responses };
  },
};
