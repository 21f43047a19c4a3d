import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../main/core/errors.js';
import { importCredentials, previewImport } from '../../../main/core/import/index.js';

// PKCS#1, as the myfiber seed shows it: "-----BEGIN RSA PRIVATE KEY-----".
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
const keyBody = pem.split('\n')[5]!; // a line from the middle of the key, to look for in messages

const keyJson = (fields: Record<string, unknown>) =>
  JSON.stringify({ type: 'serviceaccount', keyId: '130509901696068329', key: pem, userId: '180507859606888466', ...fields }, null, 2);

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const inputError = error as InputError;
  expect(inputError.message).not.toContain(keyBody);
  return inputError;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key JSON import', () => {
  it('imports a Zitadel service-account key as one jwt_bearer account on the myfiber preset', async () => {
    const [account, ...rest] = await importCredentials({ text: '\uFEFF  ' + keyJson({}).replace(/\n/g, '\r\n'), fileName: 'key.json' });
    expect(rest).toHaveLength(0);
    expect(account).toMatchObject({
      name: 'myfiber key 130509901696068329',
      preset: 'myfiber',
      grant: 'jwt_bearer',
      issuer: 'https://so.yio.at',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      clientAuth: 'none',
      key: { type: 'serviceaccount', keyId: '130509901696068329', userId: '180507859606888466' },
    });
    expect(account!.key!.key).toContain('-----BEGIN RSA PRIVATE KEY-----');
  });

  it('accepts an application key with clientId and a PEM squeezed onto one line', async () => {
    const oneLine = pem.replace(/\n/g, ' ');
    const [account] = await importCredentials({ text: keyJson({ type: 'application', userId: undefined, clientId: 'app@project', key: oneLine }) });
    expect(account!.key).toMatchObject({ type: 'application', clientId: 'app@project' });
    expect(account!.key!.key.split('\n').length).toBeGreaterThan(10);
  });

  it('reads key_file relative to baseDir', async () => {
    await writeFile(join(dir, 'private_key.json'), keyJson({}));
    const text = 'name = "myfiber jwt"\npreset = "myfiber"\nkey_file = "private_key.json"\nscopes = "openid profile"';
    const [account] = await importCredentials({ text, baseDir: dir });
    expect(account).toMatchObject({ grant: 'jwt_bearer', clientAuth: 'none', key: { keyId: '130509901696068329' } });
  });

  it('uses the injected readFile', async () => {
    const asked: string[] = [];
    const readFile = async (path: string) => {
      asked.push(path);
      return keyJson({});
    };
    await importCredentials({ text: 'preset = "myfiber"\nkeyfile = "keys/k.json"', baseDir: '/somewhere', readFile });
    expect(asked).toEqual(['/somewhere/keys/k.json']);
  });

  it('accepts an inline key table', async () => {
    const text = `issuer = "https://so.yio.at"\ntoken_url = "https://so.yio.at/oauth/v2/token"\n[key]\ntype = "serviceaccount"\nkeyId = "1"\nuserId = "2"\nkey = """\n${pem}"""\n`;
    const [account] = await importCredentials({ text });
    expect(account).toMatchObject({ grant: 'jwt_bearer', key: { keyId: '1', userId: '2' } });
  });

  it('rejects a JSON syntax error with the line and column of the problem', async () => {
    const text = '{\n  "type": "serviceaccount",\n  "keyId": "1"\n  "key": "x"\n}';
    const error = await rejection(importCredentials({ text, fileName: 'key.json' }));
    expect(error.code).toBe('ERR_INPUT_SYNTAX');
    expect(error.location).toMatchObject({ file: 'key.json', line: 4, column: 3 });
    expect(error.message).toMatch(/expected "," or "}"/);
  });

  it('never quotes the key when the JSON around it is broken', async () => {
    const text = `{"type": "serviceaccount", "key": "${pem.replace(/\n/g, '\\n')}" oops}`;
    const error = await rejection(importCredentials({ text }));
    expect(error.code).toBe('ERR_INPUT_SYNTAX');
    expect(error.location?.line).toBe(1);
  });

  it('rejects a serviceaccount key without userId', async () => {
    const error = await rejection(importCredentials({ text: keyJson({ userId: undefined }), fileName: 'key.json' }));
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.location).toMatchObject({ file: 'key.json', field: 'userId' });
  });

  it('rejects an application key without clientId', async () => {
    const error = await rejection(importCredentials({ text: keyJson({ type: 'application', userId: undefined }) }));
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.message).toMatch(/clientId/);
  });

  it('rejects a damaged private key without showing it', async () => {
    const damaged = pem.replace(keyBody, keyBody.slice(0, 20) + '!!!!' + keyBody.slice(24));
    const error = await rejection(importCredentials({ text: keyJson({ key: damaged }), fileName: 'key.json' }));
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ field: 'key', line: 4 });
  });

  it('rejects a non-RSA key, since RS256 needs RSA', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const error = await rejection(importCredentials({ text: keyJson({ key: ec }) }));
    expect(error.message).toMatch(/RSA/);
  });

  it('reports a missing key_file with its location in the TOML', async () => {
    const error = await rejection(importCredentials({ text: 'preset = "myfiber"\n\nkey_file = "nope.json"', fileName: 'a.toml', baseDir: dir }));
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ file: 'a.toml', line: 3, column: 1, field: 'key_file' });
    expect(error.message).toMatch(/does not exist/);
  });

  it('locates problems inside key_file in that file', async () => {
    await writeFile(join(dir, 'bad.json'), keyJson({ type: 'robot' }));
    const preview = await previewImport({ text: 'preset = "myfiber"\nkey_file = "bad.json"', baseDir: dir });
    expect(preview.accounts).toEqual([]);
    expect(preview.problems[0]).toMatchObject({ code: 'ERR_INPUT_FIELD', location: { file: 'bad.json', line: 2, field: 'type' } });
  });
});
