// The registry's schemas and ids survive kill -9 of the broker process: every change is
// in the `_schemas` partition log before the REST call answers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/broker.js';
import { avroRecord, client } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/broker/main.js', import.meta.url));

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const args = [
      MAIN,
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      `log.dirs=${dataDir}`,
      '--override',
      'schema.registry.listeners=http://127.0.0.1:0',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Schema registry listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('ktool broker started')) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}: ${out}`)));
  });
}

function kill9(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

test('kill -9 and restart keep every registered schema, version, id, config and deletion', async () => {
  const dataDir = tempDir();
  let running = await startChild(dataDir);
  try {
    let api = client(running.url);
    const registered: Array<{ subject: string; schema: string; id: number }> = [];
    for (let i = 0; i < 20; i++) {
      const subject = `s${i % 4}-value`;
      const schema = avroRecord([
        { name: 'a', type: 'int' },
        ...Array.from({ length: i }, (_, k) => ({ name: `f${k}`, type: 'long', default: 0 })),
      ]);
      const r = await api.post(`/subjects/${subject}/versions`, { schema });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      registered.push({ subject, schema, id: r.body.id });
    }
    await api.put('/config/s1-value', { compatibility: 'NONE' });
    await api.del('/subjects/s3-value/versions/1');
    await kill9(running.child);

    running = await startChild(dataDir);
    api = client(running.url);
    for (const r of registered) {
      assert.deepEqual((await api.get(`/schemas/ids/${r.id}`)).body, { schema: r.schema });
    }
    assert.deepEqual((await api.get('/subjects/s0-value/versions')).body, [1, 2, 3, 4, 5]);
    assert.deepEqual((await api.get('/subjects/s3-value/versions')).body, [2, 3, 4, 5]);
    assert.deepEqual((await api.get('/config/s1-value')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await api.post('/subjects/new-value/versions', { schema: '"string"' })).body, { id: 21 });
  } finally {
    await kill9(running.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
