// The console producer's pipeline: stdin lines -> records -> the fast producer.
// Reads as a stream with backpressure, so input of any size runs in bounded memory.
import { fstatSync, read } from 'node:fs';
import { promisify } from 'node:util';
import type { ClusterClient } from '../client/cluster.js';
import { Producer } from '../client/producer.js';
import { resolveProducerOptions, type ProduceFailure, type ProducerOptions } from '../client/producer-config.js';
import { parseBooleanProperty } from '../client/producer-config.js';
import { LineSplitter } from '../formats/line-splitter.js';
import { LineFormatError, LineMessageReader, type LineReaderOptions } from '../formats/line-reader.js';
import { JsonlError, parseJsonlRecord } from '../formats/jsonl.js';
import { SerdeError } from '../schemas/errors.js';
import { TransactionalProducer, TransactionError } from '../client/transactions.js';

const readAsync = promisify(read);

/** How many bytes of records the console producer reads ahead of deliveries: a few requests' worth keeps the sender busy. */
const READ_AHEAD = 4 << 20;

export interface ConsoleProduceOptions {
  topic: string;
  partition?: number;
  input: 'lines' | 'jsonl';
  reader: LineReaderOptions;
  producer: Partial<ProducerOptions>;
  /** --sync: wait for each record before reading the next. */
  sync: boolean;
  /** Print '>' before each line (stdin and stdout are terminals). */
  prompt: boolean;
  /** Progress callback (bytes read, total bytes) when the input size is known. */
  progress?: (read: number, total: number) => void;
  /** Schema serializers (src/schemas): each turns a key's or value's JSON text into wire-format bytes. */
  serialize?: { key?: (text: Buffer) => Buffer; value?: (text: Buffer) => Buffer };
  /** --transactional-id: the input goes in transactions, each --transaction-size lines (default all). */
  transaction?: { transactionalId: string; size?: number; timeoutMs: number };
}

export interface ConsoleTransactionResult {
  transactionalId: string;
  committed: number;
  /** Lines in committed transactions. */
  linesCommitted: number;
  /** Why the open transaction was aborted (or could not be), as one line; null when all committed. */
  error: string | null;
  code: string | null;
}

export interface ConsoleProduceResult {
  topic: string;
  linesRead: number;
  sent: number;
  failed: number;
  failures: ProduceFailure[];
  /** The first line that could not be parsed, which stops the producer like Kafka's. */
  parseError?: { line: number; message: string };
  transaction?: ConsoleTransactionResult;
}

