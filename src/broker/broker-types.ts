// The broker's shapes: topics and partitions as it holds them, results of its operations,
// its dependencies, and what a KRaft cluster tells it about the other brokers.
import { BrokerConfig } from './config/broker-config.js';
import { type ErrorName } from '../protocol/errors.js';
import { ProducerStateTable } from './producer-state.js';
import { type LogConfig } from './storage/partition-log.js';
import type { ReplicaLog } from './storage/replica-log.js';
import { type CleanerSettings, type Codecs } from './storage/log-cleaner.js';
import { compress, decompress, type CompressionCodec } from '../codecs/index.js';
import type { MetadataStore } from './storage/metadata-store.js';
import { type FsInterface } from './storage/fs-interface.js';
import { type Clock } from './groups/clock.js';
import { PartitionTxns } from './transactions/partition-txns.js';

export interface Partition {
  topic: Topic;
  index: number;
  log: ReplicaLog;
  producers: ProducerStateTable;
  /** Open transactions, the last stable offset and the aborted-transaction index. */
  txns: PartitionTxns;
}

/** Topic configs the hot paths read, resolved once per config change. */
export interface TopicSettings {
  maxMessageBytes: number;
  logAppendTime: boolean;
  log: LogConfig;
  /** Set when cleanup.policy includes compact. */
  compaction: CleanerSettings | null;
  minInsyncReplicas: number;
}

export interface Topic {
  name: string;
  topicId: string;
  internal: boolean;
  configs: Record<string, string>;
  partitions: Partition[];
  settings: TopicSettings;
}

export type OpResult<T = object> = ({ ok: true } & T) | { ok: false; error: ErrorName; message: string };

export interface CreateTopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partition: number; brokerIds: number[] }>;
  configs: Record<string, string>;
}

export interface AppendResult {
  errorCode: number;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  message: string | null;
}

export interface BrokerDeps {
  config: BrokerConfig;
  store: MetadataStore;
  fs: FsInterface;
  log: (line: string) => void;
  now?: () => number;
  /** The transaction coordinator's clock (timeouts); tests drive it by hand. */
  transactionClock?: Clock;
  /** A KRaft broker: groups live in the replicated __consumer_offsets topic. */
  clustered?: boolean;
}

export const PRODUCER_ID_BLOCK = 1000;
/** Kafka's default producer.id.expiration.ms: how long a producer's sequence state is kept. */
export const PRODUCER_ID_EXPIRATION_MS = 86_400_000;
export const CLEANER_CODECS: Codecs = {
  compress: (codec, data) => compress(codec as CompressionCodec, data),
  decompress: (codec, data) => decompress(codec as CompressionCodec, data),
};
/** Kafka's controller creates at most this many partitions per request. */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

/** The brokers of a KRaft cluster, as the committed metadata log lists them. */
export interface ClusterView {
  /** Unfenced brokers with their endpoint on `listenerName`. */
  liveBrokers(listenerName: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  /** A partition's replicas, ISR, leader (-1: none) and leader epoch. */
  partition(
    topic: string,
    index: number,
  ): { replicas: number[]; isr: number[]; leader: number; leaderEpoch: number } | undefined;
  isLive(brokerId: number): boolean;
}
