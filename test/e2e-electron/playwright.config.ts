// The Electron end-to-end suite, for machines that have the Electron binary
// (and, on Linux, a display such as Xvfb). Everywhere else every test skips
// with a one-line reason. Run: npx playwright test -c test/e2e-electron
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.e2e.ts',
  timeout: 60_000,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
});
