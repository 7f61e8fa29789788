// A KRaft broker's producer ids: blocks of ids the active controller hands out with
// AllocateProducerIds. The next block is fetched when the current one is nine tenths used,
// so InitProducerId rarely waits for the controller.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { ControllerChannel } from './seams.js';

const API_ALLOCATE_PRODUCER_IDS = 67;

interface Block {
  next: number;
  end: number;
  size: number;
}

export class NoProducerIdsError extends Error {
  readonly code = 'COORDINATOR_LOAD_IN_PROGRESS';
}

export interface ProducerIdBlocksOptions {
  channel: ControllerChannel;
  brokerId: number;
  brokerEpoch(): number;
  log(line: string): void;
  /** How long an InitProducerId waits for a block before it is told to retry. */
  waitMs?: number;
}

export class ProducerIdBlocks {
  private current: Block | null = null;
  private spare: Block | null = null;
  private fetching: Promise<void> | null = null;

  constructor(private readonly opts: ProducerIdBlocksOptions) {}

  /** The next unused producer id; NoProducerIdsError when the controller gives none in time. */
  async next(): Promise<number> {
    const deadline = Date.now() + (this.opts.waitMs ?? 5000);
    for (;;) {
      const block = this.current;
      if (block && block.next < block.end) {
        const id = block.next++;
        if (block.end - block.next < block.size / 10) this.fetch();
        return id;
      }
      if (this.spare) {
        this.current = this.spare;
        this.spare = null;
        continue;
      }
      if (Date.now() >= deadline) throw new NoProducerIdsError('no producer id block from the controller yet');
      this.fetch();
      await Promise.race([this.fetching, new Promise((r) => setTimeout(r, 200))]);
    }
  }

  private fetch(): void {
    if (this.fetching || this.spare) return;
    this.fetching = (async () => {
      try {
        const res = await this.opts.channel.send(API_ALLOCATE_PRODUCER_IDS, {
          brokerId: this.opts.brokerId,
          brokerEpoch: this.opts.brokerEpoch(),
        });
        const code = res.errorCode as number;
        if (code !== ErrorCode.NONE) {
          this.opts.log(`AllocateProducerIds failed: ${errorName(code)}`);
          await new Promise((r) => setTimeout(r, 100));
          return;
        }
        const start = Number(res.producerIdStart);
        const size = res.producerIdLen as number;
        this.spare = { next: start, end: start + size, size };
      } catch (err) {
        this.opts.log(`AllocateProducerIds failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        this.fetching = null;
      }
    })();
  }
}
