// ListPartitionReassignments v0. A KRaft broker passes it on to the active controller; a
// single broker never has a reassignment in progress.
import { ErrorCode } from '../../protocol/errors.js';
import { forwardListPartitionReassignments } from '../cluster/forward.js';
import type { ApiHandler } from './handler.js';

export const listPartitionReassignments: ApiHandler = {
  apiKey: 46,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { broker } = ctx;
    if (broker.controllerChannel) return forwardListPartitionReassignments(broker.controllerChannel, req);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
};
