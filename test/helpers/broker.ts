import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '../../src/broker/index.js';

export interface TestBroker extends RunningBroker {
  bootstrap: string;
  /** Stops the broker and removes its data. */
  destroy(): Promise<void>;
}

export function tempDir(prefix = 'ktool-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts an in-process broker on an ephemeral port with a fresh data directory. Its
 * schema registry runs only when the test names `schema.registry.listeners`.
 */
export async function startTestBroker(props: Record<string, string> = {}, dataDir = tempDir()): Promise<TestBroker> {
  const registry = 'schema.registry.listeners' in props ? {} : { 'schema.registry.enable': 'false' };
  const b = await startBroker({
    properties: { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, ...registry, ...props },
    log: (l) => {
      if (process.env.KTOOL_TEST_LOG) process.stderr.write(`[broker] ${l}\n`);
    },
  });
  return Object.assign(b, {
    bootstrap: `127.0.0.1:${b.port}`,
    async destroy() {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
