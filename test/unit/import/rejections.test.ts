import { describe, expect, it } from 'vitest';
import { InputError } from '../../../main/core/errors.js';
import { importCredentials, previewImport, validateAccount } from '../../../main/core/import/index.js';
import type { AccountSettings } from '../../../shared/account.js';

/** Distinctive secret values: none may ever appear in an error message. */
const SECRETS = ['Sx-client-secret-9f3a', 'Px-password-77c1', 'Tx-access-token-0b2e'];

async function rejection(text: string, fileName = 'creds.toml'): Promise<InputError> {
  const error = await importCredentials({ text, fileName }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'import should have been refused').toBeInstanceOf(InputError);
  for (const secret of SECRETS) expect((error as Error).message).not.toContain(secret);
  return error as InputError;
}

describe('import rejections', () => {
  it('reports a TOML syntax error with file, line, column and plain words, without quoting the line', async () => {
    const error = await rejection(`client_id = "c"\nclient_secret = "${SECRETS[0]}\ntoken_url = "https://x.example/t"`);
    expect(error.code).toBe('ERR_INPUT_SYNTAX');
    // smol-toml points at the end of the line, where the closing quote is missing.
    expect(error.location).toEqual({ file: 'creds.toml', line: 2, column: 39 });
    expect(error.message).toMatch(/^creds\.toml, line 2, column 39: .*not closed/);
  });

  it('refuses an unknown key, naming it and suggesting the closest known one', async () => {
    const error = await rejection('token_url = "https://x.example/t"\nclient_id = "c"\n  clinet_secret = "s"');
    expect(error.code).toBe('ERR_INPUT_UNKNOWN');
    expect(error.location).toMatchObject({ line: 3, column: 3, field: 'clinet_secret' });
    expect(error.message).toMatch(/"clinet_secret" is not a known setting; did you mean "client_secret"\?/);
  });

  it('suggests the canonical key when the typo is closest to an alias', async () => {
    const error = await rejection('token_endpont = "https://x.example/t"');
    expect(error.message).toMatch(/did you mean "token_url"/);
  });

  it('refuses a value of the wrong type, saying what was expected', async () => {
    const error = await rejection(`token_url = "https://x.example/t"\nclient_id = 12345\nclient_secret = "${SECRETS[0]}"`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ line: 2, column: 1, field: 'client_id' });
    expect(error.message).toMatch(/must be text in quotes, not a number/);
  });

  // Issue 13 item 3: what is missing is not in the text, so no line or column (it used to say line 1, column 1).
  it('refuses a missing password in words, naming the field and no line of a single account', async () => {
    const error = await rejection('grant = "password"\ntoken_url = "https://x.example/t"\nclient_id = "c"\nusername = "u"');
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.location).toEqual({ file: 'creds.toml', field: 'password' });
    expect(error.message).toMatch(/The password is missing: add a password line \(the password you log in with; the password grant needs it\)/);
    expect(error.message).not.toMatch(/line \d/);
  });

  it('refuses a missing field of an [accounts.NAME] account at its table header', async () => {
    const error = await rejection('# two accounts\n\n[accounts.ok]\naccess_token = "t"\n\n[accounts.prod]\npreset = "vyopta"\nusername = "u"');
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.location).toMatchObject({ line: 6, column: 1, field: 'accounts.prod.password' });
  });

  it.each([
    ['client_credentials', 'token_url = "https://x.example/t"\nclient_id = "c"', /The client secret is missing: add a client_secret line/],
    ['client_credentials', 'grant = "client_credentials"\nclient_secret = "s"\ntoken_url = "https://x.example/t"', /The client ID is missing: add a client_id line/],
    ['authorization_code', 'grant = "authorization_code"\ntoken_url = "https://x.example/t"\nclient_id = "c"', /The sign-in page address is missing: add an authorize_url line/],
    ['jwt_bearer', 'grant = "jwt_bearer"\ntoken_url = "https://x.example/t"', /The private key is missing: add a key line/],
    ['static', 'grant = "static"', /The access token is missing: add an access_token line/],
    ['device_code', 'grant = "device_code"\ntoken_url = "https://x.example/t"\nclient_id = "c"', /The device sign-in address is missing: add a device_authorization_url line/],
    ['password', 'client_id = "c"\nusername = "u"\npassword = "p"', /The token address is missing: add a token_url line/],
  ])('refuses an incomplete %s account', async (_grant, text, message) => {
    const error = await rejection(text);
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.message).toMatch(message);
  });

  it('refuses an http endpoint that is not loopback, saying why', async () => {
    const error = await rejection(`token_url = "http://idp.example.com/token"\nclient_id = "c"\nclient_secret = "${SECRETS[0]}"`);
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(error.location).toMatchObject({ line: 1, field: 'token_url' });
    expect(error.message).toMatch(/unencrypted/);
  });

  it('refuses a non-loopback http base_url of a preset at the base_url line', async () => {
    const error = await rejection('preset = "netrex"\nbase_url = "http://system2.netrex.cz"\nclient_id = "c"\nclient_secret = "s"');
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(error.location).toMatchObject({ line: 2, field: 'base_url' });
  });

  it('refuses a secret pasted into a URL query without repeating it', async () => {
    const error = await rejection(`token_url = "https://system2.netrex.cz/oauth2/token?client_id=c&client_secret=${SECRETS[0]}"\nclient_id = "c"\nclient_secret = "x"`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.message).toMatch(/must not contain client_secret/);
  });

  it('refuses duplicate account names', async () => {
    const error = await rejection('[[accounts]]\nname = "a"\naccess_token = "t"\n[[accounts]]\nname = "a"\naccess_token = "u"');
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ line: 5, field: 'accounts[1].name' });
    expect(error.message).toMatch(/two accounts are named "a"/);
  });

  it('refuses an unknown grant, client_auth and preset with suggestions', async () => {
    expect((await rejection('grant = "client_credential"')).message).toMatch(/did you mean "client_credentials"/);
    expect((await rejection('access_token = "t"\nclient_auth = "basci"')).message).toMatch(/did you mean "basic"/);
    const preset = await rejection('preset = "myfoxx"');
    expect(preset.code).toBe('ERR_INPUT_UNKNOWN');
    expect(preset.message).toMatch(/did you mean "myfox"/);
  });

  it('refuses a grant the preset does not support', async () => {
    const error = await rejection('preset = "vyopta"\ngrant = "client_credentials"\nclient_secret = "s"');
    expect(error.location).toMatchObject({ line: 2, field: 'grant' });
    expect(error.message).toMatch(/supports the grants password/);
  });

  it('refuses the netrex preset without base_url', async () => {
    const error = await rejection('preset = "netrex"\nclient_id = "c"\nclient_secret = "s"');
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.message).toMatch(/cloud\.camstreamer\.com/);
  });

  it('imports nothing when one of several accounts is bad (all or nothing)', async () => {
    const text = '[accounts.good]\naccess_token = "t"\n[accounts.bad]\ngrant = "static"';
    await rejection(text);
    const preview = await previewImport({ text });
    expect(preview.accounts.map((a) => a.name)).toEqual(['good']);
    expect(preview.problems).toHaveLength(1);
  });

  it('previewImport lists every problem, each with a location: a line for what is in the text, the field for what is missing', async () => {
    const text = 'clinet_id = "c"\nscopes = 5\ntoken_url = "http://x.example/t"\ngrant = "password"';
    const { accounts, problems } = await previewImport({ text, fileName: 'f.toml' });
    expect(accounts).toEqual([]);
    expect(problems.map((p) => p.code)).toEqual(['ERR_INPUT_UNKNOWN', 'ERR_INPUT_FIELD', 'ERR_INPUT_MISSING', 'ERR_INPUT_MISSING', 'ERR_INPUT_MISSING', 'ERR_INPUT_INSECURE_URL']);
    for (const problem of problems) {
      if (problem.code === 'ERR_INPUT_MISSING') expect(problem.location).toEqual({ file: 'f.toml', field: expect.any(String) });
      else expect(problem.location?.line).toBeGreaterThan(0);
    }
  });

  it('refuses an empty text', async () => {
    const error = await rejection('# nothing but a comment\n');
    expect(error.code).toBe('ERR_INPUT_MISSING');
  });

  it('never puts a secret value into any message, whatever goes wrong', async () => {
    const [secret, password, token] = SECRETS;
    const texts = [
      `client_secret = ${secret}`, // unquoted: syntax error on the secret's line
      `password = "${password}" extra`,
      `client_secret = ["${secret}"]`,
      `access_token = { value = "${token}" }`,
      `grant = "${secret}"`,
      `client_auth = "${password}"`,
      `preset = "${token}"`,
      `token_url = "http://${secret}:${password}@idp.example/t"\nclient_id = "c"\nclient_secret = "${secret}"`,
      `password = "${password}"\nclient_id = "c"\ntoken_url = "https://x.example/t"`,
      `[accounts.a]\naccess_token = "${token}"\n[accounts.b]\nname = "a"\naccess_token = "${token}"`,
      `{"type": "serviceaccount", "keyId": "1", "key": "${secret}", "userId": "2"}`,
      `{"type": "serviceaccount", "keyId": "1", "key": "${secret}" "userId": "2"}`,
      `key = "-----BEGIN RSA PRIVATE KEY-----${secret}-----END RSA PRIVATE KEY-----"`,
      `key = '{"type": "serviceaccount", "keyId": "1", "key": "${secret}"}'`,
    ];
    for (const text of texts) {
      const { problems } = await previewImport({ text });
      expect(problems.length, text).toBeGreaterThan(0);
      for (const problem of problems) {
        for (const value of SECRETS) expect(problem.message, text).not.toContain(value);
      }
    }
  });
});

