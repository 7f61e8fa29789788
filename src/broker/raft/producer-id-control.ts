// AllocateProducerIds on the active controller: brokers take producer ids in blocks, and each
// block is a ProducerIdsRecord in the metadata log before it is handed out, so no two brokers
// (and no broker before and after a controller failover) ever share an id.
import { ErrorCode } from '../../protocol/errors.js';
import { encodeMetadataRecord } from '../../protocol/log-records.js';
import type { MessageBody } from '../../protocol/types.js';
import type { MetadataImage } from './metadata-image.js';
import { metadataWriteError, type RaftNode } from './raft-node.js';

export const API_ALLOCATE_PRODUCER_IDS = 67;
/** Kafka's block size (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdControlOptions {
  raft: RaftNode;
  image: MetadataImage;
  write(records: Buffer[]): Promise<number>;
}

export class ProducerIdControl {
  /** One allocation at a time, so two blocks never start at the same committed next id. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ProducerIdControlOptions) {}

  handleAllocateProducerIds(req: MessageBody): Promise<object> {
    const run = this.queue.then(() => this.allocate(req.brokerId as number, Number(req.brokerEpoch)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async allocate(brokerId: number, brokerEpoch: number): Promise<object> {
    const reply = (errorCode: number, producerIdStart = -1, producerIdLen = 0) => ({
      throttleTimeMs: 0,
      errorCode,
      producerIdStart,
      producerIdLen,
    });
    const { raft, image } = this.opts;
    if (raft.role !== 'leader') return reply(ErrorCode.NOT_CONTROLLER);
    const b = image.brokers.get(brokerId);
    if (!b) return reply(ErrorCode.BROKER_ID_NOT_REGISTERED);
    if (b.epoch !== brokerEpoch) return reply(ErrorCode.STALE_BROKER_EPOCH);
    const start = image.nextProducerId;
    try {
      await this.opts.write([
        encodeMetadataRecord('ProducerIdsRecord', 0, {
          brokerId,
          brokerEpoch,
          nextProducerId: start + PRODUCER_ID_BLOCK_SIZE,
        }),
      ]);
    } catch (err) {
      return reply(metadataWriteError(err));
    }
    // The write committed, so the image has applied it: the next block starts after this one.
    return reply(ErrorCode.NONE, start, PRODUCER_ID_BLOCK_SIZE);
  }
}
