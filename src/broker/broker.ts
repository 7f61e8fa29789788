// The broker's state and the operations handlers call: produce and fetch, parked fetches,
// retention and the log cleaner, producer ids, configs and shutdown, over the topics and
// partitions it hosts (topic-host.ts). One owner mutates it, and every mutation runs inside
// one synchronous section, so requests never see a half-done change.
import { BrokerConfig } from './config/broker-config.js';
import { ResourceType, TOPIC_CONFIG_BY_NAME } from './config/config-defs.js';
import { brokerConfigError, ConfigOpError, topicConfigError } from './config/validate.js';
import { GroupCoordinator } from './groups/coordinator.js';
import { ErrorCode, type ErrorName } from '../protocol/errors.js';
import { decodeBatches, setLogAppendTime, validateBatches } from '../protocol/record-batch.js';
import { writeCleanShutdownMarker } from './storage/clean-shutdown.js';
import { systemClock } from './groups/clock.js';
import { TransactionCoordinator } from './transactions/coordinator.js';
import { writeMarker, writeTxnCheckpoint } from './transactions/markers.js';
import { offsetsPartitionsOf } from './cluster/offsets-partitions.js';
import { Partition, AppendResult, BrokerDeps, PRODUCER_ID_BLOCK, CLEANER_CODECS } from './broker-types.js';
import { TopicHost } from './topic-host.js';
import { ReusedBuffers } from '../protocol/reused-buffers.js';

export * from './broker-types.js';

export class Broker extends TopicHost {
  readonly groups: GroupCoordinator;
  /** Buffers Fetch responses are read into, given back once written (protocol/reused-buffers.ts). */
  readonly readBuffers = new ReusedBuffers();
  /** Buffers Produce request frames are assembled in, given back once the request is served. */
  readonly frameBuffers = new ReusedBuffers();
  readonly transactions: TransactionCoordinator;

  constructor(deps: BrokerDeps) {
    super(deps);
    this.groups = new GroupCoordinator({
      dataDir: this.config.dataDir,
      fs: this.fs,
      config: this.config,
      partitionExists: (topic, partition) => !!this.topics.get(topic)?.partitions[partition],
      log: this.log,
      replicated: deps.clustered ? offsetsPartitionsOf(this, this.now) : undefined,
    });
    this.transactions = new TransactionCoordinator({
      dataDir: this.config.dataDir,
      fs: this.fs,
      clock: deps.transactionClock ?? systemClock,
      config: this.config,
      log: this.log,
      nextProducerId: () => this.nextProducerId(),
      partitionExists: (topic, partition) => !!this.topics.get(topic)?.partitions[partition],
      writeMarker: (topic, partition, producerId, producerEpoch, commit) => {
        const p = this.topics.get(topic)?.partitions[partition];
        if (p && writeMarker(p, producerId, producerEpoch, commit, this.now())) this.wake(p);
      },
      applyOffsets: (groupId, offsets) => this.groups.applyTxnOffsets(groupId, offsets),
      validateGroupCommit: (groupId, generationId, memberId, instanceId) =>
        this.groups.validateTxnOffsetCommit(groupId, generationId, memberId, instanceId),
    });
  }

  /**
   * NOT_ENOUGH_REPLICAS for an acks=all produce when the in-sync replicas are fewer
   * than min.insync.replicas. A single broker's ISR is itself alone.
   */
  insyncShortfall(topicName: string, index: number): string | null {
    const topic = this.topics.get(topicName);
    if (!topic || !topic.partitions[index]) return null;
    const isr = this.replicaManager ? this.replicaManager.isrSize(topic.partitions[index]) : 1;
    const min = topic.settings.minInsyncReplicas;
    return isr < min
      ? `The size of the current ISR ${isr} is insufficient to satisfy the min.isr requirement of ${min} for partition ${topicName}-${index}`
      : null;
  }

