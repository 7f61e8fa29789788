// The rooms of src/ and what each may import (docs/ARCHITECTURE.md), and the size of a
// module. Read from the source text, so a rule broken anywhere, static or dynamic import, fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The room of a file: its first directory under src/ (or the file itself at the top). */
const roomOf = (file: string) =>
  relative(SRC, file)
    .split('/')[0]!
    .replace(/\.tsx?$/, '');

const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function edges(): Array<{ from: string; to: string; file: string; spec: string }> {
  const out = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      out.push({ from: roomOf(file), to: roomOf(target), file: relative(SRC, file), spec });
    }
  }
  return out;
}

const RULES: Record<string, { only?: string[]; never?: string[] }> = {
  broker: { only: ['broker', 'protocol', 'codecs', 'registry'] },
  registry: { only: ['registry', 'schemas'] },
  schemas: { only: ['schemas'] },
  protocol: { only: ['protocol'] },
  codecs: { only: ['codecs'] },
  connection: { never: ['cli', 'commands', 'tools'] },
  ops: { never: ['cli', 'commands', 'tools'] },
  client: { never: ['cli', 'commands', 'tools', 'ops', 'broker'] },
  formats: { never: ['cli', 'commands', 'tools', 'ops'] },
  tools: { never: ['commands'] },
  cli: { never: ['commands', 'tools'] },
  startup: { never: ['commands'] },
  views: { never: ['cli', 'commands', 'tools', 'broker'] },
};

test('every room imports only what docs/ARCHITECTURE.md allows', () => {
  const broken = edges().filter(({ from, to }) => {
    const rule = RULES[from];
    if (!rule || from === to) return false;
    if (rule.only && !rule.only.includes(to)) return true;
    return rule.never?.includes(to) ?? false;
  });
  assert.deepEqual(
    broken.map((e) => `${e.file} -> ${e.spec}`),
    [],
  );
});

test('the rules see real imports (the graph is not empty)', () => {
  const all = edges();
  assert.ok(all.length > 300, `${all.length} edges`);
  assert.ok(all.some((e) => e.from === 'broker' && e.to === 'protocol'));
});

test('no source file but the generated API types and the codecs is over 600 lines', () => {
  const exempt = new Set(['protocol/api-types.ts']);
  const long = sourceFiles(SRC)
    .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > 600 && !exempt.has(f.file) && !f.file.startsWith('codecs/'));
  assert.deepEqual(long, []);
});
