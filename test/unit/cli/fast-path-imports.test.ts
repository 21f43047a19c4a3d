/**
 * The fast path of `tokendesk token NAME` (answered by a running agent)
 * loads nothing it does not need (issue 11 item 6): no TOML, JOSE, schema
 * (valibot) or vault code, only Node built-ins and a dozen small modules.
 * Checked on what actually runs: the compiled module graph that the plain
 * build loads, and the one-file bundle bin/tokendesk.cjs requires.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const ENTRY = join(ROOT, 'dist/main/cli/fast-token.js');
const BUNDLE = join(ROOT, 'dist/fast-path/fast-token.cjs');
const FORBIDDEN_MODULES = [/main\/core\/vault\//, /main\/core\/import\//, /main\/core\/accounts\//, /main\/core\/oauth\/(token-response|client-auth|jwt-assertion|http)\.js$/, /shared\/ipc\.js$/];

/** Every module reachable by static or dynamic import from `entry`, and every bare specifier imported. */
function moduleGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let guard = 0; pending.length > 0 && guard < 1_000; guard++) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  }
  return { files: [...files].map((file) => relative(join(ROOT, 'dist'), file)), packages: [...packages] };
}

describe('the fast path of tokendesk token NAME', () => {
  it('imports Node built-ins and small modules only (compiled graph)', () => {
    expect(existsSync(ENTRY), 'run npm run build:main first').toBe(true);
    const graph = moduleGraph(ENTRY);
    expect(graph.packages.filter((name) => !name.startsWith('node:'))).toEqual([]);
    for (const pattern of FORBIDDEN_MODULES) expect(graph.files.filter((file) => pattern.test(file))).toEqual([]);
    expect(graph.files).toContain('main/core/agent/client.js');
    expect(graph.files.length).toBeLessThanOrEqual(15);
  });

  it('is one CommonJS file that requires Node built-ins only (the bundle npm run build makes)', () => {
    expect(existsSync(BUNDLE), 'run npm run build (build:fast-path) first').toBe(true);
    const source = readFileSync(BUNDLE, 'utf8');
    const required = [...source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]!);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !name.startsWith('node:'))).toEqual([]);
    expect(source).not.toMatch(/\bimport\(/);
    for (const marker of ['smol-toml', 'jose', 'valibot', 'main/core/vault/', 'main/core/import/']) expect(source).not.toContain(marker);
  });
});
