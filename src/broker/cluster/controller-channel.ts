// A broker's channel to the active controller for the requests it forwards (CreateTopics,
// DeleteTopics, AlterPartition): tries the controller it knows of, then each voter in turn,
// moving on when a voter answers NOT_CONTROLLER or cannot be reached, until a deadline.
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { RaftTransport } from '../raft/raft-node.js';
import type { ControllerChannel } from './seams.js';

export interface ControllerChannelOptions {
  transport: RaftTransport;
  voters: readonly number[];
  /** The active controller as this node last heard, or -1. */
  leaderHint: () => number;
  deadlineMs?: number;
  retryBackoffMs?: number;
}

/** NOT_CONTROLLER anywhere in a response: at the top, or on every topic of it. */
function notController(res: MessageBody): boolean {
  if (res.errorCode === ErrorCode.NOT_CONTROLLER) return true;
  const topics = (res.topics ?? res.responses) as MessageBody[] | undefined;
  return Array.isArray(topics) && topics.length > 0 && topics.every((t) => t.errorCode === ErrorCode.NOT_CONTROLLER);
}

export class TransportControllerChannel implements ControllerChannel {
  private next = 0;

  constructor(private readonly opts: ControllerChannelOptions) {}

  async send(apiKey: number, body: object): Promise<Record<string, unknown>> {
    const deadline = Date.now() + (this.opts.deadlineMs ?? 15_000);
    const backoff = this.opts.retryBackoffMs ?? 100;
    let lastError: Error = new Error('no controller answered');
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const hint = this.opts.leaderHint();
      const target = attempt === 0 && hint >= 0 ? hint : this.opts.voters[this.next++ % this.opts.voters.length]!;
      try {
        const res = await this.opts.transport.send(target, apiKey, body);
        if (!notController(res)) return res;
        lastError = new Error(`node ${target} is not the active controller`);
      } catch (err) {
        lastError = err as Error;
      }
      await new Promise((r) => setTimeout(r, backoff).unref());
    }
    throw lastError;
  }
}
