/** Opening the window the way most specs start: the vault exists (the spec created it), the account list on screen. */
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import type { Harness } from './server.js';

export interface OpenWindow {
  context: BrowserContext;
  page: Page;
}

/**
 * Opens the renderer of a harness whose vault is created and unlocked in a
 * new context (1100x760 unless `options` say otherwise) and waits for the
 * account list. A page error fails the test: the window must never throw.
 */
export async function openUnlockedWindow(browser: Browser, harness: Harness, options: BrowserContextOptions = {}): Promise<OpenWindow> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  return { context, page };
}
