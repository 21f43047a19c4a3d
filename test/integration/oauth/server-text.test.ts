/**
 * Server text that reaches a terminal or a message has its control
 * characters stripped (issue 9 items 1 and 16, SPEC 3): a discovery
 * document's issuer, a device user code and verification URI.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverEndpoints } from '../../../main/core/oauth/discovery.js';
import { requestDeviceAuthorization } from '../../../main/core/oauth/grants/device-code.js';
import { caught, makeContext, settings } from './support.js';

const ESC = '\u001b';
let local: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (local ? local.close(resolve) : resolve(undefined)));
  local = undefined;
});

/** A one-route JSON server on 127.0.0.1 answering `body` to everything. */
async function answering(body: unknown): Promise<string> {
  local = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => local!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
}

describe('server text in messages and prompts', () => {
  it('strips control characters from the issuer a discovery document names', async () => {
    const url = await answering({ issuer: `${ESC}[2J${ESC}]0;pwned\u0007https://evil.example`, token_endpoint: 'https://evil.example/t' });
    const error = await caught(() => discoverEndpoints(url, makeContext()));
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.message).toContain('https://evil.example');
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('refuses a device user code with escape sequences, and serialises verification URIs so no control character survives', async () => {
    const base = { device_code: 'd', expires_in: 600, interval: 5 };
    const account = (url: string) => settings({ grant: 'device_code', deviceAuthorizationUrl: `${url}/device`, tokenUrl: `${url}/token`, clientId: 'c', clientAuth: 'none' });

    let url = await answering({ ...base, user_code: `ABCD${ESC}[2J`, verification_uri: 'https://example.com/device' });
    const error = await caught(() => requestDeviceAuthorization(account(url), makeContext()));
    expect(error.code).toBe('ERR_RESPONSE_INVALID');
    expect(error.message).not.toContain(ESC);
    await new Promise((resolve) => local!.close(resolve));

    url = await answering({ ...base, user_code: 'WDJB-MJHT', verification_uri: `https://example.com/device${ESC}[2J`, verification_uri_complete: `https://example.com/device?user_code=WDJB-MJHT${ESC}]0;x\u0007` });
    const auth = await requestDeviceAuthorization(account(url), makeContext());
    expect(auth.userCode).toBe('WDJB-MJHT');
    for (const shown of [auth.verificationUri, auth.verificationUriComplete!]) expect(shown).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(auth.verificationUri).toBe('https://example.com/device%1B[2J');
  });
});
