// Runs the dev broker as its own process:
//   node dist/broker/main.js [server.properties] [--override key=value ...]
import { readFileSync } from 'node:fs';
import { parseProperties, startBroker } from './index.js';
import { lineWriter } from './logger.js';

function fail(message: string): never {
  process.stderr.write(`ERROR ${message}\n`);
  process.exit(1);
}

function overridesFromParent(): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    if (process.send === undefined) fail('--overrides-from-parent needs an IPC channel to the parent');
    const timer = setTimeout(() => fail('no overrides arrived from the parent process'), 10_000);
    process.once('message', (msg: { type?: string; overrides?: Record<string, string> }) => {
      clearTimeout(timer);
      if (msg?.type !== 'overrides' || typeof msg.overrides !== 'object' || msg.overrides === null)
        fail('bad overrides message from the parent process');
      resolve(msg.overrides);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let props: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--override') {
      const kv = args[++i];
      const eq = kv?.indexOf('=') ?? -1;
      if (!kv || eq <= 0) fail(`--override needs key=value, got '${kv ?? ''}'`);
      overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a.startsWith('--override=')) {
      const kv = a.slice('--override='.length);
      const eq = kv.indexOf('=');
      if (eq <= 0) fail(`--override needs key=value, got '${kv}'`);
      overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === '--overrides-from-parent') {
      // Overrides arrive over the IPC channel, so secrets never sit in argv (ps, /proc).
      Object.assign(overrides, await overridesFromParent());
    } else if (!a.startsWith('-')) {
      let text: string;
      try {
        text = readFileSync(a, 'utf8');
      } catch (err) {
        fail(`Cannot read ${a}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      try {
        props = parseProperties(text);
      } catch (err) {
        fail(`${a}: ${(err as Error).message}`);
      }
    } else {
      fail(`Unknown option ${a}`);
    }
  }
  // stdout is the daemon's log file: a full disk there must cost log lines, never the broker.
  const log = lineWriter(1);
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let broker;
  try {
    broker = await startBroker({ properties: { ...props, ...overrides }, log });
  } catch (err) {
    fail((err as Error).message);
  }
  // A parent waiting for this broker (server-start --daemon) learns from this
  // process itself that it started, never from a log another broker may share.
  if (process.send !== undefined) {
    process.send(
      { type: 'started', pid: process.pid, host: broker.host, port: broker.port, dataDir: broker.dataDir },
      () => {
        process.disconnect?.();
      },
    );
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    broker.close().then(
      () => process.exit(0),
      (err) => fail((err as Error).message),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
