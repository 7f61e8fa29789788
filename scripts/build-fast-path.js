#!/usr/bin/env node
// Writes dist/fast-path.json, what the start-up fast path (src/startup/fast-path.ts)
// prints for `ktool --help`: oclif's own output, captured by running the CLI
// with the fast path off. Its stdout is a pipe, so oclif renders for 80
// columns, the width every non-terminal run of --help uses.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-manifest.js';

const env = { ...process.env, KTOOL_FAST_PATH: '0', KTOOL_DISABLE_THEME: 'true' };
for (const key of ['OCLIF_COLUMNS', 'DEBUG', 'NODE_ENV']) delete env[key];
const ktool = (...args) =>
  execFileSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const data = { name, version, userAgent: ktool('--version').trimEnd(), help: { 80: ktool('--help') } };
writeFileSync(join(ROOT, 'dist', 'fast-path.json'), `${JSON.stringify(data)}\n`);
