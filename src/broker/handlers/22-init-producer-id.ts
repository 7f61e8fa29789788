// InitProducerId v0-5 for idempotent producers. Transactional ids are refused: the dev
// broker has no transaction coordinator yet.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const initProducerId: ApiHandler = {
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (req.transactionalId !== null && req.transactionalId !== undefined) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    // Without a transactional id Kafka hands out a fresh id each time, even when the
    // caller asks to bump the epoch of an old one (KIP-360).
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ctx.broker.nextProducerId(), producerEpoch: 0 };
  },
};
