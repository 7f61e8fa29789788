// One whole fuzzing session against a broker the caller started: fixtures, the huge-size
// probes, the fuzz run itself, a final produce/fetch round trip and a prompt shutdown.
// Shared by test/fuzz/fuzz.test.ts and bench/fuzz-soak.ts.
import { rmSync } from 'node:fs';
import { startBroker } from '../../src/broker/index.js';
import { createDispatcher } from '../../src/broker/server/dispatcher.js';
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';
import { within } from './conn.js';
import { GENERATORS, probeHugeSizes, runFuzz, type FuzzReport, type GenName } from './runner.js';
import { defaultPools } from './schema-gen.js';

export interface SessionOptions {
  cases: number;
  seed: number;
  lanes?: number;
  caseTimeoutMs?: number;
  only?: readonly GenName[];
  strict?: boolean;
  rssLimitMb?: number;
  progress?: (line: string) => void;
}

export interface SessionResult {
  report: FuzzReport;
  /** Everything that must not happen; empty when the broker held up. */
  failures: string[];
  /** Human-readable summary. */
  lines: string[];
}

/** Broker properties a fuzzing session expects. */
export const FUZZ_BROKER_PROPS: Record<string, string> = { 'group.initial.rebalance.delay.ms': '100' };

export interface FuzzBroker extends TestBroker {
  /** Why the broker closed connections, normalized, with counts. */
  closeReasons: Map<string, number>;
  /** The last lines the broker logged. */
  recentLog: string[];
}

/**
 * Like startTestBroker (an in-process broker on an ephemeral port, fresh data directory),
 * but keeping only a bounded tail of the broker's log: a fuzz run makes the broker log a
 * line per connection it closes, and keeping them all would be the run's largest use of
 * memory. The reasons for closing are tallied instead.
 */
