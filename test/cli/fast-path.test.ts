// The start-up fast path (src/startup/fast-path.ts) prints what oclif prints: each
// command is run both ways (KTOOL_FAST_PATH=0 forces oclif) and the stdout,
// stderr and exit status compared byte for byte. A preloaded probe says which
// way each run went, so a silent fall-back to oclif cannot pass as fast.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TOPICS_LIST_FLAGS } from '../../src/startup/fast-flags.js';
import { fastAction } from '../../src/startup/fast-path.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { assertSameOutput, runOneWay } from './fast-path-runs.js';
import { freePort, ROOT, runCli } from './helpers.js';

describe('start-up fast path: which argv it takes', () => {
  test('--version (whatever follows, as oclif), --help alone, topics --list', () => {
    assert.deepEqual(fastAction(['--version']), { kind: 'version' });
    assert.deepEqual(fastAction(['--version', 'topics']), { kind: 'version' });
    assert.deepEqual(fastAction(['--help']), { kind: 'help' });
    assert.deepEqual(fastAction(['topics', '--list']), { kind: 'topics-list', flags: { list: true } });
    assert.deepEqual(
      fastAction([
        'topics',
        '--bootstrap-server',
        'h:1',
        '--list',
        '--topic=a.*',
        '--exclude-internal',
        '--command-config',
        'c.properties',
        '--profile',
        'p',
      ]),
      {
        kind: 'topics-list',
        flags: {
          'bootstrap-server': 'h:1',
          list: true,
          topic: 'a.*',
          'exclude-internal': true,
          'command-config': 'c.properties',
          profile: 'p',
        },
      },
    );
  });

  test("the flags it parses itself have nothing oclif's parser would add (defaults, env, relationships)", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'));
    const flags = manifest.commands.topics.flags as Record<string, Record<string, unknown>>;
    for (const name of Object.keys(TOPICS_LIST_FLAGS)) {
      const flag = flags[name]!;
      for (const key of ['default', 'env', 'exclusive', 'dependsOn', 'exactlyOne', 'relationships', 'required'])
        assert.equal(flag[key], undefined, `--${name} has ${key}`);
      if (flag.type === 'boolean') assert.equal(flag.allowNo, false, `--${name}`);
      else assert.equal(flag.multiple, false, `--${name}`);
    }
  });

  test('anything else is left to oclif', () => {
    for (const argv of [
      [],
      ['-v'],
      ['--help', 'topics'],
      ['topics', '--help'],
      ['topics', '--list', '--help'],
      ['topics'],
      ['topics', '--describe'],
      ['topics', '--list', '--describe'],
      ['topics', '--list', '--json'],
      ['topics', '--list', '--verbose'],
      ['topics', '--list', '--no-color'],
      ['topics', '-list'],
      ['topics', '--list', '--list'],
      ['topics', '--list', '--topic', 'a', '--topic', 'b'],
      ['topics', '--list', '--topic'],
      ['topics', '--list', '--topic='],
      ['topics', '--list', '--topic', '-x'],
      ['topics', '--list=true'],
      ['topics', '--list', 'extra'],
      ['topics', 'list'],
      ['console-consumer', '--list'],
    ]) {
      assert.equal(fastAction(argv), undefined, argv.join(' '));
    }
  });
});

