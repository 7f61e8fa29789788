// Transactions for ktool's producer, as Kafka's TransactionManager runs them: the
// transactional id finds its coordinator (FindCoordinator, key type 1), InitProducerId
// fences older producers with the same id, each partition joins the transaction
// (AddPartitionsToTxn) before its first batch in it, and EndTxn commits or aborts once
// every record sent in the transaction is acknowledged.
//
// The Producer only knows the hooks (producer.ts TransactionHooks); the protocol and the
// transaction's state live here.
import { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import type { BrokerConnection } from './broker-connection.js';
import type { ClusterClient } from './cluster.js';
import {
  DEFAULT_PRODUCER_OPTIONS,
  ProducerConfigError,
  resolveIdempotence,
  type ProducerOptions,
} from './producer-config.js';
import type { Producer } from './producer.js';
import type { TransactionHooks } from './producer-accumulator.js';
import { ProducerError } from './producer-batches.js';

const FIND_COORDINATOR = 10;
const INIT_PRODUCER_ID = 22;
const ADD_PARTITIONS_TO_TXN = 24;
const END_TXN = 26;
const TRANSACTION_KEY = 1;

/** Kafka's transaction.timeout.ms default. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 60000;

export interface TransactionOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** max.block.ms: how long init, commit and abort may take. */
  maxBlockMs: number;
}

/** A transaction that cannot go on. fatal: the producer is fenced or otherwise done for; abort is pointless. */
export class TransactionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fatal = false,
  ) {
    super(message);
  }
}

/**
 * Kafka's ProducerConfig rules for transactional.id: idempotence is required (and turned
 * on if not set), transaction.timeout.ms must be a positive number.
 */
export function transactionalProducerOptions(
  opts: Partial<ProducerOptions>,
  props: Record<string, string>,
): Partial<ProducerOptions> {
  const o = { ...DEFAULT_PRODUCER_OPTIONS, ...opts };
  if (!resolveIdempotence(o))
    throw new ProducerConfigError('Cannot set a transactional.id without also enabling idempotence.');
  const timeout = props['transaction.timeout.ms'];
  if (timeout !== undefined && !(Number.isInteger(Number(timeout)) && Number(timeout) > 0)) {
    throw new ProducerConfigError(
      `Invalid value ${timeout} for configuration transaction.timeout.ms: Expected a positive integer`,
    );
  }
  return { ...opts, idempotence: true };
}

export function transactionTimeoutFrom(props: Record<string, string>): number {
  const t = props['transaction.timeout.ms'];
  return t === undefined ? DEFAULT_TRANSACTION_TIMEOUT_MS : Number(t);
}

/** Errors from the coordinator that mean: ask again, maybe elsewhere. */
const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

export class TransactionalProducer implements TransactionHooks {
  readonly transactionalId: string;
  private coordinator: BrokerConnection | undefined;
  private open = false;
  /** `topic\0partition` of the partitions in the open transaction. */
  private readonly added = new Set<string>();
  /** Partitions asked for and not yet answered, sent together on the next tick. */
  private pending = new Map<string, { topic: string; partition: number }>();
  private pendingRequest: Promise<void> | undefined;
  private failedAtBegin = 0;
  private failuresAtBegin = 0;
  private fatal: TransactionError | undefined;
  committed = 0;
  aborted = 0;

  constructor(
    private readonly cluster: ClusterClient,
    private readonly producer: Producer,
    private readonly opts: TransactionOptions,
  ) {
    this.transactionalId = opts.transactionalId;
  }

  /** initTransactions(): gets the id and epoch (fencing any older producer) and hooks into the producer. */
  async init(): Promise<void> {
    const res = await this.coordinatorCall(INIT_PRODUCER_ID, {
      transactionalId: this.transactionalId,
      transactionTimeoutMs: this.opts.transactionTimeoutMs,
      producerId: -1,
      producerEpoch: -1,
    });
    this.producer.producerId = Number(res.producerId);
    this.producer.producerEpoch = res.producerEpoch as number;
    this.producer.useTransactions(this);
  }

  get inTransaction(): boolean {
    return this.open;
  }

  /** Records of the open transaction that failed: it can only abort. */
  get failedInTransaction(): number {
    return this.open ? this.producer.failed - this.failedAtBegin : 0;
  }

  begin(): void {
    this.throwIfFatal();
    if (this.open)
      throw new TransactionError(
        'INVALID_TXN_STATE',
        'TransactionalId ' +
          this.transactionalId +
          ': Invalid transition attempted from state IN_TRANSACTION to state IN_TRANSACTION',
      );
    this.open = true;
    this.added.clear();
    this.failedAtBegin = this.producer.failed;
    this.failuresAtBegin = this.producer.failures.length;
  }

