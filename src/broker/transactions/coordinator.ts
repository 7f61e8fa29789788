// The transaction coordinator: Kafka's state machine for transactional ids
// (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn), with
// the transaction markers written in-process. Every transition is stored in the
// transaction log before it is answered. Ending a transaction stores PrepareCommit or
// PrepareAbort, writes a COMMIT or ABORT control batch to every partition of the
// transaction, makes its offsets visible (on commit) and stores CompleteCommit or
// CompleteAbort; a crash in between is finished from the Prepare state on the next start.
// A periodic pass aborts transactions open longer than their timeout (fencing the
// producer with an epoch bump, as Kafka does) and forgets ids idle past
// transactional.id.expiration.ms.
import { coordinatorPartition, type Coordinator } from '../coordinator.js';
import type { TimerHandle } from '../groups/clock.js';
import { ErrorCode, type ErrorName } from '../../protocol/errors.js';
import {
  isIdle,
  MAX_EPOCH,
  NO_PRODUCER_EPOCH,
  partitionList,
  pendingKey,
  statusByName,
  statusName,
  TxnStatus,
  type PendingOffset,
  type TxnMetadata,
} from './state.js';
import { TxnLog, TxnLogError, type TxnLogEntry } from './txn-log.js';
import {
  OFFSETS_TOPIC,
  type TxnCoordinatorDeps,
  type InitResult,
  type PartitionErrors,
  type TxnListing,
  type TxnDescription,
} from './types.js';

const code = (name: ErrorName) => ErrorCode[name];

export class TransactionCoordinator implements Coordinator {
  private readonly deps: TxnCoordinatorDeps;
  private states = new Map<string, TxnMetadata>();
  private txnLog: TxnLog | null = null;
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(deps: TxnCoordinatorDeps) {
    this.deps = deps;
  }

  /** Loads the transaction log and finishes what a crash interrupted. Partitions must be open. */
  open(): void {
    const { log, states } = TxnLog.open({
      dataDir: this.deps.dataDir,
      fs: this.deps.fs,
      log: this.deps.log,
      ...this.deps.store,
    });
    this.txnLog = log;
    this.states = states;
    let ongoing = 0;
    for (const meta of states.values()) {
      if (meta.status === TxnStatus.PrepareCommit || meta.status === TxnStatus.PrepareAbort) {
        this.deps.log(
          `Completing transaction of ${meta.transactionalId} (producer ${meta.producerId}) left in ${statusName(meta.status)}`,
        );
        this.finish(meta);
      } else if (meta.status === TxnStatus.Ongoing) {
        ongoing++;
      }
    }
    if (states.size > 0) this.deps.log(`Loaded ${states.size} transactional id(s), ${ongoing} with a transaction open`);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    this.txnLog?.close();
    this.txnLog = null;
  }

