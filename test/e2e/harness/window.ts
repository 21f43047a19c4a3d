/** Opening the window the way most specs start: the vault exists (the spec created it), the account list on screen. */
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import type { Harness } from './server.js';

export interface OpenWindow {
  context: BrowserContext;
  page: Page;
}

/** A page in a new context (1100x760 unless `options` say otherwise) on which any page error fails the test: the window must never throw. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<OpenWindow> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return { context, page };
}

/** The renderer of a harness whose vault is created and unlocked (openPage), once the account list shows. */
export async function openUnlockedWindow(browser: Browser, harness: Harness, options: BrowserContextOptions = {}): Promise<OpenWindow> {
  const window = await openPage(browser, options);
  await window.page.goto(harness.url);
  await expect(window.page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  return window;
}
