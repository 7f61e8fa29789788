#!/usr/bin/env node
// Builds what the start-up fast path (src/startup/fast-path.ts) needs:
//
// - dist/fast-path.json: what it prints for `ktool --help`, oclif's own output,
//   captured by running the CLI with the fast path off. Its stdout is a pipe, so
//   oclif renders for 80 columns, the width every non-terminal run of --help uses.
// - dist/startup-bundle/: `topics --list` (dist/startup/topics-list.js and all it
//   loads from dist/) as a few files instead of a hundred or so; resolving and
//   reading each module file is most of what loading costs. Lazily loaded parts
//   stay lazy (code splitting), npm packages stay outside. The directory sits
//   directly under dist/ like every source room, so paths that code computes
//   from its own import.meta.url (the dev broker's main.js) resolve the same.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './build-manifest.js';

// Plain help: no theme, no colour (FORCE_COLOR in the build would put ANSI codes in it).
const env = { ...process.env, KTOOL_FAST_PATH: '0', KTOOL_DISABLE_THEME: 'true', NO_COLOR: '1' };
for (const key of ['OCLIF_COLUMNS', 'DEBUG', 'NODE_ENV', 'FORCE_COLOR']) delete env[key];
const ktool = (...args) =>
  execFileSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const data = { name, version, userAgent: ktool('--version').trimEnd(), help: { 80: ktool('--help') } };
writeFileSync(join(ROOT, 'dist', 'fast-path.json'), `${JSON.stringify(data)}\n`);

const outdir = join(ROOT, 'dist', 'startup-bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'dist', 'startup', 'topics-list.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
