// IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT, applied to a resource
// atomically (all of a resource's operations land, or none).
import { TOPIC_CONFIG_BY_NAME, BROKER_CONFIG_BY_NAME } from '../config/config-defs.js';
import { ConfigOpError as OpError } from '../config/validate.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { forwardTopicConfigs } from '../cluster/forward.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
/** ConfigResource.Type.TOPIC */
const TOPIC = 2;

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
  async handle(req, ctx) {
    // On a cluster, topic configs go through the controller; broker configs stay this broker's.
    const channel = ctx.broker.controllerChannel;
    const topicResources = channel
      ? (req.resources as Array<{ resourceType: number }>).filter((r) => r.resourceType === TOPIC)
      : [];
    const forwarded =
      channel && topicResources.length > 0 ? await forwardTopicConfigs(channel, topicResources, req.validateOnly) : [];
    const local = channel
      ? {
          ...req,
          resources: (req.resources as Array<{ resourceType: number }>).filter((r) => r.resourceType !== TOPIC),
        }
      : req;
    const answered = localAlter(local, ctx);
    if (!channel) return answered;
    const byKey = new Map<string, unknown>();
    for (const r of [...forwarded, ...answered.responses] as Array<{ resourceType: number; resourceName: string }>)
      byKey.set(`${r.resourceType}:${r.resourceName}`, r);
    return {
      throttleTimeMs: 0,
      responses: (req.resources as Array<{ resourceType: number; resourceName: string }>).map((r) =>
        byKey.get(`${r.resourceType}:${r.resourceName}`),
      ),
    };
  },
};

function localAlter(req: any, ctx: RequestContext): { throttleTimeMs: number; responses: unknown[] } {
  {
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
  }
}
