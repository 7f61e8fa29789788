// The console tools on the start-up fast path (src/startup/console-flags.ts and
// console-tools.ts): its flag tables agree with the commands' own flags, it takes only the
// argv it can parse exactly as oclif, and a run gives the same stdout, stderr, exit status
// and records as the same run through oclif. A preloaded probe says which way each run went.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ConsoleConsumer from '../../src/commands/console-consumer.js';
import ConsoleProducer from '../../src/commands/console-producer.js';
import {
  CONSUMER_DEFAULTS,
  CONSUMER_FLAGS,
  PRODUCER_DEFAULTS,
  PRODUCER_FLAGS,
  PRODUCER_REQUIRED,
  type FlagSpec,
} from '../../src/startup/fast-flags.js';
import { fastAction } from '../../src/startup/fast-path.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { assertSameOutput, runOneWay } from './fast-path-runs.js';
import { runCli } from './helpers.js';

interface OclifFlag {
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: readonly string[];
  default?: unknown;
  required?: boolean;
  min?: number;
  allowNo?: boolean;
  env?: string;
  exclusive?: unknown;
  dependsOn?: unknown;
  relationships?: unknown;
  parse?: (input: string, ctx: unknown, opts: unknown) => Promise<unknown>;
}

describe('console fast path: the flag tables', () => {
  const commands = [
    { name: 'console-consumer', flags: ConsoleConsumer.flags, table: CONSUMER_FLAGS, defaults: CONSUMER_DEFAULTS },
    { name: 'console-producer', flags: ConsoleProducer.flags, table: PRODUCER_FLAGS, defaults: PRODUCER_DEFAULTS },
  ];

  test("each flag it parses is the command's flag: kind, options, minimum, repetition, nothing oclif adds", async () => {
    for (const { name, flags, table } of commands) {
      for (const [flag, spec] of Object.entries(table) as Array<[string, FlagSpec]>) {
        const def = (flags as Record<string, OclifFlag>)[flag];
        assert.ok(def, `${name} --${flag} exists`);
        const what = `${name} --${flag}`;
        assert.equal(def.type === 'boolean', spec.kind === 'boolean', what);
        assert.equal(def.multiple === true, spec.kind === 'multiple', what);
        assert.deepEqual(def.options, spec.options, what);
        assert.equal(def.allowNo ?? false, false, what);
        for (const key of ['env', 'exclusive', 'dependsOn', 'relationships'] as const)
          assert.equal(def[key], undefined, `${what} has ${key}`);
        if (def.type === 'option' && def.parse) {
          const parsed = await def.parse('7', {}, def);
          assert.equal(typeof parsed === 'number', spec.kind === 'integer', `${what} is a number`);
          if (spec.kind === 'integer') assert.equal(def.min, spec.min, what);
        }
      }
    }
  });

  test("the defaults are the command's, and the required flags too", () => {
    for (const { name, flags, defaults } of commands) {
      const declared = Object.fromEntries(
        Object.entries(flags as Record<string, OclifFlag>)
          .filter(([, f]) => f.default !== undefined)
          .map(([n, f]) => [n, f.default]),
      );
      assert.deepEqual(declared, defaults, name);
    }
    const required = Object.entries(ConsoleProducer.flags as Record<string, OclifFlag>)
      .filter(([, f]) => f.required)
      .map(([n]) => n);
    assert.deepEqual(required, PRODUCER_REQUIRED);
    assert.deepEqual(
      Object.entries(ConsoleConsumer.flags as Record<string, OclifFlag>).filter(([, f]) => f.required),
      [],
    );
  });
});

