/**
 * Focus goes back where it came from when a dialog the app opened by itself
 * (the sign-in dialogs, opened by a main-process event) closes: to the button
 * that started the action. That button is usually disabled while the action
 * runs, so the browser has already moved focus to the page; the last control
 * focused outside a dialog is remembered for that case.
 */

let lastOutsideDialog: HTMLElement | undefined;

/** Remembers the last control focused outside a dialog; returns the function that stops. */
export function trackFocus(doc: Document = document): () => void {
  const onFocusIn = (event: FocusEvent): void => {
    const target = event.target;
    if (target instanceof HTMLElement && !target.closest('dialog')) lastOutsideDialog = target;
  };
  doc.addEventListener('focusin', onFocusIn, true);
  return () => doc.removeEventListener('focusin', onFocusIn, true);
}

/** Where focus should return when a dialog opening now closes. */
export function currentOpener(doc: Document = document): HTMLElement | undefined {
  const active = doc.activeElement;
  if (active instanceof HTMLElement && active !== doc.body && !active.closest('dialog')) return active;
  // Possibly no longer in the page (the list swapped it for a progress line): returnFocus finds its successor.
  return lastOutsideDialog;
}

const RETURN_TRIES = 40;
const RETURN_INTERVAL_MS = 50;

/**
 * Focuses `opener` once it can take focus again (connected, enabled), for at
 * most two seconds, and only while nothing else has focus: a user who moved
 * on keeps the focus where it is.
 */
export function returnFocus(opener: HTMLElement | undefined, doc: Document = document): void {
  if (!opener) return;
  // The list swaps a row's Copy button for its progress line while the action runs, so the
  // button that comes back is a new element: it is found again by its accessible name.
  const name = accessibleName(opener);
  let tries = 0;
  const attempt = (): void => {
    const lost = doc.activeElement === null || doc.activeElement === doc.body;
    if (!lost) return;
    const target = opener.isConnected ? opener : sameControl(doc, opener.tagName, name);
    if (target && !(target as HTMLButtonElement).disabled) {
      target.focus();
      if (doc.activeElement === target) return;
    }
    if (++tries < RETURN_TRIES) setTimeout(attempt, RETURN_INTERVAL_MS);
  };
  setTimeout(attempt, 0);
}

function accessibleName(element: HTMLElement): string {
  return (element.getAttribute('aria-label') ?? element.textContent ?? '').trim();
}

function sameControl(doc: Document, tagName: string, name: string): HTMLElement | undefined {
  if (!name) return undefined;
  for (const candidate of doc.querySelectorAll<HTMLElement>(tagName)) {
    if (!candidate.closest('dialog') && accessibleName(candidate) === name) return candidate;
  }
  return undefined;
}
