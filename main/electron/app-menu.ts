/**
 * The application menu. Electron installs its default one (File, Edit, View
 * with Reload and DevTools, Window, Help linking to electronjs.org) at
 * `will-finish-launching` unless the app has set its own
 * (electron/electron lib/browser/default-menu.ts: `if (applicationMenuWasSet)
 * return`); on Windows and Linux it hides behind Alt even with
 * autoHideMenuBar. TokenDesk sets its own before that: none on Windows and
 * Linux (Chromium's text fields keep their copy and paste shortcuts), and on
 * macOS only what a Mac app needs, the app menu (Quit) and Edit (whose roles
 * make Cmd+C and Cmd+V work in text fields).
 */
import type { Menu, MenuItemConstructorOptions } from 'electron';

export const MAC_MENU_TEMPLATE: MenuItemConstructorOptions[] = [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];

export function installAppMenu(menu: Pick<typeof Menu, 'setApplicationMenu' | 'buildFromTemplate'>, platform: NodeJS.Platform): void {
  menu.setApplicationMenu(platform === 'darwin' ? menu.buildFromTemplate(MAC_MENU_TEMPLATE) : null);
}
