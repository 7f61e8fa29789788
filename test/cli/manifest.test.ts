// oclif.manifest.json is committed; it must match what the build produces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
// @ts-expect-error: plain JS build script, no type declarations
import { generateManifest, MANIFEST_PATH, serializeManifest } from '../../scripts/build-manifest.js';

test('committed oclif.manifest.json matches the compiled commands', async () => {
  const fresh = serializeManifest(await generateManifest()) as string;
  const committed = readFileSync(MANIFEST_PATH, 'utf8');
  assert.ok(committed === fresh, 'oclif.manifest.json is stale: run "npm run build" and commit the regenerated file');
  const ids = Object.keys(JSON.parse(fresh).commands);
  assert.ok(ids.includes('server-start') && ids.includes('server-stop'));
});
