// Admin requests a KRaft broker passes on to the active controller (Kafka's forwarding):
// the controller validates, places replicas and commits the records; the broker answers
// with the controller's response, whatever version the client spoke.
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { ControllerChannel } from './seams.js';

const API_CREATE_TOPICS = 19;
const API_DELETE_TOPICS = 20;

interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

function unreachable(err: unknown): string {
  return `The active controller could not be reached: ${(err as Error).message}`;
}

export async function forwardCreateTopics(channel: ControllerChannel, req: MessageBody): Promise<object> {
  const topics = req.topics as CreatableTopic[];
  try {
    const res = await channel.send(API_CREATE_TOPICS, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments,
        configs: t.configs,
      })),
      timeoutMs: req.timeoutMs ?? 30_000,
      validateOnly: req.validateOnly ?? false,
    });
    return { throttleTimeMs: 0, topics: res.topics };
  } catch (err) {
    return {
      throttleTimeMs: 0,
      topics: topics.map((t) => ({
        name: t.name,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: unreachable(err),
        configs: null,
      })),
    };
  }
}

export async function forwardDeleteTopics(
  channel: ControllerChannel,
  wanted: Array<{ name: string | null; topicId: string }>,
  timeoutMs: number,
): Promise<object> {
  try {
    const res = await channel.send(API_DELETE_TOPICS, { topics: wanted, timeoutMs });
    return { throttleTimeMs: 0, responses: res.responses };
  } catch (err) {
    return {
      throttleTimeMs: 0,
      responses: wanted.map((w) => ({
        name: w.name,
        topicId: w.topicId,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: unreachable(err),
      })),
    };
  }
}

const API_CREATE_PARTITIONS = 37;
const API_INCREMENTAL_ALTER_CONFIGS = 44;

export async function forwardCreatePartitions(channel: ControllerChannel, req: MessageBody): Promise<object> {
  const topics = req.topics as Array<{ name: string; count: number; assignments: unknown }>;
  try {
    const res = await channel.send(API_CREATE_PARTITIONS, {
      topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments ?? null })),
      timeoutMs: req.timeoutMs ?? 30_000,
      validateOnly: req.validateOnly ?? false,
    });
    return { throttleTimeMs: 0, results: res.results };
  } catch (err) {
    return {
      throttleTimeMs: 0,
      results: topics.map((t) => ({
        name: t.name,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: unreachable(err),
      })),
    };
  }
}

/** Topic config changes: the controller commits them, so every broker applies the same configs. */
export async function forwardTopicConfigs(
  channel: ControllerChannel,
  resources: MessageBody[],
  validateOnly: boolean,
): Promise<MessageBody[]> {
  try {
    const res = await channel.send(API_INCREMENTAL_ALTER_CONFIGS, { resources, validateOnly });
    return res.responses as MessageBody[];
  } catch (err) {
    return resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: unreachable(err),
    }));
  }
}

const API_ELECT_LEADERS = 43;

/** Leader elections: only the controller can move leaderships. */
export async function forwardElectLeaders(channel: ControllerChannel, req: MessageBody): Promise<object> {
  const wanted = req.topicPartitions as Array<{ topic: string; partitions: number[] }> | null;
  try {
    const res = await channel.send(API_ELECT_LEADERS, {
      electionType: req.electionType ?? 0,
      topicPartitions: wanted,
      timeoutMs: req.timeoutMs ?? 30_000,
    });
    return { throttleTimeMs: 0, errorCode: res.errorCode, replicaElectionResults: res.replicaElectionResults };
  } catch (err) {
    const message = unreachable(err);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: (wanted ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({
          partitionId,
          errorCode: ErrorCode.REQUEST_TIMED_OUT,
          errorMessage: message,
        })),
      })),
    };
  }
}

const API_ALTER_PARTITION_REASSIGNMENTS = 45;
const API_LIST_PARTITION_REASSIGNMENTS = 46;

/** Reassignments: the controller widens, completes or reverts the replica sets. */
export async function forwardAlterPartitionReassignments(
  channel: ControllerChannel,
  req: MessageBody,
): Promise<object> {
  try {
    const res = await channel.send(API_ALTER_PARTITION_REASSIGNMENTS, {
      timeoutMs: req.timeoutMs ?? 60_000,
      topics: req.topics,
    });
    return { throttleTimeMs: 0, errorCode: res.errorCode, errorMessage: res.errorMessage, responses: res.responses };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: unreachable(err), responses: [] };
  }
}

export async function forwardListPartitionReassignments(channel: ControllerChannel, req: MessageBody): Promise<object> {
  try {
    const res = await channel.send(API_LIST_PARTITION_REASSIGNMENTS, {
      timeoutMs: req.timeoutMs ?? 60_000,
      topics: req.topics ?? null,
    });
    return { throttleTimeMs: 0, errorCode: res.errorCode, errorMessage: res.errorMessage, topics: res.topics };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: unreachable(err), topics: [] };
  }
}
