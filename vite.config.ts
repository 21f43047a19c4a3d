/**
 * Renderer build: Svelte 5 app from renderer/ into dist/renderer, relative
 * asset paths (served from app://tokendesk/ by Electron, see
 * main/electron/app-protocol.ts, and from http://127.0.0.1 by the test harness).
 * Reports the gzipped JavaScript size and fails the build above the SPEC 8
 * budget of 80 KB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = resolve(import.meta.dirname, 'dist/renderer');
export const RENDERER_JS_BUDGET_BYTES = 80 * 1024;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Sums the gzipped size of every emitted .js file; throws (failing the build) over budget. */
function gzipBudget(budgetBytes: number): Plugin {
  return {
    name: 'tokendesk-gzip-budget',
    apply: 'build',
    closeBundle() {
      const files = listFiles(OUT_DIR).filter((file) => file.endsWith('.js'));
      const gzipped = files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).byteLength, 0);
      const kb = (gzipped / 1024).toFixed(1);
      console.log(`renderer JavaScript: ${kb} KB gzipped (${files.length} file${files.length === 1 ? '' : 's'}), budget ${budgetBytes / 1024} KB`);
      if (gzipped > budgetBytes) throw new Error(`renderer JavaScript is ${kb} KB gzipped, over the ${budgetBytes / 1024} KB budget (SPEC 8)`);
    },
  };
}

export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [svelte(), gzipBudget(RENDERER_JS_BUDGET_BYTES)],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    // One CSS file: a strict CSP (style-src 'self') allows it, inline styles it would not.
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
});
