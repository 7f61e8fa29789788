// The built CLI's global behaviour: help, version, flag errors, --json errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hasStack, lines, ROOT, runCli } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('ktool CLI', () => {
  test('--help lists the commands', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /USAGE/);
    assert.match(r.stdout, /server-start/);
    assert.match(r.stdout, /server-stop/);
  });

  test('--version prints name/version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^ktool/${pkg.version.replace(/\./g, '\\.')} `));
  });

  test('command help shows Kafka-style flags and the global flags', async () => {
    const r = await runCli(['server-start', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ['--daemon', '--override', '--json', '--verbose', '--[no-]color']) {
      assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
    }
  });

  test('an unknown flag is one line on stderr, exit 2, no stack trace', async () => {
    const r = await runCli(['server-stop', '--no-such-flag']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const errLines = lines(r.stderr);
    assert.equal(errLines.length, 1, r.stderr);
    assert.match(errLines[0], /^Error: Nonexistent flag: --no-such-flag\b/);
    assert.ok(!hasStack(r.stderr));
  });

  test('an unexpected argument is one line, exit 2', async () => {
    const r = await runCli(['server-start', 'a.properties', 'extra']);
    assert.equal(r.code, 2);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^Error: Unexpected argument: extra/);
  });

  test('a bad --override value is one line, exit 2', async () => {
    const r = await runCli(['server-start', '--override', 'novalue']);
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.stderr), ['Error: Invalid --override "novalue": expected key=value']);
  });

  test('a runtime error is one line, exit 1; --verbose adds the stack', async () => {
    const missing = join(ROOT, 'no-such-dir', 'server.properties');
    const r = await runCli(['server-start', '--daemon', missing]);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [`Error: Cannot read properties file ${missing}: no such file`]);

    const v = await runCli(['server-start', '--daemon', missing, '--verbose']);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /^Error: Cannot read properties file/);
    assert.ok(hasStack(v.stderr), 'stack trace with --verbose');
  });

  test('with --json an error is a JSON document', async () => {
    const r = await runCli(['server-stop', '--bogus', '--json']);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout) as { error: { message: string; code: string } };
    assert.match(doc.error.message, /Nonexistent flag: --bogus/);
    assert.equal(doc.error.code, 'INVALID_ARGUMENTS');
    assert.ok(!hasStack(r.stderr));
  });

  test('Kafka-style invocations without colour codes when piped or NO_COLOR', async () => {
    const r = await runCli(['server-start', '--bogus'], { env: { NO_COLOR: '1', FORCE_COLOR: undefined } });
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes('\x1b['), 'no ANSI escapes');
  });
});
