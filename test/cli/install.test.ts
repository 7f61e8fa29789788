// Installed as users install CLIs: `npm pack`, then `npm install -g` of the tarball into
// a scratch prefix gives a working `ktool` on PATH, and the quick start runs with it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, freePort, sandbox } from './helpers.js';

const execFileP = promisify(execFile);

describe('npm pack and a global install', () => {
  const box = sandbox('ktool-install-');
  after(async () => {
    await execFileP(join(box.dir, 'prefix', 'bin', 'ktool'), ['server-stop'], {
      env: { ...process.env, ...box.env },
    }).catch(() => undefined);
    box.cleanup();
  });

  test('the tarball installs a ktool that runs the quick start', { timeout: 300_000 }, async () => {
    const env = {
      ...process.env,
      ...box.env,
      npm_config_loglevel: 'error',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    await execFileP('npm', ['pack', '--pack-destination', box.dir], { cwd: ROOT, env, maxBuffer: 16 << 20 });
    const tarball = readdirSync(box.dir).find((n) => n.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    const prefix = join(box.dir, 'prefix');
    await execFileP('npm', ['install', '-g', '--prefix', prefix, join(box.dir, tarball)], { env, maxBuffer: 16 << 20 });
    const ktool = join(prefix, 'bin', 'ktool');
    const run = (...args: string[]) =>
      execFileP(ktool, args, { env: { ...env, KTOOL_NO_EMBEDDED: '1' }, maxBuffer: 16 << 20 });

    const version = await run('--version');
    assert.match(version.stdout, /^ktool\/\d+\.\d+\.\d+ /);

    const port = await freePort();
    const bootstrap = `127.0.0.1:${port}`;
    const started = await run(
      'server-start',
      '--daemon',
      '--override',
      `listeners=PLAINTEXT://${bootstrap}`,
      '--override',
      `log.dirs=${join(box.dir, 'data')}`,
    );
    assert.match(started.stdout, /ktool broker started/);
    assert.equal(
      (await run('topics', '--create', '--topic', 'quickstart-events', '--bootstrap-server', bootstrap)).stdout,
      'Created topic quickstart-events.\n',
    );
    const produce = execFileP(
      ktool,
      ['console-producer', '--topic', 'quickstart-events', '--bootstrap-server', bootstrap],
      { env },
    );
    produce.child.stdin!.end('This is my first event\nThis is my second event\n');
    await produce;
    const consumed = await run(
      'console-consumer',
      '--topic',
      'quickstart-events',
      '--from-beginning',
      '--max-messages',
      '2',
      '--bootstrap-server',
      bootstrap,
    );
    assert.equal(consumed.stdout, 'This is my first event\nThis is my second event\n');
  });
});
