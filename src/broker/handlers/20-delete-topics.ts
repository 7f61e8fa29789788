// DeleteTopics v0-6 (v6 names topics by name or by id). A KRaft broker passes it on to the
// active controller.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';
import { forwardDeleteTopics } from '../cluster/forward.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const deleteTopics: ApiHandler = {
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const { broker, apiVersion } = ctx;
    const wanted: Array<{ name: string | null; topicId: string }> =
      apiVersion >= 6 ? req.topics : (req.topicNames as string[]).map((name) => ({ name, topicId: ZERO_UUID }));
    if (broker.controllerChannel) return forwardDeleteTopics(broker.controllerChannel, wanted, req.timeoutMs ?? 30_000);
    const responses = wanted.map((w) => {
      const topic = w.name !== null ? broker.topic(w.name) : broker.topicById(w.topicId);
      if (!topic) {
        const byId = w.name === null;
        return {
          name: w.name,
          topicId: w.topicId,
          errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: byId ? `Topic id ${w.topicId} not found` : 'This server does not host this topic-partition.',
        };
      }
      if (topic.internal) {
        return {
          name: topic.name,
          topicId: topic.topicId,
          errorCode: ErrorCode.TOPIC_DELETION_DISABLED,
          errorMessage: 'Internal topics cannot be deleted.',
        };
      }
      const deleted = broker.deleteTopic(topic.name);
      if (!deleted.ok)
        return {
          name: topic.name,
          topicId: topic.topicId,
          errorCode: ErrorCode[deleted.error],
          errorMessage: deleted.message,
        };
      return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, responses };
  },
};
