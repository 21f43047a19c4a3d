import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { CURRENT_VERSION, parseVaultFile } from '../../../main/core/vault/vault-file.js';

function codeOf(text: string): string | undefined {
  try {
    parseVaultFile(Buffer.from(text));
    return undefined;
  } catch (error) {
    return error instanceof VaultError ? error.code : String(error);
  }
}

const slot = { kind: 'passphrase', data: { kdf: 'scrypt' } };
const v1 = {
  format: 'tokendesk-vault',
  version: 1,
  id: Buffer.alloc(16, 1).toString('base64'),
  slots: [slot],
  cipher: { alg: 'A256GCM', iv: Buffer.alloc(12).toString('base64'), tag: Buffer.alloc(16).toString('base64') },
  data: 'AAAA',
};

const v2 = {
  ...v1,
  version: 2,
  keyId: Buffer.alloc(16, 2).toString('base64'),
  counter: 7,
  savedAt: 1_767_225_600_000,
};

describe('vault file format', () => {
  it('parses a well-formed version-2 file, binding key id, counter and save time into the additional data', () => {
    const env = parseVaultFile(Buffer.from(JSON.stringify(v2)));
    expect(env).toMatchObject({ version: 2, counter: 7, savedAt: 1_767_225_600_000 });
    expect(env.keyId?.toString('base64')).toBe(v2.keyId);
    expect(env.aad.toString()).toBe(`tokendesk-vault/2/${v2.id}/${v2.keyId}/7/1767225600000`);
  });

  it('says ERR_VAULT_DAMAGED for a version-2 file without a sound key id, counter or save time', () => {
    expect(codeOf(JSON.stringify({ ...v2, keyId: undefined }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v2, keyId: 'AAAA' }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v2, counter: -1 }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v2, counter: 1.5 }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v2, counter: '7' }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v2, savedAt: 2 ** 60 }))).toBe('ERR_VAULT_DAMAGED');
  });

  it('parses a well-formed version-1 file', () => {
    const env = parseVaultFile(Buffer.from(JSON.stringify(v1)));
    expect(env.version).toBe(1);
    expect(env.aad.toString()).toBe(`tokendesk-vault/1/${v1.id}`);
  });

  it('says ERR_VAULT_VERSION for a file from a newer TokenDesk', () => {
    expect(codeOf(JSON.stringify({ ...v1, version: CURRENT_VERSION + 1 }))).toBe('ERR_VAULT_VERSION');
    try {
      parseVaultFile(Buffer.from(JSON.stringify({ ...v1, version: 9 })));
    } catch (error) {
      expect((error as Error).message).toContain('newer TokenDesk');
    }
  });

  it('says ERR_VAULT_DAMAGED for truncated, foreign or malformed files', () => {
    const text = JSON.stringify(v1);
    expect(codeOf(text.slice(0, text.length - 5))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf('')).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf('{"format":"other","version":1}')).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v1, slots: [] }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v1, slots: [{ kind: 'usb', data: {} }] }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v1, cipher: { ...v1.cipher, iv: 'AAAA' } }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v1, cipher: { ...v1.cipher, alg: 'A128CBC' } }))).toBe('ERR_VAULT_DAMAGED');
    expect(codeOf(JSON.stringify({ ...v1, version: 1.5 }))).toBe('ERR_VAULT_DAMAGED');
  });
});
