#!/usr/bin/env node
// Regenerates oclif.manifest.json from the compiled commands in dist/, using
// @oclif/core's own Plugin loader (the same code path oclif uses when there
// is no manifest), so oclif never has to scan or import commands at startup.
//
//   node scripts/build-manifest.js          write oclif.manifest.json
//   node scripts/build-manifest.js --check  exit 1 if the file is stale
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Plugin } from '@oclif/core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = join(ROOT, 'oclif.manifest.json');

/** @returns {Promise<import('@oclif/core').Interfaces.Manifest>} */
export async function generateManifest(root = ROOT) {
  // With NODE_ENV=development/test oclif would map dist/ to src/ and record
  // .ts paths; the manifest must always describe the compiled commands.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await loadManifest(root);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

async function loadManifest(root) {
  const plugin = new Plugin({
    root,
    type: 'core',
    isRoot: true,
    ignoreManifest: true,
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  });
  await plugin.load();
  const commands = Object.fromEntries(
    Object.keys(plugin.manifest.commands)
      .sort()
      .map((id) => [id, plugin.manifest.commands[id]]),
  );
  return { commands, version: plugin.manifest.version };
}

/** The manifest as written to disk. */
export function serializeManifest(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function main() {
  const text = serializeManifest(await generateManifest());
  if (process.argv.includes('--check')) {
    const current = await readFile(MANIFEST_PATH, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('oclif.manifest.json is stale: run "npm run build"');
      process.exit(1);
    }
    return;
  }
  await writeFile(MANIFEST_PATH, text);
  const n = Object.keys(JSON.parse(text).commands).length;
  console.log(`oclif.manifest.json: ${n} command${n === 1 ? '' : 's'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
