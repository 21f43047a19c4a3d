import { describe, expect, it } from 'vitest';
import { InputError } from '../../../main/core/errors.js';
import { importCredentials } from '../../../main/core/import/index.js';
import { KeyLocator } from '../../../main/core/import/key-locator.js';

describe('KeyLocator', () => {
  const text = [
    'preset = "netrex"', // 1
    '[accounts."camera wall"]', // 2
    '  note = """', // 3
    'fake = "inside a multi-line string"', // 4
    '"""', // 5
    'extra.token = { audience = "a", resource = "r" }', // 6
    '[[things]]', // 7
    '[[things]]', // 8
    'x = 1', // 9
  ].join('\n');
  const locator = new KeyLocator(text);

  it('finds quoted table names, dotted keys, inline-table keys and array-of-tables elements', () => {
    expect(locator.exact(['accounts', 'camera wall'])).toEqual({ line: 2, column: 1 });
    expect(locator.exact(['accounts', 'camera wall', 'note'])).toEqual({ line: 3, column: 3 });
    expect(locator.exact(['accounts', 'camera wall', 'extra', 'token', 'resource'])).toEqual({ line: 6, column: 33 });
    expect(locator.exact(['things', '1', 'x'])).toEqual({ line: 9, column: 1 });
  });

  it('ignores key-like lines inside multi-line strings', () => {
    expect(locator.exact(['accounts', 'camera wall', 'fake'])).toBeUndefined();
  });

  it('falls back to the nearest located parent', () => {
    expect(locator.find(['accounts', 'camera wall', 'missing'])).toEqual({ line: 2, column: 1 });
  });
});

describe('locations in multi-account files', () => {
  it('locates an unknown key inside an [accounts.NAME] table', async () => {
    const text = '[accounts.prod]\naccess_token = "t"\n\tacess_token = "u"';
    const error = (await importCredentials({ text }).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toMatchObject({ line: 3, column: 2, field: 'accounts.prod.acess_token' });
  });

  it('locates a wrong extra parameter in an inline table', async () => {
    const text = 'access_token = "t"\nextra = { token = { audience = ["x"] } }';
    const error = (await importCredentials({ text }).catch((e: unknown) => e)) as InputError;
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ line: 2, field: 'extra.token.audience' });
  });
});
