// The protocol fuzzer's engine: generates cases from a seed, sends them to one live
// broker over many connections (pipelined where the outcome is predictable), and checks
// every outcome: a well-formed response, or the connection closed, never silence.
//
// Each case is reproducible from (seed, case index): its bytes come from a PRNG seeded
// with both, and its correlation id is its index. Outcomes are predicted with the codec
// (what the broker's dispatcher will decode), so a batch on one connection can end with
// the one frame expected to make the broker close it.
//
// Failures (the run fails on any): a response that does not decode for its API and
// version, or leaves bytes over; a response to a request that must be refused (from the
// wire format alone: negative or past-the-end lengths, null where not nullable, 6+ byte
// varints, unknown API keys and versions, invalid frame sizes, acks=0 produce of a
// corrupt batch); a corrupt batch answered with NONE; no answer and no close within the
// timeout (a hang; long polls excepted); the codec rejecting or misreading a valid frame
// or one with an unknown tagged field; a stalled event loop; the control connection
// left unanswered. Closes on requests the codec can decode are reported per API (they
// fail the run only with `strict`): a produce with acks=0 that fails is one legitimately.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  allApiSpecs,
  apiSpec,
  compiledMessage,
  decodeRequest,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeRequestFrame,
  errorName,
  Reader,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiSpec,
  type MessageBody,
} from '../../src/protocol/index.js';
import { garbageBatch, validBatch } from './batches.js';
import { Conn, sleep, within, type ConnCounters } from './conn.js';
import { corruptLength, mutateBytes, mutateTagged, uvarintBytes } from './mutate.js';
import { caseRng, Rng } from './prng.js';
import { diffDecoded, encodeFrame, genBody, genClientId, isFlexibleVersion, type Pools } from './schema-gen.js';

export const GENERATORS = ['mutated', 'truncated', 'sizes', 'lengths', 'unknownApi', 'tagged', 'badBatch'] as const;
export type GenName = (typeof GENERATORS)[number];

const DEFAULT_WEIGHTS: Record<GenName, number> = {
  mutated: 45,
  truncated: 6,
  sizes: 5,
  lengths: 14,
  unknownApi: 5,
  tagged: 10,
  badBatch: 15,
};

const API_VERSIONS = 18;
const PRODUCE = 0;
const FETCH = 1;
const JOIN_GROUP = 11;
const SYNC_GROUP = 14;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

export interface FuzzOptions {
  port: number;
  cases: number;
  seed: number;
  /** socket.request.max.bytes of the broker. */
  maxFrameBytes: number;
  pools: Pools;
  /** A topic only generator 7 produces to, with `batchPartitions` partitions. */
  batchTopic: string;
  batchPartitions: number;
  lanes?: number;
  batchSize?: number;
  caseTimeoutMs?: number;
  /** Restrict to some generators. */
  only?: readonly GenName[];
  /** Count a decodable request that got its connection closed as a failure. */
  strict?: boolean;
  progress?: (line: string) => void;
  /** Explains (in-process) why the broker would close a connection on this frame. */
  diagnose?: (frame: Buffer) => Promise<string>;
}

/** What the broker should do with a frame, predicted from how the codec decodes it. */
interface Expectation {
  apiKey: number;
  version: number;
  correlationId: number | null;
  outcome: 'respond' | 'close' | 'v0';
  /** Produce with acks=0: no response is also right. */
  silentOk: boolean;
  /** Time the broker may legitimately take (a fetch's MaxWaitMs). */
  allowMs: number;
  /** May wait indefinitely (long polls): no answer by the deadline is not a hang. */
  abandonOk: boolean;
  /** Nothing may follow it on the connection. */
  terminal: boolean;
}

interface FrameCase {
  kind: 'frame';
  index: number;
  gen: GenName;
  desc: string;
  payload: Buffer;
  exp: Expectation;
  /** The broker must close the connection (refuse the frame). */
  mustClose: boolean;
  /** The broker must answer (closing is a failure too). */
  mustRespond?: boolean;
  /** Extra check of the decoded response; returns a failure or null. */
  check?: (body: MessageBody) => string | null;
  /** Deliver the frame in several writes. */
  split?: boolean;
}

interface StreamCase {
  kind: 'stream';
  index: number;
  gen: GenName;
  desc: string;
  run: (env: Env) => Promise<void>;
}

type Case = FrameCase | StreamCase;

type Outcome = 'responded' | 'closed' | 'closedUnexpectedly' | 'silent' | 'abandoned' | 'lost' | 'hang' | 'held';

export interface Sample {
  index: number;
  gen: GenName;
  apiKey: number;
  version: number;
  desc: string;
  hex: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  durationMs: number;
  byGenerator: Record<string, number>;
  outcomes: Record<string, number>;
  outcomesByGenerator: Record<string, Record<string, number>>;
  errorsByName: Record<string, number>;
  connections: ConnCounters;
  controlRounds: number;
  controlMaxMs: number;
  rssStartMb: number;
  rssMaxMb: number;
  eventLoopMaxMs: number;
  failures: string[];
  /** Decodable requests whose connection the broker closed, by API: count and a few samples. */
  unexpectedCloses: Record<string, { count: number; samples: Sample[] }>;
  /** Corrupt-but-undetectable cases the broker accepted (compressed garbage). */
  acceptedUndetectable: number;
  /** Frames the codec predicted a close for that the broker answered. */
  predictedCloseAnswered: number;
  /** (API, version) pairs valid requests were generated for, of those advertised. */
  apiVersionsCovered: number;
  apiVersionsAdvertised: number;
}

