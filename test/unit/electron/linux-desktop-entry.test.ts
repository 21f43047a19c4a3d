import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDesktopEntry, installAppImageDesktopEntry, quoteExecArgument } from '../../../main/electron/linux-desktop-entry.js';

describe('AppImage desktop entry', () => {
  it('declares both callback schemes and passes the URL with %U', () => {
    const entry = buildDesktopEntry('/home/ann/Apps/TokenDesk-0.1.0.AppImage');
    expect(entry).toContain('MimeType=x-scheme-handler/tokendesk;x-scheme-handler/app.tokendesk;');
    expect(entry).toContain('Exec="/home/ann/Apps/TokenDesk-0.1.0.AppImage" %U');
  });

  it('quotes Exec arguments per the Desktop Entry spec, and refuses line breaks', () => {
    expect(quoteExecArgument('/a b/$x`y"z\\w')).toBe('"/a b/\\\\$x\\\\`y\\\\"z\\\\\\\\w"');
    expect(() => quoteExecArgument('/tmp/x\nExec=evil')).toThrow();
  });

  it('writes the entry only when running as an AppImage on Linux', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'tokendesk-home-'));
    try {
      expect(installAppImageDesktopEntry({}, 'linux', home)).toBeUndefined();
      expect(installAppImageDesktopEntry({ APPIMAGE: '/x/T.AppImage' }, 'darwin', home)).toBeUndefined();
      expect(installAppImageDesktopEntry({ APPIMAGE: '/x/T.AppImage' }, 'linux', home)).toBe('tokendesk.desktop');
      const written = await readFile(path.join(home, '.local', 'share', 'applications', 'tokendesk.desktop'), 'utf8');
      expect(written).toContain('Exec="/x/T.AppImage" %U');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
