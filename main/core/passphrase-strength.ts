/**
 * The one strength rule for a vault passphrase, used by the app and the CLI
 * whenever a passphrase is SET (a new vault, a new recovery passphrase);
 * opening an existing vault never judges the passphrase.
 *
 * The estimate comes from zxcvbn-ts (a maintained port of Dropbox's zxcvbn)
 * with its common-password list and English dictionaries. They weigh about
 * 1.6 MB, so they are loaded on the first call, not when this module is
 * imported: `tokendesk token NAME` imports the session code but never sets
 * a passphrase, and must not pay for the dictionaries.
 */
import { createRequire } from 'node:module';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import type * as ZxcvbnEnglish from '@zxcvbn-ts/language-en';
import { MIN_PASSPHRASE_LENGTH } from '../../shared/passphrase.js';

/**
 * zxcvbn's score 4 means an estimated 10^10 guesses or more. The threshold is
 * set for the attack that matters: someone who copied `vault.json` (from a
 * backup disk, a synced folder) guesses offline against the scrypt slot.
 * zxcvbn's own "slow hash" model is 10^4 guesses a second, so score 3
 * (10^8 guesses) would fall in about three hours, score 4 in about twelve
 * days at the very least; our scrypt (N=2^17, 128 MiB a guess) is slower per
 * guess than that model. Four words picked at random score far above it
 * (about 10^15), so the rule asks for a passphrase, not for symbols.
 */
export const MIN_PASSPHRASE_SCORE = 4;

/**
 * Only the first 64 characters are estimated: the estimate's cost grows
 * quickly with length (a random 100-character text takes about half a
 * second), and judging a prefix can only refuse more, never accept a weak
 * passphrase, because adding characters never makes a passphrase weaker.
 */
const ESTIMATED_LENGTH = 64;

/** Words that belong to this app and make a passphrase guessable. */
const APP_WORDS = ['tokendesk', 'vault'];

type Estimator = InstanceType<typeof ZxcvbnCore.ZxcvbnFactory>;

let estimator: Estimator | undefined;

/** How strong a passphrase is, as the strength meter shows it (the `passphrase:check` channel). */
export interface PassphraseStrength {
  /** true: the vault accepts it as a new passphrase (the same rule as passphraseProblem). */
  acceptable: boolean;
  /** zxcvbn's score, 0 (guessed at once) to 4 (MIN_PASSPHRASE_SCORE and above). */
  score: 0 | 1 | 2 | 3 | 4;
  /** One or two plain sentences: why it is refused and how to do better, or that it is strong enough. Never quotes it. */
  feedback: string;
}

/** What the meter says of a passphrase the vault accepts. */
export const STRONG_ENOUGH = 'This passphrase is strong enough.';

/**
 * Why `passphrase` is refused as a new vault passphrase, in one or two plain
 * sentences, or undefined when it is acceptable. The text comes from zxcvbn's
 * feedback and never quotes the passphrase. `userInputs` are words that go
 * with this user or these accounts (a login name, account names): using them
 * makes a passphrase weaker.
 */
export function passphraseProblem(passphrase: string, userInputs: string[] = []): string | undefined {
  const strength = passphraseStrength(passphrase, userInputs);
  return strength.acceptable ? undefined : strength.feedback;
}

/**
 * The same rule as passphraseProblem, with zxcvbn's score for a strength
 * meter: a passphrase is acceptable exactly when passphraseProblem accepts it.
 */
export function passphraseStrength(passphrase: string, userInputs: string[] = []): PassphraseStrength {
  const words = [...APP_WORDS, ...userInputs.filter((word) => word !== '')];
  const zxcvbn = loadEstimator();
  let result = zxcvbn.check(passphrase, words);
  // zxcvbn guesses a space-separated word as random characters ("my vault 2024"
  // scores far above "myvault2024"); an attacker just tries word lists with
  // spaces. So the passphrase is judged with its spaces removed as well, and
  // the weaker of the two counts.
  const joined = passphrase.replace(/\s+/gu, '');
  if (joined !== passphrase) {
    const withoutSpaces = zxcvbn.check(joined, words);
    if (withoutSpaces.guesses < result.guesses) result = withoutSpaces;
  }
  const score = result.score;
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    return {
      acceptable: false,
      // A short passphrase never shows as strong, whatever the estimate says.
      score: Math.min(score, 1) as PassphraseStrength['score'],
      feedback: `This passphrase is too short: use at least ${MIN_PASSPHRASE_LENGTH} characters, best four or more words picked at random.`,
    };
  }
  if (score >= MIN_PASSPHRASE_SCORE) return { acceptable: true, score, feedback: STRONG_ENOUGH };
  const why = result.feedback.warning ? lowerFirst(result.feedback.warning) : 'it would be guessed too easily.';
  // zxcvbn lists the general advice ("add more words") first and the one for this passphrase last.
  const how = result.feedback.suggestions.at(-1) ?? 'Add more words that are less common.';
  return { acceptable: false, score, feedback: `This passphrase is too weak: ${why} ${how}` };
}

function loadEstimator(): Estimator {
  if (estimator) return estimator;
  // Synchronous on purpose, so callers stay synchronous; createRequire loads
  // the packages' CommonJS builds, which plain Node and Electron both run.
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof ZxcvbnCore;
  const common = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
  const english = require('@zxcvbn-ts/language-en') as typeof ZxcvbnEnglish;
  estimator = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: passphraseWording(english.translations),
    maxLength: ESTIMATED_LENGTH,
  });
  return estimator;
}

/** zxcvbn speaks of passwords and web pages; TokenDesk asks for a passphrase. */
function passphraseWording(translations: typeof ZxcvbnEnglish.translations): typeof ZxcvbnEnglish.translations {
  const reword = (table: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(table).map(([key, text]) => [key, text.replaceAll('password', 'passphrase')]));
  return {
    ...translations,
    warnings: { ...(reword(translations.warnings) as typeof translations.warnings), userInputs: 'Words that go with TokenDesk, you or your accounts are easy to guess.' },
    suggestions: reword(translations.suggestions) as typeof translations.suggestions,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
