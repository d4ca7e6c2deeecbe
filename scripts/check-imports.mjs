#!/usr/bin/env node
// Enforces the import direction agent → models → engine (DESIGN.md principle 1 and the brief):
//   engine/  imports only engine/ (pure numerics: no packages, no node: I/O modules)
//   models/  imports engine/ and models/, node built-ins and packages, never agent/
//   agent/   imports anything but test/
// Nothing under agent/ engine/ models/ imports test/ or bench/. Exits 1 listing every violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const layers = ['engine', 'models', 'agent'];
const allowed = { engine: ['engine'], models: ['engine', 'models'], agent: ['engine', 'models', 'agent'] };
// engine/ may use these built-ins only: no file, network or process access.
const engineBuiltins = new Set([]);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const importRe = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const violations = [];
for (const layer of layers) {
  let files;
  try {
    files = [...walk(join(root, layer))];
  } catch {
    continue;
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const where = relative(root, file);
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/)[0];
        if (!allowed[layer].includes(target)) violations.push(`${where}: imports '${spec}' (${layer}/ may import only ${allowed[layer].join(', ')})`);
      } else if (layer === 'engine' && !engineBuiltins.has(spec)) {
        violations.push(`${where}: imports '${spec}' (engine/ is pure numerics: no packages or node built-ins)`);
      }
    }
  }
}
if (violations.length) {
  console.error(`import direction violated (agent → models → engine):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('imports flow agent → models → engine: ok');
