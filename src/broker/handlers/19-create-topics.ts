// CreateTopics v0-7, with validateOnly. The single broker holds every replica, so a
// replication factor above 1 cannot be met and is refused as Kafka refuses it. A KRaft
// broker passes the request on to the active controller.
import { ErrorCode } from '../../protocol/errors.js';
import { MAX_PARTITIONS_PER_REQUEST } from '../broker.js';
import type { ApiHandler } from './handler.js';
import { forwardCreateTopics } from '../cluster/forward.js';

interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

export const createTopics: ApiHandler = {
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  handle(req, ctx) {
    const { broker } = ctx;
    if (broker.controllerChannel) return forwardCreateTopics(broker.controllerChannel, req);
    const seen = new Map<string, number>();
    for (const t of req.topics as CreatableTopic[]) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    // Like Kafka's controller, refuse the whole request when it adds up to too many partitions.
    let total = 0;
    for (const t of req.topics as CreatableTopic[]) {
      if (t.assignments.length > 0) total += t.assignments.length;
      else if (t.numPartitions === -1) total += broker.config.int('num.partitions');
      else if (t.numPartitions > 0) total += t.numPartitions;
    }
    if (total > MAX_PARTITIONS_PER_REQUEST) {
      return {
        throttleTimeMs: 0,
        topics: (req.topics as CreatableTopic[]).map((t) => ({
          name: t.name,
          errorCode: ErrorCode.POLICY_VIOLATION,
          errorMessage: 'Excessively large number of partitions per request.',
          configs: null,
        })),
      };
    }
    const topics = (req.topics as CreatableTopic[]).map((t) => {
      if ((seen.get(t.name) ?? 0) > 1) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'Duplicate topic name.',
          configs: null,
        };
      }
      const configs: Record<string, string> = {};
      for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
      const result = broker.createTopic(
        {
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: a.brokerIds })),
          configs,
        },
        req.validateOnly,
      );
      if (!result.ok) {
        return { name: t.name, errorCode: ErrorCode[result.error], errorMessage: result.message, configs: null };
      }
      return {
        name: t.name,
        topicId: result.topic.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: result.topic.partitions.length,
        replicationFactor: 1,
        configs: broker.config.topicConfigs(result.topic.configs).map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: false,
          configSource: c.source,
          isSensitive: false,
        })),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};
