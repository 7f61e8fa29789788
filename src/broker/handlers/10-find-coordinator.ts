// FindCoordinator v0-6 (v4+ batches keys). A single broker coordinates every group and every
// transactional id; on a cluster a group's coordinator is the leader of its __consumer_offsets
// partition. Share-group keys (type 2, v6) and unknown key types get INVALID_REQUEST.
import { ErrorCode } from '../../protocol/errors.js';
import { locateGroupCoordinator } from '../cluster/coordinator-lookup.js';
import type { ApiHandler } from './handler.js';

const GROUP = 0;
const TRANSACTION = 1;
const SHARE = 2;

export const findCoordinator: ApiHandler = {
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    const keyType: number = req.keyType ?? GROUP;
    const lookup = (key: string) => {
      const fail = (code: number, message: string) => ({
        errorCode: code,
        errorMessage: message,
        nodeId: -1,
        host: '',
        port: -1,
      });
      if (keyType === GROUP && broker.replicaManager) return locateGroupCoordinator(broker, key, ctx.listenerName);
      if (keyType === GROUP || keyType === TRANSACTION) {
        const { host, port } = broker.endpointFor(ctx);
        // Kafka puts the error's name in the message when there is no error.
        return { errorCode: ErrorCode.NONE, errorMessage: 'NONE', nodeId: broker.nodeId, host, port };
      }
      if (keyType === SHARE && apiVersion >= 6)
        return fail(ErrorCode.INVALID_REQUEST, 'Share groups are not supported by the dev broker');
      return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}`);
    };
    if (apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        coordinators: (req.coordinatorKeys as string[]).map((key) => ({ key, ...lookup(key) })),
      };
    }
    return { throttleTimeMs: 0, ...lookup(req.key as string) };
  },
};
