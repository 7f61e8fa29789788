// Metadata v0-12. One broker leads every partition. Topics named in the request are
// auto-created when allowed; like Kafka, the response that creates them says
// LEADER_NOT_AVAILABLE and the client asks again.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';
import type { Topic } from '../broker.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const NO_OPERATIONS = -2147483648;
const API_CREATE_TOPICS = 19;

export const metadata: ApiHandler = {
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    const node = broker.nodeId;
    const endpoint = broker.endpointFor(ctx);
    const cluster = broker.replicaManager ? broker.cluster : undefined;
    // A cluster answers from the committed metadata: leaders, replicas and ISRs as the controller set them.
    const partitionOf = (t: Topic, index: number) => {
      const pi = cluster?.partition(t.name, index);
      if (!pi)
        return {
          errorCode: ErrorCode.NONE,
          partitionIndex: index,
          leaderId: node,
          leaderEpoch: 0,
          replicaNodes: [node],
          isrNodes: [node],
          offlineReplicas: [],
        };
      return {
        errorCode: pi.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: index,
        leaderId: pi.leader,
        leaderEpoch: pi.leaderEpoch,
        replicaNodes: pi.replicas,
        isrNodes: pi.isr,
        offlineReplicas: pi.replicas.filter((id) => !cluster!.isLive(id)),
      };
    };
    const describe = (t: Topic) => ({
      errorCode: ErrorCode.NONE,
      name: t.name,
      topicId: t.topicId,
      isInternal: t.internal,
      partitions: t.partitions.map((p) => partitionOf(t, p.index)),
      topicAuthorizedOperations: NO_OPERATIONS,
    });

    // v0: an empty list means all topics; v1+: null means all topics.
    const all = req.topics === null || (apiVersion === 0 && req.topics.length === 0);
    const topics: unknown[] = [];
    if (all) {
      for (const t of broker.listTopics()) topics.push(describe(t));
    } else {
      const autoCreate = apiVersion < 4 ? true : req.allowAutoTopicCreation;
      for (const rt of req.topics as Array<{ name: string | null; topicId: string }>) {
        if (rt.name === null || rt.name === undefined) {
          const t = rt.topicId && rt.topicId !== ZERO_UUID ? broker.topicById(rt.topicId) : undefined;
          topics.push(
            t
              ? describe(t)
              : {
                  errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
                  name: null,
                  topicId: rt.topicId,
                  isInternal: false,
                  partitions: [],
                  topicAuthorizedOperations: NO_OPERATIONS,
                },
          );
          continue;
        }
        const t = broker.topic(rt.name);
        if (t) {
          topics.push(describe(t));
          continue;
        }
        let errorCode: number = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (autoCreate && broker.config.bool('auto.create.topics.enable')) {
          if (broker.controllerChannel) {
            // The controller creates it; the client asks again and finds it once committed.
            broker.controllerChannel
              .send(API_CREATE_TOPICS, {
                topics: [{ name: rt.name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }],
                timeoutMs: 30_000,
                validateOnly: false,
              })
              .catch((err: Error) => broker.log(`Auto-creation of ${rt.name} failed: ${err.message}`));
            errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
          } else {
            const created = broker.autoCreateTopic(rt.name);
            errorCode = created.ok ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode[created.error];
          }
        }
        topics.push({
          errorCode,
          name: rt.name,
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [],
          topicAuthorizedOperations: NO_OPERATIONS,
        });
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [
        { nodeId: node, host: endpoint.host, port: endpoint.port, rack: null },
        // KRaft mode: every other live broker the controller quorum has registered.
        ...(broker.cluster?.liveBrokers(ctx.listenerName).filter((b) => b.nodeId !== node) ?? []),
      ],
      clusterId: broker.clusterId,
      controllerId: node,
      topics,
      clusterAuthorizedOperations: NO_OPERATIONS,
    };
  },
};
