/**
 * Issue 13 item 3 (core): text as mail programs and vendors' pages hand it
 * over. Curly quotes and Unicode spaces, "Label: value" lines, a JSON object
 * of settings, a key file without its key, and a missing field, each read or
 * refused in words, with positions that match the text the user sees and no
 * secret in any message.
 */
import { describe, expect, it } from 'vitest';
import { importCredentials, previewImport } from '../../../main/core/import/index.js';
import { straightenText } from '../../../main/core/import/sloppy-text.js';

const SECRET = 'myfiber-secret-0001';

function allText(preview: Awaited<ReturnType<typeof previewImport>>): string {
  return JSON.stringify({ problems: preview.problems, notes: preview.notes });
}

describe('curly quotes and non-breaking spaces from a mail program', () => {
  it('straightens them one character for one, and says what it did', () => {
    const text = 'a\u00A0=\u2003“b” ‘c’ „d‟';
    const { text: straight, notes } = straightenText(text);
    expect(straight).toBe(`a = "b" 'c' "d"`);
    expect(straight).toHaveLength(text.length);
    expect(notes).toEqual(['Curly quotes from the mail program were straightened.', 'Non-breaking spaces were replaced by spaces.']);
    expect(straightenText('plain = "text"')).toEqual({ text: 'plain = "text"', notes: [] });
  });

  it('imports a text whose quotes and spaces a mail program changed, with the notes in the preview', async () => {
    const text = `client_id = “myfiber-client”\nclient_secret\u00A0=\u00A0“${SECRET}”\nurl_to_authentication_service =\u00A0“https://idp.example/oauth/v2/token”\n`;
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts[0]).toMatchObject({ clientId: 'myfiber-client', clientSecret: SECRET, tokenUrl: 'https://idp.example/oauth/v2/token' });
    expect(preview.notes).toEqual(['Curly quotes from the mail program were straightened.', 'Non-breaking spaces were replaced by spaces.']);
  });

  it('keeps a curly apostrophe inside a value when the text reads as it is', async () => {
    const [account] = await importCredentials({ text: 'name = "Bob’s account"\naccess_token = "t"\n' });
    expect(account!.name).toBe('Bob’s account');
  });

  it('points a remaining mistake at the line and column the user sees', async () => {
    // Line 2 has curly quotes (straightened) and then a real slip: no "=" at column 10.
    const text = 'client_id = “c”\nsecret “x”\n';
    const preview = await previewImport({ text });
    expect(preview.problems).toHaveLength(1);
    expect(preview.problems[0]).toMatchObject({ code: 'ERR_INPUT_SYNTAX', location: { line: 2, column: 8 } });
    expect(preview.notes).toContain('Curly quotes from the mail program were straightened.');
  });
});

describe('“Label: value” lines', () => {
  it('reads them as settings, in vendors’ wordings and any letter case, and says so', async () => {
    const text = `Your credentials:\n\nClient ID: myfiber-client\nCLIENT SECRET:\t${SECRET}\ntoken endpoint: https://idp.example/token\nScopes: openid, profile\n`;
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts[0]).toMatchObject({ clientId: 'myfiber-client', clientSecret: SECRET, tokenUrl: 'https://idp.example/token', scopes: ['openid', 'profile'] });
    expect(preview.notes).toEqual(['The text was in “Client ID: …” lines and was read as settings.']);
  });

  it('locates problems of label text at their line, and a missing field by its name only', async () => {
    const preview = await previewImport({ text: `Client ID: c\nSecret: ${SECRET}\nToken URL: http://idp.example/token\n` });
    expect(preview.problems).toHaveLength(1);
    expect(preview.problems[0]).toMatchObject({ code: 'ERR_INPUT_INSECURE_URL', location: { line: 3, column: 1, field: 'token_url' } });
    const missing = await previewImport({ text: 'Client ID: c\nToken URL: https://idp.example/token\n' });
    expect(missing.problems[0]).toMatchObject({ code: 'ERR_INPUT_MISSING', location: { field: 'client_secret' } });
    expect(missing.problems[0]!.location?.line).toBeUndefined();
  });

  it('points to “Choose a provider” instead of a TOML syntax error when a line cannot be read, without quoting it', async () => {
    const preview = await previewImport({ text: `Client ID: c\nTenant secret thing: ${SECRET}\n` });
    expect(preview.accounts).toEqual([]);
    expect(preview.problems).toHaveLength(1);
    expect(preview.problems[0]!.location).toMatchObject({ line: 2, column: 1 });
    expect(preview.problems[0]!.message).toContain('Choose a provider');
    expect(preview.problems[0]!.message).not.toMatch(/TOML/);
    expect(allText(preview)).not.toContain(SECRET);
  });

  it('leaves a TOML text with a slip to the TOML message', async () => {
    const preview = await previewImport({ text: 'client_id = "c"\nclient_secret: "x"\n' });
    expect(preview.problems[0]!.message).toMatch(/not valid TOML/);
  });
});

