import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { createSafeStorageSlot } from '../../../main/core/vault/safe-storage-slot.js';
import { fakeKeychain } from '../../fixtures/vault/fake-keychain.js';

const keychain = fakeKeychain;

describe('safeStorage key slot', () => {
  it('unwraps the data key it wrapped through the keychain', async () => {
    const os = keychain();
    const key = randomBytes(32);
    const slot = await createSafeStorageSlot(os).wrap(key);
    expect(JSON.stringify(slot)).not.toContain(key.toString('base64'));
    const { dataKey, shouldRewrap } = await createSafeStorageSlot(os).unwrap(slot);
    expect(Buffer.from(dataKey).equals(key)).toBe(true);
    expect(shouldRewrap).toBe(false);
  });

  it("passes on the keychain's shouldReEncrypt as shouldRewrap", async () => {
    const os = keychain({ rotate: true });
    const slot = await createSafeStorageSlot(os).wrap(randomBytes(32));
    expect((await createSafeStorageSlot(os).unwrap(slot)).shouldRewrap).toBe(true);
  });

  it('says ERR_VAULT_KEY_SLOT when another machine\'s keychain cannot decrypt', async () => {
    const slot = await createSafeStorageSlot(keychain()).wrap(randomBytes(32));
    const error = await createSafeStorageSlot(keychain()).unwrap(slot).catch((e: unknown) => e);
    expect((error as VaultError).code).toBe('ERR_VAULT_KEY_SLOT');
  });

  it('refuses the Linux basic_text backend and an unavailable keychain', async () => {
    for (const os of [keychain({ backend: 'basic_text' }), keychain({ available: false })]) {
      const error = await createSafeStorageSlot(os).wrap(randomBytes(32)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultError);
      expect((error as VaultError).code).toBe('ERR_VAULT_KEY_SLOT');
    }
  });
});
