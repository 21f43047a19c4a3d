// Bundles the command line's fast path (main/cli/fast-token.ts: `tokendesk
// token NAME` answered by a running agent) into ONE CommonJS file,
// dist/fast-path/fast-token.cjs, required by bin/tokendesk.cjs. Every file
// opened, and Node's ES module loader itself, cost start-up time, and that start-up is what a script pays per token
// (SPEC 8: at most 1.6x `node -e 0`). Node built-ins stay external.
// bin/tokendesk.cjs falls back to the unbundled dist/main/cli/fast-token.js
// when this bundle is missing (after `npm run build:main` alone).
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/fast-path',
    emptyOutDir: true,
    target: 'node20',
    ssr: true,
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL('./main/cli/fast-token.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'fast-token.cjs',
    },
    rollupOptions: { external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)] },
  },
});