export async function produceFromStream(
  cluster: ClusterClient,
  input: ProducerInput,
  opts: ConsoleProduceOptions,
  signal?: AbortSignal,
): Promise<ConsoleProduceResult> {
  assertReadable(input);
  const producer = new Producer(cluster, opts.producer);
  signal?.addEventListener('abort', () => producer.stopRetrying(), { once: true });
  let txn: TransactionalProducer | undefined;
  if (opts.transaction) {
    const o = resolveProducerOptions(opts.producer);
    txn = new TransactionalProducer(cluster, producer, {
      transactionalId: opts.transaction.transactionalId,
      transactionTimeoutMs: opts.transaction.timeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      retryBackoffMs: o.retryBackoffMs,
      maxBlockMs: o.maxBlockMs,
    });
    await txn.init();
  }
  await producer.prepare([opts.topic]);
  const partitions = producer.partitionCount(opts.topic)!;
  if (opts.partition !== undefined && (opts.partition < 0 || opts.partition >= partitions)) {
    throw new Error(`Partition ${opts.partition} does not exist: topic ${opts.topic} has ${partitions} partition(s)`);
  }
  const reader = new LineMessageReader(opts.reader);
  const fastKey =
    opts.input === 'lines' && !opts.reader.parseHeaders && !opts.reader.ignoreError && opts.reader.nullMarker === null
      ? Buffer.from(opts.reader.keySeparator, 'utf8')
      : null;
  // Plain or key-separated lines, each sent as it is read: they go straight from the input
  // chunk into the batch, with no object per line.
  const ranges = fastKey !== null && !opts.sync && !opts.prompt && !txn && !opts.serialize;
  const splitter = new LineSplitter();
  let lineNo = 0;
  let parseError: ConsoleProduceResult['parseError'];
  let bytesRead = 0;
  const total = sizeOf(input);

  const handleLine = (line: Buffer): boolean => {
    lineNo++;
    try {
      let rec: {
        key: Buffer | null;
        value: Buffer | null;
        headers: Array<{ key: string; value: Buffer | null }>;
        partition?: number;
        timestamp?: number;
      };
      if (opts.input === 'jsonl') {
        rec = parseJsonlRecord(line.toString('utf8'));
      } else if (fastKey && !opts.reader.parseKey) {
        // Without parsing the line is the value, byte for byte.
        rec = { key: null, value: line, headers: [] };
      } else if (fastKey) {
        const at = line.indexOf(fastKey);
        if (at === -1)
          throw new LineFormatError(
            `No key separator found on line number ${lineNo}: '${line.toString('utf8')}'`,
            lineNo,
          );
        rec = { key: line.subarray(0, at), value: line.subarray(at + fastKey.length), headers: [] };
      } else {
        rec = reader.read(line.toString('utf8'));
      }
      if (opts.serialize?.key && rec.key !== null) rec.key = opts.serialize.key(rec.key);
      if (opts.serialize?.value && rec.value !== null) rec.value = opts.serialize.value(rec.value);
      if (txn && !txn.inTransaction) txn.begin();
      return producer.append({
        topic: opts.topic,
        partition: opts.partition ?? rec.partition,
        key: rec.key,
        value: rec.value,
        headers: rec.headers.length > 0 ? rec.headers : undefined,
        timestamp: rec.timestamp,
        seq: lineNo,
      });
    } catch (err) {
      if (err instanceof LineFormatError || err instanceof JsonlError) {
        parseError = {
          line: lineNo,
          message:
            err instanceof JsonlError ? `Invalid JSON record on line number ${lineNo}: ${err.message}` : err.message,
        };
        return true;
      }
      if (err instanceof SerdeError) {
        parseError = { line: lineNo, message: `Cannot serialize line number ${lineNo}: ${err.message}` };
        return true;
      }
      throw err;
    }
  };

  const readAhead = Math.min(resolveProducerOptions(opts.producer).bufferMemory, READ_AHEAD);
  /** The chunk's complete lines into the producer; false when buffer.memory is used up. */
  const appendLines = (chunk: Buffer): boolean => {
    const now = Date.now();
    const sep = fastKey!;
    const parseKey = opts.reader.parseKey;
    let room = true;
    splitter.scan(chunk, (buf, start, end) => {
      lineNo++;
      let keyStart = -1;
      let keyEnd = 0;
      let valueStart = start;
      if (parseKey) {
        const at = separatorIn(buf, start, end, sep);
        if (at === -1) {
          const line = buf.toString('utf8', start, end);
          parseError = { line: lineNo, message: `No key separator found on line number ${lineNo}: '${line}'` };
          return false;
        }
        keyStart = start;
        keyEnd = at;
        valueStart = at + sep.length;
      }
      if (!producer.appendRange(opts.topic, opts.partition, buf, keyStart, keyEnd, valueStart, end, lineNo, now))
        room = false;
      return true;
    });
    return room;
  };

  const txnSize = opts.transaction?.size;
  let txnResult: ConsoleTransactionResult | undefined = txn
    ? { transactionalId: txn.transactionalId, committed: 0, linesCommitted: 0, error: null, code: null }
    : undefined;
  try {
    if (opts.prompt) process.stdout.write('>');
    read: for await (const chunk of untilAborted(input, signal)) {
      bytesRead += chunk.length;
      if (ranges) {
        appendLines(chunk);
        // Read no further ahead than the sender can use: buffering more only costs memory.
        if (producer.bufferedBytes >= readAhead) await producer.drained(readAhead);
        if (parseError) break;
        if (total > 0) opts.progress?.(bytesRead, total);
        continue;
      }
      for (const line of splitter.push(chunk)) {
        const roomLeft = handleLine(line);
        if (parseError) break;
        if (txn) {
          if (txnSize !== undefined && lineNo - txnResult!.linesCommitted >= txnSize) {
            await txn.commit();
            txnResult!.committed = txn.committed;
            txnResult!.linesCommitted = lineNo;
          }
        }
        if (opts.sync) await producer.flush();
        else if (!roomLeft || producer.bufferedBytes >= readAhead) await producer.drained(readAhead);
        // A record that failed dooms the transaction: stop reading, it will abort.
        if (txn && txn.failedInTransaction > 0) break read;
        if (opts.prompt) process.stdout.write('>');
      }
      if (parseError) break;
      if (total > 0) opts.progress?.(bytesRead, total);
    }
    if (!parseError && !signal?.aborted && !(txn && txn.failedInTransaction > 0)) {
      const last = splitter.end();
      if (last) handleLine(last);
    }
    if (txn) txnResult = await finishTransaction(txn, txnResult!, lineNo, parseError, signal?.aborted === true);
    await producer.flush();
  } catch (err) {
    if (!(err instanceof TransactionError) || !txn) throw err;
    txnResult = {
      ...txnResult!,
      committed: txn.committed,
      ...(await abortQuietly(txn, err, lineNo, txnResult!.linesCommitted)),
    };
  } finally {
    producer.close();
  }
  return {
    topic: opts.topic,
    linesRead: lineNo,
    sent: producer.sent,
    failed: producer.failed,
    failures: producer.failures,
    parseError,
    transaction: txnResult,
  };
}

