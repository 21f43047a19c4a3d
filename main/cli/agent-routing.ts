/**
 * Which way a vault command goes (SPEC 6, "The agent"): to a running agent
 * (the unlocked desktop app or `tokendesk agent`), or straight to the vault
 * file with the passphrase.
 *
 * - Reading commands (`token NAME`, `list`) ask the agent when no
 *   TOKENDESK_PASSPHRASE is set: a script with the passphrase keeps working
 *   as before, without an approval dialog popping up in the app.
 * - Changing commands (`import`, `remove`, `revoke`) go through the agent
 *   whenever one answers, so the app and the command line never race.
 * - `--no-agent` forces the direct path.
 * When no agent answers and there is no passphrase to open the vault with
 * (no TOKENDESK_PASSPHRASE, no terminal to ask on), the command fails with
 * exit 5 and says the three ways to get a token.
 */
import { askAgent, meansNoAgent } from '../core/agent/client.js';
import type { AgentOperation, AgentRequestBody, AgentResults } from '../core/agent/protocol.js';
import { VaultError } from '../core/errors.js';
import type { CliContext } from './context.js';
import type { HandedToken, TokenRequest, TokenSource } from './token-source.js';

export type CommandKind = 'read' | 'change';

export function passphraseGiven(cli: CliContext): boolean {
  const value = cli.io.env.TOKENDESK_PASSPHRASE;
  return value !== undefined && value !== '';
}

/** Whether this command asks the agent before opening the vault itself. */
export function asksAgentFirst(cli: CliContext, kind: CommandKind, noAgent: boolean): boolean {
  if (noAgent) return false;
  return kind === 'change' || !passphraseGiven(cli);
}

/**
 * The agent's answer, or undefined when no agent serves this vault (or the
 * one that did is locking right now): the caller then opens the vault itself.
 */
export async function askAgentIfRunning<Op extends AgentOperation>(cli: CliContext, dataDir: string, body: Extract<AgentRequestBody, { op: Op }>): Promise<AgentResults[Op] | undefined> {
  try {
    return await askAgent(dataDir, body, { signal: cli.signal });
  } catch (error) {
    if (meansNoAgent(error)) return undefined;
    throw error;
  }
}

/**
 * Called when the agent was asked and none answered: the direct path needs
 * the passphrase, from TOKENDESK_PASSPHRASE or a prompt on a terminal.
 */
export function requirePassphraseSource(cli: CliContext): void {
  if (passphraseGiven(cli)) return;
  const stdin = cli.io.stdin;
  if (stdin.isTTY && stdin.setRawMode) return;
  throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked: open TokenDesk, start `tokendesk agent`, or set TOKENDESK_PASSPHRASE.');
}

/**
 * Tokens from the running agent; when none answers, from `direct()` (the
 * vault opened here), for this and every later request of the command.
 */
export function agentFirstTokenSource(cli: CliContext, dataDir: string, direct: () => TokenSource): TokenSource {
  let fallback: TokenSource | undefined;
  return {
    async getToken(request: TokenRequest): Promise<HandedToken> {
      if (!fallback) {
        const token = await askAgentIfRunning(cli, dataDir, { op: 'token', name: request.name, force: request.force, minValiditySeconds: request.minValiditySeconds });
        if (token) return token;
        requirePassphraseSource(cli);
        fallback = direct();
      }
      return fallback.getToken(request);
    },
    // Only the vault opened here can present a client certificate: a token from the agent comes without one.
    async portsFor(name: string) {
      return fallback?.portsFor?.(name);
    },
    close() {
      fallback?.close();
    },
  };
}
