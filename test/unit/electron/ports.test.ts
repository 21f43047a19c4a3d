import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Net, Shell } from 'electron';
import { createElectronFetch, createOpenExternal, createElectronPorts } from '../../../main/electron/ports.js';

describe('createElectronFetch', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/oauth2/token') {
        response.writeHead(301, { location: '/oauth2/token/' }).end();
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"x"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("passes redirect: 'manual' through, so a token endpoint's redirect is seen, not followed", async () => {
    const seen: Array<RequestInit | undefined> = [];
    // Node's fetch stands in for net.fetch: both are WHATWG fetch; the point is what we hand over.
    const net = { fetch: (input: string | Request, init?: RequestInit) => (seen.push(init), fetch(input, init)) } as Pick<Net, 'fetch'>;
    const electronFetch = createElectronFetch(net);
    const response = await electronFetch(new URL('/oauth2/token', base), { method: 'POST', redirect: 'manual', body: 'grant_type=client_credentials' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/oauth2/token/');
    expect(seen[0]).toMatchObject({ method: 'POST', redirect: 'manual' });
  });

  it('gives net.fetch a string URL (it takes string or Request only)', async () => {
    const inputs: unknown[] = [];
    const electronFetch = createElectronFetch({ fetch: (input: string | Request, init?: RequestInit) => (inputs.push(input), fetch(input, init)) } as Pick<Net, 'fetch'>);
    await (await electronFetch(new URL('/ok', base))).text();
    expect(inputs).toEqual([`${base}/ok`]);
  });
});

describe('createOpenExternal', () => {
  it('opens http and https in the system browser and refuses every other scheme', async () => {
    const opened: string[] = [];
    const shell = { openExternal: async (url: string) => void opened.push(url) } as Pick<Shell, 'openExternal'>;
    const openExternal = createOpenExternal(shell);
    await openExternal('https://so.yio.at/oauth/v2/authorize?client_id=x&state=y');
    await openExternal('http://127.0.0.1:8000/');
    for (const url of ['file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'tokendesk://x', 'ms-settings:', 'not a url']) {
      await expect(openExternal(url)).rejects.toMatchObject({ code: 'ERR_INPUT_INSECURE_URL' });
    }
    expect(opened).toEqual(['https://so.yio.at/oauth/v2/authorize?client_id=x&state=y', 'http://127.0.0.1:8000/']);
  });
});

describe('createElectronPorts', () => {
  it('provides secure random bytes and a clock', () => {
    const ports = createElectronPorts({ net: { fetch } as Pick<Net, 'fetch'>, shell: { openExternal: async () => undefined } as Pick<Shell, 'openExternal'> });
    const a = ports.randomBytes(32);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(ports.randomBytes(32)))).toBe(false);
    expect(Math.abs(ports.clock.now() - Date.now())).toBeLessThan(1000);
  });
});
