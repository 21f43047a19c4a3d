import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, resolveAppFile, serveAppRequest } from '../../../main/electron/app-protocol.js';

const ROOT = path.resolve('/opt/tokendesk/resources/app.asar/dist/renderer');

describe('resolveAppFile', () => {
  it('maps app://tokendesk/ paths to files under the root', () => {
    expect(resolveAppFile(ROOT, 'app://tokendesk/')).toBe(path.join(ROOT, 'index.html'));
    expect(resolveAppFile(ROOT, 'app://tokendesk/assets/index-abc.js?v=1#x')).toBe(path.join(ROOT, 'assets', 'index-abc.js'));
  });

  it('refuses path traversal, other hosts and schemes, NUL bytes and unknown file types', () => {
    // The URL parser already collapses literal dot segments: they can only land inside the root.
    expect(resolveAppFile(ROOT, 'app://tokendesk/../../etc/passwd.html')).toBe(path.join(ROOT, 'etc', 'passwd.html'));
    expect(resolveAppFile(ROOT, 'app://tokendesk/%2e%2e/%2e%2e/secret.js')).toBe(path.join(ROOT, 'secret.js'));
    // Encoded slashes survive the URL parser and decode to real `..` segments: refused.
    for (const url of [
      'app://tokendesk/assets/..%2f..%2f..%2fsecret.js',
      'app://tokendesk/..%5c..%5csecret.js',
      'app://tokendesk/index.html%00.js',
      'app://evil/index.html',
      'file:///etc/passwd',
      'https://tokendesk/index.html',
      'app://tokendesk/%E0%A4%A',
      'app://tokendesk/vault.json.bak',
      'not a url',
    ]) {
      expect(resolveAppFile(ROOT, url), url).toBeUndefined();
    }
  });
});

describe('serveAppRequest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tokendesk-app-'));
    await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>TokenDesk</title>');
    await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'outside.js'), 'secret');
    await symlink(path.join(dir, 'outside.js'), path.join(dir, 'renderer', 'assets', 'link.js'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a file with the strict CSP and its content type', async () => {
    const response = await serveAppRequest(path.join(dir, 'renderer'), 'app://tokendesk/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>TokenDesk</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('answers 404 for a missing file and for a symlink that leaves the root', async () => {
    expect((await serveAppRequest(path.join(dir, 'renderer'), 'app://tokendesk/nope.js')).status).toBe(404);
    expect((await serveAppRequest(path.join(dir, 'renderer'), 'app://tokendesk/assets/link.js')).status).toBe(404);
    expect((await serveAppRequest(path.join(dir, 'renderer'), 'app://tokendesk/assets/app.js')).status).toBe(200);
  });
});

describe('the <meta> CSP of renderer/index.html', () => {
  it("holds no directive a <meta> policy ignores (frame-ancestors, report-uri, sandbox): they belong in the header only", async () => {
    const html = await readFile('renderer/index.html', 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    // CSP 3, 4.2.1 / "Delivering via <meta>": these directives are not supported there.
    for (const directive of ['frame-ancestors', 'report-uri', 'sandbox']) expect(meta).not.toContain(directive);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
});
