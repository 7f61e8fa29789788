// Test controls at the dispatcher: look at any request before its handler and answer it
// differently (a given response, an error, a delay, a dropped connection). Tests use the
// real broker with a control instead of a second, fake broker; production never sets one.

export interface ControlledRequest {
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
  /** The decoded request body. */
  body: Record<string, unknown>;
}

/** What a control does with a request; undefined lets it through to the handler. */
export type ControlAction =
  /** Answer with this response body instead of the handler's. */
  | { respond: object }
  /** Wait, then let the request through (or apply `then`). */
  | { delayMs: number; then?: ControlAction }
  /** Close the connection without answering. */
  | { drop: true }
  /** Never answer (the connection stays open): a broker that hangs. */
  | { hold: true };

export type Control = (request: ControlledRequest) => ControlAction | undefined;

interface Entry {
  apiKey: number;
  control: Control;
  /** Remaining uses; Infinity for a standing control. */
  remaining: number;
}

export class RequestControls {
  private readonly entries: Entry[] = [];

  /** Applies `control` to every request for `apiKey` until removed; returns the remover. */
  add(apiKey: number, control: Control): () => void {
    return this.register({ apiKey, control, remaining: Number.POSITIVE_INFINITY });
  }

  /** Applies `control` to the next request for `apiKey` only (when it acts on it). */
  once(apiKey: number, control: Control): () => void {
    return this.register({ apiKey, control, remaining: 1 });
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** True when some control looks at requests for this API key. */
  covers(apiKey: number): boolean {
    return this.entries.some((e) => e.apiKey === apiKey);
  }

  get active(): boolean {
    return this.entries.length > 0;
  }

  /** The first control that acts on this request, in the order they were added. */
  decide(request: ControlledRequest): ControlAction | undefined {
    for (const entry of this.entries) {
      if (entry.apiKey !== request.apiKey) continue;
      const action = entry.control(request);
      if (action === undefined) continue;
      if (--entry.remaining <= 0) this.entries.splice(this.entries.indexOf(entry), 1);
      return action;
    }
    return undefined;
  }

  private register(entry: Entry): () => void {
    this.entries.push(entry);
    return () => {
      const i = this.entries.indexOf(entry);
      if (i !== -1) this.entries.splice(i, 1);
    };
  }
}