  appendRecords(
    topicName: string,
    index: number,
    records: Buffer | null,
    transactionalId: string | null,
  ): AppendResult {
    const fail = (error: ErrorName, message: string | null = null): AppendResult => ({
      errorCode: ErrorCode[error],
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: -1,
      message,
    });
    const topic = this.topics.get(topicName);
    const partition = topic?.partitions[index];
    if (!topic || !partition) return fail('UNKNOWN_TOPIC_OR_PARTITION');
    const notLeader = this.replicaManager?.leaderError(partition) ?? null;
    if (notLeader) return fail(notLeader, `This broker does not lead ${topicName}-${index}`);
    if (!records || records.length === 0) return fail('CORRUPT_MESSAGE', 'Produce request has no records');
    const checked = validateBatches(records, { fromClient: true });
    if (checked.error !== null) return fail(checked.error, checked.message);
    const { log } = partition;
    for (const b of checked.batches) {
      if (b.size > topic.settings.maxMessageBytes) {
        return fail(
          'MESSAGE_TOO_LARGE',
          `The record batch is ${b.size} bytes, larger than max.message.bytes (${topic.settings.maxMessageBytes}).`,
        );
      }
      if (b.isControl) return fail('INVALID_RECORD', 'Clients cannot write control batches');
      if (b.isTransactional !== (transactionalId !== null)) {
        return fail(
          'INVALID_RECORD',
          b.isTransactional
            ? 'Transactional batch without a transactional id'
            : 'Non-transactional batch in a transactional produce request',
        );
      }
      if (transactionalId !== null) {
        const refused = this.transactions.verifyProduce(
          transactionalId,
          b.producerId,
          b.producerEpoch,
          topicName,
          index,
        );
        if (refused !== null)
          return fail(refused, `Transactional produce to ${topicName}-${index} refused: ${refused}`);
      }
    }

    if (topic.settings.compaction !== null && hasKeylessRecord(records)) {
      return fail(
        'INVALID_RECORD',
        `Compacted topic cannot accept message without key in topic partition ${topicName}-${index}.`,
      );
    }

    // Idempotent producers: a retried batch is answered from memory instead of stored twice.
    const idempotent = checked.batches.filter((b) => b.producerId >= 0 && b.baseSequence >= 0);
    for (const b of idempotent) {
      const verdict = partition.producers.check(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        (b.baseSequence + b.lastOffsetDelta) | 0,
      );
      if (verdict.kind === 'error') return fail(verdict.error, verdict.message);
      if (verdict.kind === 'duplicate') {
        if (checked.batches.length === 1) {
          return {
            errorCode: ErrorCode.NONE,
            baseOffset: verdict.batch.firstOffset,
            logAppendTime: -1,
            logStartOffset: log.logStartOffset,
            message: null,
          };
        }
        return fail('DUPLICATE_SEQUENCE_NUMBER', 'A batch in the request was already written');
      }
    }

    let appendTime = -1;
    if (topic.settings.logAppendTime) {
      appendTime = this.now();
      for (const b of checked.batches) setLogAppendTime(records, b.position, appendTime);
    }
    let appended: { baseOffset: number; lastOffset: number };
    try {
      appended = log.append(records, {
        leaderEpoch: this.replicaManager?.leaderEpochOf(partition) ?? 0,
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'KAFKA_STORAGE_ERROR') {
        this.log(`Write to ${topicName}-${index} failed: ${e.message}`);
        return fail('KAFKA_STORAGE_ERROR', e.message ?? null);
      }
      throw err;
    }
    let offset = appended.baseOffset;
    for (const b of checked.batches) {
      if (b.producerId >= 0 && b.baseSequence >= 0) {
        partition.producers.record(b.producerId, b.producerEpoch, {
          firstSeq: b.baseSequence,
          lastSeq: (b.baseSequence + b.lastOffsetDelta) | 0,
          firstOffset: offset,
          lastOffset: offset + b.lastOffsetDelta,
          maxTimestamp: b.maxTimestamp,
        });
      }
      partition.txns.onBatch(b, offset);
      offset += b.lastOffsetDelta + 1;
    }
    this.replicaManager?.onLeaderAppend(partition, appended.baseOffset);
    this.wake(partition);
    return {
      errorCode: ErrorCode.NONE,
      baseOffset: appended.baseOffset,
      logAppendTime: appendTime,
      logStartOffset: log.logStartOffset,
      message: null,
    };
  }

  readLog(
    partition: Partition,
    offset: number,
    maxBytes: number,
    minOneBatch: boolean,
    into?: (length: number) => Buffer,
  ): { error: number; chunks: Buffer[]; bytes: number } {
    try {
      const r = partition.log.read(offset, maxBytes, { minOneBatch, into });
      return { error: ErrorCode.NONE, chunks: r.chunks, bytes: r.bytes };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'OFFSET_OUT_OF_RANGE') return { error: ErrorCode.OFFSET_OUT_OF_RANGE, chunks: [], bytes: 0 };
      if (e.code === 'CORRUPT_MESSAGE') {
        this.log(`Read from ${partition.topic.name}-${partition.index} at offset ${offset} failed: ${e.message}`);
        return { error: ErrorCode.CORRUPT_MESSAGE, chunks: [], bytes: 0 };
      }
      this.log(`Read from ${partition.topic.name}-${partition.index} failed: ${e.message}`);
      return { error: ErrorCode.KAFKA_STORAGE_ERROR, chunks: [], bytes: 0 };
    }
  }