describe('JSON', () => {
  it('reads a plain JSON object with client_id, client_secret and token_url as credentials', async () => {
    const text = `{"client_id":"myfiber-client","client_secret":"${SECRET}","token_url":"https://idp.example/oauth/v2/token"}`;
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts[0]).toMatchObject({ grant: 'client_credentials', clientId: 'myfiber-client', clientSecret: SECRET, tokenUrl: 'https://idp.example/oauth/v2/token' });
    expect(preview.notes).toEqual(['The text was a JSON object of settings and was read as such.']);
  });

  it('locates a problem of a JSON object of settings at its key', async () => {
    const preview = await previewImport({ text: `{\n  "client_id": "c",\n  "clientSecret": "${SECRET}",\n  "url_to_authentication_service": "http://idp.example/t"\n}` });
    expect(preview.problems[0]).toMatchObject({ code: 'ERR_INPUT_INSECURE_URL', location: { line: 4, column: 3 } });
    expect(allText(preview)).not.toContain(SECRET);
  });

  it('asks for the complete key file when a key file has no private key, naming the field and no line', async () => {
    const text = '{\n  "type": "serviceaccount",\n  "keyId": "130509901696068329",\n  "userId": "180507859606888466"\n}';
    const preview = await previewImport({ text });
    expect(preview.problems).toHaveLength(1);
    const [problem] = preview.problems;
    expect(problem).toMatchObject({ code: 'ERR_INPUT_MISSING', location: { field: 'key' } });
    expect(problem!.location?.line).toBeUndefined();
    expect(problem!.message).toMatch(/^This key file has no private key .*Ask the vendor for the complete key file/);
  });
});

describe('a missing field (no line for what is not in the text)', () => {
  it('names the field in words and carries it, without a line or column', async () => {
    const preview = await previewImport({ text: 'client_id = "c"\ntoken_url = "https://idp.example/token"\n' });
    expect(preview.problems).toHaveLength(1);
    expect(preview.problems[0]).toEqual({
      code: 'ERR_INPUT_MISSING',
      message: 'The client secret is missing: add a client_secret line (the client secret the provider gave you; the client_credentials grant needs it)',
      location: { field: 'client_secret' },
    });
  });
});

describe('names typed into the preview', () => {
  it('replace the name of the i-th account of the text; an empty one keeps the text’s', async () => {
    const text = '[accounts.a]\naccess_token = "t"\n[accounts.b]\naccess_token = "u"\n';
    const preview = await previewImport({ text, names: ['', '  renamed  '] });
    expect(preview.accounts.map((a) => a.name)).toEqual(['a', 'renamed']);
    expect(preview.textIndexes).toEqual([0, 1]);
    const [single] = await importCredentials({ text: 'access_token = "t"\n', names: ['my token'] });
    expect(single!.name).toBe('my token');
  });

  it('refuses two accounts given the same name', async () => {
    const preview = await previewImport({ text: '[accounts.a]\naccess_token = "t"\n[accounts.b]\naccess_token = "u"\n', names: ['same', 'same'] });
    expect(preview.problems[0]!.message).toMatch(/two accounts are named "same"/);
  });
});
