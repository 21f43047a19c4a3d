import { describe, expect, it } from 'vitest';
import type { Menu, MenuItemConstructorOptions, Tray } from 'electron';
import { FakeMachine } from '../../fixtures/electron/app.js';
import { createFakeElectron } from '../../fixtures/electron/electron-module.js';
import { buildTrayMenuTemplate, formatExpiry, TrayMenu, type TrayAccount, type TrayActions } from '../../../main/electron/tray.js';

const NOW = 1_700_000_000_000;

function recordingActions() {
  const calls: string[] = [];
  const actions: TrayActions = {
    copyToken: (name) => calls.push(`copy:${name}`),
    refreshAndCopy: (name) => calls.push(`refresh:${name}`),
    openWindow: () => calls.push('open'),
    lock: () => calls.push('lock'),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item!.click as () => void)();
}

describe('buildTrayMenuTemplate', () => {
  const accounts: TrayAccount[] = [
    { name: 'myfiber production', status: 'valid', expiresAt: NOW + 240_000 },
    { name: 'R&D netrex', status: 'expired', expiresAt: NOW - 1000 },
    { name: 'vyopta', status: 'none' },
  ];

  it('has one entry per account with its expiry, then Open TokenDesk, Lock TokenDesk and Quit', () => {
    const template = buildTrayMenuTemplate(accounts, NOW, recordingActions().actions);
    expect(template.map((item) => item.label ?? item.type)).toEqual([
      'myfiber production (expires in 4 min)',
      'R&&D netrex (expired)',
      'vyopta (no token yet)',
      'separator',
      'Open TokenDesk',
      'Lock TokenDesk',
      'Quit',
    ]);
  });

  it('offers Copy token and Refresh & copy per account, each bound to that account', () => {
    const { calls, actions } = recordingActions();
    const template = buildTrayMenuTemplate(accounts, NOW, actions);
    const submenu = template[1]!.submenu as MenuItemConstructorOptions[];
    expect(submenu.map((item) => item.label)).toEqual(['Copy token', 'Refresh && copy']);
    click(submenu[0]);
    click(submenu[1]);
    click(template.at(-3));
    click(template.at(-2));
    click(template.at(-1));
    expect(calls).toEqual(['copy:R&D netrex', 'refresh:R&D netrex', 'open', 'lock', 'quit']);
  });

  it('says so when there are no accounts, and still offers Open and Quit', () => {
    const template = buildTrayMenuTemplate([], NOW, recordingActions().actions);
    expect(template[0]).toMatchObject({ label: 'No accounts yet', enabled: false });
    expect(template.map((item) => item.label).slice(-3)).toEqual(['Open TokenDesk', 'Lock TokenDesk', 'Quit']);
  });

  it('says the vault is locked instead of "no accounts" while it waits for the passphrase', () => {
    const template = buildTrayMenuTemplate('locked', NOW, recordingActions().actions);
    expect(template[0]).toMatchObject({ label: expect.stringContaining('Locked'), enabled: false });
    expect(template.map((item) => item.label)).not.toContain('No accounts yet');
    // Nothing to lock.
    expect(template.map((item) => item.label).slice(-2)).toEqual(['Open TokenDesk', 'Quit']);
  });
});

describe('client certificate expiry in the tray', () => {
  const DAY = 86_400_000;
  const labels = (accounts: TrayAccount[]) => buildTrayMenuTemplate(accounts, NOW, recordingActions().actions).map((item) => item.label ?? item.type);

  it('warns from 30 days before the certificate expires, with its date, and says plainly once it has expired', () => {
    const template = labels([
      { name: 'bank A&B', status: 'valid', expiresAt: NOW + 240_000, clientCertificateExpiresAt: Date.UTC(2023, 11, 14, 12) },
      { name: 'insurer', status: 'none', clientCertificateExpiresAt: NOW - DAY },
      { name: 'later', status: 'none', clientCertificateExpiresAt: NOW + 31 * DAY },
    ]);
    // NOW is 2023-11-14T22:13:20Z: 2023-12-14 is 29.6 days away.
    expect(template).toContain('The client certificate of bank A&&B expires on 2023-12-14: ask the vendor for a new one.');
    expect(template).toContain('The client certificate of insurer expired on 2023-11-13: the server refuses every request until you import a new one from the vendor.');
    expect(template.join('\n')).not.toContain('later expire');
    const warning = buildTrayMenuTemplate([{ name: 'insurer', status: 'none', clientCertificateExpiresAt: NOW - DAY }], NOW, recordingActions().actions).find((item) => item.label?.startsWith('The client'));
    expect(warning?.enabled).toBe(false);
  });

  it('shows the warning once the day comes, on the timer rebuild, through the tray fake', () => {
    let now = NOW;
    const { electron, menu } = fakeTrayMenu(() => now);
    menu.update([{ name: 'bank', status: 'valid', expiresAt: NOW + 240_000, clientCertificateExpiresAt: NOW + 40 * DAY }]);
    const shown = () => electron.record.trays[0]!.menus.at(-1)!.template.map((item) => item.label);
    expect(shown().some((label) => label?.includes('client certificate'))).toBe(false);
    now = NOW + 11 * DAY;
    menu.rebuild();
    expect(shown()).toContain(`The client certificate of bank expires on ${new Date(NOW + 40 * DAY).toISOString().slice(0, 10)}: ask the vendor for a new one.`);
  });
});

