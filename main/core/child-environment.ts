/**
 * The environment of every process TokenDesk starts (the system browser:
 * xdg-open, open, rundll32 from the CLI; the same through Electron's
 * shell.openExternal in the app). TOKENDESK_* variables are the CLI's own settings and one of them
 * is the vault passphrase: a browser keeps its environment for as long as
 * it runs and hands it to everything it starts, so none of them is passed on.
 */

/** `env` without any TOKENDESK_* variable (any letter case: Windows names are case-insensitive). */
export function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !name.toUpperCase().startsWith('TOKENDESK_')) child[name] = value;
  }
  return child;
}

/**
 * Removes every TOKENDESK_* variable from this process's own environment,
 * once the host has read what it needs: children Electron starts for us
 * (shell.openExternal) inherit the real environment, which Node's
 * `process.env` writes through to.
 */
export function forgetTokenDeskVariables(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) if (name.toUpperCase().startsWith('TOKENDESK_')) delete env[name];
}