describe('start-up fast path: the bundle of topics --list', () => {
  const dist = join(ROOT, 'dist');
  const bundle = join(dist, 'startup-bundle');

  test('is newer than the compiled modules, so the fast path loads it', () => {
    const built = statSync(join(bundle, 'topics-list.cjs')).mtimeMs;
    assert.ok(built >= statSync(join(dist, 'startup', 'topics-list.js')).mtimeMs);
  });

  test('what it leaves outside (the dev broker, kafkajs, node:tls) it imports by paths that exist', () => {
    const text = readFileSync(join(bundle, 'topics-list.cjs'), 'latin1');
    const specifiers = [...text.matchAll(/__ktoolImport\("([^"]+)"\)/g)].map((m) => m[1]!);
    assert.ok(specifiers.includes('./../supervision/daemon.js'), specifiers.join(' '));
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const target = fileURLToPath(new URL(specifier, pathToFileURL(join(bundle, 'topics-list.cjs'))));
      assert.ok(existsSync(target), `${specifier} -> ${target}`);
    }
    assert.doesNotMatch(text, /\bimport\(|import_meta/);
    // The schema entries it does not carry, read on first use.
    const schemas = JSON.parse(readFileSync(join(bundle, 'api-schemas.json'), 'utf8')) as Record<string, string>;
    assert.ok(Object.keys(schemas).length > 80);
  });
});

describe('start-up fast path: same bytes as oclif', () => {
  let broker: TestBroker;
  let work: string;

  // Runs argv through the fast path and through oclif; returns both.
  async function both(args: string[], env: Record<string, string> = {}) {
    const fast = await runOneWay(work, args, true, { env });
    const slow = await runOneWay(work, args, false, { env });
    assert.equal(slow.way, 'oclif');
    return { fast, slow };
  }

  const assertSame = assertSameOutput;

  before(async () => {
    work = tempDir('ktool-fast-path-');
    broker = await startTestBroker();
    for (const topic of ['orders', 'orders.v2', 'payments']) {
      const created = await runCli(['topics', '--create', '--topic', topic, '--bootstrap-server', broker.bootstrap]);
      assert.equal(created.code, 0, created.stderr);
    }
  });
  after(async () => {
    await broker?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test('--version and --help', async () => {
    for (const args of [['--version'], ['--help']]) {
      const { fast, slow } = await both(args);
      assertSame(fast, slow);
      assert.equal(fast.code, 0);
    }
  });

  test('topics --list: all topics, a --topic pattern, --exclude-internal', async () => {
    const b = broker.bootstrap;
    const { fast, slow } = await both(['topics', '--list', '--bootstrap-server', b]);
    assertSame(fast, slow);
    assert.equal(fast.stdout, 'orders\norders.v2\npayments\n');
    for (const args of [
      ['topics', `--bootstrap-server=${b}`, '--list', '--topic', 'orders.*'],
      ['topics', '--list', '--exclude-internal', '--bootstrap-server', b],
    ]) {
      const pair = await both(args);
      assertSame(pair.fast, pair.slow);
    }
  });

  test(
    'topics --list whose output cannot be written (a full disk) fails, as through oclif',
    {
      skip: !existsSync('/dev/full'),
    },
    async () => {
      // Spawned, not spawnSync: the test broker runs in this process.
      const run = (fast: boolean) =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const out = openSync('/dev/full', 'w');
          const env = { ...process.env, KTOOL_FAST_PATH: fast ? '1' : '0' };
          const args = [join(ROOT, 'bin', 'run.js'), 'topics', '--list', '--bootstrap-server', broker.bootstrap];
          const child = spawn(process.execPath, args, { env, stdio: ['ignore', out, 'pipe'] });
          closeSync(out);
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.once('error', reject);
          child.once('close', (code) => resolve({ code, stderr }));
        });
      const fast = await run(true);
      const slow = await run(false);
      assert.notEqual(slow.code, 0);
      assert.equal(fast.code, slow.code);
      assert.match(fast.stderr, /ENOSPC/);
    },
  );

  test('topics --list failures: nothing listening, a bad properties file', async () => {
    const down = `127.0.0.1:${await freePort()}`;
    const { fast, slow } = await both(['topics', '--list', '--bootstrap-server', down]);
    assertSame(fast, slow);
    assert.equal(fast.code, 1);
    assert.match(fast.stderr, /^Error: .*\n$/);
    const missing = join(work, 'missing.properties');
    const bad = await both(['topics', '--list', '--bootstrap-server', broker.bootstrap, '--command-config', missing]);
    assertSame(bad.fast, bad.slow);
    assert.notEqual(bad.fast.code, 0);
  });

  test('--help: plain under NO_COLOR, CI or COLORTERM as oclif prints it; FORCE_COLOR goes to oclif', async () => {
    for (const env of [{ NO_COLOR: '1' }, { CI: 'true' }, { COLORTERM: 'truecolor' }]) {
      const plain = await both(['--help'], env);
      assertSame(plain.fast, plain.slow);
    }
    const coloured = await both(['--help'], { FORCE_COLOR: '1' });
    assert.equal(coloured.fast.way, 'oclif');
    assert.match(coloured.slow.stdout, /\x1b\[1m/, 'oclif makes the headers bold');
  });

  test('a user theme or another width goes to oclif', async () => {
    const wide = await both(['--help'], { OCLIF_COLUMNS: '100' });
    assert.equal(wide.fast.way, 'oclif');
    const config = join(work, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'theme.json'), '{"sectionHeader": "red"}');
    const themed = await both(['--help'], { KTOOL_CONFIG_DIR: config });
    assert.equal(themed.fast.way, 'oclif');
  });
});