describe('console fast path: which argv it takes', () => {
  test('the everyday forms, with oclif’s defaults', () => {
    assert.deepEqual(
      fastAction([
        'console-consumer',
        '--bootstrap-server',
        'h:1',
        '--topic=t',
        '--from-beginning',
        '--property',
        'print.key=true',
        '--property=key.separator=:',
        '--max-messages',
        '007',
      ]),
      {
        kind: 'console-consumer',
        flags: {
          'bootstrap-server': 'h:1',
          topic: 't',
          'from-beginning': true,
          property: ['print.key=true', 'key.separator=:'],
          'max-messages': 7,
          output: 'text',
          binary: 'auto',
          'print-time': 'ms',
        },
      },
    );
    assert.deepEqual(fastAction(['console-producer', '--topic', 't', '--compression-codec', 'lz4', '--sync']), {
      kind: 'console-producer',
      flags: { topic: 't', 'compression-codec': 'lz4', sync: true, input: 'lines' },
    });
  });

  test('anything else is left to oclif', () => {
    for (const argv of [
      ['console-consumer', '--topic', 't', '--json'],
      ['console-consumer', '--topic', 't', '--help'],
      ['console-consumer', '--topic', 't', '--verbose'],
      ['console-consumer', '--topic', 't', '--no-color'],
      ['console-consumer', '-topic', 't'],
      ['console-consumer', '--topic', 't', '--topic', 'u'],
      ['console-consumer', '--topic'],
      ['console-consumer', '--topic='],
      ['console-consumer', '--topic', 't', '--from-time', '-15m'],
      ['console-consumer', '--topic', 't', '--max-messages', '-1'],
      ['console-consumer', '--topic', 't', '--max-messages', '1e3'],
      ['console-consumer', '--topic', 't', '--output', 'xml'],
      ['console-consumer', '--topic', 't', '--from-beginning=true'],
      ['console-consumer', '--topic', 't', '--whitelist', 'x'],
      ['console-consumer', '--topic', 't', 'extra'],
      ['console-consumer', '--topic', 't', '--'],
      ['console-producer'],
      ['console-producer', '--broker-list', 'h:1'],
      ['console-producer', '--topic', 't', '--batch-size', '0'],
      ['console-producer', '--topic', 't', '--value-format', 'avro'],
      ['console-producer', '--topic', 't', '--constructor', 'x'],
    ]) {
      assert.equal(fastAction(argv), undefined, argv.join(' '));
    }
  });
});

describe('console fast path: same bytes as oclif', () => {
  let broker: TestBroker;
  let work: string;

  const run = (args: string[], fast: boolean, stdinFile?: string) => runOneWay(work, args, fast, { stdinFile });
  const assertSame = assertSameOutput;

  before(async () => {
    work = tempDir('ktool-console-fast-');
    broker = await startTestBroker();
    for (const topic of ['fast', 'slow']) {
      const created = await runCli(['topics', '--create', '--topic', topic, '--bootstrap-server', broker.bootstrap]);
      assert.equal(created.code, 0, created.stderr);
    }
  });
  after(async () => {
    await broker?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test('console-producer then console-consumer: the same records, the same output', async () => {
    const input = join(work, 'input.txt');
    writeFileSync(input, Array.from({ length: 500 }, (_, i) => `k${i}:value ${i}\n`).join(''));
    const b = broker.bootstrap;
    const produce = (topic: string) => [
      'console-producer',
      '--bootstrap-server',
      b,
      '--topic',
      topic,
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=:',
    ];
    assertSame(await run(produce('fast'), true, input), await run(produce('slow'), false, input));
    const consume = (topic: string) => [
      'console-consumer',
      '--bootstrap-server',
      b,
      '--topic',
      topic,
      '--from-beginning',
      '--until-end',
      '--property',
      'print.key=true',
      '--property',
      'print.offset=true',
    ];
    const fast = await run(consume('fast'), true);
    const slow = await run(consume('slow'), false);
    assertSame(fast, slow);
    assert.equal(fast.code, 0);
    assert.equal(fast.stderr, 'Processed a total of 500 messages\n');
    assert.match(fast.stdout, /^Offset:0\tk0\tvalue 0\n/);
    const limited = ['console-consumer', '--bootstrap-server', b, '--topic', 'fast', '--from-beginning'];
    const [f3, s3] = [
      await run([...limited, '--max-messages', '3'], true),
      await run([...limited, '--max-messages', '3'], false),
    ];
    assertSame(f3, s3);
    assert.equal(f3.stdout, 'value 0\nvalue 1\nvalue 2\n');
  });

  test('failures: a missing topic, an argument the tool rejects, a bad property, a line that cannot be parsed', async () => {
    const b = broker.bootstrap;
    const input = join(work, 'no-key.txt');
    writeFileSync(input, 'no separator here\n');
    for (const [args, stdin] of [
      [['console-consumer', '--bootstrap-server', b, '--topic', 'missing', '--until-end'], undefined],
      [['console-consumer', '--bootstrap-server', b, '--partition', '0'], undefined],
      [['console-consumer', '--bootstrap-server', b, '--topic', 'fast', '--property', 'print.key'], undefined],
      [['console-producer', '--bootstrap-server', b, '--topic', 'fast', '--request-required-acks', '2'], input],
      [['console-producer', '--bootstrap-server', b, '--topic', 'fast', '--property', 'parse.key=true'], input],
    ] as Array<[string[], string | undefined]>) {
      const fast = await run(args, true, stdin);
      const slow = await run(args, false, stdin);
      assertSame(fast, slow);
      assert.notEqual(fast.code, 0, args.join(' '));
      assert.ok(fast.stderr.length > 0, args.join(' '));
    }
  });
});
