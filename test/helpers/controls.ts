// Scripting the real broker through its request controls (src/broker/server/request-controls.ts):
// what a test needs to make it look like another broker (other API versions, other metadata).
import type { ControlledRequest } from '../../src/broker/server/request-controls.js';
import type { RunningBroker } from '../../src/broker/index.js';

/** An ApiVersions response body advertising exactly these key ranges. */
export function apiVersionsBody(keys: Array<[apiKey: number, min: number, max: number]>): object {
  return {
    errorCode: 0,
    apiKeys: keys.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })),
    throttleTimeMs: 0,
  };
}

/** Records every request for these API keys (without changing how they are answered). */
export function recordRequests(broker: RunningBroker, apiKeys: number[]): ControlledRequest[] {
  const seen: ControlledRequest[] = [];
  for (const key of apiKeys) {
    broker.controls.add(key, (req) => {
      seen.push(req);
      return undefined;
    });
  }
  return seen;
}

/** Answers every request for `apiKey` with `respond(request)`'s body. */
export function answer(
  broker: RunningBroker,
  apiKey: number,
  respond: (req: ControlledRequest & { body: any }) => object,
): () => void {
  return broker.controls.add(apiKey, (req) => ({ respond: respond(req) }));
}
