// Runs the dev broker as its own process:
//   node dist/broker/main.js [server.properties] [--override key=value ...]
import { readFileSync } from 'node:fs';
import { parseProperties, startBroker } from './index.js';

function fail(message: string): never {
  process.stderr.write(`ERROR ${message}\n`);
  process.exit(1);
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
  const log = (line: string) => process.stdout.write(`[${new Date().toISOString()}] ${line}\n`);
  let broker;
  try {
    broker = await startBroker({ properties: { ...props, ...overrides }, log });
  } catch (err) {
    fail((err as Error).message);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    broker.close().then(() => process.exit(0), (err) => fail((err as Error).message));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
