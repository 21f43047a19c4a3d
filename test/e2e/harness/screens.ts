/**
 * Helpers shared by the e2e specs: screenshots and the axe check.
 *
 * Screenshots go to `test-results/screenshots/` (ignored by git, emptied by
 * Playwright at the start of each run) on every run, each still taken and
 * checked (a PNG of the window's width), so `npm test` leaves the work tree
 * clean. Only `npm run screenshots` (TOKENDESK_SCREENSHOTS=docs) writes the
 * tracked `docs/screenshots/` the README shows.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run screenshots` writes: the README's pictures. */
export const DOCS_SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../docs/screenshots');

/** Where this run writes: the docs folder only when asked. */
export const SCREENSHOT_DIR =
  process.env['TOKENDESK_SCREENSHOTS'] === 'docs' ? DOCS_SCREENSHOT_DIR : resolve(import.meta.dirname, '../../../test-results/screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Takes a screenshot of the whole page (SCREENSHOT_DIR/NAME.png) and checks it is a PNG as wide as the window. */
export async function shoot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
  expect(image.subarray(0, 8).equals(PNG_SIGNATURE), `${name}.png is a PNG`).toBe(true);
  // IHDR: width at byte 16, big-endian (PNG spec 11.2.2).
  const width = image.readUInt32BE(16);
  const viewport = page.viewportSize();
  if (viewport) expect(width, `${name}.png is as wide as the window`).toBe(viewport.width);
}

/** Fails on any serious or critical axe-core violation, naming rule and elements. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}
