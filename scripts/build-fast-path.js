#!/usr/bin/env node
// Builds what the start-up fast path (src/startup/fast-path.ts) needs:
//
// - dist/fast-path.json: what it prints for `ktool --help`, oclif's own output,
//   captured by running the CLI with the fast path off. Its stdout is a pipe, so
//   oclif renders for 80 columns, the width every non-terminal run of --help uses.
// - dist/startup-bundle/: `topics --list` (dist/startup/topics-list.js and all it
//   loads from dist/) as a few files instead of a hundred or so; resolving and
//   reading each module file is most of what loading costs. Lazily loaded parts
//   stay lazy (code splitting), npm packages stay outside. The directory sits
//   directly under dist/ like every source room, so paths that code computes
//   from its own import.meta.url (the dev broker's main.js) resolve the same.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT } from './build-manifest.js';

// Plain help: no theme, no colour (FORCE_COLOR in the build would put ANSI codes in it).
const env = { ...process.env, KTOOL_FAST_PATH: '0', KTOOL_DISABLE_THEME: 'true', NO_COLOR: '1' };
for (const key of ['OCLIF_COLUMNS', 'DEBUG', 'NODE_ENV', 'FORCE_COLOR']) delete env[key];
const ktool = (...args) =>
  execFileSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const data = { name, version, userAgent: ktool('--version').trimEnd(), help: { 80: ktool('--help') } };
writeFileSync(join(ROOT, 'dist', 'fast-path.json'), `${JSON.stringify(data)}\n`);

const outdir = join(ROOT, 'dist', 'startup-bundle');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const bundleFile = join(outdir, 'topics-list.cjs');

// Where the bundle stops: the dev broker's supervision (only when no bootstrap server is
// given) stays in dist/, loaded as it is, with the broker behind it; most of the bundle
// would otherwise be broker code that topics --list never runs.
const COLD = new Set([join(ROOT, 'dist', 'supervision', 'daemon.js')]);
const cold = {
  name: 'cold',
  setup(b) {
    b.onResolve({ filter: /^\./, namespace: 'file' }, (args) => {
      const target = join(args.resolveDir, args.path);
      if (!COLD.has(target)) return undefined;
      if (args.kind !== 'dynamic-import') throw new Error(`${target} must only be imported lazily`);
      return { path: `./${relative(outdir, target)}`, external: true };
    });
  },
};
// The schema table in the bundle holds only the APIs topics --list sends (the others are
// most of the bundle's text, which every run would read, decode and keep in the code
// cache). The others are read from api-schemas.json beside the bundle when first used,
// through getters, so API_JSON still has every key (allApiSpecs lists them all).
const HOT_APIS = [3, 17, 18, 36]; // Metadata, SaslHandshake, ApiVersions, SaslAuthenticate
const schema = await import(pathToFileURL(join(ROOT, 'dist', 'protocol', 'schema.js')).href);
writeFileSync(join(outdir, 'api-schemas.json'), JSON.stringify(schema.API_JSON));
const schemaModule = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
export const DATA_SPECS = ${JSON.stringify(schema.DATA_SPECS)};
export const API_JSON = ${JSON.stringify(Object.fromEntries(HOT_APIS.map((k) => [k, schema.API_JSON[k]])))};
let all;
for (const key of ${JSON.stringify(Object.keys(schema.API_JSON).map(Number))}) {
  if (Object.hasOwn(API_JSON, key)) continue;
  Object.defineProperty(API_JSON, key, {
    enumerable: true,
    get: () => (all ??= JSON.parse(readFileSync(join(__dirname, 'api-schemas.json'), 'utf8')))[key],
  });
}
Object.freeze(API_JSON);
`;
const schemaSubset = {
  name: 'schema-subset',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]protocol[\\/]schema\.js$/ }, () => ({ contents: schemaModule, loader: 'js' }));
  },
};
const result = await build({
  entryPoints: [join(ROOT, 'dist', 'startup', 'topics-list.js')],
  outfile: bundleFile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // ASCII only, so the loader can read it as latin1 (the cheapest decoding).
  charset: 'ascii',
  // Less text to read and decode at each start; names are kept (errors and classes show them).
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [cold, schemaSubset],
  metafile: true,
  write: false,
  logLevel: 'warning',
});
// A script compiled by node:vm has no import(); the loader passes __ktoolImport instead.
// Every import() left in the output is one of the externals the metafile lists.
const externals = Object.values(result.metafile.inputs).flatMap((input) =>
  input.imports.filter((i) => i.external && i.kind === 'dynamic-import'),
);
let text = result.outputFiles[0].text;
let rewritten = 0;
text = text.replace(/\bimport\((?="[^"]+"\))/g, () => {
  rewritten++;
  return '__ktoolImport(';
});
if (rewritten !== externals.length || /\bimport\(/.test(text))
  throw new Error(`startup bundle: ${rewritten} import() rewritten, ${externals.length} expected`);
if (/[^\x00-\x7f]/.test(text)) throw new Error('startup bundle: not ASCII');
// import.meta has no meaning in a script: esbuild would leave an empty object.
if (/\bimport_meta\b/.test(text)) throw new Error('startup bundle: uses import.meta');
// The build id the loader keys the code cache by (src/startup/script-cache.ts).
const buildId = createHash('sha256').update(text).digest('hex').slice(0, 32);
writeFileSync(bundleFile, `${text}//# ktoolBuild=${buildId}\n`);

// The fast path itself (dist/startup/fast-path.js), as CommonJS for bin/run.js. Paths it
// computes from import.meta.url are computed from where its compiled module lies, and
// the plain topics-list.js (taken when the bundle above is stale) stays outside.
const fastPathDir = join(ROOT, 'dist', 'startup');
await build({
  entryPoints: [join(fastPathDir, 'fast-path.js')],
  outfile: join(outdir, 'fast-path.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  banner: { js: `var __fastPathUrl = require("node:url").pathToFileURL(__dirname + "/../startup/fast-path.js").href;` },
  define: { 'import.meta.url': '__fastPathUrl' },
  plugins: [
    {
      name: 'plain-modules',
      setup(b) {
        // The console tools (console-tools.js) stay outside too: they are most of the
        // client, which --version and --help do not need.
        b.onResolve({ filter: /^\.\/(topics-list|console-tools)\.js$/ }, (args) =>
          args.resolveDir === fastPathDir ? { path: `../startup/${args.path.slice(2)}`, external: true } : undefined,
        );
      },
    },
  ],
  logLevel: 'warning',
});