  /** Resolves when any of the partitions gets new data, or after the timeout. */
  waitForAppend(partitions: Partition[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      // eslint-disable-next-line prefer-const -- assigned after done() is defined, which reads it
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        for (const p of partitions) this.waiters.get(p)?.delete(done);
        this.parked.delete(done);
        resolve();
      };
      this.parked.add(done);
      for (const p of partitions) {
        let set = this.waiters.get(p);
        if (!set) {
          set = new Set();
          this.waiters.set(p, set);
        }
        set.add(done);
      }
      timer = setTimeout(done, timeoutMs);
    });
  }

  /** Answers the long polls waiting on `p` (after a transaction marker, say). */
  wakePartition(p: Partition): void {
    this.wake(p);
  }

  protected override wake(p: Partition): void {
    const set = this.waiters.get(p);
    if (!set || set.size === 0) return;
    this.waiters.delete(p);
    for (const fn of set) fn();
  }

  wakeAll(): void {
    for (const p of [...this.waiters.keys()]) this.wake(p);
    // A fetch naming no partition waits on none: only its timer would end it.
    for (const fn of [...this.parked]) fn();
  }

  /** Answers every parked request (long polls, rebalances) so connections can drain. */
  beginShutdown(): void {
    this.closing = true;
    this.groups.close();
    this.wakeAll();
  }

  deleteRecords(partition: Partition, offset: number): { errorCode: number; lowWatermark: number } {
    const { log } = partition;
    const target = offset === -1 ? log.highWatermark : offset;
    if (target < 0 || target > log.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    try {
      if (target > log.logStartOffset) log.deleteRecordsBefore(target);
    } catch (err) {
      this.log(`DeleteRecords on ${partition.topic.name}-${partition.index} failed: ${(err as Error).message}`);
      return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, lowWatermark: -1 };
    }
    return { errorCode: ErrorCode.NONE, lowWatermark: log.logStartOffset };
  }

  applyRetention(): void {
    const now = this.now();
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        try {
          p.log.applyRetention(now);
        } catch (err) {
          this.log(`Retention on ${topic.name}-${p.index} failed: ${(err as Error).message}`);
        }
      }
    }
  }

  protected cleaning = false;

  /**
   * One pass of the log cleaner over every compacted partition that is due. The work
   * is cut into steps with a turn of the event loop between them, so requests are
   * served while a large partition is compacted.
   */
  async cleanCompactedLogs(): Promise<void> {
    if (this.cleaning || this.closing) return;
    this.cleaning = true;
    try {
      for (const topic of [...this.topics.values()]) {
        const settings = topic.settings.compaction;
        if (settings === null) continue;
        for (const p of topic.partitions) {
          if (this.closing || this.topics.get(topic.name) !== topic) return;
          try {
            const txns = {
              firstUnstableOffset: p.txns.lastStableOffset(p.log.highWatermark),
              isAborted: (pid: number, offset: number) => p.txns.isAborted(pid, offset),
            };
            const steps = p.log.cleaningSteps(settings, CLEANER_CODECS, this.now(), txns);
            let step = steps.next();
            while (!step.done) {
              await new Promise((resolve) => setImmediate(resolve));
              if (this.closing || p.log.isOffline || this.topics.get(topic.name) !== topic) return;
              step = steps.next();
            }
            const r = step.value;
            if (r.cleaned && r.recordsRemoved > 0) {
              this.log(
                `Cleaner compacted ${topic.name}-${p.index}: ${r.recordsRemoved} record(s) removed, ${r.bytesBefore} -> ${r.bytesAfter} bytes, cleaned up to offset ${r.cleanedUpTo}`,
              );
            }
          } catch (err) {
            this.log(`Cleaning ${topic.name}-${p.index} failed: ${(err as Error).message}`);
          }
        }
      }
    } finally {
      this.cleaning = false;
    }
  }

  /** Ids come from blocks reserved on disk first, so a restart never hands one out twice. */
  nextProducerId(): number {
    if (this.nextPid >= this.pidLimit) {
      const start = this.store.reserveProducerIds(PRODUCER_ID_BLOCK);
      this.nextPid = start;
      this.pidLimit = start + PRODUCER_ID_BLOCK;
    }
    return this.nextPid++;
  }

  /** A fresh producer id for an idempotent producer: on a cluster, from the controller's blocks. */
  allocateProducerId(): Promise<number> | number {
    return this.producerIdBlocks ? this.producerIdBlocks.next() : this.nextProducerId();
  }

  /**
   * Computes a resource's new overrides with `update` and applies them only when every
   * one is valid, so an alter is all or nothing.
   */
  alterConfigs(
    resourceType: number,
    resourceName: string,
    update: (current: Record<string, string>, effective: (name: string) => string | null) => Record<string, string>,
    validateOnly: boolean,
  ): { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string } {
    const reply = (error: ErrorName, errorMessage: string | null = null) => ({
      errorCode: ErrorCode[error],
      errorMessage,
      resourceType,
      resourceName,
    });
    try {
      switch (resourceType) {
        case ResourceType.TOPIC: {
          const topic = this.topics.get(resourceName);
          if (!topic) return reply('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${resourceName}' does not exist.`);
          const next = update({ ...topic.configs }, (name) =>
            TOPIC_CONFIG_BY_NAME.has(name) ? this.config.topicValue(name, topic.configs) : null,
          );
          for (const [name, value] of Object.entries(next)) {
            const err = topicConfigError(name, value);
            if (err) return reply('INVALID_CONFIG', err);
          }
          if (validateOnly) return reply('NONE');
          const stored = this.persist(`Cannot alter the configs of ${topic.name}`, () =>
            this.store.putTopic({
              name: topic.name,
              topicId: topic.topicId,
              partitions: topic.partitions.length,
              configs: next,
            }),
          );
          if (stored) return reply(stored.error, stored.message);
          topic.configs = next;
          this.refreshSettings(topic);
          return reply('NONE');
        }
        case ResourceType.BROKER: {
          if (resourceName !== '' && resourceName !== String(this.nodeId)) {
            return reply(
              'INVALID_REQUEST',
              `Unexpected broker id, expected ${this.nodeId} or empty string, but received ${resourceName}`,
            );
          }
          const clusterDefault = resourceName === '';
          const next = update(
            clusterDefault ? this.config.dynamicDefaultOverrides : this.config.dynamicOverrides,
            (name) => this.config.get(name),
          );
          for (const [name, value] of Object.entries(next)) {
            const err = brokerConfigError(name, value);
            if (err) return reply(err.error, err.message);
          }
          // Listener lists must parse: every Metadata answer reads them, and so does the
          // next start, from the stored overrides.
          try {
            const candidate = clusterDefault
              ? new BrokerConfig(this.config.staticProps, this.config.dynamicOverrides, next)
              : new BrokerConfig(this.config.staticProps, next, this.config.dynamicDefaultOverrides);
            void candidate.listeners;
            void candidate.advertisedListeners;
          } catch (err) {
            return reply('INVALID_CONFIG', (err as Error).message);
          }
          if (validateOnly) return reply('NONE');
          const stored = this.persist('Cannot alter the broker configs', () =>
            clusterDefault ? this.store.setBrokerDefaultOverrides(next) : this.store.setBrokerOverrides(next),
          );
          if (stored) return reply(stored.error, stored.message);
          if (clusterDefault) this.config.setDynamicDefaults(next);
          else this.config.setDynamic(next);
          for (const topic of this.topics.values()) this.refreshSettings(topic);
          return reply('NONE');
        }
        case ResourceType.BROKER_LOGGER: {
          const next = update({ ...this.loggerLevels }, (name) => this.loggerLevels[name] ?? null);
          const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'];
          for (const [name, value] of Object.entries(next)) {
            if (!levels.includes(value.toUpperCase()))
              return reply(
                'INVALID_CONFIG',
                `Cannot set the log level of ${name} to ${value} as it is not a supported log level. Valid log levels are ${levels.join(', ')}`,
              );
          }
          if (!validateOnly) {
            for (const k of Object.keys(this.loggerLevels)) if (!(k in next)) delete this.loggerLevels[k];
            Object.assign(this.loggerLevels, next);
            this.loggerLevels.root ??= 'INFO';
          }
          return reply('NONE');
        }
        default:
          return reply('INVALID_REQUEST', `Unsupported resource type ${resourceType}`);
      }
    } catch (err) {
      if (err instanceof ConfigOpError) return reply(err.error, err.message);
      throw err;
    }
  }

  /** Flushes and closes every log; when all of them made it, leaves the clean-shutdown marker. */
  close(): void {
    this.closing = true;
    this.transactions.close();
    this.wakeAll();
    this.deletedDirs.stop();
    let clean = this.opened;
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        try {
          if (p.log.isOffline) clean = false;
          else p.log.flush();
        } catch (err) {
          clean = false;
          this.log(`Flushing ${topic.name}-${p.index} at shutdown failed: ${(err as Error).message}`);
        }
        try {
          if (!p.log.isOffline) writeTxnCheckpoint(p);
        } catch (err) {
          this.log(`Checkpointing transactions of ${topic.name}-${p.index} failed: ${(err as Error).message}`);
        }
        p.log.close();
      }
    }
    this.opened = false;
    if (!clean) return;
    try {
      writeCleanShutdownMarker(this.fs, this.config.dataDir);
    } catch (err) {
      this.log(`Cannot write the clean-shutdown marker (the next start recovers): ${(err as Error).message}`);
    }
  }
}

function hasKeylessRecord(records: Buffer): boolean {
  for (const batch of decodeBatches(records, CLEANER_CODECS.decompress)) {
    if (batch.header.isControl) continue;
    for (const r of batch.records) if (r.key === null) return true;
  }
  return false;
}
