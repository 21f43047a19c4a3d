/** Actions used by more than one screen. */
import { call } from './api.js';
import type { AppState } from './app-state.svelte.js';
import { S } from './strings.js';

/** Copies the token (or the whole Authorization header) in the main process and says so in plain words. */
export async function copyToken(app: AppState, name: string, what: 'token' | 'header', force = false): Promise<void> {
  const result = await call('tokens:copy', { name, what, ...(force ? { force } : {}) });
  const clearSeconds = result.clearsAt !== undefined ? app.settings.clipboardClearSeconds : undefined;
  app.notify(what === 'header' ? S.headerCopied(name, clearSeconds) : S.copied(name, clearSeconds));
}