describe('validateAccount', () => {
  const base: AccountSettings = {
    name: 'x',
    grant: 'client_credentials',
    tokenUrl: 'https://idp.example/token',
    clientId: 'c',
    clientSecret: 's',
    clientAuth: 'body',
    scopes: [],
    scopeSeparator: ' ',
    extra: {},
  };

  it('accepts a complete account', () => {
    expect(() => validateAccount(base)).not.toThrow();
  });

  it('accepts loopback http and custom-scheme redirects', () => {
    for (const tokenUrl of ['http://127.0.0.1:9/t', 'http://localhost/t', 'http://[::1]:8080/t']) {
      expect(() => validateAccount({ ...base, tokenUrl, redirectUri: 'app.tokendesk:/callback' })).not.toThrow();
    }
  });

  it('throws with the field named when an edit breaks the account', () => {
    expect(() => validateAccount({ ...base, tokenUrl: 'ftp://idp.example/t' })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INSECURE_URL', location: { field: 'token_url' } }));
    expect(() => validateAccount({ ...base, grant: 'nope' as AccountSettings['grant'] })).toThrow(expect.objectContaining({ code: 'ERR_INPUT_FIELD' }));
    expect(() => validateAccount({ ...base, clientAuth: 'none', clientSecret: undefined, tokenUrl: undefined, issuer: 'https://idp.example' })).not.toThrow();
  });
});
