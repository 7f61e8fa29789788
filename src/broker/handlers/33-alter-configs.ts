// AlterConfigs v0-2: replaces a resource's whole set of overrides, atomically.
import type { ApiHandler } from './handler.js';

export const alterConfigs: ApiHandler = {
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const responses = (
      req.resources as Array<{
        resourceType: number;
        resourceName: string;
        configs: Array<{ name: string; value: string | null }>;
      }>
    ).map((r) =>
      ctx.broker.alterConfigs(
        r.resourceType,
        r.resourceName,
        (_current) => {
          const next: Record<string, string> = {};
          for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
          return next;
        },
        req.validateOnly,
      ),
    );
    return { throttleTimeMs: 0, responses };
  },
};
