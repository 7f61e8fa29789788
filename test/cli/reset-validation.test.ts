// consumer-groups --reset-offsets refuses what Kafka 3.9 refuses, before anything is
// committed: impossible --to-datetime values (Kafka's strict SimpleDateFormat), reset
// plans naming unknown topics/partitions or negative offsets, and --shift-by outside
// a Java long. Runs the BUILT cli against an in-process broker.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';
import { BIN, runCli, sandbox, type CliResult } from './helpers.js';

describe('consumer-groups --reset-offsets input validation', { timeout: 120_000 }, () => {
  let broker: TestBroker;
  const box = sandbox('ktool-reset-');

  const cg = (...args: string[]): Promise<CliResult> =>
    runCli(['consumer-groups', ...args, '--bootstrap-server', broker.bootstrap], { env: box.env, timeoutMs: 30_000 });
  /** The group's committed offsets as "topic,partition,offset" lines (--to-current plans exactly those). */
  const committed = async (group: string): Promise<string> => {
    const r = await cg('--reset-offsets', '--group', group, '--all-topics', '--to-current', '--export', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const failedDue = (reason: string) => `\nError: Executing consumer group command failed due to ${reason}\n`;

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': '1' });
    let r = await runCli(
      ['topics', '--create', '--topic', 'rv', '--partitions', '2', '--bootstrap-server', broker.bootstrap],
      { env: box.env },
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = Array.from({ length: 10 }, (_, i) => `v${i}`).join('\n') + '\n';
    for (const p of ['0', '1']) {
      const produced = await run(
        process.execPath,
        [BIN, 'console-producer', '--topic', 'rv', '--partition', p, '--bootstrap-server', broker.bootstrap],
        {
          input: lines,
          env: { ...process.env, ...box.env },
        },
      );
      assert.equal(produced.code, 0, produced.stderr);
    }
    r = await cg('--reset-offsets', '--group', 'rv-g', '--topic', 'rv', '--to-offset', '4', '--execute');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await committed('rv-g'), 'rv,1,4\nrv,0,4\n\n');
  });

  after(async () => {
    await broker?.destroy();
    box.cleanup();
  });

  test('impossible --to-datetime values are "Unparseable date", and --execute commits nothing', async () => {
    const bad = [
      ['2099-13-45T00:00:00.000', '2099-13-45T00:00:00.000Z'],
      ['2026-02-30T00:00:00.000', '2026-02-30T00:00:00.000Z'],
      ['2025-02-29T00:00:00.000', '2025-02-29T00:00:00.000Z'],
      ['2026-01-01T99:00:00.000', '2026-01-01T99:00:00.000Z'],
      ['2026-01-01T00:60:00.000', '2026-01-01T00:60:00.000Z'],
      ['2026-01-01T00:00:00.000+25:00', '2026-01-01T00:00:00.000+25:00'],
      ['2026-01-01T00:00:00.000+15:00', '2026-01-01T00:00:00.000+15:00'],
      ['2026-01-01T00:00:00.1000', '2026-01-01T00:00:00.1000Z'],
    ];
    for (const [input, echoed] of bad) {
      const r = await cg('--reset-offsets', '--group', 'rv-g', '--topic', 'rv', '--to-datetime', input!, '--execute');
      // Kafka prints the failure on stdout and exits 0 (its stack trace, on stderr, is left out).
      assert.equal(r.stdout, failedDue(`java.text.ParseException: Unparseable date: "${echoed}"`), input);
      assert.equal(r.code, 0, input);
      assert.equal(r.stderr, '', input);
    }
    assert.equal(await committed('rv-g'), 'rv,1,4\nrv,0,4\n\n', 'offsets untouched');

    // Real dates still parse: a leap day, and zones with minutes.
    for (const ok of [
      '2024-02-29T00:00:00.000',
      '2000-01-01T00:00:00.000+05:30',
      '2000-01-01T00:00:00.000-13:00',
      '2000-01-01T00:00:00.000+14:00',
    ]) {
      const r = await cg('--reset-offsets', '--group', 'rv-g', '--topic', 'rv:0', '--to-datetime', ok, '--dry-run');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\nrv-g +rv +0 +0 +/, ok);
    }
  });

  test('--from-file plans naming unknown topics or partitions, or negative offsets, are refused before committing', async () => {
    const plan = (name: string, text: string) => {
      const path = join(box.dir, name);
      writeFileSync(path, text);
      return path;
    };
    let r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--from-file',
      plan('topic.csv', 'rv,0,1\nnope,0,1\n'),
      '--execute',
    );
    assert.equal(
      r.stdout,
      failedDue(
        'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Failed to fetch metadata for partition nope-0 because metadata for topic `nope` could not be found',
      ),
    );
    assert.equal(r.code, 0);

    r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--from-file',
      plan('partition.csv', 'rv,0,1\nrv,7,1\n'),
      '--execute',
    );
    assert.match(
      r.stdout,
      /^\nError: Executing consumer group command failed due to .*UnknownTopicOrPartitionException: Partition rv-7 does not exist: topic `rv` has 2 partition\(s\)\n$/,
    );

    // Kafka's OffsetAndMetadata refuses a negative offset: the message on stderr, exit 1.
    r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--from-file',
      plan('negative.csv', 'rv,0,1\nrv,1,-5\n'),
      '--execute',
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Invalid negative offset\n');
    assert.equal(r.stdout, '');

    // --to-offset with an explicit partition that does not exist: refused too (was committed).
    r = await cg('--reset-offsets', '--group', 'rv-g', '--topic', 'rv:5', '--to-offset', '1', '--execute');
    assert.match(r.stdout, /Partition rv-5 does not exist/);

    assert.equal(await committed('rv-g'), 'rv,1,4\nrv,0,4\n\n', 'offsets untouched');
  });

  test('--shift-by takes any Java long and clamps to the log range; beyond a long it is refused', async () => {
    let r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--topic',
      'rv:0',
      '--shift-by',
      '9223372036854775807',
      '--dry-run',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nrv-g +rv +0 +10 +/);
    assert.match(
      r.stderr,
      /WARN New offset \(9223372036854775811\) is higher than latest offset for topic partition rv-0\. Value will be set to 10 /,
    );

    r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--topic',
      'rv:0',
      '--shift-by',
      '-9223372036854775808',
      '--dry-run',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nrv-g +rv +0 +0 +/);
    assert.match(
      r.stderr,
      /WARN New offset \(-9223372036854775804\) is lower than earliest offset for topic partition rv-0\. Value will be set to 0 /,
    );

    r = await cg(
      '--reset-offsets',
      '--group',
      'rv-g',
      '--topic',
      'rv:0',
      '--to-offset',
      '9223372036854775807',
      '--dry-run',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nrv-g +rv +0 +10 +/);

    for (const out of ['9223372036854775808', '-9223372036854775809', '1e3', '0x10']) {
      r = await cg('--reset-offsets', '--group', 'rv-g', '--topic', 'rv:0', '--shift-by', out, '--dry-run');
      assert.equal(r.code, 1, out);
      assert.equal(r.stderr, `Cannot parse argument '${out}' of option shift-by\n`);
    }
  });
});
