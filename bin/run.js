#!/usr/bin/env node
// The ktool executable. --version, --help and topics --list take the fast
// path (dist/startup/fast-path.js), which prints what oclif would without loading
// it; everything else goes to oclif, which finds commands through
// oclif.manifest.json, so startup loads only the command being run.
import { runFastPath } from '../dist/startup/fast-path.js';

if (!(await runFastPath(process.argv.slice(2)))) {
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
