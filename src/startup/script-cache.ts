/**
 * Loads a CommonJS bundle (the fast path's dist/startup-bundle/topics-list.cjs)
 * as a script compiled with V8's code cache. Node 20's module loaders keep no
 * code cache: each run parses and compiles the bundle again, and each function
 * again on its first call. Compiled from the cache of an earlier run, V8 takes
 * the top level and every function that run called ready-made.
 *
 * The cache is written once, after a run that succeeded (so it holds what a
 * successful run compiles), next to the bundle or, where the install is read
 * only, in the user's cache directory. It is keyed by the build id the build
 * appends to the bundle (a hash of its text: V8 itself compares only the
 * source's length) and by Node's version and architecture; V8 checks its own
 * version and flags as well and rejects a cache that does not fit, which is
 * then rewritten. A bundle without a build id gets no cache. A missing, stale
 * or rejected cache only costs the compile it would have saved.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

export interface CachedScript<T> {
  exports: T;
  /** True when V8 compiled the script from a cache. */
  readonly fromCache: boolean;
  /** Writes the cache if this run had no usable one; call once the work is done. */
  saveCache(): void;
}

/** The files that may hold the cache, in the order they are tried. */
export function cachePaths(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return [`${file}.cache`, join(base, 'ktool', `startup-${fnv1a(file)}.cache`)];
}

/** The last line of a bundle the build made: `//# ktoolBuild=<hash of the text above>`. */
const BUILD_ID = /\/\/# ktoolBuild=([0-9a-f]+)\n$/;

/** What a cache must have been made for: this build of the bundle, on this Node. */
function cacheKey(source: string): string | undefined {
  const id = BUILD_ID.exec(source.slice(-100))?.[1];
  return id === undefined ? undefined : `ktool-script-cache ${id} ${process.version} ${process.arch}\n`;
}

function readCache(paths: readonly string[], key: string): Buffer | undefined {
  for (const path of paths) {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      continue;
    }
    if (data.length > key.length && data.toString('latin1', 0, key.length) === key) return data.subarray(key.length);
  }
  return undefined;
}

/** Written whole or not at all (a rename), so a reader never sees half a cache. */
function writeCache(paths: readonly string[], key: string, data: Buffer): void {
  for (const path of paths) {
    const temp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temp, Buffer.concat([Buffer.from(key, 'latin1'), data]));
      renameSync(temp, path);
      return;
    } catch {
      // Not writable here (a read-only install): try the next place.
    }
  }
}

/**
 * Runs `file` as a CommonJS module whose dynamic import() calls were rewritten
 * to __ktoolImport (a script compiled by node:vm has no import() of its own).
 * The bundle is ASCII (the build checks), so it is read as latin1.
 */
export function loadCachedScript<T>(file: string, env: NodeJS.ProcessEnv = process.env): CachedScript<T> {
  const paths = cachePaths(file, env);
  const source = readFileSync(file, 'latin1');
  const key = cacheKey(source);
  const cachedData = key === undefined ? undefined : readCache(paths, key);
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __ktoolImport) {${source}\n})`,
    { filename: file, cachedData },
  );
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const url = pathToFileURL(file);
  const load = createRequire(file);
  // Node's builtins (node:tls for SSL) without starting the ES module loader: the
  // namespace import() would give, its named exports and default.
  const importFromBundle = (specifier: string): Promise<unknown> => {
    if (specifier.startsWith('node:')) {
      const builtin = load(specifier) as object;
      return Promise.resolve({ ...builtin, default: builtin });
    }
    return import(specifier.startsWith('.') ? new URL(specifier, url).href : specifier);
  };
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    load,
    module,
    file,
    dirname(file),
    importFromBundle,
  );
  let saved = fromCache || key === undefined;
  return {
    exports: module.exports,
    fromCache,
    saveCache() {
      if (saved) return;
      saved = true;
      writeCache(paths, key!, script.createCachedData());
    },
  };
}

/** A short, stable name for a path (FNV-1a, 32 bits). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
