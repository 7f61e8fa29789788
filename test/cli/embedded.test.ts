// The embedded-default rule (built code in dist/).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, sandbox } from './helpers.js';

interface EmbeddedModule {
  ensureEmbeddedBroker(options?: { notify?: (line: string) => void; port?: number }): Promise<{
    started: boolean;
    address: string;
    dataDir?: string;
  }>;
  resolveBootstrap(
    sources?: { flag?: string; config?: Record<string, string>; env?: Record<string, string | undefined> },
    options?: { port?: number },
  ): Promise<{ servers: string[]; source: string; startedEmbedded: boolean }>;
}

interface DaemonModule {
  findRunningBrokers(dirs?: string[]): Promise<Array<{ pid: number; dataDir: string }>>;
  stopBroker(broker: { pid: number; dataDir: string }): Promise<void>;
}

const embeddedUrl = new URL('../../dist/connection/embedded.js', import.meta.url).href;
const daemonUrl = new URL('../../dist/supervision/daemon.js', import.meta.url).href;

describe('embedded dev broker default', () => {
  const box = sandbox('ktool-embedded-');
  const saved = { XDG_DATA_HOME: process.env.XDG_DATA_HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };

  after(async () => {
    const daemon = (await import(daemonUrl)) as DaemonModule;
    for (const broker of await daemon.findRunningBrokers([join(box.env.XDG_DATA_HOME, 'ktool', 'broker')])) {
      await daemon.stopBroker(broker).catch(() => process.kill(broker.pid, 'SIGKILL'));
    }
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    box.cleanup();
  });

  test('an explicit bootstrap server never starts anything', async () => {
    const { resolveBootstrap } = (await import(embeddedUrl)) as EmbeddedModule;
    const port = await freePort();
    assert.deepEqual(await resolveBootstrap({ flag: 'k1:9092,k2:9092', env: {} }, { port }), {
      servers: ['k1:9092', 'k2:9092'],
      source: 'flag',
      startedEmbedded: false,
    });
    assert.deepEqual(await resolveBootstrap({ env: { KAFKA_BOOTSTRAP_SERVERS: 'e:1' } }, { port }), {
      servers: ['e:1'],
      source: 'env',
      startedEmbedded: false,
    });
    assert.deepEqual(await resolveBootstrap({ env: {}, config: { 'bootstrap.servers': 'c:2' } }, { port }), {
      servers: ['c:2'],
      source: 'config',
      startedEmbedded: false,
    });
  });

  test('starts the dev broker in the background when nothing answers, once', async () => {
    process.env.XDG_DATA_HOME = box.env.XDG_DATA_HOME;
    process.env.XDG_STATE_HOME = box.env.XDG_STATE_HOME;
    const { ensureEmbeddedBroker } = (await import(embeddedUrl)) as EmbeddedModule;
    const port = await freePort();
    const notes: string[] = [];
    const first = await ensureEmbeddedBroker({ port, notify: (line) => notes.push(line) });
    assert.equal(first.started, true);
    assert.equal(first.address, `localhost:${port}`);
    assert.equal(first.dataDir, join(box.env.XDG_DATA_HOME, 'ktool', 'broker'));
    assert.deepEqual(notes, [
      `ktool: no broker on localhost:${port}; started the embedded dev broker (data: ${first.dataDir})`,
    ]);

    const second = await ensureEmbeddedBroker({ port, notify: (line) => notes.push(line) });
    assert.deepEqual(second, { started: false, address: `localhost:${port}` });
    assert.equal(notes.length, 1, 'nothing printed when a broker already answers');
  });
});
