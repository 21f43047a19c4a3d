// Lint: TypeScript rules plus the layering table of ARCHITECTURE.md. A wrong
// import fails `npm run lint` (and so `npm test`).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'os', 'child_process', 'net', 'url'];

/** Builds a no-restricted-imports rule from forbidden module patterns. */
function forbid(patterns, message) {
  return ['error', { patterns: [{ group: patterns, message }] }];
}

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/*.svelte', 'bench/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The core is plain Node: no Electron, and it never points outward.
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['electron', 'electron/*', '**/main/electron/**', '**/main/cli/**', '**/main/preload/**', '**/renderer/**', '../electron/**', '../cli/**', '../preload/**'],
        'main/core is plain Node: it may import only main/core and shared (ARCHITECTURE.md layering).',
      ),
    },
  },
  {
    files: ['main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['electron', 'electron/*', '**/main/electron/**', '../electron/**', '**/renderer/**', '../preload/**'],
        'main/cli runs in plain Node on main/core: no Electron.',
      ),
    },
  },
  {
    // shared/ runs in the renderer too: no Node, no Electron, no main.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['electron', 'electron/*', '**/main/**', '../main/**', '**/renderer/**', ...nodeBuiltins],
        'shared/ is used by the renderer: only plain TypeScript and shared/ itself.',
      ),
    },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        ['electron', 'electron/*', '**/main/**', '../main/**', ...nodeBuiltins],
        'The renderer reaches the main process only through the preload API (shared/ipc.ts).',
      ),
    },
  },
  {
    files: ['main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(['**/main/core/**', '**/main/cli/**', ...nodeBuiltins], 'The preload exposes shared/ipc.ts only.'),
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.js', 'scripts/**/*.ts', '*.config.ts', '*.config.js', 'bin/**/*.js', 'bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The command's entry is CommonJS for start-up speed (see bin/tokendesk.cjs).
    files: ['bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