  partitionAdded(topic: string, partition: number): true | Promise<void> {
    const key = `${topic}\u0000${partition}`;
    if (this.added.has(key)) return true;
    if (this.fatal) return Promise.reject(new ProducerError(this.fatal.code, this.fatal.message));
    if (!this.open)
      return Promise.reject(
        new ProducerError(
          'INVALID_TXN_STATE',
          'Cannot add partition ' + `${topic}-${partition}` + ' to transaction while in state READY',
        ),
      );
    this.pending.set(key, { topic, partition });
    if (!this.pendingRequest) {
      // Partitions asked for in the same pump go in one request.
      this.pendingRequest = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.addPending());
      this.pendingRequest
        .finally(() => {
          this.pendingRequest = undefined;
        })
        .catch(() => undefined);
    }
    return this.pendingRequest;
  }

  /** Flushes, then commits; a record that failed in the transaction aborts it instead (and throws). */
  async commit(): Promise<void> {
    if (!this.open) return;
    await this.producer.flush();
    this.throwIfFatal();
    const failed = this.producer.failed - this.failedAtBegin;
    if (failed > 0) {
      const mine = this.producer.failures.slice(this.failuresAtBegin);
      const first = mine.find((f) => f.error !== 'TRANSACTION_ABORTABLE') ?? mine[0];
      const fenced = first && fencingError(first.error);
      if (fenced) throw this.fence(first.error, true);
      await this.abort();
      throw new TransactionError(
        first?.error ?? 'UNKNOWN_SERVER_ERROR',
        `${failed} record(s) could not be sent${first ? ` (${first.error}: ${first.message})` : ''}, so the transaction was aborted`,
      );
    }
    await this.endTxn(true);
    this.committed++;
  }

  /** Waits for what is in flight, then aborts the open transaction. */
  async abort(): Promise<void> {
    if (!this.open) return;
    await this.producer.flush();
    this.throwIfFatal();
    const inDoubt = this.producer.failed > this.failedAtBegin;
    await this.endTxn(false);
    this.aborted++;
    if (inDoubt) {
      // Sequences after a failed batch are in doubt: a bumped epoch starts them afresh (KIP-360).
      const res = await this.coordinatorCall(INIT_PRODUCER_ID, {
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.opts.transactionTimeoutMs,
        producerId: this.producer.producerId,
        producerEpoch: this.producer.producerEpoch,
      });
      this.producer.restartSequences(Number(res.producerId), res.producerEpoch as number);
    }
  }

  private async endTxn(committed: boolean): Promise<void> {
    const anything = this.added.size > 0;
    this.open = false;
    // A transaction that never reached a partition has nothing at the coordinator to end.
    if (!anything) return;
    await this.coordinatorCall(END_TXN, {
      transactionalId: this.transactionalId,
      producerId: this.producer.producerId,
      producerEpoch: this.producer.producerEpoch,
      committed,
    });
  }

  private async addPending(): Promise<void> {
    const asked = [...this.pending.values()];
    this.pending = new Map();
    const topics = new Map<string, number[]>();
    for (const { topic, partition } of asked) {
      let list = topics.get(topic);
      if (!list) {
        list = [];
        topics.set(topic, list);
      }
      list.push(partition);
    }
    const deadline = Date.now() + this.opts.maxBlockMs;
    for (;;) {
      let res: MessageBody;
      try {
        res = await this.coordinatorCall(
          ADD_PARTITIONS_TO_TXN,
          {
            v3AndBelowTransactionalId: this.transactionalId,
            v3AndBelowProducerId: this.producer.producerId,
            v3AndBelowProducerEpoch: this.producer.producerEpoch,
            v3AndBelowTopics: [...topics].map(([name, partitions]) => ({ name, partitions })),
          },
          { maxVersion: 3 },
        );
      } catch (err) {
        const e = err as TransactionError;
        throw new ProducerError(e.code, e.message);
      }
      let retry = false;
      let refused: { code: number; tp: string } | undefined;
      for (const t of res.resultsByTopicV3AndBelow as Array<{
        name: string;
        resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }>;
      }>) {
        for (const p of t.resultsByPartition) {
          const code = p.partitionErrorCode;
          if (code === ErrorCode.NONE) this.added.add(`${t.name}\u0000${p.partitionIndex}`);
          else if (code === ErrorCode.CONCURRENT_TRANSACTIONS || isRetriable(code) || COORDINATOR_MOVED.has(code))
            retry = true;
          else if (code !== ErrorCode.OPERATION_NOT_ATTEMPTED)
            refused ??= { code, tp: `${t.name}-${p.partitionIndex}` };
        }
      }
      if (refused) {
        const name = errorName(refused.code);
        if (fencingError(name)) {
          const f = this.fence(name);
          throw new ProducerError(f.code, f.message);
        }
        throw new ProducerError(name, `Could not add partition ${refused.tp} to the transaction: ${name}`);
      }
      if (!retry) return;
      if (Date.now() >= deadline)
        throw new ProducerError(
          'TIMEOUT',
          `Timeout expired after ${this.opts.maxBlockMs} ms while adding partitions to the transaction`,
        );
      // Only the partitions not yet in the transaction go again.
      for (const [name, partitions] of topics) {
        const left = partitions.filter((p) => !this.added.has(`${name}\u0000${p}`));
        if (left.length === 0) topics.delete(name);
        else topics.set(name, left);
      }
      await sleep(Math.min(20, this.opts.retryBackoffMs));
    }
  }

  /**
   * A request to the transaction coordinator, found anew when it moved; retriable errors
   * (a coordinator loading, a transaction still completing) are retried up to max.block.ms.
   */
  private async coordinatorCall(
    apiKey: number,
    body: MessageBody,
    versions: { maxVersion?: number } = {},
  ): Promise<MessageBody> {
    this.throwIfFatal();
    const deadline = Date.now() + this.opts.maxBlockMs;
    let last = '';
    for (;;) {
      let code: number;
      let res: MessageBody | undefined;
      try {
        const conn = await this.coordinatorConnection();
        res = await conn.send(apiKey, body, { timeoutMs: this.opts.requestTimeoutMs, ...versions });
        code = (res.errorCode as number | undefined) ?? ErrorCode.NONE;
      } catch (err) {
        const e = err as Error & { code?: string };
        this.coordinator = undefined;
        if (e.code === 'UNSUPPORTED_VERSION')
          throw new TransactionError(
            'UNSUPPORTED_VERSION',
            `The broker does not support transactions: ${e.message}`,
            true,
          );
        code = -2;
        last = e.message;
      }
      if (code === ErrorCode.NONE) return res!;
      const name = code === -2 ? 'NETWORK_EXCEPTION' : errorName(code);
      if (fencingError(name)) throw this.fence(name);
      if (code !== -2) {
        if (COORDINATOR_MOVED.has(code)) this.coordinator = undefined;
        else if (code !== ErrorCode.CONCURRENT_TRANSACTIONS && !isRetriable(code)) {
          throw new TransactionError(
            name,
            `${transactionalOp(apiKey)} failed for transactional id '${this.transactionalId}': ${name}`,
            code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          );
        }
        last = name;
      }
      if (Date.now() >= deadline) {
        throw new TransactionError(
          'TIMEOUT',
          `Timeout expired after ${this.opts.maxBlockMs} ms awaiting ${transactionalOp(apiKey)} (${last})`,
          apiKey === INIT_PRODUCER_ID,
        );
      }
      await sleep(
        code === ErrorCode.CONCURRENT_TRANSACTIONS ? Math.min(20, this.opts.retryBackoffMs) : this.opts.retryBackoffMs,
      );
    }
  }

  private async coordinatorConnection(): Promise<BrokerConnection> {
    if (this.coordinator && !this.coordinator.closed) return this.coordinator;
    const v4 = this.cluster.supports(FIND_COORDINATOR, 4);
    const res = await this.cluster.send(
      FIND_COORDINATOR,
      v4
        ? { keyType: TRANSACTION_KEY, coordinatorKeys: [this.transactionalId] }
        : { key: this.transactionalId, keyType: TRANSACTION_KEY },
      v4 ? { minVersion: 4 } : { maxVersion: 3 },
    );
    const c = v4 ? (res.coordinators as MessageBody[])[0]! : res;
    if (c.errorCode) {
      const err = new Error(
        `FindCoordinator for transactional id '${this.transactionalId}': ${errorName(c.errorCode as number)}`,
      ) as Error & { code?: string };
      throw err;
    }
    const node = c.nodeId as number;
    this.coordinator = await this.cluster.connection(node);
    return this.coordinator;
  }

  /**
   * Kafka's fatal errors: the coordinator's PRODUCER_FENCED (INVALID_PRODUCER_EPOCH from an
   * older coordinator means the same), or a produce refused for an old epoch.
   */
  private fence(name: string, fromProduce = false): TransactionError {
    this.open = false;
    const oldEpoch = fromProduce && name === 'INVALID_PRODUCER_EPOCH';
    this.fatal ??= new TransactionError(
      oldEpoch ? name : 'PRODUCER_FENCED',
      oldEpoch
        ? `Producer with transactionalId '${this.transactionalId}' and ${this.idAndEpoch()} attempted to produce with an old epoch`
        : `Producer with transactionalId '${this.transactionalId}' and ${this.idAndEpoch()} has been fenced by another producer with the same transactionalId`,
      true,
    );
    return this.fatal;
  }

  private idAndEpoch(): string {
    return `ProducerIdAndEpoch(producerId=${this.producer.producerId}, epoch=${this.producer.producerEpoch})`;
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal;
  }
}

export function fencingError(name: string): boolean {
  return name === 'PRODUCER_FENCED' || name === 'INVALID_PRODUCER_EPOCH';
}

function transactionalOp(apiKey: number): string {
  return apiKey === INIT_PRODUCER_ID ? 'InitProducerId' : apiKey === END_TXN ? 'EndTxn' : 'AddPartitionsToTxn';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
