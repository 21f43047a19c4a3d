import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { DEFAULT_SCRYPT_PARAMS, createPassphraseSlot } from '../../../main/core/vault/passphrase-slot.js';
import { codeOf } from '../../helpers/error-code.js';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('passphrase key slot', () => {
  it('defaults to strong scrypt parameters (N=2^17, r=8, p=1)', () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
  });

  it('unwraps the data key it wrapped, storing salt and parameters but no plain key', async () => {
    const key = randomBytes(32);
    const slot = await createPassphraseSlot('horse battery', cheap).wrap(key);
    expect(slot.data).toMatchObject({ kdf: 'scrypt', N: 1024, r: 8, p: 1 });
    expect(JSON.stringify(slot)).not.toContain(key.toString('base64'));
    expect(JSON.stringify(slot)).not.toContain('horse battery');
    const { dataKey, shouldRewrap } = await createPassphraseSlot('horse battery', cheap).unwrap(slot);
    expect(Buffer.from(dataKey).equals(key)).toBe(true);
    expect(shouldRewrap).toBe(false);
  });

  it('says ERR_VAULT_PASSPHRASE for a wrong passphrase, without echoing it', async () => {
    const slot = await createPassphraseSlot('right one', cheap).wrap(randomBytes(32));
    const error = await createPassphraseSlot('wrong one', cheap).unwrap(slot).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('ERR_VAULT_PASSPHRASE');
    expect((error as VaultError).message).toBe('The passphrase is not right.');
    expect((error as VaultError).message).not.toContain('wrong one');
  });

  it('opens with the same passphrase typed in NFD (macOS) or NFC form', async () => {
    const slot = await createPassphraseSlot('Kr\u00e4he', cheap).wrap(randomBytes(32));
    await expect(createPassphraseSlot('Kra\u0308he', cheap).unwrap(slot)).resolves.toBeDefined();
  });

  it('asks for a rewrap when the stored parameters are weaker than the current ones', async () => {
    const slot = await createPassphraseSlot('pw', cheap).wrap(randomBytes(32));
    const { shouldRewrap } = await createPassphraseSlot('pw', { N: 2 ** 11, r: 8, p: 1 }).unwrap(slot);
    expect(shouldRewrap).toBe(true);
  });

  it('detects edited scrypt parameters and refuses hostile ones without running them', async () => {
    const slot = await createPassphraseSlot('pw', cheap).wrap(randomBytes(32));
    expect(await codeOf(createPassphraseSlot('pw', cheap).unwrap({ ...slot, data: { ...slot.data, N: 2048 } }))).toBe('ERR_VAULT_PASSPHRASE');
    // 2^30 would ask for 1 TiB: refused as damage, not attempted.
    expect(await codeOf(createPassphraseSlot('pw', cheap).unwrap({ ...slot, data: { ...slot.data, N: 2 ** 30 } }))).toBe('ERR_VAULT_DAMAGED');
    expect(await codeOf(createPassphraseSlot('pw', cheap).unwrap({ ...slot, data: { ...slot.data, salt: '**' } }))).toBe('ERR_VAULT_DAMAGED');
  });

  it('bounds parameters read from a file: 128·N·r at most 256 MiB and p at most 4 are damage, refused before deriving', async () => {
    const slot = await createPassphraseSlot('pw', cheap).wrap(randomBytes(32));
    const edited = (change: Record<string, number>) => ({ ...slot, data: { ...slot.data, ...change } });
    for (const change of [{ N: 2 ** 19, r: 8 }, { N: 2 ** 20, r: 8 }, { N: 2 ** 18, r: 16 }, { N: 2 ** 10, r: 2049 }, { p: 5 }, { p: 16 }] as Record<string, number>[]) {
      const started = Date.now();
      expect(await codeOf(createPassphraseSlot('pw', cheap).unwrap(edited(change))), JSON.stringify(change)).toBe('ERR_VAULT_DAMAGED');
      expect(Date.now() - started, JSON.stringify(change)).toBeLessThan(100); // no derivation was attempted
    }
    // The edge of the range is accepted as parameters (the edited AAD then says "wrong passphrase").
    expect(await codeOf(createPassphraseSlot('pw', cheap).unwrap(edited({ p: 4 })))).toBe('ERR_VAULT_PASSPHRASE');
  });

  it('accepts creating slots up to the bound and not beyond', () => {
    expect(() => createPassphraseSlot('pw', { N: 2 ** 18, r: 8, p: 1 })).not.toThrow();
    expect(() => createPassphraseSlot('pw', { N: 2 ** 17, r: 16, p: 4 })).not.toThrow();
    expect(() => createPassphraseSlot('pw', { N: 2 ** 19, r: 8, p: 1 })).toThrow(RangeError);
    expect(() => createPassphraseSlot('pw', { N: 2 ** 17, r: 8, p: 5 })).toThrow(RangeError);
  });

  it('refuses an empty passphrase and out-of-range parameters', () => {
    expect(() => createPassphraseSlot('')).toThrow(VaultError);
    expect(() => createPassphraseSlot('pw', { N: 1000, r: 8, p: 1 })).toThrow(RangeError);
  });

  it('uses the strong defaults end to end (one real N=2^17 derivation)', async () => {
    const slot = await createPassphraseSlot('strong').wrap(randomBytes(32));
    expect(slot.data['N']).toBe(2 ** 17);
  });
});
