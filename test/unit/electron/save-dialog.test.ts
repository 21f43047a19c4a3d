/**
 * Issue 13 item 11 (app): "Save a backup…" asks where through Electron's
 * save dialog (CorePorts.chooseSavePath): modal to the window, starting in
 * Documents with a dated name, asking before it replaces a file; a cancelled
 * dialog is `undefined` (the handler turns it into a `cancelled` error).
 */
import { join } from 'node:path';
import type { BaseWindow } from 'electron';
import { describe, expect, it } from 'vitest';
import { createChooseSavePath, createElectronPorts } from '../../../main/electron/ports.js';
import { createFakeSaveDialog } from '../../fixtures/electron/dialog.js';
import { createFakeNet } from '../../fixtures/electron/net.js';
import { FakeSession } from '../../fixtures/electron/session.js';

describe('the save dialog port', () => {
  it('opens modal to the window in the Documents folder, asks before overwriting, and answers the chosen path', async () => {
    const fake = createFakeSaveDialog();
    const window = { id: 1 } as unknown as BaseWindow;
    const choose = createChooseSavePath({ dialog: fake.dialog, parent: () => window, folder: () => '/home/ana/Documents' });
    fake.answer = '/media/usb/tokendesk-backup.json';
    expect(await choose('tokendesk-backup-2026-12-01.json')).toBe('/media/usb/tokendesk-backup.json');
    expect(fake.calls[0]?.parent).toBe(window);
    expect(fake.calls[0]?.options).toMatchObject({
      defaultPath: join('/home/ana/Documents', 'tokendesk-backup-2026-12-01.json'),
      properties: expect.arrayContaining(['showOverwriteConfirmation']),
      filters: [{ name: 'TokenDesk backup', extensions: ['json'] }],
    });
  });

  it('answers undefined when the user cancels, and works without a window', async () => {
    const fake = createFakeSaveDialog();
    const choose = createChooseSavePath({ dialog: fake.dialog, parent: () => undefined, folder: () => '/tmp' });
    expect(await choose('b.json')).toBeUndefined();
    expect(fake.calls[0]?.parent).toBeUndefined();
  });

  it('is part of the app ports when the app gives a dialog', () => {
    const fake = createFakeSaveDialog();
    const net = createFakeNet();
    const shell = { openExternal: () => Promise.resolve() };
    expect(createElectronPorts({ net: net.net, shell, session: new FakeSession() }).chooseSavePath).toBeUndefined();
    const ports = createElectronPorts({ net: net.net, shell, session: new FakeSession(), saveDialog: { dialog: fake.dialog, parent: () => undefined, folder: () => '/tmp' } });
    expect(ports.chooseSavePath).toBeTypeOf('function');
  });
});
