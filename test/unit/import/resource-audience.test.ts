/**
 * RFC 8707 `resource` and the `audience` parameter as import settings:
 * canonical keys, aliases, one value or a list, refusals with line and
 * column, and the rule for the same name given as an extra parameter.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../main/core/errors.js';
import { importCredentials, previewImport, validateAccount } from '../../../main/core/import/index.js';
import type { AccountSettings } from '../../../shared/account.js';

const BASE = 'token_url = "https://auth.example/oauth/token"\nclient_id = "c"\nclient_secret = "Sx-client-secret-9f3a"\n';

async function one(text: string): Promise<AccountSettings> {
  const [account] = await importCredentials({ text, fileName: 'creds.toml' });
  return account!;
}

async function rejection(text: string): Promise<InputError> {
  const error = await importCredentials({ text, fileName: 'creds.toml' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'import should have been refused').toBeInstanceOf(InputError);
  expect((error as Error).message).not.toContain('Sx-client-secret-9f3a');
  return error as InputError;
}

describe('resource and audience at import', () => {
  it('imports resource as a list and audience as one text, values kept exactly as written', async () => {
    const account = await one(`${BASE}resource = ["https://api.example/a", "https://api.example/b?x=1"]\naudience = "https://api.example/"\n`);
    expect(account.resource).toEqual(['https://api.example/a', 'https://api.example/b?x=1']);
    expect(account.audience).toBe('https://api.example/');
    expect(account.extra).toEqual({});
  });

  it('takes one text as a one-element list, and leaves both unset when absent', async () => {
    expect((await one(`${BASE}resource = "  https://api.example/a  "\n`)).resource).toEqual(['https://api.example/a']);
    const plain = await one(BASE);
    expect(plain.resource).toBeUndefined();
    expect(plain.audience).toBeUndefined();
  });

  it('accepts URNs (any absolute URI: RFC 8707 2) and sends a value given twice once', async () => {
    const account = await one(`${BASE}resource = ["urn:example:api", "https://api.example/a", "https://api.example/a"]\n`);
    expect(account.resource).toEqual(['urn:example:api', 'https://api.example/a']);
  });

  it.each([
    ['resources', ['https://api.example/a', 'https://api.example/b']],
    ['resource_indicator', 'https://api.example/a'],
    ['resource_indicators', ['https://api.example/a']],
    ['resourceIndicators', ['https://api.example/a']],
    ['resource-indicator', 'https://api.example/a'],
    ['Resource', 'https://api.example/a'],
  ])('maps the alias %s to resource', async (key, value) => {
    const toml = `${BASE}${key} = ${JSON.stringify(value)}\n`;
    expect((await one(toml)).resource).toEqual(Array.isArray(value) ? value : [value]);
  });

  it('maps Audience and AUDIENCE to audience, and suggests audience for aud without accepting it', async () => {
    expect((await one(`${BASE}Audience = "my-api"\n`)).audience).toBe('my-api');
    const error = await rejection(`${BASE}aud = "my-api"\n`);
    expect(error.code).toBe('ERR_INPUT_UNKNOWN');
    expect(error.location).toMatchObject({ line: 4, column: 1, field: 'aud' });
    expect(error.message).toMatch(/did you mean "audience"/);
  });

  it('refuses a resource that is not an absolute address, naming the key, line and column and not quoting it', async () => {
    const error = await rejection(`${BASE}\n  resource = ["https://api.example/a", "api.example/b"]\n`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ file: 'creds.toml', line: 5, column: 3, field: 'resource' });
    expect(error.message).toMatch(/^creds\.toml, line 5, column 3 \(field "resource"\): resource value 2 of 2 is not an absolute address/);
    expect(error.message).not.toContain('api.example/b');
  });

  it('refuses a resource with a fragment (RFC 8707 2)', async () => {
    const error = await rejection(`${BASE}resource = "https://api.example/a#section"\n`);
    expect(error.location).toMatchObject({ line: 4, column: 1, field: 'resource' });
    expect(error.message).toMatch(/resource must not contain a fragment/);
  });

  it('refuses a resource of the wrong type and an audience given as a list, saying what to write', async () => {
    const number = await rejection(`${BASE}resource = 42\n`);
    expect(number.location).toMatchObject({ line: 4, field: 'resource' });
    expect(number.message).toMatch(/must be a web address in quotes, or a list of them/);
    const list = await rejection(`${BASE}audience = ["a", "b"]\n`);
    expect(list.location).toMatchObject({ line: 4, column: 1, field: 'audience' });
    expect(list.message).toMatch(/one text, not a list.*resource = \[/);
  });

  it('refuses an empty audience', async () => {
    const error = await rejection(`${BASE}audience = "  "\n`);
    expect(error.location).toMatchObject({ line: 4, field: 'audience' });
    expect(error.message).toMatch(/audience is empty/);
  });

  it('refuses audience and [extra.token] audience together, naming both keys', async () => {
    const error = await rejection(`${BASE}audience = "a"\n[extra.token]\naudience = "b"\n`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ line: 5, field: 'extra' });
    expect(error.message).toMatch(/extra\.token\.audience and audience both set the audience parameter; keep only audience/);
  });

  it('refuses resource and an extra resource of another request kind together, whatever its case', async () => {
    for (const kind of ['authorize', 'refresh', 'device']) {
      const preview = await previewImport({ text: `${BASE}resource = "https://api.example/a"\n[extra.${kind}]\nResource = "https://api.example/b"\n` });
      expect(preview.accounts).toEqual([]);
      expect(preview.problems).toEqual([
        expect.objectContaining({ location: expect.objectContaining({ line: 5 }), message: expect.stringMatching(new RegExp(`extra\\.${kind}\\.Resource and resource both set the resource parameter`)) }),
      ]);
    }
    // Revocation carries no resource (RFC 7009 names the token): an extra there stays the user's own.
    expect((await one(`${BASE}resource = "https://api.example/a"\n[extra.revoke]\nresource = "x"\n`)).extra).toEqual({ revoke: { resource: 'x' } });
  });

  it('keeps an [extra.token] audience without the setting as it always was (SPEC 5 example files)', async () => {
    const account = await one(`${BASE}[extra.token]\naudience = "https://api.example/"\n`);
    expect(account.audience).toBeUndefined();
    expect(account.extra).toEqual({ token: { audience: 'https://api.example/' } });
  });

  it('shares resource and audience from the top of a several-account file, each account able to set its own', async () => {
    const accounts = await importCredentials({
      text: `resource = ["https://api.example/shared"]\naudience = "shared"\n[accounts.one]\n${BASE}[accounts.two]\n${BASE}resource = "https://api.example/own"\n`,
    });
    expect(accounts.map((a) => [a.name, a.resource, a.audience])).toEqual([
      ['one', ['https://api.example/shared'], 'shared'],
      ['two', ['https://api.example/own'], 'shared'],
    ]);
  });

  it('applies the same rules to an edited account (validateAccount)', () => {
    const account: AccountSettings = { name: 'x', grant: 'client_credentials', tokenUrl: 'https://a.example/t', clientId: 'c', clientSecret: 's', clientAuth: 'basic', scopes: [], scopeSeparator: ' ', extra: {} };
    expect(() => validateAccount({ ...account, resource: ['https://api.example/a'] })).not.toThrow();
    expect(() => validateAccount({ ...account, resource: ['not a uri'] })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_FIELD', location: { field: 'resource' } }));
    expect(() => validateAccount({ ...account, audience: 'a', extra: { token: { audience: 'b' } } })).toThrow(/both set the audience parameter/);
  });

  it('every fixture file still imports', async () => {
    const dir = join(__dirname, '../../fixtures/import');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.toml'))) {
      const preview = await previewImport({ text: readFileSync(join(dir, file), 'utf8'), fileName: file, baseDir: dir });
      expect(preview.problems, file).toEqual([]);
    }
  });
});
