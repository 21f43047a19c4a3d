/**
 * The environment of every process the CLI starts (the system browser
 * today). TOKENDESK_* variables are the CLI's own settings and one of them
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
