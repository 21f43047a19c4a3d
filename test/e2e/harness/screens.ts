/** Helpers shared by the e2e specs: screenshots into docs/screenshots and the axe check. */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../docs/screenshots');

/** Saves a screenshot of the current screen (docs/screenshots/NAME.png) for the README. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Fails on any serious or critical axe-core violation, naming rule and elements. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}
