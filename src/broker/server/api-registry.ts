// Every API the broker serves and the versions it advertises. The dispatcher routes by it
// and ApiVersions answers from it, so the broker never advertises what it does not serve.
import type { ApiHandler } from '../handlers/handler.js';

export interface AdvertisedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class ApiRegistry {
  private readonly handlers: Map<number, ApiHandler>;
  /** Test caps on the highest version served, by API key. */
  private readonly caps = new Map<number, number>();
  /** APIs with no handler that a test control answers (advertised, served only through the control). */
  private readonly virtual = new Map<number, AdvertisedApi>();

  constructor(handlers: readonly ApiHandler[]) {
    this.handlers = new Map(handlers.map((h) => [h.apiKey, h]));
  }

  handler(apiKey: number): ApiHandler | undefined {
    return this.handlers.get(apiKey);
  }

  /** The highest version served: the handler's, lowered by a cap. */
  maxVersion(apiKey: number): number | undefined {
    const h = this.handlers.get(apiKey);
    if (h === undefined) return undefined;
    const cap = this.caps.get(apiKey);
    return cap === undefined ? h.maxVersion : Math.min(cap, h.maxVersion);
  }

  /** Serves `apiKey` only up to `maxVersion` (as an older broker would); undefined lifts the cap. */
  capVersion(apiKey: number, maxVersion: number | undefined): void {
    if (maxVersion === undefined) this.caps.delete(apiKey);
    else this.caps.set(apiKey, maxVersion);
  }

  /** Advertises an API the broker has no handler for, so a test control can answer it. */
  advertiseVirtual(api: AdvertisedApi): void {
    this.virtual.set(api.apiKey, api);
  }

  serves(apiKey: number, version: number): boolean {
    const v = this.virtual.get(apiKey);
    if (v !== undefined && !this.handlers.has(apiKey)) return version >= v.minVersion && version <= v.maxVersion;
    const h = this.handlers.get(apiKey);
    const max = this.maxVersion(apiKey);
    return h !== undefined && max !== undefined && version >= h.minVersion && version <= max;
  }

  advertised(): AdvertisedApi[] {
    const served = [...this.handlers.values()]
      .filter((h) => this.maxVersion(h.apiKey)! >= h.minVersion)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: this.maxVersion(h.apiKey)! }));
    const extra = [...this.virtual.values()].filter((v) => !this.handlers.has(v.apiKey));
    return [...served, ...extra].sort((a, b) => a.apiKey - b.apiKey);
  }
}
