/**
 * The packaged app never runs without Chromium's sandbox.
 *
 * electron-builder 26's AppImage launcher adds `--no-sandbox` by itself
 * wherever `unshare -Ur true` fails, which is every Ubuntu 24.04 and later
 * where AppArmor restricts unprivileged user namespaces (app-builder-lib
 * out/targets/appimage/appImageUtil.js `generateAppRunScript`: "we prefer the
 * app to start without sandboxing rather than crash on startup"; see
 * electron/electron#42510 and electron-userland/electron-builder#8440). That
 * trade is wrong for a credential manager, and no option turns it off, so the
 * app refuses instead and says what to install. `ELECTRON_DISABLE_SANDBOX`
 * ends up as the same switch (electron shell/app/electron_main_delegate.cc:
 * `command_line->AppendSwitch(sandbox::policy::switches::kNoSandbox)`), so one
 * check covers both.
 *
 * The development build is left alone: Playwright's `_electron` adds
 * `--no-sandbox` on Linux, and containers without user namespaces need it.
 */

export interface SandboxCheck {
  /** `app.isPackaged`. */
  packaged: boolean;
  platform: NodeJS.Platform;
  /** `app.commandLine.hasSwitch`: the switches Chromium itself reads. */
  hasSwitch(name: string): boolean;
}

/** The reason the app will not start, in plain words, or undefined when the sandbox is on. */
export function sandboxRefusal(check: SandboxCheck): string | undefined {
  if (!check.packaged || !check.hasSwitch('no-sandbox')) return undefined;
  const common = 'TokenDesk was started with the browser sandbox turned off (--no-sandbox), and it will not run that way: the sandbox keeps your tokens apart from web content.';
  if (check.platform === 'linux') {
    return `${common} On Ubuntu 24.04 and later the AppImage cannot use the sandbox. Install the .deb package instead: it sets the sandbox up for you.`;
  }
  return `${common} Start TokenDesk without --no-sandbox and without ELECTRON_DISABLE_SANDBOX.`;
}