interface Env {
  port: number;
  counters: ConnCounters;
  timeoutMs: number;
  fail: (msg: string) => void;
  outcome: (gen: GenName, o: Outcome) => void;
}

const hex = (b: Buffer, max = 400): string =>
  b.subarray(0, max).toString('hex') + (b.length > max ? `…(+${b.length - max} bytes)` : '');

function caseLabel(c: { index: number; gen: GenName; desc: string }): string {
  return `case #${c.index} [${c.gen}] ${c.desc}`;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const lanes = opts.lanes ?? 12;
  const batchSize = opts.batchSize ?? 24;
  const timeoutMs = opts.caseTimeoutMs ?? 2000;
  const counters: ConnCounters = { opened: 0, closedByBroker: 0, closedByUs: 0, connectErrors: 0 };
  const failures: string[] = [];
  const fail = (msg: string) => {
    if (failures.length < 200) failures.push(msg);
  };
  const byGenerator: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const outcomesByGenerator: Record<string, Record<string, number>> = {};
  const errorsByName: Record<string, number> = {};
  const unexpectedCloses: FuzzReport['unexpectedCloses'] = {};
  let acceptedUndetectable = 0;
  let predictedCloseAnswered = 0;
  const outcome = (gen: GenName, o: Outcome) => {
    outcomes[o] = (outcomes[o] ?? 0) + 1;
    const g = (outcomesByGenerator[gen] ??= {});
    g[o] = (g[o] ?? 0) + 1;
  };
  const env: Env = { port: opts.port, counters, timeoutMs, fail, outcome };

  // ---- what the broker serves
  const advertised = await fetchAdvertised(opts.port, counters);
  const servedApis: Array<{ api: ApiSpec; min: number; max: number }> = [];
  for (const [key, [min, max]] of advertised) {
    const api = apiSpec(key);
    if (api) servedApis.push({ api, min, max });
  }
  const flexiblePairs: Array<[ApiSpec, number]> = [];
  for (const { api, min, max } of servedApis)
    for (let v = min; v <= max; v++) if (isFlexibleVersion(api, v)) flexiblePairs.push([api, v]);
  const produceRange = advertised.get(PRODUCE) ?? [3, 11];

  // ---- prediction and response checks

  function predict(payload: Buffer): Expectation {
    const e: Expectation = {
      apiKey: -1,
      version: -1,
      correlationId: null,
      outcome: 'close',
      silentOk: false,
      allowMs: 0,
      abandonOk: false,
      terminal: true,
    };
    if (payload.length >= 8) {
      e.apiKey = payload.readInt16BE(0);
      e.version = payload.readInt16BE(2);
      e.correlationId = payload.readInt32BE(4);
    }
    let bodyOffset: number;
    try {
      bodyOffset = decodeRequestHeader(payload).bodyOffset;
    } catch {
      return e;
    }
    const range = advertised.get(e.apiKey);
    if (!range || e.version < range[0] || e.version > range[1]) {
      if (e.apiKey === API_VERSIONS) {
        e.outcome = 'v0';
        e.terminal = false;
      }
      return e;
    }
    let body: MessageBody;
    try {
      body = decodeRequest(e.apiKey, e.version, payload, bodyOffset);
    } catch {
      return e;
    }
    e.outcome = 'respond';
    e.terminal = false;
    switch (e.apiKey) {
      case PRODUCE:
        if (body.acks === 0) e.silentOk = true;
        break;
      case FETCH: {
        const wait = Math.max(0, Number(body.maxWaitMs) || 0);
        e.allowMs = Math.min(wait, 10_000);
        if (wait > 200) e.terminal = true;
        if (wait > 10_000) e.abandonOk = true;
        break;
      }
      case JOIN_GROUP:
      case SYNC_GROUP:
        // Both wait on other members (a rebalance, the leader's assignment).
        e.terminal = true;
        e.abandonOk = true;
        break;
      case SASL_HANDSHAKE:
      case SASL_AUTHENTICATE:
        // May change how the connection reads what follows.
        e.terminal = true;
        break;
    }
    return e;
  }

  /** Decodes a response for `exp`; returns the body or a failure description. */
  function decodeResponse(exp: Expectation, frame: Buffer): { body: MessageBody } | { error: string } {
    const version = exp.outcome === 'v0' ? 0 : exp.version;
    try {
      const codec = compiledMessage(exp.apiKey, version, 'response');
      const r = new Reader(frame, 0);
      r.int32();
      if (responseHeaderVersion(exp.apiKey, version) >= 1) r.taggedFields();
      const body = codec.read(r);
      if (r.remaining !== 0) return { error: `${r.remaining} bytes left after the response body` };
      return { body };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  function countErrors(v: unknown): void {
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return;
    if (Array.isArray(v)) {
      for (const x of v) countErrors(x);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'errorCode' && typeof x === 'number') {
        const name = errorName(x) ?? `code ${x}`;
        errorsByName[name] = (errorsByName[name] ?? 0) + 1;
      } else if (typeof x === 'object') {
        countErrors(x);
      }
    }
  }

  function noteUnexpectedClose(c: FrameCase): void {
    const key = apiSpec(c.exp.apiKey)?.name ?? `api ${c.exp.apiKey}`;
    const entry = (unexpectedCloses[key] ??= { count: 0, samples: [] });
    entry.count++;
    if (entry.samples.length < 3) {
      entry.samples.push({
        index: c.index,
        gen: c.gen,
        apiKey: c.exp.apiKey,
        version: c.exp.version,
        desc: c.desc,
        hex: c.payload.toString('hex'),
      });
    }
    if (opts.strict)
      fail(
        `${caseLabel(c)}: the broker closed the connection on a decodable ${key} v${c.exp.version} request; frame ${hex(c.payload)}`,
      );
  }

  // ---- case generation

  function frameCase(
    index: number,
    gen: GenName,
    desc: string,
    payload: Buffer,
    extra: Partial<FrameCase> = {},
  ): FrameCase {
    const exp = predict(payload);
    const c: FrameCase = { kind: 'frame', index, gen, desc, payload, exp, mustClose: false, ...extra };
    if (c.mustClose) c.exp.terminal = true;
    return c;
  }

  function pickApiVersion(rng: Rng): [ApiSpec, number] {
    const { api, min, max } = rng.pick(servedApis);
    return [api, rng.range(min, max)];
  }

  /** A valid frame, checked against the codec: it must decode back to what was generated. */
  const covered = new Set<string>();
  function validFrame(index: number, rng: Rng, api: ApiSpec, version: number) {
    covered.add(`${api.apiKey}:${version}`);
    const body = genBody(api, version, rng, opts.pools);
    const frame = encodeFrame(api, version, index, genClientId(rng), body);
    try {
      const header = decodeRequestHeader(frame.payload);
      if (header.bodyOffset !== frame.trace.bodyStart)
        throw new Error(`header ends at ${header.bodyOffset}, expected ${frame.trace.bodyStart}`);
      const decoded = decodeRequest(api.apiKey, version, frame.payload, header.bodyOffset);
      const diff = diffDecoded(body, decoded);
      if (diff)
        fail(
          `case #${index}: the codec decodes a valid ${api.name} v${version} request differently: ${diff}; frame ${hex(frame.payload)}`,
        );
    } catch (err) {
      fail(
        `case #${index}: the codec rejects a valid ${api.name} v${version} request: ${(err as Error).message}; frame ${hex(frame.payload)}`,
      );
    }
    return frame;
  }

  const weights = { ...DEFAULT_WEIGHTS };
  if (opts.only && opts.only.length > 0) for (const g of GENERATORS) if (!opts.only.includes(g)) weights[g] = 0;
  if (flexiblePairs.length === 0) weights.tagged = 0;

  let sentinelId = -1;
  function sentinel(): FrameCase {
    const id = sentinelId--;
    const payload = Buffer.concat(encodeRequestFrame(API_VERSIONS, 0, id, 'fuzz-sentinel', {})).subarray(4);
    return {
      kind: 'frame',
      index: -1,
      gen: 'mutated',
      desc: 'sentinel',
      payload,
      exp: predict(payload),
      mustClose: false,
    };
  }

  function makeCase(index: number): Case {
    const rng = caseRng(opts.seed, index);
    const gen = rng.weighted(weights);
    byGenerator[gen] = (byGenerator[gen] ?? 0) + 1;
    switch (gen) {
      case 'mutated': {
        const [api, version] = pickApiVersion(rng);
        const f = validFrame(index, rng, api, version);
        if (rng.chance(0.2)) return frameCase(index, gen, `valid ${api.name} v${version}`, f.payload);
        const m = mutateBytes(f.payload, f.trace.bodyStart, rng);
        return frameCase(index, gen, `${api.name} v${version} mutated (${m.ops.join(',')})`, m.payload);
      }
      case 'truncated': {
        const [api, version] = pickApiVersion(rng);
        const f = validFrame(index, rng, api, version);
        if (rng.chance(0.25))
          return frameCase(index, gen, `${api.name} v${version} delivered in pieces`, f.payload, { split: true });
        return truncatedCase(index, rng, `${api.name} v${version}`, f.payload);
      }
      case 'sizes':
        return sizeCase(index, rng);
      case 'lengths': {
        const [api, version] = pickApiVersion(rng);
        const f = validFrame(index, rng, api, version);
        const sites = f.trace.lengths.filter((s) => s.pos >= f.trace.bodyStart || rng.chance(0.1));
        if (sites.length === 0)
          return frameCase(index, gen, `valid ${api.name} v${version} (no length to corrupt)`, f.payload);
        const m = corruptLength(f.payload, rng.pick(sites), rng);
        return frameCase(index, gen, `${api.name} v${version} ${m.desc}`, m.payload, { mustClose: m.mustReject });
      }
      case 'unknownApi':
        return unknownApiCase(index, rng);
      case 'tagged': {
        const [api, version] = rng.pick(flexiblePairs);
        const f = validFrame(index, rng, api, version);
        const m = mutateTagged(f.payload, f.trace, rng);
        const c = frameCase(index, gen, `${api.name} v${version} ${m.desc}`, m.payload, { mustClose: m.mustReject });
        if (m.sameAsOriginal && predict(f.payload).outcome === 'respond' && c.exp.outcome !== 'respond') {
          fail(
            `${caseLabel(c)}: the codec rejects a request carrying an unknown tagged field (unknown tags must be skipped); frame ${hex(c.payload)}`,
          );
        }
        return c;
      }
      case 'badBatch':
        return badBatchCase(index, rng);
    }
  }

  function truncatedCase(index: number, rng: Rng, what: string, payload: Buffer): StreamCase {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(payload.length, 0);
    let bytes: Buffer;
    let desc: string;
    if (rng.chance(0.1)) {
      const k = rng.range(1, 3);
      bytes = prefix.subarray(0, k);
      desc = `${what}: ${k} of the 4 size bytes`;
    } else {
      const k = rng.int(payload.length);
      bytes = Buffer.concat([prefix, payload.subarray(0, k)]);
      desc = `${what}: size ${payload.length}, ${k} bytes sent`;
    }
    const holdMs = rng.chance(0.5) ? 0 : rng.range(5, 40);
    return {
      kind: 'stream',
      index,
      gen: 'truncated',
      desc: `${desc}, held ${holdMs} ms`,
      async run(e) {
        const conn = await Conn.open(e.port, e.counters);
        conn.write([bytes]);
        if (holdMs > 0) await within(conn.whenClosed(), holdMs);
        if (conn.received > 0)
          e.fail(`${caseLabel(this)}: the broker sent ${conn.received} bytes in answer to an incomplete frame`);
        e.outcome('truncated', conn.closed ? 'closed' : 'held');
        conn.destroy();
      },
    };
  }

  function sizeCase(index: number, rng: Rng): Case {
    const max = opts.maxFrameBytes;
    const r = rng.int(10);
    if (r < 2) {
      // Frames too short to hold a request header: well framed, must be refused.
      const n = rng.int(8);
      return frameCase(index, 'sizes', `${n}-byte frame`, rng.bytes(n), { mustClose: true });
    }
    if (r < 3) {
      // The size prefix claims less than the request: the rest reads as the next frame.
      const [api, version] = pickApiVersion(rng);
      const f = validFrame(index, rng, api, version);
      const cut = rng.range(0, Math.max(0, f.payload.length - 1));
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(cut, 0);
      const exp = predict(f.payload.subarray(0, cut));
      return {
        kind: 'stream',
        index,
        gen: 'sizes',
        desc: `${api.name} v${version}: size ${cut} for ${f.payload.length} bytes`,
        async run(e) {
          const conn = await Conn.open(e.port, e.counters);
          let frames = 0;
          conn.onFrame = (frame) => {
            frames++;
            if (conn.badFraming) {
              e.fail(`${caseLabel(this)}: broken response framing: ${conn.badFraming}`);
              return;
            }
            if (frames > 1) {
              e.fail(`${caseLabel(this)}: more than one response`);
              return;
            }
            if (exp.outcome === 'close') {
              predictedCloseAnswered++;
              return;
            }
            const d = decodeResponse(exp, frame);
            if ('error' in d) e.fail(`${caseLabel(this)}: malformed response: ${d.error}`);
          };
          conn.write([prefix, f.payload]);
          await within(conn.whenClosed(), 100 + exp.allowMs);
          e.outcome('sizes', conn.closed ? 'closed' : frames > 0 ? 'responded' : 'held');
          conn.destroy();
        },
      };
    }
    const invalid = rng.chance(0.6);
    const size = invalid
      ? rng.pick([-1, -2, -0x80000000, rng.i32() | 0x80000000, 0x7fffffff, max + 1, max + 1 + rng.int(1 << 20)])
      : rng.pick([max, max - rng.int(1000), 1 << 20, 8 + rng.int(1 << 16)]);
    const junk = rng.bytes(rng.int(1024));
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size | 0, 0);
    const holdMs = rng.int(20);
    return {
      kind: 'stream',
      index,
      gen: 'sizes',
      desc: `size ${size | 0} then ${junk.length} bytes`,
      async run(e) {
        const conn = await Conn.open(e.port, e.counters);
        conn.write([prefix, junk]);
        if (invalid) {
          const closed = await within(conn.whenClosed(), e.timeoutMs);
          if (!closed) e.fail(`${caseLabel(this)}: the broker kept the connection open after an invalid frame size`);
        } else if (holdMs > 0) {
          await within(conn.whenClosed(), holdMs);
        }
        if (conn.received > 0)
          e.fail(`${caseLabel(this)}: the broker answered ${conn.received} bytes to a frame it cannot have read`);
        e.outcome('sizes', conn.closed ? 'closed' : 'held');
        conn.destroy();
      },
    };
  }

  function unknownApiCase(index: number, rng: Rng): FrameCase {
    let apiKey: number;
    let version: number;
    const known = rng.chance(0.5);
    if (known) {
      const { api, min, max } = rng.pick(servedApis);
      apiKey = api.apiKey;
      version = rng.pick([-1, 999, 32767, -32768, max + 1, max + 2, min - 1].filter((v) => v < min || v > max));
    } else {
      const unadvertised = allApiSpecs()
        .map((a) => a.apiKey)
        .filter((k) => !advertised.has(k));
      apiKey = rng.pick([5000, -1, 32767, -32768, 100, 1000, ...unadvertised]);
      version = rng.pick([0, 1, -1, 999, rng.int(20)]);
    }
    // A header of the form the API and version call for, then junk or nothing.
    const parts: Buffer[] = [];
    const head = Buffer.alloc(8);
    head.writeInt16BE(apiKey, 0);
    head.writeInt16BE(version, 2);
    head.writeInt32BE(index, 4);
    parts.push(head);
    const hv = requestHeaderVersion(apiKey, version);
    if (hv >= 1) parts.push(Buffer.from([0, 4]), Buffer.from('fuzz'));
    if (hv >= 2) parts.push(uvarintBytes(0));
    if (rng.chance(0.5)) parts.push(rng.bytes(rng.int(32)));
    const payload = Buffer.concat(parts);
    const name = apiSpec(apiKey)?.name ?? 'unknown';
    if (apiKey === API_VERSIONS) {
      return frameCase(index, 'unknownApi', `ApiVersions v${version}`, payload, {
        mustRespond: true,
        check: (body) =>
          body.errorCode === 35
            ? null
            : `ApiVersions v${version} answered with error ${body.errorCode}, expected UNSUPPORTED_VERSION (35)`,
      });
    }
    return frameCase(index, 'unknownApi', `api ${apiKey} (${name}) v${version}`, payload, { mustClose: true });
  }

  function badBatchCase(index: number, rng: Rng): FrameCase {
    const api = apiSpec(PRODUCE)!;
    const version = rng.range(produceRange[0], produceRange[1]);
    const bad = garbageBatch(rng);
    const acks = rng.chance(0.15) ? 0 : rng.pick([-1, 1]);
    const partition = rng.int(opts.batchPartitions);
    const partitionData: Array<{ index: number; records: Buffer | null }> = [
      { index: partition, records: bad.records },
    ];
    const withGood = rng.chance(0.3);
    const goodPartition = (partition + 1) % opts.batchPartitions;
    if (withGood && goodPartition !== partition) partitionData.push({ index: goodPartition, records: validBatch(rng) });
    const body = {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [{ name: opts.batchTopic, partitionData }],
    };
    const f = encodeFrame(api, version, index, 'fuzz', body);
    const desc = `Produce v${version} acks=${acks} ${bad.kind}: ${bad.desc}${partitionData.length > 1 ? ' (+ a valid batch)' : ''}`;
    if (acks === 0) {
      // No response either way; a refused batch must cost the connection.
      return frameCase(index, 'badBatch', desc, f.payload, { mustClose: bad.mustFail });
    }
    return frameCase(index, 'badBatch', desc, f.payload, {
      check: (resp) => {
        const parts = (resp.responses?.[0]?.partitionResponses ?? []) as Array<{
          index: number;
          errorCode: number;
          errorMessage: string | null;
        }>;
        const mine = parts.find((p) => p.index === partition);
        if (!mine) return 'no response for the partition';
        if (bad.mustFail && mine.errorCode === 0) return `a corrupt batch was accepted (${bad.kind}: ${bad.desc})`;
        if (!bad.mustFail && bad.kind === 'valid' && mine.errorCode !== 0)
          return `a valid batch was refused with ${errorName(mine.errorCode)}: ${mine.errorMessage}`;
        if (!bad.mustFail && bad.kind !== 'valid' && mine.errorCode === 0) acceptedUndetectable++;
        if (partitionData.length > 1) {
          const good = parts.find((p) => p.index === goodPartition);
          if (!good || good.errorCode !== 0)
            return `the valid batch next to a corrupt one was refused (${good ? errorName(good.errorCode) : 'missing'})`;
        }
        return null;
      },
    });
  }

  // ---- running frames on a connection

  const recentSends: Array<{ at: number; label: string }> = [];
  function noteSend(at: number, label: string): void {
    recentSends.push({ at, label });
    if (recentSends.length > 256) recentSends.splice(0, 128);
  }

  interface Entry {
    c: FrameCase;
    state: 'pending' | Outcome;
  }

  /**
   * Sends `cases` back to back and tracks their outcomes. `first` resolves once every
   * entry but a terminal one is settled (the lane may move on); `done` once all are.
   */
  function runFrames(conn: Conn, cases: FrameCase[]): { first: Promise<void>; done: Promise<void> } {
    const entries: Entry[] = cases.map((c) => ({ c, state: 'pending' }));
    const terminal = cases[cases.length - 1]!.exp.terminal ? entries[entries.length - 1] : undefined;
    let resolveFirst!: () => void;
    let resolveDone!: () => void;
    const first = new Promise<void>((r) => {
      resolveFirst = r;
    });
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    let finished = false;
    const budget = timeoutMs + cases.reduce((s, c) => s + c.exp.allowMs, 0);
    const timer = setTimeout(onDeadline, budget);

    const settle = (e: Entry, o: Outcome) => {
      e.state = o;
      if (e.c.index >= 0) outcome(e.c.gen, o);
    };

    function progress(): void {
      if (finished) return;
      const open = entries.filter((e) => e.state === 'pending');
      const blocking = open.filter((e) => !e.c.exp.silentOk || e.c.mustClose);
      if (blocking.length === 0 || conn.closed) {
        // Whatever is left was a silent produce (or the connection is gone).
        for (const e of open) settle(e, conn.closed ? 'closed' : 'silent');
        finish();
        return;
      }
      if (blocking.length === 1 && blocking[0] === terminal) resolveFirst();
    }

    function finish(): void {
      finished = true;
      clearTimeout(timer);
      conn.onFrame = null;
      conn.onClose = null;
      resolveFirst();
      resolveDone();
    }

    conn.onFrame = (frame) => {
      if (finished) return;
      if (conn.badFraming) {
        fail(`connection ${cases.map((c) => `#${c.index}`).join(',')}: broken response framing: ${conn.badFraming}`);
        conn.destroy();
        for (const e of entries) if (e.state === 'pending') settle(e, 'lost');
        finish();
        return;
      }
      if (frame.length < 4) {
        fail(`a ${frame.length}-byte response frame`);
        return;
      }
      const id = frame.readInt32BE(0);
      const at = entries.findIndex((e) => e.state === 'pending' && e.c.exp.correlationId === id);
      if (at < 0) {
        fail(
          `a response with correlation id ${id} that no pending request on the connection carries (${entries.map((e) => `#${e.c.index}:${e.state}`).join(' ')})`,
        );
        return;
      }
      for (let i = 0; i < at; i++) {
        const e = entries[i]!;
        if (e.state !== 'pending') continue;
        if (e.c.exp.silentOk && !e.c.mustClose) settle(e, 'silent');
        else if (e.c.mustClose) {
          fail(
            `${caseLabel(e.c)}: the broker went on serving the connection after a request it must refuse; frame ${hex(e.c.payload)}`,
          );
          settle(e, 'lost');
        } else {
          fail(
            `${caseLabel(e.c)}: no response, but the broker answered a later request (#${entries[at]!.c.index}); frame ${hex(e.c.payload)}`,
          );
          settle(e, 'lost');
        }
      }
      const e = entries[at]!;
      settle(e, 'responded');
      const c = e.c;
      if (c.mustClose) {
        fail(`${caseLabel(c)}: the broker answered a request it must refuse; frame ${hex(c.payload)}`);
      } else if (c.exp.outcome === 'close') {
        predictedCloseAnswered++;
      } else {
        const d = decodeResponse(c.exp, frame);
        if ('error' in d) {
          fail(
            `${caseLabel(c)}: malformed ${apiSpec(c.exp.apiKey)?.name} v${c.exp.outcome === 'v0' ? 0 : c.exp.version} response: ${d.error}; request ${hex(c.payload)}; response ${hex(frame)}`,
          );
        } else {
          countErrors(d.body);
          if (c.exp.outcome === 'v0' && d.body.errorCode !== 35)
            fail(`${caseLabel(c)}: ApiVersions with an unsupported version answered with error ${d.body.errorCode}`);
          const problem = c.check?.(d.body);
          if (problem) fail(`${caseLabel(c)}: ${problem}; request ${hex(c.payload)}`);
        }
      }
      progress();
    };

    conn.onClose = () => {
      if (finished) return;
      const open = entries.filter((e) => e.state === 'pending');
      // Requests are served in order: the first unanswered one (or a silent produce before
      // it, whose failure also closes the connection) made the broker close.
      let culpritFound = false;
      for (const e of open) {
        if (culpritFound) {
          settle(e, 'lost');
          continue;
        }
        if (e.c.exp.silentOk && !e.c.mustClose) {
          settle(e, 'closed');
          continue;
        }
        culpritFound = true;
        const expected = e.c.mustClose || e.c.exp.outcome === 'close' || open[0] !== e;
        if (expected) settle(e, 'closed');
        else if (e.c.mustRespond) {
          settle(e, 'closedUnexpectedly');
          fail(`${caseLabel(e.c)}: the broker closed the connection instead of answering; frame ${hex(e.c.payload)}`);
        } else {
          settle(e, 'closedUnexpectedly');
          noteUnexpectedClose(e.c);
        }
      }
      finish();
    };

    function onDeadline(): void {
      if (finished) return;
      const open = entries.filter((e) => e.state === 'pending');
      const e = open.find((x) => !x.c.exp.silentOk || x.c.mustClose);
      if (e) {
        if (e.c.exp.abandonOk) settle(e, 'abandoned');
        else {
          settle(e, 'hang');
          fail(
            `${caseLabel(e.c)}: HANG: neither a response nor a close within ${budget} ms; frame ${hex(e.c.payload)}`,
          );
        }
      }
      for (const x of entries) if (x.state === 'pending') settle(x, x.c.exp.silentOk ? 'silent' : 'lost');
      conn.destroy();
      finish();
    }

    if (cases.length === 1 && cases[0]!.split) {
      const c = cases[0]!;
      const whole = Buffer.concat([sizePrefix(c.payload.length), c.payload]);
      const cutRng = new Rng(c.index, 7);
      const cuts = Array.from({ length: cutRng.range(1, 5) }, () => cutRng.int(whole.length)).sort((a, b) => a - b);
      void (async () => {
        let pos = 0;
        for (const cut of [...cuts, whole.length]) {
          if (cut <= pos) continue;
          conn.write([whole.subarray(pos, cut)]);
          pos = cut;
          await sleep(cutRng.int(2));
        }
      })();
    } else {
      const parts: Buffer[] = [];
      for (const c of cases) parts.push(sizePrefix(c.payload.length), c.payload);
      conn.write([Buffer.concat(parts)]);
    }
    const at = Date.now();
    for (const c of cases) if (c.index >= 0) noteSend(at, `${caseLabel(c)} ${hex(c.payload, 120)}`);
    progress();
    return { first, done };
  }

  // ---- lanes, watchers, control connection

  const watchers = new Set<Promise<void>>();
  const MAX_WATCHERS = 256;
  async function detach(p: Promise<void>): Promise<void> {
    const w = p.catch((err) => fail(`watcher: ${(err as Error).message}`)).finally(() => watchers.delete(w));
    watchers.add(w);
    while (watchers.size >= MAX_WATCHERS) await Promise.race(watchers);
  }

  let next = 0;
  let lastProgress = Date.now();
  const report = () => {
    if (opts.progress && Date.now() - lastProgress > 5000) {
      lastProgress = Date.now();
      // With --expose-gc, measure what is still reachable rather than garbage not yet collected.
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      opts.progress(
        `${next}/${opts.cases} cases, ${counters.opened} connections, ${failures.length} failures, rss ${(m.rss / 2 ** 20).toFixed(0)} MB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB, external ${(m.external / 2 ** 20).toFixed(0)} MB`,
      );
    }
  };

  async function lane(): Promise<void> {
    let conn: Conn | null = null;
    while (next < opts.cases) {
      const batch: FrameCase[] = [];
      const ids = new Set<number>();
      let carry: Case | null = null;
      while (next < opts.cases && batch.length < batchSize) {
        const c = makeCase(next++);
        if (c.kind === 'stream') {
          await detach(c.run(env).catch((err) => fail(`${caseLabel(c)}: ${(err as Error).message}`)));
          continue;
        }
        if (c.split) {
          carry = c;
          break;
        }
        const id = c.exp.correlationId;
        if (id !== null && ids.has(id)) {
          carry = c;
          break;
        }
        if (id !== null) ids.add(id);
        batch.push(c);
        // A silent produce that fails closes the connection: nothing real goes after it.
        if (c.exp.terminal || c.exp.silentOk) break;
      }
      report();
      const groups: FrameCase[][] = [];
      if (batch.length > 0) groups.push(batch);
      if (carry) groups.push([carry as FrameCase]);
      for (const cases of groups) {
        const last = cases[cases.length - 1]!;
        if (!last.exp.terminal && last.exp.silentOk) cases.push(sentinel());
        if (!conn || conn.closed) conn = await Conn.open(opts.port, counters);
        const { first, done } = runFrames(conn, cases);
        await first;
        if (last.exp.terminal || cases[0]!.split || conn.closed) {
          const used = conn;
          conn = null;
          await detach(done.then(() => used.destroy()));
        }
      }
    }
    conn?.destroy();
  }

  // Control connection: must be answered promptly throughout.
  let stopControl = false;
  let controlRounds = 0;
  let controlMaxMs = 0;
  const rssStart = process.memoryUsage.rss();
  let rssMax = rssStart;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // Stall detector: the broker shares this event loop, so a request that blocks it for
  // long shows as a late tick. The frames sent just before are the suspects.
  const STALL_MS = Number(process.env.KTOOL_FUZZ_STALL_MS ?? Math.max(1000, timeoutMs / 2));
  let lastTick = Date.now();
  const stallTimer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > rssMax) rssMax = rss;
    const now = Date.now();
    const stall = now - lastTick - 50;
    if (stall > STALL_MS) {
      const before = recentSends
        .filter((r) => r.at <= lastTick + 5)
        .slice(-6)
        .map((r) => r.label);
      fail(`the event loop was blocked for ${stall} ms; last frames sent before: ${before.join(' | ')}`);
    }
    lastTick = now;
  }, 50);
  let controlFailures = 0;
  const control = (async () => {
    let conn: Conn | null = null;
    let id = 0;
    const waiting = new Map<number, { apiKey: number; version: number; resolve: () => void }>();
    const onFrame = (frame: Buffer) => {
      const cid = frame.readInt32BE(0);
      const w = waiting.get(cid);
      if (!w) {
        fail(`control connection: unexpected correlation id ${cid}`);
        return;
      }
      waiting.delete(cid);
      try {
        const r = decodeResponseFrame(w.apiKey, w.version, frame);
        if (r.body.errorCode !== undefined && r.body.errorCode !== 0)
          fail(`control connection: ${apiSpec(w.apiKey)?.name} answered ${errorName(r.body.errorCode)}`);
      } catch (err) {
        fail(`control connection: malformed response: ${(err as Error).message}`);
      }
      w.resolve();
    };
    while (!stopControl) {
      if (!conn || conn.closed) {
        conn = await Conn.open(opts.port, counters);
        conn.onFrame = onFrame;
        waiting.clear();
      }
      const c = conn;
      const t0 = Date.now();
      const frames: Buffer[] = [];
      const round = [
        { apiKey: API_VERSIONS, version: 3, body: { clientSoftwareName: 'fuzz-control', clientSoftwareVersion: '1' } },
        {
          apiKey: 3,
          version: 12,
          body: { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
        },
      ].map((r) => {
        const cid = id++;
        const p = new Promise<void>((resolve) => waiting.set(cid, { apiKey: r.apiKey, version: r.version, resolve }));
        const frame = encodeRequestFrame(r.apiKey, r.version, cid, 'fuzz-control', r.body);
        frames.push(Buffer.concat(frame).subarray(4));
        c.write(frame);
        return p;
      });
      const ok = await within(Promise.all(round), timeoutMs);
      const ms = Date.now() - t0;
      controlMaxMs = Math.max(controlMaxMs, ms);
      controlRounds++;
      if (!ok) {
        // Keep watching (on a new connection): how long the broker stays unhealthy matters.
        if (controlFailures++ < 5) {
          const why = opts.diagnose
            ? ` (replayed in-process: ${(await Promise.all(frames.map((f) => opts.diagnose!(f)))).join('; ')})`
            : '';
          fail(
            `control connection: ApiVersions + Metadata not answered within ${timeoutMs} ms${c.closed ? ' (connection closed by the broker)' : ''}${why}; cases sent just before: ${recentSends
              .slice(-4)
              .map((r) => r.label)
              .join(' | ')}`,
          );
        }
        c.destroy();
      }
      await sleep(200);
    }
    conn?.destroy();
    if (controlFailures > 5) fail(`control connection: ${controlFailures} rounds failed in all`);
  })().catch((err) => fail(`control connection: ${(err as Error).message}`));

  const lanePromises = Array.from({ length: lanes }, () =>
    lane().catch((err) => fail(`lane: ${(err as Error).stack}`)),
  );
  await Promise.all(lanePromises);
  await Promise.all([...watchers]);
  stopControl = true;
  await control;
  loopDelay.disable();
  clearInterval(stallTimer);

  return {
    seed: opts.seed,
    cases: next,
    durationMs: Date.now() - started,
    byGenerator,
    outcomes,
    outcomesByGenerator,
    errorsByName,
    connections: counters,
    controlRounds,
    controlMaxMs,
    rssStartMb: rssStart / 2 ** 20,
    rssMaxMb: rssMax / 2 ** 20,
    eventLoopMaxMs: loopDelay.max / 1e6,
    failures,
    unexpectedCloses,
    acceptedUndetectable,
    predictedCloseAnswered,
    apiVersionsCovered: covered.size,
    apiVersionsAdvertised: servedApis.reduce((n, a) => n + a.max - a.min + 1, 0),
  };
}

function sizePrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** The API keys and version ranges the broker advertises. */
export async function fetchAdvertised(port: number, counters: ConnCounters): Promise<Map<number, [number, number]>> {
  const conn = await Conn.open(port, counters);
  try {
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no ApiVersions response')), 5000);
      conn.onFrame = (f) => {
        clearTimeout(t);
        resolve(f);
      };
      conn.write(
        encodeRequestFrame(API_VERSIONS, 3, 1, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
      );
    });
    const body = decodeResponseFrame(API_VERSIONS, 3, frame).body;
    const out = new Map<number, [number, number]>();
    for (const k of body.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>)
      out.set(k.apiKey, [k.minVersion, k.maxVersion]);
    return out;
  } finally {
    conn.destroy();
  }
}

/**
 * Claims frame sizes the broker must never allocate for, one at a time, and measures
 * the process's memory around each. Returns failures.
 */
export async function probeHugeSizes(
  port: number,
  maxFrameBytes: number,
  counters: ConnCounters,
  timeoutMs: number,
): Promise<{ failures: string[]; lines: string[] }> {
  const failures: string[] = [];
  const lines: string[] = [];
  const sizes: Array<[number, boolean]> = [
    [-1, false],
    [-0x80000000, false],
    [0x7fffffff, false],
    [maxFrameBytes + 1, false],
    [0x40000000, maxFrameBytes >= 0x40000000],
    [maxFrameBytes, true],
  ];
  for (const [size, valid] of sizes) {
    const before = process.memoryUsage();
    const conn = await Conn.open(port, counters);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size | 0, 0);
    conn.write([prefix, Buffer.alloc(4096, 0x41)]);
    const closed = await within(conn.whenClosed(), valid ? 150 : timeoutMs);
    const after = process.memoryUsage();
    const dRss = (after.rss - before.rss) / 2 ** 20;
    const dBuf = (after.arrayBuffers - before.arrayBuffers) / 2 ** 20;
    lines.push(
      `size ${size | 0}: ${closed ? 'closed by the broker' : 'left open'}, rss ${dRss >= 0 ? '+' : ''}${dRss.toFixed(1)} MB, array buffers ${dBuf >= 0 ? '+' : ''}${dBuf.toFixed(1)} MB`,
    );
    if (!valid && !closed) failures.push(`frame size ${size | 0}: the broker did not close the connection`);
    if (valid && closed)
      failures.push(`frame size ${size | 0} (allowed): the broker closed the connection while the frame was arriving`);
    if (conn.received > 0) failures.push(`frame size ${size | 0}: the broker answered an unread frame`);
    if (dBuf > 32 || dRss > 64)
      failures.push(
        `frame size ${size | 0}: memory jumped (rss +${dRss.toFixed(1)} MB, array buffers +${dBuf.toFixed(1)} MB)`,
      );
    conn.destroy();
  }
  return { failures, lines };
}
