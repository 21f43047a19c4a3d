/**
 * `passphrase:check`: the strength meter asks the main process, so the window
 * judges a new passphrase by exactly the rule the vault and the CLI enforce
 * (main/core/passphrase-strength.ts). The passphrase is never logged or kept.
 */
import { passphraseStrength } from '../passphrase-strength.js';
import type { HandlerGroup } from './handler.js';

export function passphraseHandlers(): HandlerGroup<'passphrase:check'> {
  return {
    // No user inputs: the session enforces the rule without them (app-session checkPassphrase), and the meter must agree with it.
    'passphrase:check': async ({ passphrase }) => ({ ...passphraseStrength(passphrase) }),
  };
}
