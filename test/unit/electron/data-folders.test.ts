import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALLBACK_NOTE_MAX_AGE_MS, environmentForCallback, rememberCallbackVault } from '../../../main/electron/callback-target.js';
import { applyDataFolders, removeChromiumLeftovers, resolveDataFolders } from '../../../main/electron/data-folders.js';
import { FakeApp, FakeMachine } from '../../fixtures/electron/app.js';

let root: string;
let appData: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'tokendesk-folders-')));
  appData = path.join(root, 'config');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('resolveDataFolders', () => {
  it('names the default vault the same whether TOKENDESK_DATA_DIR is unset or spells it out', () => {
    const unset = resolveDataFolders({ env: {}, appData, cwd: root, platform: 'linux' });
    const spelled = resolveDataFolders({ env: { TOKENDESK_DATA_DIR: path.join(appData, 'TokenDesk') }, appData, cwd: root, platform: 'linux' });
    expect(unset).toEqual({ vault: path.join(appData, 'TokenDesk'), chromium: path.join(appData, 'TokenDesk Chromium', 'default'), isDefaultVault: true });
    expect(spelled).toEqual(unset);
  });

  it('follows a symlink to the real folder, so two spellings share one Chromium folder (and one lock)', () => {
    const real = path.join(root, 'real');
    const first = resolveDataFolders({ env: { TOKENDESK_DATA_DIR: real }, appData, cwd: root, platform: 'linux' });
    symlinkSync(real, path.join(root, 'link'));
    const second = resolveDataFolders({ env: { TOKENDESK_DATA_DIR: 'link' }, appData, cwd: root, platform: 'linux' });
    expect(second).toEqual(first);
    expect(first.isDefaultVault).toBe(false);
  });

  it('the folders it returns are what app.setPath accepts (absolute, existing)', () => {
    const app = new FakeApp({ machine: new FakeMachine(root, appData) });
    expect(() => app.setPath('userData', 'relative/folder')).toThrow('Path must be absolute');
    const folders = resolveDataFolders({ env: { TOKENDESK_DATA_DIR: 'relative/folder' }, appData, cwd: root, platform: 'linux' });
    applyDataFolders(app, folders);
    expect(app.getPath('userData')).toBe(folders.chromium);
    expect(app.getPath('sessionData')).toBe(folders.chromium);
  });
});

describe('environmentForCallback', () => {
  const callbackArgv = ['/opt/TokenDesk/tokendesk-app', 'tokendesk://callback?code=c&state=s'];
  const now = 1_800_000_000_000;

  it('points a callback launch at the vault that noted a sign-in', () => {
    rememberCallbackVault(appData, '/srv/vaults/team', now);
    expect(environmentForCallback(callbackArgv, { HOME: root }, appData, now + 1000)).toEqual({ HOME: root, TOKENDESK_DATA_DIR: '/srv/vaults/team' });
  });

  it('leaves everything else alone: no callback URL, an explicit TOKENDESK_DATA_DIR, no note, an old note', () => {
    expect(environmentForCallback(['/opt/TokenDesk/tokendesk-app'], {}, appData, now)).toEqual({});
    expect(environmentForCallback(callbackArgv, {}, appData, now)).toEqual({});
    rememberCallbackVault(appData, '/srv/vaults/team', now);
    expect(environmentForCallback(callbackArgv, { TOKENDESK_DATA_DIR: '/mine' }, appData, now)).toEqual({ TOKENDESK_DATA_DIR: '/mine' });
    expect(environmentForCallback(callbackArgv, {}, appData, now + CALLBACK_NOTE_MAX_AGE_MS + 1)).toEqual({});
  });
});

describe('removeChromiumLeftovers', () => {
  function folderWithLeftovers(marker: boolean): string {
    const vault = path.join(root, 'vault');
    mkdirSync(path.join(vault, 'Cache'), { recursive: true });
    writeFileSync(path.join(vault, 'Cache', 'data_0'), 'x');
    for (const file of ['vault.json', 'vault.json.bak', 'Cookies', 'my notes.txt']) writeFileSync(path.join(vault, file), '{}');
    if (marker) writeFileSync(path.join(vault, 'Local State'), '{}');
    return vault;
  }

  it("removes what Chromium wrote into an old vault folder, and nothing else", () => {
    const vault = folderWithLeftovers(true);
    expect(removeChromiumLeftovers(vault, fs).sort()).toEqual(['Cache', 'Cookies', 'Local State']);
    expect(readdirSync(vault).sort()).toEqual(['my notes.txt', 'vault.json', 'vault.json.bak']);
  });

  it("touches nothing without Chromium's marker file", () => {
    const vault = folderWithLeftovers(false);
    expect(removeChromiumLeftovers(vault, fs)).toEqual([]);
    expect(readdirSync(vault)).toContain('Cookies');
  });
});
