/** Durable partition storage for the dev broker. */
export { StorageError, isStorageError, storageError, type StorageErrorCode } from './errors.js';
export {
  nodeFs,
  atomicWriteFile,
  readFully,
  writeFully,
  type FileStat,
  type FsInterface,
  type StorageFs,
} from './fs-interface.js';
export { DEFAULT_LOG_CONFIG, logConfigFromProperties, resolveLogConfig, type LogConfig } from './log-config.js';
export { OffsetIndex, TimeIndex } from './indexes.js';
export { LogSegment, parseSegmentFileName, segmentFileName } from './segment.js';
export {
  LOG_START_OFFSET_FILE,
  PartitionLog,
  partitionDirName,
  type AppendOptions,
  type AppendResult,
  type Clock,
  type PartitionLogDeps,
  type LogFn,
  type ReadOptions,
  type ReadResult,
  type RecentBatch,
  type RetentionResult,
  type TimestampOffset,
} from './partition-log.js';
export {
  LOCK_FILE,
  METADATA_FILE,
  MetadataStore,
  defaultIsPidAlive,
  randomUuid,
  type MetadataStoreOptions,
  type TopicMetadata,
  type TopicRecord,
} from './metadata-store.js';
export { CLEAN_SHUTDOWN_FILE, takeCleanShutdownMarker, writeCleanShutdownMarker } from './clean-shutdown.js';
export {
  DELETE_SUFFIX,
  PARTITION_METADATA_FILE,
  claimPartitionDir,
  markForDeletion,
  readPartitionTopicId,
  removeDeletedDirs,
  strayPartitionDirs,
  type KnownTopic,
} from './log-dirs.js';
