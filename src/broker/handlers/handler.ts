import type { Broker } from '../broker.js';
import type { ApiRegistry } from '../server/api-registry.js';

/** What a handler knows about the request it serves. */
export interface RequestContext {
  broker: Broker;
  /** The APIs this broker serves (ApiVersions answers from it). */
  apis: ApiRegistry;
  apiVersion: number;
  clientId: string | null;
  correlationId: number;
  connectionId: number;
  remoteAddress: string;
  listenerName: string;
  localAddress: string;
  localPort: number;
}

/** Returned by a handler when Kafka sends no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no-response');

export interface ApiHandler {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  // Bodies follow the schema table; handlers own their shapes.

  handle(request: any, ctx: RequestContext): unknown | Promise<unknown>;
}
