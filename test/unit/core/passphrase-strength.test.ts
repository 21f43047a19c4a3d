/**
 * The one passphrase strength rule (issue 9 item 8), through the real
 * estimator and its real dictionaries.
 */
import { describe, expect, it } from 'vitest';
import { passphraseProblem } from '../../../main/core/passphrase-strength.js';

describe('passphraseProblem', () => {
  it.each(['12345678', 'aaaaaaaa', 'password1', 'qwertyuiop', 'P@ssw0rd123!', 'iloveyou2', 'something else', 'tokendesk vault 2024'])(
    'refuses %j in plain words, without quoting it',
    (weak) => {
      const problem = passphraseProblem(weak);
      expect(problem).toMatch(/^This passphrase is too (weak|short): .+\. [A-Z].+\.$/);
      expect(problem).not.toContain(weak);
      // One or two sentences: why, and how to make a better one.
      expect(problem!.split(/(?<=\.) (?=[A-Z])/).length).toBeLessThanOrEqual(2);
    },
  );

  it('says what is wrong with a common password and with a repeated character', () => {
    expect(passphraseProblem('12345678')).toContain('heavily used passphrase');
    expect(passphraseProblem('aaaaaaaa')).toMatch(/Repeated characters|repeated/i);
  });

  it('refuses anything shorter than the shared minimum length', () => {
    expect(passphraseProblem('x7#Kq!2')).toMatch(/too short: use at least 8 characters/);
  });

  it.each(['lantern orbit pepper glacier', 'zebra quantum violet harbor', 'copper-meadow-tunnel-biscuit'])('accepts four words picked at random: %j', (strong) => {
    expect(passphraseProblem(strong)).toBeUndefined();
  });

  it('weighs words that go with the user or the accounts', () => {
    // Two made-up words are hard to guess, unless they are the names of this user's accounts.
    const passphrase = 'zorblax quintepar';
    expect(passphraseProblem(passphrase)).toBeUndefined();
    expect(passphraseProblem(passphrase, ['zorblax', 'quintepar'])).toMatch(/too weak/);
  });

  it('judges a long passphrase quickly', () => {
    const long = `${'lantern orbit pepper glacier '.repeat(40)}`;
    passphraseProblem('warm up the dictionaries');
    const started = performance.now();
    expect(passphraseProblem(long)).toBeUndefined();
    expect(passphraseProblem('a'.repeat(10_000))).toMatch(/too weak/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
