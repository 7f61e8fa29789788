// The broker's log: a write error on its own log file (ENOSPC) costs log lines, never the
// broker, and the first line written afterwards says how many were lost; repeated lines
// (one bad client's failing connections) are rate limited with a summary.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../src/broker/index.js';
import { lineWriter, rateLimitedLog } from '../../src/broker/logger.js';
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Connects, sends a frame with a negative size (the broker logs and closes), waits for the close. */
function badClient(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => s.write(Buffer.from([0xff, 0xff, 0xff, 0xfe])));
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

async function flood(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => badClient(port)));
}

async function roundTrip(w: WireClient, topic: string, value: string): Promise<string[]> {
  const p = await w.request(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [
      { name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value }] }) }] },
    ],
  });
  assert.equal(p.responses[0].partitionResponses[0].errorCode, 0);
  const f = await w.request(1, 11, {
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
  return decodeRecords(f.responses[0].partitions[0].records).map((r) => r.value!.toString());
}

describe('broker log', () => {
  test(
    'a broker whose log file is on a full disk (stdout on /dev/full) keeps serving and stops cleanly',
    { timeout: 60_000, skip: !existsSync('/dev/full') },
    async () => {
      const dataDir = tempDir('ktool-log-');
      dirs.push(dataDir);
      const full = openSync('/dev/full', 'w');
      const child = spawn(
        process.execPath,
        [MAIN, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${dataDir}`],
        { stdio: ['ignore', full, full, 'ipc'] },
      );
      closeSync(full);
      let exit: number | null | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => {
          exit = code;
          resolve(code);
        }),
      );
      try {
        const port = await new Promise<number>((resolve, reject) => {
          child.on('message', (m: { type?: string; port?: number }) => {
            if (m.type === 'started') resolve(m.port!);
          });
          void exited.then((code) => reject(new Error(`broker exited with ${code} before it started`)));
        });
        const w = await WireClient.open(port);
        const c = await w.request(19, 5, {
          topics: [{ name: 'nospace', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 1000,
          validateOnly: false,
        });
        assert.equal(c.topics[0].errorCode, 0);
        await flood(port, 200);
        assert.deepEqual(await roundTrip(w, 'nospace', 'still here'), ['still here']);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(exit, undefined, 'the broker is still running');
        w.close();
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      } finally {
        if (exit === undefined) child.kill('SIGKILL');
      }
    },
  );

  test('2,000 failing connections write a bounded number of lines, then a summary', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('ktool-log-');
    dirs.push(dataDir);
    const lines: string[] = [];
    const b = await startBroker({
      properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir },
      log: (l) => lines.push(l),
    });
    let closed = false;
    try {
      await flood(b.port, 2000);
      const closing = lines.filter((l) => l.startsWith('closing connection'));
      assert.ok(closing.length > 0 && closing.length <= 20, `${closing.length} "closing connection" lines`);
      assert.ok(lines.length < 40, `${lines.length} lines in all`);
      await b.close();
      closed = true;
      const summary = lines.find((l) => /^Suppressed \d+ more log line\(s\) like this in the last \d+ s: /.test(l));
      assert.ok(summary, lines.join('\n'));
      const suppressed = Number(/^Suppressed (\d+)/.exec(summary!)![1]);
      assert.equal(suppressed + closing.length, 2000);
      assert.match(summary!, /closing connection from 127\.0\.0\.1/);
      assert.equal(lines.at(-1), 'ktool broker stopped');
    } finally {
      if (!closed) await b.close();
    }
  });

  test('write errors drop lines without throwing; the first line written after them counts the loss', () => {
    const written: string[] = [];
    let failing = true;
    const log = lineWriter(99, {
      now: () => Date.UTC(2026, 0, 1),
      write: (fd, data) => {
        assert.equal(fd, 99);
        if (failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        written.push(Buffer.from(data).toString());
        return data.length;
      },
    });
    for (let i = 0; i < 5; i++) log(`lost ${i}`);
    failing = false;
    log('back');
    log('again');
    assert.deepEqual(written, [
      '[2026-01-01T00:00:00.000Z] (5 log line(s) could not be written: ENOSPC)\n[2026-01-01T00:00:00.000Z] back\n',
      '[2026-01-01T00:00:00.000Z] again\n',
    ]);
  });

  test('rate limit: lines differing only in numbers are one kind; the summary comes when the window ends', () => {
    let t = 0;
    const out: string[] = [];
    const r = rateLimitedLog((l) => out.push(l), { windowMs: 1000, perKind: 2, total: 5, now: () => t });
    for (let i = 0; i < 10; i++) r.log(`Write to t-${i} failed: ENOSPC`);
    r.log('Created topic x');
    assert.deepEqual(out, ['Write to t-0 failed: ENOSPC', 'Write to t-1 failed: ENOSPC', 'Created topic x']);
    t = 1500;
    r.log('Created topic y');
    assert.deepEqual(out.slice(3), [
      'Suppressed 8 more log line(s) like this in the last 2 s: Write to t-9 failed: ENOSPC',
      'Created topic y',
    ]);
  });
});
