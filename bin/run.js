#!/usr/bin/env node
// The ktool executable. --version, --help and topics --list take the fast
// path (src/startup/fast-path.ts), which prints what oclif would without loading
// it; everything else goes to oclif, which finds commands through
// oclif.manifest.json, so startup loads only the command being run.
//
// This file is CommonJS (bin/package.json), and so is the fast path's bundle
// (dist/startup-bundle/fast-path.cjs, built by npm run build): the first ES module
// a process loads starts Node's ES module loader, about a tenth of bare Node's
// start-up, which the fast path does not need. oclif is told the package root,
// not this file's directory, since bin/package.json is not the package.
'use strict';
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- this file is CommonJS */
const { statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');

/** The bundle, unless the compiler has written dist/ since (see fast-path.ts). */
function fastPath() {
  const bundle = join(dist, 'startup-bundle', 'fast-path.cjs');
  const built = statSync(bundle, { throwIfNoEntry: false });
  const plain = statSync(join(dist, 'startup', 'fast-path.js'));
  if (built !== undefined && built.mtimeMs >= plain.mtimeMs) return require(bundle);
  return import('../dist/startup/fast-path.js');
}

void (async () => {
  const { runFastPath } = await fastPath();
  if (!(await runFastPath(process.argv.slice(2)))) {
    const { execute } = await import('@oclif/core/execute');
    await execute({ dir: join(__dirname, '..') });
  }
})();
