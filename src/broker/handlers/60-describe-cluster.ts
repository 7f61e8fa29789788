// DescribeCluster v0-1. The dev broker is its own controller.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

const NO_OPERATIONS = -2147483648;
const BROKERS_ENDPOINT = 1;

export const describeCluster: ApiHandler = {
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { broker } = ctx;
    const endpoint = broker.endpointFor(ctx);
    if (ctx.apiVersion >= 1 && req.endpointType !== BROKERS_ENDPOINT) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'The dev broker only serves broker endpoints',
        endpointType: req.endpointType,
        clusterId: broker.clusterId,
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: NO_OPERATIONS,
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS_ENDPOINT,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [
        { brokerId: broker.nodeId, host: endpoint.host, port: endpoint.port, rack: null },
        ...(broker.cluster
          ?.liveBrokers(ctx.listenerName)
          .filter((b) => b.nodeId !== broker.nodeId)
          .map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })) ?? []),
      ],
      clusterAuthorizedOperations: NO_OPERATIONS,
    };
  },
};
