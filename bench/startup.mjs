#!/usr/bin/env node
// Median wall time of `ktool <args>` over N runs (default: topics --list against $BOOTSTRAP).
//   node bench/startup.mjs 127.0.0.1:9092 [runs] [-- other args]
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bootstrap = process.argv[2] ?? '127.0.0.1:9092'
const runs = Number(process.argv[3] ?? 10)
const dash = process.argv.indexOf('--')
const args = dash === -1 ? ['topics', '--list', '--bootstrap-server', bootstrap] : process.argv.slice(dash + 1)
const times = []
for (let i = 0; i < runs + 1; i++) {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0) {
    console.error(`ktool ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
    process.exit(1)
  }
  if (i > 0) times.push(ms) // the first run warms the file cache
}
times.sort((a, b) => a - b)
const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2
console.log(JSON.stringify({ args, runs, medianMs: Math.round(median * 10) / 10, minMs: Math.round(times[0] * 10) / 10, maxMs: Math.round(times.at(-1) * 10) / 10 }))
