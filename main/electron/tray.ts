/**
 * The tray menu: one entry per account with its expiry, "Copy token" and
 * "Refresh & copy", then "Open TokenDesk", "Lock TokenDesk" (while unlocked)
 * and "Quit". Under Linux
 * AppIndicator click events never arrive, so everything is reachable from the
 * menu itself and nothing depends on `tray.on('click')`.
 */
import type { Menu, MenuItemConstructorOptions, Tray } from 'electron';
import type { AccountSummary } from '../core/accounts/types.js';
import { certificateExpiryWarning } from '../../shared/certificate-expiry.js';

export type TrayAccount = Pick<AccountSummary, 'name' | 'status' | 'expiresAt' | 'clientCertificateExpiresAt'>;

export interface TrayActions {
  copyToken(name: string): void;
  refreshAndCopy(name: string): void;
  openWindow(): void;
  /** Forgets the keys; programs get nothing until the window unlocks again. */
  lock(): void;
  quit(): void;
}

/** Human expiry text, relative so that it needs no locale ("expires in 4 min"). */
export function formatExpiry(account: TrayAccount, now: number): string {
  if (account.status === 'none') return 'no token yet';
  if (account.expiresAt === undefined) return 'expiry unknown';
  const seconds = Math.floor((account.expiresAt - now) / 1000);
  if (seconds <= 0) return 'expired';
  if (seconds < 60) return `expires in ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `expires in ${minutes} min`;
  return `expires in ${Math.floor(minutes / 60)} h`;
}

/** Menu labels treat `&` as a mnemonic marker on Windows and Linux; show it literally. */
function literal(label: string): string {
  return label.replaceAll('&', '&&');
}

export const TRAY_LOCKED_LABEL = 'Locked';
export const TRAY_TOOLTIP = 'TokenDesk';
export const TRAY_LOCKED_TOOLTIP = 'TokenDesk (locked)';

/** What the tray shows: the accounts, or that the vault is locked. */
export type TrayContent = readonly TrayAccount[] | 'locked';

/** Pure: the template for `Menu.buildFromTemplate`. */
export function buildTrayMenuTemplate(content: TrayContent, now: number, actions: TrayActions): MenuItemConstructorOptions[] {
  const accounts = content === 'locked' ? [] : content;
  const items: MenuItemConstructorOptions[] = accounts.map((account) => ({
    label: `${literal(account.name)} (${formatExpiry(account, now)})`,
    submenu: [
      { label: 'Copy token', click: () => actions.copyToken(account.name) },
      { label: 'Refresh && copy', click: () => actions.refreshAndCopy(account.name) },
    ],
  }));
  // A client certificate that expires soon (or did) is said where the user looks every day, before requests start failing.
  for (const account of accounts) {
    const warning = account.clientCertificateExpiresAt === undefined ? undefined : certificateExpiryWarning(account.name, account.clientCertificateExpiresAt, now);
    if (warning) items.push({ label: literal(warning), enabled: false });
  }
  // Locked by hand, after the idle time, the screen lock or sleep: Open shows the unlock screen (the keychain opens it without a passphrase where it can).
  if (content === 'locked') items.push({ label: TRAY_LOCKED_LABEL, enabled: false });
  else if (items.length === 0) items.push({ label: 'No accounts yet', enabled: false });
  items.push({ type: 'separator' }, { label: 'Open TokenDesk', click: () => actions.openWindow() });
  if (content !== 'locked') items.push({ label: 'Lock TokenDesk', click: () => actions.lock() });
  items.push({ label: 'Quit', click: () => actions.quit() });
  return items;
}

/**
 * Keeps the tray's menu in step with the accounts. Electron (and especially
 * AppIndicator) does not pick up changes to an installed menu, so every change
 * builds a new menu and calls `setContextMenu` again.
 */
export class TrayMenu {
  readonly #tray: Pick<Tray, 'setContextMenu' | 'setToolTip'>;
  readonly #buildFromTemplate: (template: MenuItemConstructorOptions[]) => Menu;
  readonly #actions: TrayActions;
  readonly #now: () => number;
  #content: TrayContent = [];

  constructor(deps: {
    tray: Pick<Tray, 'setContextMenu' | 'setToolTip'>;
    buildFromTemplate: (template: MenuItemConstructorOptions[]) => Menu;
    actions: TrayActions;
    now: () => number;
    /** Every click on one of our entries: the user is at the computer (the auto-lock's idle time starts again). */
    onUserAction?: () => void;
  }) {
    this.#tray = deps.tray;
    this.#buildFromTemplate = deps.buildFromTemplate;
    this.#actions = deps.onUserAction ? noticingActions(deps.actions, deps.onUserAction) : deps.actions;
    this.#now = deps.now;
    this.#tray.setToolTip(TRAY_TOOLTIP);
  }

  /** Call whenever an account or token changes. */
  update(content: TrayContent): void {
    // The tooltip says it too: on Windows and macOS it shows without opening the menu.
    if ((content === 'locked') !== (this.#content === 'locked')) this.#tray.setToolTip(content === 'locked' ? TRAY_LOCKED_TOOLTIP : TRAY_TOOLTIP);
    this.#content = content;
    this.rebuild();
  }

  /** Also called on a timer so that the expiry texts do not go stale. */
  rebuild(): void {
    this.#tray.setContextMenu(this.#buildFromTemplate(buildTrayMenuTemplate(this.#content, this.#now(), this.#actions)));
  }
}

/** The same actions, each telling `onUserAction` first. */
function noticingActions(actions: TrayActions, onUserAction: () => void): TrayActions {
  const first =
    <A extends unknown[]>(action: (...args: A) => void) =>
    (...args: A): void => {
      onUserAction();
      action(...args);
    };
  return {
    copyToken: first((name: string) => actions.copyToken(name)),
    refreshAndCopy: first((name: string) => actions.refreshAndCopy(name)),
    openWindow: first(() => actions.openWindow()),
    lock: first(() => actions.lock()),
    quit: first(() => actions.quit()),
  };
}
