import { MIN_PASSPHRASE_LENGTH } from '../../shared/passphrase.js';
import { S } from './strings.js';

/**
 * What is wrong with a new passphrase and its confirmation, before anything
 * is sent. `whenEmpty`: 'allowed' where the passphrase is optional (a keychain
 * protects the vault), else the message to show for an empty one.
 */
export function passphraseProblem(passphrase: string, confirm: string, whenEmpty: 'allowed' | string): string | undefined {
  if (passphrase === '' && confirm === '') return whenEmpty === 'allowed' ? undefined : whenEmpty;
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return S.firstRun.tooShort;
  if (passphrase !== confirm) return S.firstRun.mismatch;
  return undefined;
}
