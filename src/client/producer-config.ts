import type { CompressFn } from '../protocol/record-batch.js';
// The producer's options, and Kafka's rules for enable.idempotence and delivery.timeout.ms,
// applied to the values in effect after properties and flags are merged. Idempotence is on unless told
// otherwise (Kafka 3.0+); when it was not asked for explicitly, a setting it cannot work
// with turns it off quietly, as Kafka 3.x does; when it was, that setting is an error.

/** Kafka's ConfigException: a setting that cannot be used, reported before anything is sent. */
export class ProducerConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

export interface IdempotenceInput {
  acks: -1 | 0 | 1;
  retries: number;
  maxInFlight: number;
  /** enable.idempotence as given; undefined when not set. */
  idempotence?: boolean;
}

/** The broker keeps the last five batches of each producer per partition for de-duplication. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

export const DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;

export function resolveIdempotence(o: IdempotenceInput): boolean {
  const explicit = o.idempotence !== undefined;
  if (o.idempotence === false) return false;
  if (o.retries === 0) {
    if (explicit) throw new ProducerConfigError('Must set retries to non-zero when using the idempotent producer.');
    return false;
  }
  if (o.acks !== -1) {
    if (explicit)
      throw new ProducerConfigError(
        'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
      );
    return false;
  }
  if (o.maxInFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE) {
    if (explicit)
      throw new ProducerConfigError(
        'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
      );
    return false;
  }
  return true;
}

/**
 * delivery.timeout.ms must leave room for linger.ms plus one request: an explicit smaller
 * value is an error, the default is raised to fit.
 */
export function resolveDeliveryTimeout(o: {
  deliveryTimeoutMs?: number;
  lingerMs: number;
  requestTimeoutMs: number;
}): number {
  const floor = Math.min(o.lingerMs + o.requestTimeoutMs, 0x7fffffff);
  if (o.deliveryTimeoutMs === undefined) return Math.max(DEFAULT_DELIVERY_TIMEOUT_MS, floor);
  if (o.deliveryTimeoutMs < floor)
    throw new ProducerConfigError(
      'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    );
  return o.deliveryTimeoutMs;
}

/** enable.idempotence as a Java boolean property. */
export function parseBooleanProperty(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ProducerConfigError(
    `Invalid value ${value} for configuration ${key}: Expected value to be either true or false`,
  );
}

export interface ProducerOptions {
  acks: -1 | 0 | 1;
  /** Codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  compress?: CompressFn;
  /** batch.size: bytes of records per partition batch. */
  batchSize: number;
  lingerMs: number;
  /** max.in.flight.requests.per.connection */
  maxInFlight: number;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  /** max.request.size */
  maxRequestSize: number;
  /** buffer.memory: append() reports backpressure above this. */
  bufferMemory: number;
  /** max.block.ms: how long to wait for a topic's metadata and the producer id. */
  maxBlockMs: number;
  /** enable.idempotence; when not set, on unless acks, retries or max.in.flight rule it out. */
  idempotence?: boolean;
  /** delivery.timeout.ms: how long a record may take from append to acknowledgement, retries included. */
  deliveryTimeoutMs?: number;
  /** Called as each batch completes, with when each of its records was appended (perf tests). */
  onBatchDone?: (appendedAt: Float64Array, count: number, error: string | null) => void;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  acks: -1,
  compression: 0,
  batchSize: 16384,
  lingerMs: 5,
  maxInFlight: 5,
  requestTimeoutMs: 30000,
  retries: 2147483647,
  retryBackoffMs: 100,
  maxRequestSize: 1048576,
  bufferMemory: 33554432,
  maxBlockMs: 60000,
};

/** The options with Kafka's rules applied: throws ProducerConfigError for a combination Kafka refuses. */
export function resolveProducerOptions(
  opts: Partial<ProducerOptions>,
): ProducerOptions & { idempotence: boolean; deliveryTimeoutMs: number } {
  const o = { ...DEFAULT_PRODUCER_OPTIONS, ...opts };
  return { ...o, idempotence: resolveIdempotence(o), deliveryTimeoutMs: resolveDeliveryTimeout(o) };
}

export interface ProduceRecord {
  topic: string;
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Array<{ key: string; value: Buffer | null }>;
  timestamp?: number;
  /** The caller's id for this record (a line number); reported back on failure. */
  seq: number;
}

export interface ProduceFailure {
  seq: number;
  topic: string;
  partition: number;
  error: string;
  message: string;
}