/** A TrayMenu on Electron's Tray and Menu as the fakes record them (test/fixtures/electron/electron-module.ts). */
function fakeTrayMenu(now: () => number) {
  const electron = createFakeElectron({ machine: new FakeMachine('/home/u', '/home/u/.config') });
  const tray = new electron.module.Tray(electron.module.nativeImage.createFromDataURL('data:image/png;base64,'));
  const menu = new TrayMenu({
    tray: tray as unknown as Pick<Tray, 'setContextMenu' | 'setToolTip'>,
    buildFromTemplate: (template) => electron.module.Menu.buildFromTemplate(template) as unknown as Menu,
    actions: recordingActions().actions,
    now,
  });
  return { electron, menu };
}

describe('formatExpiry', () => {
  it('covers seconds, minutes, hours, expired and unknown', () => {
    expect(formatExpiry({ name: 'a', status: 'expiring', expiresAt: NOW + 25_500 }, NOW)).toBe('expires in 25 s');
    expect(formatExpiry({ name: 'a', status: 'valid', expiresAt: NOW + 3_600_000 }, NOW)).toBe('expires in 60 min');
    expect(formatExpiry({ name: 'a', status: 'valid', expiresAt: NOW + 5 * 3_600_000 }, NOW)).toBe('expires in 5 h');
    expect(formatExpiry({ name: 'a', status: 'valid', expiresAt: NOW }, NOW)).toBe('expired');
    expect(formatExpiry({ name: 'a', status: 'unknown_expiry' }, NOW)).toBe('expiry unknown');
  });
});

describe('TrayMenu', () => {
  it('builds a new menu and calls setContextMenu again on every change', () => {
    let now = NOW;
    const { electron, menu } = fakeTrayMenu(() => now);
    menu.update([{ name: 'a', status: 'valid', expiresAt: NOW + 120_000 }]);
    menu.update([
      { name: 'a', status: 'valid', expiresAt: NOW + 120_000 },
      { name: 'b', status: 'none' },
    ]);
    now += 60_000;
    menu.rebuild();
    const installed = electron.record.trays[0]!.menus.map((m) => m.template);
    expect(installed).toHaveLength(3);
    expect(installed[0]!.map((item) => item.label)[0]).toBe('a (expires in 2 min)');
    expect(installed[1]!.map((item) => item.label).slice(0, 2)).toEqual(['a (expires in 2 min)', 'b (no token yet)']);
    expect(installed[2]!.map((item) => item.label)[0]).toBe('a (expires in 1 min)');
    expect(electron.record.trays[0]!.tooltip).toBe('TokenDesk');
  });
});

describe('the tray while locked, and the user at the tray (issue 13 item 10)', () => {
  it('shows "Locked" in the menu and in the tooltip while locked, and "Lock TokenDesk" again once unlocked', () => {
    const { electron, menu } = fakeTrayMenu(() => NOW);
    const tray = electron.record.trays[0]!;
    menu.update([{ name: 'a', status: 'valid', expiresAt: NOW + 120_000 }]);
    expect(tray.tooltip).toBe('TokenDesk');
    menu.update('locked');
    expect(tray.menus.at(-1)!.template[0]).toMatchObject({ label: 'Locked', enabled: false });
    expect(tray.menus.at(-1)!.template.map((item) => item.label)).not.toContain('Lock TokenDesk');
    expect(tray.tooltip).toBe('TokenDesk (locked)');
    menu.update([{ name: 'a', status: 'valid', expiresAt: NOW + 120_000 }]);
    expect(tray.menus.at(-1)!.template.map((item) => item.label)).toContain('Lock TokenDesk');
    expect(tray.tooltip).toBe('TokenDesk');
  });

  it('tells onUserAction about every click (the idle lock waits again), before the action runs', () => {
    const electron = createFakeElectron({ machine: new FakeMachine('/home/u', '/home/u/.config') });
    const tray = new electron.module.Tray(electron.module.nativeImage.createFromDataURL('data:image/png;base64,'));
    const { calls, actions } = recordingActions();
    const menu = new TrayMenu({
      tray: tray as unknown as Pick<Tray, 'setContextMenu' | 'setToolTip'>,
      buildFromTemplate: (template) => electron.module.Menu.buildFromTemplate(template) as unknown as Menu,
      actions,
      now: () => NOW,
      onUserAction: () => calls.push('activity'),
    });
    menu.update([{ name: 'a', status: 'valid', expiresAt: NOW + 120_000 }]);
    const template = electron.record.trays[0]!.menus.at(-1)!.template;
    click((template[0]!.submenu as MenuItemConstructorOptions[])[0]);
    click(template.find((item) => item.label === 'Open TokenDesk'));
    click(template.find((item) => item.label === 'Lock TokenDesk'));
    expect(calls).toEqual(['activity', 'copy:a', 'activity', 'open', 'activity', 'lock']);
  });
});