  // ---- InitProducerId -------------------------------------------------------------------

  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | null,
  ): InitResult {
    const fail = (name: ErrorName): InitResult => ({ errorCode: code(name), producerId: -1, producerEpoch: -1 });
    if (this.closed || !this.txnLog) return fail('COORDINATOR_NOT_AVAILABLE');
    if (transactionalId === '') return fail('INVALID_REQUEST');
    if (timeoutMs <= 0 || timeoutMs > this.deps.config.int('transaction.max.timeout.ms'))
      return fail('INVALID_TRANSACTION_TIMEOUT');
    const now = this.deps.clock.now();
    let meta = this.states.get(transactionalId);
    const fresh = !meta;
    if (!meta) {
      meta = {
        transactionalId,
        producerId: this.deps.nextProducerId(),
        producerEpoch: NO_PRODUCER_EPOCH,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
        timeoutMs,
        status: TxnStatus.Empty,
        partitions: new Map(),
        lastUpdateMs: now,
        startMs: -1,
        groups: new Set(),
        pendingOffsets: new Map(),
      };
    }
    if (expected && !fresh && meta.producerEpoch !== NO_PRODUCER_EPOCH && expected.producerId !== meta.producerId)
      return fail('PRODUCER_FENCED');
    if (meta.status === TxnStatus.PrepareCommit || meta.status === TxnStatus.PrepareAbort) {
      // A completion that failed to write its markers; the periodic pass retries it.
      return fail('CONCURRENT_TRANSACTIONS');
    }
    const next = { ...meta };
    if (meta.status === TxnStatus.Ongoing) {
      // Fence the producer that owns the open transaction: abort it with a bumped epoch.
      // Kafka answers CONCURRENT_TRANSACTIONS here and bumps again on the retry; the
      // markers are written in-process, so both steps happen now.
      const fenced = this.abortWithBump(meta, 'a new producer initialised the transactional id');
      if (fenced !== null) return fail(fenced);
      meta = this.states.get(transactionalId)!;
      if (!isIdle(meta.status)) return fail('CONCURRENT_TRANSACTIONS');
      Object.assign(next, meta);
    } else if (expected && meta.producerEpoch !== NO_PRODUCER_EPOCH) {
      // KIP-360: a retried bump presents the epoch it had before; any other is a zombie's.
      if (
        expected.producerEpoch === meta.lastProducerEpoch &&
        expected.producerId === meta.producerId &&
        meta.status === TxnStatus.Empty
      ) {
        return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
      }
      if (expected.producerEpoch !== meta.producerEpoch) return fail('PRODUCER_FENCED');
    }
    if (next.producerEpoch >= MAX_EPOCH) {
      next.producerId = this.deps.nextProducerId();
      next.lastProducerEpoch = NO_PRODUCER_EPOCH;
      next.producerEpoch = 0;
    } else {
      next.lastProducerEpoch = next.producerEpoch;
      next.producerEpoch = next.producerEpoch + 1;
    }
    Object.assign(next, {
      timeoutMs,
      status: TxnStatus.Empty,
      partitions: new Map(),
      lastUpdateMs: now,
      startMs: -1,
      groups: new Set(),
      pendingOffsets: new Map(),
    });
    const err = this.store(next);
    if (err !== null) return fail(err);
    this.deps.log(
      `Initialized transactionalId ${transactionalId} with producerId ${next.producerId} and producer epoch ${next.producerEpoch}`,
    );
    return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch };
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ------------------------------------------------

  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    topics: Array<{ topic: string; partitions: number[] }>,
  ): PartitionErrors {
    const all = (c: number): PartitionErrors =>
      topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p, errorCode: c })) }));
    const unknown = topics.some((t) => t.partitions.some((p) => !this.deps.partitionExists(t.topic, p)));
    if (unknown) {
      // Kafka refuses the whole request and says which partitions were the reason.
      return topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({
          partition: p,
          errorCode: this.deps.partitionExists(t.topic, p)
            ? code('OPERATION_NOT_ATTEMPTED')
            : code('UNKNOWN_TOPIC_OR_PARTITION'),
        })),
      }));
    }
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (typeof checked === 'string') return all(code(checked));
    const meta = checked;
    const missing = topics.some((t) => t.partitions.some((p) => !meta.partitions.get(t.topic)?.has(p)));
    if (meta.status === TxnStatus.Ongoing && !missing) return all(ErrorCode.NONE);
    const next = this.beginOrContinue(meta);
    for (const t of topics) {
      const set = new Set(next.partitions.get(t.topic) ?? []);
      for (const p of t.partitions) set.add(p);
      next.partitions.set(t.topic, set);
    }
    const err = this.store(next);
    return all(err === null ? ErrorCode.NONE : code(err));
  }

  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): number {
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (typeof checked === 'string') return code(checked);
    const next = this.beginOrContinue(checked);
    const offsetsPartition = coordinatorPartition(groupId, this.deps.config.int('offsets.topic.num.partitions'));
    const set = new Set(next.partitions.get(OFFSETS_TOPIC) ?? []);
    set.add(offsetsPartition);
    next.partitions.set(OFFSETS_TOPIC, set);
    next.groups = new Set(next.groups).add(groupId);
    const err = this.store(next);
    return err === null ? ErrorCode.NONE : code(err);
  }

  // ---- TxnOffsetCommit -------------------------------------------------------------------------

  txnOffsetCommit(req: {
    transactionalId: string;
    groupId: string;
    producerId: number;
    producerEpoch: number;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    topics: Array<{
      name: string;
      partitions: Array<{
        partitionIndex: number;
        committedOffset: number;
        committedLeaderEpoch: number;
        committedMetadata: string | null;
      }>;
    }>;
  }): PartitionErrors {
    const all = (c: number): PartitionErrors =>
      req.topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: c })),
      }));
    if (this.closed || !this.txnLog) return all(code('COORDINATOR_NOT_AVAILABLE'));
    const meta = this.states.get(req.transactionalId);
    if (!meta || meta.producerId !== req.producerId) return all(code('INVALID_PRODUCER_ID_MAPPING'));
    // The offsets topic's producer-state check is what fences a zombie here in Kafka.
    if (meta.producerEpoch !== req.producerEpoch) return all(code('INVALID_PRODUCER_EPOCH'));
    // The group joined with AddOffsetsToTxn; after a restart only its offsets partition says so.
    const offsetsPartition = coordinatorPartition(req.groupId, this.deps.config.int('offsets.topic.num.partitions'));
    const added = meta.groups.has(req.groupId) || meta.partitions.get(OFFSETS_TOPIC)?.has(offsetsPartition) === true;
    if (meta.status !== TxnStatus.Ongoing || !added) return all(code('INVALID_TXN_STATE'));
    const groupError = this.deps.validateGroupCommit(req.groupId, req.generationId, req.memberId, req.groupInstanceId);
    if (groupError !== ErrorCode.NONE) return all(groupError);
    const now = this.deps.clock.now();
    const out: PartitionErrors = [];
    const entries: TxnLogEntry[] = [];
    const accepted: PendingOffset[] = [];
    for (const t of req.topics) {
      const partitions: Array<{ partition: number; errorCode: number }> = [];
      for (const p of t.partitions) {
        if (!this.deps.partitionExists(t.name, p.partitionIndex)) {
          partitions.push({ partition: p.partitionIndex, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') });
          continue;
        }
        const metadata = p.committedMetadata ?? '';
        if (metadata.length > 4096) {
          partitions.push({ partition: p.partitionIndex, errorCode: code('OFFSET_METADATA_TOO_LARGE') });
          continue;
        }
        const offset: PendingOffset = {
          group: req.groupId,
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata,
          commitTimestamp: now,
        };
        accepted.push(offset);
        entries.push({ kind: 'offset', transactionalId: meta.transactionalId, producerId: meta.producerId, offset });
        partitions.push({ partition: p.partitionIndex, errorCode: ErrorCode.NONE });
      }
      out.push({ topic: t.name, partitions });
    }
    try {
      this.txnLog.write(entries);
    } catch (err) {
      if (!(err instanceof TxnLogError)) throw err;
      this.deps.log(`Storing transactional offsets of ${req.transactionalId} failed: ${err.message}`);
      return all(code('COORDINATOR_NOT_AVAILABLE'));
    }
    for (const o of accepted) meta.pendingOffsets.set(pendingKey(o.group, o.topic, o.partition), o);
    this.txnLog.maybeCompact(this.states.values());
    return out;
  }

  /** Whether a transaction has offsets of this group and partition waiting to commit (OffsetFetch requireStable). */
  hasPendingOffsets(groupId: string, topic: string, partition: number): boolean {
    const key = pendingKey(groupId, topic, partition);
    for (const meta of this.states.values()) if (meta.pendingOffsets.has(key)) return true;
    return false;
  }

  // ---- EndTxn ----------------------------------------------------------------------------------

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): number {
    const checked = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (typeof checked === 'string') return code(checked);
    const meta = checked;
    switch (meta.status) {
      case TxnStatus.Ongoing: {
        const err = this.complete(meta, commit);
        return err === null ? ErrorCode.NONE : code(err);
      }
      case TxnStatus.CompleteCommit:
        // A retry of the EndTxn that already completed is answered as it was.
        return commit ? ErrorCode.NONE : code('INVALID_TXN_STATE');
      case TxnStatus.CompleteAbort:
        return commit ? code('INVALID_TXN_STATE') : ErrorCode.NONE;
      default:
        return code('INVALID_TXN_STATE');
    }
  }

  // ---- Produce verification ----------------------------------------------------------------------

  /**
   * May this producer write transactional data to the partition? (KIP-890's verification:
   * the partition must have been added to the producer's open transaction.)
   */
  verifyProduce(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
  ): ErrorName | null {
    const meta = this.states.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return 'INVALID_PRODUCER_ID_MAPPING';
    if (producerEpoch < meta.producerEpoch) return 'INVALID_PRODUCER_EPOCH';
    if (producerEpoch !== meta.producerEpoch) return 'INVALID_PRODUCER_EPOCH';
    if (meta.status !== TxnStatus.Ongoing || !meta.partitions.get(topic)?.has(partition)) return 'INVALID_TXN_STATE';
    return null;
  }

  // ---- Admin -----------------------------------------------------------------------------------------

  listTransactions(
    stateFilters: string[],
    producerIdFilters: number[],
    durationFilterMs: number,
  ): { unknownStateFilters: string[]; transactionStates: TxnListing[] } {
    const unknownStateFilters = stateFilters.filter((s) => statusByName(s) === undefined);
    const states = new Set(stateFilters.map((s) => statusByName(s)).filter((s) => s !== undefined));
    const pids = new Set(producerIdFilters);
    const now = this.deps.clock.now();
    const out: TxnListing[] = [];
    for (const meta of this.states.values()) {
      if (stateFilters.length > 0 && !states.has(meta.status)) continue;
      if (pids.size > 0 && !pids.has(meta.producerId)) continue;
      // KIP-994, as Kafka computes it: an id with no transaction (start -1) always passes.
      if (durationFilterMs >= 0 && now - meta.startMs <= durationFilterMs) continue;
      out.push({
        transactionalId: meta.transactionalId,
        producerId: meta.producerId,
        transactionState: statusName(meta.status),
      });
    }
    out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
    return { unknownStateFilters, transactionStates: out };
  }

  describe(transactionalId: string): TxnDescription {
    const base: TxnDescription = {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1,
      producerId: -1,
      producerEpoch: -1,
      topics: [],
    };
    if (this.closed) return { ...base, errorCode: code('COORDINATOR_NOT_AVAILABLE') };
    if (transactionalId === '') return { ...base, errorCode: code('INVALID_REQUEST') };
    const meta = this.states.get(transactionalId);
    if (!meta) return { ...base, errorCode: code('TRANSACTIONAL_ID_NOT_FOUND') };
    return {
      ...base,
      transactionState: statusName(meta.status),
      transactionTimeoutMs: meta.timeoutMs,
      transactionStartTimeMs: meta.startMs,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      topics: partitionList(meta),
    };
  }

  /** For tests and tools: the current metadata of a transactional id. */
  state(transactionalId: string): TxnMetadata | undefined {
    return this.states.get(transactionalId);
  }

  // ---- timeouts ---------------------------------------------------------------------------------------

  /** One pass: abort transactions open past their timeout, retry unfinished completions, expire idle ids. */
  abortTimedOut(): number {
    if (this.closed || !this.txnLog) return 0;
    const now = this.deps.clock.now();
    let aborted = 0;
    const expiration = this.deps.config.int('transactional.id.expiration.ms');
    for (const meta of [...this.states.values()]) {
      if (meta.status === TxnStatus.Ongoing && meta.startMs >= 0 && now - meta.startMs > meta.timeoutMs) {
        const err = this.abortWithBump(
          meta,
          `it has been open for ${now - meta.startMs} ms, beyond its timeout of ${meta.timeoutMs} ms`,
        );
        if (err === null) aborted++;
      } else if (meta.status === TxnStatus.PrepareCommit || meta.status === TxnStatus.PrepareAbort) {
        this.finish(meta);
      } else if (isIdle(meta.status) && now - meta.lastUpdateMs > expiration) {
        try {
          this.txnLog.write([{ kind: 'tombstone', transactionalId: meta.transactionalId }]);
          this.states.delete(meta.transactionalId);
          this.txnLog.maybeCompact(this.states.values());
          this.deps.log(
            `Expired transactional id ${meta.transactionalId} idle since ${new Date(meta.lastUpdateMs).toISOString()}`,
          );
        } catch (err) {
          if (!(err instanceof TxnLogError)) throw err;
        }
      }
    }
    return aborted;
  }

  private schedule(): void {
    if (this.closed) return;
    const interval = Math.max(1, this.deps.config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'));
    this.timer = this.deps.clock.setTimer(interval, () => {
      try {
        this.abortTimedOut();
      } catch (err) {
        this.deps.log(`Aborting timed-out transactions failed: ${(err as Error).message}`);
      }
      this.schedule();
    });
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private checkProducer(transactionalId: string, producerId: number, producerEpoch: number): TxnMetadata | ErrorName {
    if (this.closed || !this.txnLog) return 'COORDINATOR_NOT_AVAILABLE';
    if (transactionalId === '') return 'INVALID_REQUEST';
    const meta = this.states.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return 'INVALID_PRODUCER_ID_MAPPING';
    if (meta.producerEpoch !== producerEpoch) return 'PRODUCER_FENCED';
    if (meta.status === TxnStatus.PrepareCommit || meta.status === TxnStatus.PrepareAbort)
      return 'CONCURRENT_TRANSACTIONS';
    return meta;
  }

  /** A copy of `meta` in Ongoing: a fresh transaction when the last one is over. */
  private beginOrContinue(meta: TxnMetadata): TxnMetadata {
    const now = this.deps.clock.now();
    if (meta.status === TxnStatus.Ongoing) return { ...meta, partitions: new Map(meta.partitions), lastUpdateMs: now };
    return {
      ...meta,
      status: TxnStatus.Ongoing,
      partitions: new Map(),
      groups: new Set(),
      pendingOffsets: new Map(),
      startMs: now,
      lastUpdateMs: now,
    };
  }

  /** Stores `next` and makes it current. Returns the error to answer with, or null. */
  private store(next: TxnMetadata, extra: TxnLogEntry[] = []): ErrorName | null {
    if (!this.txnLog) return 'COORDINATOR_NOT_AVAILABLE';
    try {
      this.txnLog.write([{ kind: 'state', meta: next }, ...extra]);
    } catch (err) {
      if (!(err instanceof TxnLogError)) throw err;
      this.deps.log(`Storing the state of ${next.transactionalId} failed: ${err.message}`);
      return 'COORDINATOR_NOT_AVAILABLE';
    }
    this.states.set(next.transactionalId, next);
    this.txnLog.maybeCompact(this.states.values());
    return null;
  }

  /** Aborts the open transaction with a bumped epoch, so its producer is fenced. */
  private abortWithBump(meta: TxnMetadata, reason: string): ErrorName | null {
    const bumped: TxnMetadata = { ...meta };
    if (meta.producerEpoch < MAX_EPOCH) {
      bumped.lastProducerEpoch = meta.producerEpoch;
      bumped.producerEpoch = meta.producerEpoch + 1;
    }
    this.deps.log(
      `Aborting transaction of ${meta.transactionalId} (producer ${meta.producerId}, epoch ${meta.producerEpoch}): ${reason}`,
    );
    return this.complete(bumped, false);
  }

  /** Prepare, then finish: the Prepare state is stored first so a crash can finish it. */
  private complete(meta: TxnMetadata, commit: boolean): ErrorName | null {
    const prepared: TxnMetadata = {
      ...meta,
      status: commit ? TxnStatus.PrepareCommit : TxnStatus.PrepareAbort,
      lastUpdateMs: this.deps.clock.now(),
    };
    const err = this.store(prepared);
    if (err !== null) return err;
    this.finish(prepared);
    return null;
  }

  /** Writes the markers and offsets of a prepared transaction and stores it complete. */
  private finish(meta: TxnMetadata): boolean {
    const commit = meta.status === TxnStatus.PrepareCommit;
    try {
      for (const [topic, partitions] of meta.partitions) {
        if (topic === OFFSETS_TOPIC) continue;
        for (const p of partitions) {
          if (!this.deps.partitionExists(topic, p)) continue;
          this.deps.writeMarker(topic, p, meta.producerId, meta.producerEpoch, commit);
        }
      }
      if (commit) {
        const byGroup = new Map<string, PendingOffset[]>();
        for (const o of meta.pendingOffsets.values()) {
          const list = byGroup.get(o.group) ?? [];
          list.push(o);
          byGroup.set(o.group, list);
        }
        for (const [group, offsets] of byGroup) this.deps.applyOffsets(group, offsets);
      }
    } catch (err) {
      this.deps.log(
        `Completing the transaction of ${meta.transactionalId} failed, will retry: ${(err as Error).message}`,
      );
      this.states.set(meta.transactionalId, meta);
      return false;
    }
    const done: TxnMetadata = {
      ...meta,
      status: commit ? TxnStatus.CompleteCommit : TxnStatus.CompleteAbort,
      partitions: new Map(),
      groups: new Set(),
      pendingOffsets: new Map(),
      lastUpdateMs: this.deps.clock.now(),
      startMs: meta.startMs,
    };
    const err = this.store(done);
    if (err !== null) {
      this.states.set(meta.transactionalId, meta);
      return false;
    }
    return true;
  }
}

export * from './types.js';
