import { describe, expect, it } from 'vitest';
import { sandboxRefusal } from '../../../main/electron/sandbox-guard.js';

/**
 * `app.commandLine.hasSwitch` over a process's argv and environment, as
 * Electron builds its command line: switches are named without the leading
 * dashes (electron.d.ts CommandLine.hasSwitch "switch: A command-line switch"),
 * and ELECTRON_DISABLE_SANDBOX appends `no-sandbox`
 * (shell/app/electron_main_delegate.cc: `if (env->HasVar(kElectronDisableSandbox))
 * command_line->AppendSwitch(sandbox::policy::switches::kNoSandbox)`).
 */
function commandLine(argv: string[], env: Record<string, string> = {}): (name: string) => boolean {
  const switches = new Set(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0]));
  if ('ELECTRON_DISABLE_SANDBOX' in env) switches.add('no-sandbox');
  return (name) => switches.has(name);
}

// What electron-builder 26's AppRun runs where `unshare -Ur true` fails (appImageUtil.js generateAppRunScript).
const APPRUN_FALLBACK = ['/tmp/.mount_TokenD/tokendesk-app', '--no-sandbox', 'tokendesk://callback?code=x'];

describe('the packaged app never runs without the sandbox', () => {
  it("refuses the AppImage launcher's --no-sandbox fallback, naming the deb", () => {
    const reason = sandboxRefusal({ packaged: true, platform: 'linux', hasSwitch: commandLine(APPRUN_FALLBACK) });
    expect(reason).toContain('--no-sandbox');
    expect(reason).toContain('Install the .deb package');
  });

  it('refuses ELECTRON_DISABLE_SANDBOX the same way, on every system', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(sandboxRefusal({ packaged: true, platform, hasSwitch: commandLine(['/app'], { ELECTRON_DISABLE_SANDBOX: '1' }) })).toMatch(/will not run that way/);
    }
  });

  it('lets a normal start through, and leaves the development build alone', () => {
    expect(sandboxRefusal({ packaged: true, platform: 'linux', hasSwitch: commandLine(['/opt/TokenDesk/tokendesk-app', 'tokendesk://cb']) })).toBeUndefined();
    // Playwright's _electron adds --no-sandbox on Linux (playwright-core coreBundle.js Electron.launch).
    expect(sandboxRefusal({ packaged: false, platform: 'linux', hasSwitch: commandLine(['electron', '--no-sandbox', '.']) })).toBeUndefined();
  });
});
