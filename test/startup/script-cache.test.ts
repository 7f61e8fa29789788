// The fast path's bundle loader (src/startup/script-cache.ts): a CommonJS file run
// from V8's code cache once a run has written it; a stale, rejected or unwritable
// cache costs only the compile.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { cachePaths, loadCachedScript } from '../../src/startup/script-cache.js';
import { tempDir } from '../helpers/broker.js';

interface Probe {
  add(a: number, b: number): number;
  builtin(): string;
  lazy(): Promise<string>;
  lazyBuiltin(): Promise<string[]>;
}

const SOURCE = `"use strict";
module.exports = {
  add: (a, b) => a + b,
  builtin: () => require("node:path").basename("/x/y.txt"),
  lazy: () => __ktoolImport("./lazy.mjs").then((m) => m.word),
  lazyBuiltin: () => __ktoolImport("node:path").then((m) => [m.sep, m.default.sep]),
};
`;
/** The source with the build id the build appends (any hex stands for a hash here). */
const built = (source: string, id: string) => `${source}//# ktoolBuild=${id}\n`;

const LOADER = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'startup', 'script-cache.ts')).href;

/**
 * Loads the file in a new process, as ktool does: within one process V8 reuses
 * what it compiled before and never looks at the cache. Says whether the cache
 * was used; saves it afterwards, as a successful run does.
 */
function loadInChild(file: string, env: NodeJS.ProcessEnv): boolean {
  const script = `const { loadCachedScript } = await import(${JSON.stringify(LOADER)});
const loaded = loadCachedScript(${JSON.stringify(file)});
if (loaded.exports.add(2, 3) !== 5) throw new Error('wrong result');
loaded.saveCache();
process.stdout.write(String(loaded.fromCache));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return out === 'true';
}

describe('script cache', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let file: string;
  before(() => {
    dir = tempDir('ktool-script-cache-');
    env = { XDG_CACHE_HOME: join(dir, 'user-cache') };
    file = join(dir, 'bundle.cjs');
    writeFileSync(file, built(SOURCE, 'aa01'));
    writeFileSync(join(dir, 'lazy.mjs'), 'export const word = "lazy";\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs the file as CommonJS, with require and __ktoolImport relative to it', async () => {
    const { exports } = loadCachedScript<Probe>(file, env);
    assert.equal(exports.add(2, 3), 5);
    assert.equal(exports.builtin(), 'y.txt');
    assert.equal(await exports.lazy(), 'lazy');
    assert.deepEqual(await exports.lazyBuiltin(), ['/', '/']);
  });

  test('no cache, then the one a run saved next to the file', () => {
    const [beside] = cachePaths(file, env);
    rmSync(beside!, { force: true });
    assert.equal(loadInChild(file, env), false);
    assert.ok(existsSync(beside!));
    assert.equal(loadInChild(file, env), true);
  });

  test('a rebuilt file (same length, another build id) makes the cache stale; the next save replaces it', () => {
    writeFileSync(file, built(SOURCE, 'aa02'));
    assert.equal(loadInChild(file, env), false);
    assert.equal(loadInChild(file, env), true);
  });

  test('a cache V8 rejects (right key, wrong data) is not used and is rewritten', () => {
    const [beside] = cachePaths(file, env);
    const data = readFileSync(beside!);
    const keyEnd = data.indexOf(10) + 1;
    writeFileSync(beside!, Buffer.concat([data.subarray(0, keyEnd), Buffer.alloc(data.length - keyEnd, 7)]));
    assert.equal(loadInChild(file, env), false);
    assert.equal(loadInChild(file, env), true);
  });

  test('a file without a build id is run without a cache', () => {
    const plain = join(dir, 'plain.cjs');
    writeFileSync(plain, SOURCE);
    assert.equal(loadInChild(plain, env), false);
    assert.equal(loadInChild(plain, env), false);
    assert.ok(!existsSync(cachePaths(plain, env)[0]!));
  });

  test("where the file's directory takes no cache, the user's cache directory does", () => {
    const [beside, user] = cachePaths(file, env);
    assert.ok(user!.startsWith(join(dir, 'user-cache', 'ktool')));
    // A directory in the way stands for a read-only install (tests may run as root).
    rmSync(beside!, { force: true });
    mkdirSync(beside!);
    assert.equal(loadInChild(file, env), false);
    assert.ok(existsSync(user!));
    assert.equal(loadInChild(file, env), true);
    rmSync(beside!, { recursive: true });
  });
});