/** Where `sep` first starts in buf[start, end), or -1. Keys are short: a byte loop finds it soonest. */
function separatorIn(buf: Buffer, start: number, end: number, sep: Buffer): number {
  const first = sep[0]!;
  const last = end - sep.length;
  for (let i = start; i <= last; i++) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < sep.length && buf[i + k] === sep[k]) k++;
    if (k === sep.length) return i;
  }
  return -1;
}

/** Commits the last transaction, or aborts it when input was interrupted, unparsable or not all sent. */
async function finishTransaction(
  txn: TransactionalProducer,
  r: ConsoleTransactionResult,
  lineNo: number,
  parseError: ConsoleProduceResult['parseError'],
  interrupted: boolean,
): Promise<ConsoleTransactionResult> {
  if (!txn.inTransaction) return { ...r, committed: txn.committed };
  if (!parseError && !interrupted) {
    await txn.commit();
    return { ...r, committed: txn.committed, linesCommitted: lineNo };
  }
  await txn.abort();
  const reason = interrupted ? 'Interrupted' : parseError!.message;
  return {
    ...r,
    committed: txn.committed,
    error: `${reason}; ${abortedLines(txn, r.linesCommitted, lineNo)}`,
    code: interrupted ? 'INTERRUPTED' : 'INVALID_RECORD',
  };
}

/** A transaction that failed: aborted if the producer may still abort (not when fenced). */
async function abortQuietly(
  txn: TransactionalProducer,
  err: TransactionError,
  lineNo: number,
  linesCommitted: number,
): Promise<Pick<ConsoleTransactionResult, 'error' | 'code'>> {
  if (err.fatal) return { error: err.message, code: err.code };
  try {
    await txn.abort();
  } catch (e) {
    return { error: `${err.message}; aborting failed too: ${(e as Error).message}`, code: err.code };
  }
  return {
    error: `${err.message.replace(/, so the transaction was aborted$/, '')}; ${abortedLines(txn, linesCommitted, lineNo)}`,
    code: err.code,
  };
}

function abortedLines(txn: TransactionalProducer, linesCommitted: number, lineNo: number): string {
  const lines = linesCommitted + 1 === lineNo ? `line ${lineNo}` : `lines ${linesCommitted + 1}-${lineNo}`;
  return `aborted the transaction of transactional id '${txn.transactionalId}' (${lines} not committed)`;
}

/**
 * The input's chunks until it ends or the signal fires. A signal must not wait for the
 * next line to arrive: an idle terminal or pipe would hold a stopping producer forever.
 */
async function* untilAborted(input: ProducerInput, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (!signal) {
    yield* input;
    return;
  }
  const it = input[Symbol.asyncIterator]();
  try {
    while (!signal.aborted) {
      // A fresh listener per chunk, removed once it settles: a race against one long-lived
      // promise would keep every chunk reachable.
      let onAbort = () => {};
      const next = await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
        onAbort = () => resolve({ done: true, value: undefined });
        signal.addEventListener('abort', onAbort, { once: true });
        it.next().then(resolve, reject);
      });
      signal.removeEventListener('abort', onAbort);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Let go of the input so its handle no longer keeps the process alive.
    if (signal.aborted) input.destroy?.();
  }
}

/**
 * Node hands a directory on stdin over as an empty stream, which would pass for empty
 * input with exit 0; Kafka's console producer fails reading it (IOException: Is a directory).
 */