export async function startFuzzBroker(props: Record<string, string> = FUZZ_BROKER_PROPS): Promise<FuzzBroker> {
  const dataDir = tempDir('ktool-fuzz-');
  const closeReasons = new Map<string, number>();
  const recentLog: string[] = [];
  const b = await startBroker({
    properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, ...props },
    log: (l) => {
      if (process.env.KTOOL_TEST_LOG) process.stderr.write(`[broker] ${l}\n`);
      recentLog.push(l);
      if (recentLog.length > 400) recentLog.splice(0, 200);
      const m = /^closing connection from [^ ]+?: (.*)$/s.exec(l);
      if (m) {
        const reason = m[1]!
          .replace(/\d+/g, 'N')
          .replace(/'[^']*'/g, "'…'")
          .slice(0, 100);
        if (closeReasons.has(reason) || closeReasons.size < 300)
          closeReasons.set(reason, (closeReasons.get(reason) ?? 0) + 1);
      }
    },
  });
  return Object.assign(b, {
    bootstrap: `127.0.0.1:${b.port}`,
    closeReasons,
    recentLog,
    async destroy() {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

const BATCH_TOPIC = 'fuzz-batches';

/** Runs a frame through the dispatcher in-process to learn why the broker closed on it. */
async function explainClose(broker: TestBroker, frameHex: string): Promise<string> {
  const dispatch = createDispatcher(broker.broker);
  // Loosely typed: the connection info grows as the server gains features.
  const info = {
    id: 0,
    remoteAddress: '127.0.0.1:1',
    listenerName: 'PLAINTEXT',
    localAddress: '127.0.0.1',
    localPort: broker.port,
    protocol: 'PLAINTEXT',
    maxFrameBytes: broker.broker.config.int('socket.request.max.bytes'),
    closeAfterResponse: false,
  } as unknown as Parameters<typeof dispatch>[1];
  try {
    const r = dispatch(Buffer.from(frameHex, 'hex'), info);
    if (r instanceof Promise) {
      let msg = 'answered on replay';
      const settled = await within(
        r.then(
          () => {},
          (err: Error) => {
            msg = err.message;
          },
        ),
        1000,
      );
      return settled ? msg : 'still pending after 1 s on replay';
    }
    return 'answered on replay';
  } catch (err) {
    return (err as Error).message;
  }
}

async function createTopic(
  c: WireClient,
  name: string,
  partitions: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const r = await c.request(19, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  if (r.topics[0].errorCode !== 0) throw new Error(`create ${name}: ${r.topics[0].errorMessage}`);
}

export function describeReport(r: FuzzReport): string[] {
  const out: string[] = [];
  const secs = r.durationMs / 1000;
  out.push(`seed ${r.seed} (replay: KTOOL_FUZZ_SEED=${r.seed} KTOOL_FUZZ_CASES=${r.cases})`);
  out.push(`${r.cases} cases in ${secs.toFixed(1)} s (${(r.cases / secs).toFixed(0)} cases/s)`);
  out.push(`cases per generator: ${GENERATORS.map((g) => `${g} ${r.byGenerator[g] ?? 0}`).join(', ')}`);
  out.push(`API versions exercised: ${r.apiVersionsCovered} of ${r.apiVersionsAdvertised} advertised`);
  out.push(
    `outcomes: ${Object.entries(r.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const g of GENERATORS) {
    const o = r.outcomesByGenerator[g];
    if (o)
      out.push(
        `  ${g}: ${Object.entries(o)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
  }
  out.push(
    `connections: ${r.connections.opened} opened, ${r.connections.closedByBroker} closed by the broker, ${r.connections.closedByUs} closed by the fuzzer, ${r.connections.connectErrors} connect errors`,
  );
  const errors = Object.entries(r.errorsByName).sort((a, b) => b[1] - a[1]);
  out.push(`error codes in responses: ${errors.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(
    `control connection: ${r.controlRounds} rounds, slowest ${r.controlMaxMs} ms; event loop max delay ${r.eventLoopMaxMs.toFixed(0)} ms`,
  );
  out.push(`rss ${r.rssStartMb.toFixed(0)} MB at start, ${r.rssMaxMb.toFixed(0)} MB max`);
  out.push(
    `accepted corrupt batches the broker cannot see into (garbage compressed payloads): ${r.acceptedUndetectable}; frames the codec refuses that the broker answered: ${r.predictedCloseAnswered}`,
  );
  return out;
}

export async function runSession(broker: FuzzBroker, opts: SessionOptions): Promise<SessionResult> {
  const lines: string[] = [];
  const timeoutMs = opts.caseTimeoutMs ?? 2000;
  const rssLimitMb = opts.rssLimitMb ?? 300;

  const c = await WireClient.open(broker.port);
  const pools = defaultPools();
  await createTopic(c, 'fuzz-a', 3);
  await createTopic(c, 'fuzz-b', 1);
  // Its own max.message.bytes so broker-wide changes made by fuzz cases do not reach it.
  await createTopic(c, BATCH_TOPIC, 3, { 'max.message.bytes': '1048588', 'message.timestamp.type': 'CreateTime' });
  const md = await c.request(3, 12, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  pools.topicIds = (md.topics as Array<{ name: string; topicId: string }>)
    .filter((x) => pools.topicNames.includes(x.name))
    .map((x) => x.topicId);
  c.close();

  const maxFrameBytes = broker.broker.config.int('socket.request.max.bytes');
  const counters = { opened: 0, closedByBroker: 0, closedByUs: 0, connectErrors: 0 };
  const probeBefore = await probeHugeSizes(broker.port, maxFrameBytes, counters, timeoutMs);
  for (const l of probeBefore.lines) lines.push(`huge size probe: ${l}`);

  const report = await runFuzz({
    port: broker.port,
    cases: opts.cases,
    seed: opts.seed,
    maxFrameBytes,
    pools,
    batchTopic: BATCH_TOPIC,
    batchPartitions: 3,
    lanes: opts.lanes,
    caseTimeoutMs: timeoutMs,
    only: opts.only,
    strict: opts.strict,
    progress: opts.progress,
    diagnose: (frame) => explainClose(broker, frame.toString('hex')),
  });
  lines.push(...describeReport(report));

  const probeAfter = await probeHugeSizes(broker.port, maxFrameBytes, counters, timeoutMs);
  for (const l of probeAfter.lines) lines.push(`huge size probe after: ${l}`);

  for (const [api, u] of Object.entries(report.unexpectedCloses)) {
    lines.push(`closed on a decodable ${api} request: ${u.count} time(s)`);
    for (const s of u.samples.slice(0, 2)) {
      lines.push(
        `  case #${s.index} [${s.gen}] v${s.version} ${s.desc}: ${await explainClose(broker, s.hex)}; frame ${s.hex.slice(0, 300)}`,
      );
    }
  }

  const reasons = [...broker.closeReasons.entries()].sort((a, b) => b[1] - a[1]);
  lines.push(
    `why the broker closed connections (${reasons.length} kinds): ${reasons
      .slice(0, 40)
      .map(([r, n]) => `${n}× ${r}`)
      .join(' | ')}`,
  );
  const topics = broker.broker.listTopics();
  lines.push(
    `broker state after the fuzz: ${topics.length} topics, ${topics.reduce((n, t) => n + t.partitions.length, 0)} partitions, ${broker.broker.groups.groupIds().length} groups`,
  );

  const failures = [...report.failures, ...probeBefore.failures, ...probeAfter.failures];
  if (report.rssMaxMb - report.rssStartMb > rssLimitMb) {
    failures.push(`rss grew by ${(report.rssMaxMb - report.rssStartMb).toFixed(0)} MB (limit ${rssLimitMb} MB)`);
  }

  // The broker still serves a normal round trip (after undoing broker-wide config changes).
  try {
    const f = await WireClient.open(broker.port);
    const reset = await f.request(33, 0, {
      resources: [
        { resourceType: 4, resourceName: '', configs: [] },
        { resourceType: 4, resourceName: String(broker.nodeId), configs: [] },
      ],
      validateOnly: false,
    });
    for (const r of reset.responses)
      if (r.errorCode !== 0) throw new Error(`resetting broker configs: error ${r.errorCode} ${r.errorMessage}`);
    const topic = `fuzz-final-${opts.seed}`;
    await createTopic(f, topic, 1);
    const values = ['one', 'two', 'three'];
    const produced = await f.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        {
          name: topic,
          partitionData: [
            { index: 0, records: encodeRecordBatch({ records: values.map((v) => ({ key: v, value: v })) }) },
          ],
        },
      ],
    });
    const pr = produced.responses[0].partitionResponses[0];
    if (pr.errorCode !== 0 || pr.baseOffset !== 0)
      throw new Error(`final produce: error ${pr.errorCode} ${pr.errorMessage}, base offset ${pr.baseOffset}`);
    const fetched = await f.request(1, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const fp = fetched.responses[0].partitions[0];
    const got = fp.errorCode === 0 && fp.records ? decodeRecords(fp.records).map((r) => r.value!.toString()) : [];
    if (fp.errorCode !== 0 || got.join() !== values.join())
      throw new Error(`final fetch: error ${fp.errorCode}, records ${JSON.stringify(got)}`);
    f.close();
    lines.push('final produce/fetch round trip: ok');
  } catch (err) {
    failures.push(`the broker no longer serves a produce/fetch round trip: ${(err as Error).message}`);
  }

  // Graceful shutdown answers whatever is parked (long polls, joins) at once.
  const closeStarted = Date.now();
  await broker.close();
  const closeMs = Date.now() - closeStarted;
  lines.push(`broker closed in ${closeMs} ms`);
  if (closeMs > 3000) failures.push(`closing the broker after the fuzz took ${closeMs} ms`);
  return { report, failures, lines };
}
