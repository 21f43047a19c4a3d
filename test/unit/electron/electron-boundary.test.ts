import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCE_ROOTS = ['main', 'shared', 'renderer'];
const IMPORT = /^\s*import\s+(type\s+)?[^'";]*?from\s+['"](electron(?:\/[a-z]+)?)['"]|require\(\s*['"]electron['"]\s*\)/gm;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
      return /\.(ts|js|cjs|mjs|svelte)$/.test(entry.name) ? [full] : [];
    }),
  );
  return nested.flat();
}

/** Every file that imports 'electron', and whether the import is runtime (not `import type`). */
async function electronImports(): Promise<Array<{ file: string; runtime: boolean }>> {
  const found: Array<{ file: string; runtime: boolean }> = [];
  for (const root of SOURCE_ROOTS) {
    for (const file of await sourceFiles(root)) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) found.push({ file: file.split(path.sep).join('/'), runtime: !match[1] });
    }
  }
  return found;
}

describe('where Electron is reached', () => {
  it('only main/electron and main/preload import electron', async () => {
    const outside = (await electronImports()).filter(({ file }) => !file.startsWith('main/electron/') && !file.startsWith('main/preload/'));
    expect(outside).toEqual([]);
  });

  it("only the two entry files load Electron's runtime; every other module receives it as an argument", async () => {
    const runtime = [...new Set((await electronImports()).filter((i) => i.runtime).map((i) => i.file))].sort();
    expect(runtime).toEqual(['main/electron/main.ts', 'main/preload/index.ts']);
  });
});