function assertReadable(input: { fd?: number }): void {
  const fd = typeof input.fd === 'number' ? input.fd : input === process.stdin ? 0 : undefined;
  if (fd === undefined) return;
  let directory = false;
  try {
    directory = fstatSync(fd).isDirectory();
  } catch {
    return;
  }
  if (directory) throw new Error('Cannot read standard input: it is a directory (EISDIR)');
}

/** Where the console producer reads from: chunks of bytes, and the descriptor behind them. */
export type ProducerInput = AsyncIterable<Buffer> & { fd?: number; destroy?: () => void };

/**
 * Standard input to read records from. A regular file is read a megabyte at a time into
 * two buffers in turn (process.stdin reads 64 KB, each read a trip through the thread
 * pool into fresh memory); a chunk stays valid until the one after it is asked for, which
 * the pipeline allows, as it copies what it keeps.
 */
export function standardInput(): ProducerInput {
  let file = false;
  try {
    file = fstatSync(0).isFile();
  } catch {
    // not a file: process.stdin reports what is wrong when read
  }
  return file ? fileChunks(0, 1 << 20) : process.stdin;
}

function fileChunks(fd: number, size: number): ProducerInput {
  let stopped = false;
  return {
    fd,
    destroy: () => {
      stopped = true;
    },
    // Two buffers: the next chunk is read while this one is parsed. A chunk's buffer is
    // read into again only once the chunk after it has been asked for.
    async *[Symbol.asyncIterator]() {
      let current = Buffer.allocUnsafe(size);
      let other = Buffer.allocUnsafe(size);
      let reading = readAsync(fd, current, 0, size, null);
      while (!stopped) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) return;
        const chunk = current.subarray(0, bytesRead);
        reading = readAsync(fd, other, 0, size, null);
        [current, other] = [other, current];
        yield chunk;
      }
      await reading.catch(() => undefined);
    },
  };
}

function sizeOf(input: { fd?: number }): number {
  if (typeof input.fd !== 'number') return 0;
  try {
    const st = fstatSync(input.fd);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** Java producer properties mapped onto the fast producer's options. */
export function producerOptionsFromProperties(props: Record<string, string>): Partial<ProducerOptions> {
  const o: Partial<ProducerOptions> = {};
  const num = (k: string) => {
    const v = props[k];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`Invalid value ${v} for configuration ${k}: Not a number`);
    return n;
  };
  const acks = props.acks;
  if (acks !== undefined) {
    const a = acks === 'all' ? -1 : Number(acks);
    if (a !== -1 && a !== 0 && a !== 1)
      throw new Error(`Invalid value ${acks} for configuration acks: String must be one of: all, -1, 0, 1`);
    o.acks = a;
  }
  const set = <K extends keyof ProducerOptions>(key: K, prop: string) => {
    const n = num(prop);
    if (n !== undefined) (o as Record<string, number>)[key] = n;
  };
  set('lingerMs', 'linger.ms');
  set('batchSize', 'batch.size');
  set('retries', 'retries');
  set('retryBackoffMs', 'retry.backoff.ms');
  set('requestTimeoutMs', 'request.timeout.ms');
  set('maxInFlight', 'max.in.flight.requests.per.connection');
  set('bufferMemory', 'buffer.memory');
  set('maxBlockMs', 'max.block.ms');
  set('maxRequestSize', 'max.request.size');
  set('deliveryTimeoutMs', 'delivery.timeout.ms');
  if (props['enable.idempotence'] !== undefined)
    o.idempotence = parseBooleanProperty('enable.idempotence', props['enable.idempotence']);
  return o;
}

/**
 * Kafka's checks on the merged settings (idempotence against acks, retries and in-flight
 * requests; delivery.timeout.ms), before anything connects. Throws ProducerConfigError.
 */
export function checkProducerOptions(opts: Partial<ProducerOptions>): void {
  resolveProducerOptions(opts);
}

export const PRODUCER_KEYS = new Set([
  'acks',
  'linger.ms',
  'batch.size',
  'retries',
  'retry.backoff.ms',
  'request.timeout.ms',
  'max.in.flight.requests.per.connection',
  'buffer.memory',
  'max.block.ms',
  'max.request.size',
  'compression.type',
  'enable.idempotence',
  'metadata.max.age.ms',
  'send.buffer.bytes',
  'client.id',
  'key.serializer',
  'value.serializer',
  'partitioner.class',
  'delivery.timeout.ms',
  'transactional.id',
  'transaction.timeout.ms',
]);
