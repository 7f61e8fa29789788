import { spawn, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export const PYTHON = '/usr/bin/python3';

const cache = new Map<string, boolean>();

function probe(name: string): boolean {
  if (!cache.has(name)) {
    let ok: boolean;
    if (name === 'kcat') ok = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
    else if (name === 'kafka-python') ok = spawnSync(PYTHON, ['-c', 'import kafka'], { stdio: 'ignore' }).status === 0;
    else if (name === 'confluent-kafka')
      ok = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;
    else if (name === 'confluent-schema-registry') {
      const modules =
        'import confluent_kafka.schema_registry.json_schema, confluent_kafka.schema_registry.protobuf, requests, jsonschema, google.protobuf, avro.io';
      ok = spawnSync(PYTHON, ['-c', modules], { stdio: 'ignore' }).status === 0;
    } else throw new Error(`unknown tool ${name}`);
    cache.set(name, ok);
  }
  return cache.get(name)!;
}

/**
 * True when the tool is installed. Outside CI a missing tool skips the test; in CI
 * (CI=true) it fails it, because a skipped interop test proves nothing.
 */
export function requireTool(
  t: TestContext,
  name: 'kcat' | 'kafka-python' | 'confluent-kafka' | 'confluent-schema-registry',
): boolean {
  if (probe(name)) return true;
  if (process.env.CI === 'true') throw new Error(`${name} is not installed (CI needs it: see .ci/run)`);
  t.skip(`${name} is not installed`);
  return false;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command with optional stdin, collecting output, with a hard timeout. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: Buffer | string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60000} ms; stderr: ${err.slice(-2000)}`,
        ),
      );
    }, opts.timeoutMs ?? 60000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
