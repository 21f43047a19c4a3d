import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, readFindings } from '../../../scripts/electronegativity.js';

const CSV = [
  'issue, severity, confidence, filename, location, sample, description, url',
  'OPEN_EXTERNAL_JS_CHECK,"MEDIUM","TENTATIVE","electron/ports.ts","39:10","await shell.openExternal(url, { activate: true });","Review the use of openExternal",https://x',
  'NODE_INTEGRATION_JS_CHECK,"HIGH","FIRM","electron/window.ts","3:1","nodeIntegration: true","Disable nodeIntegration",https://y',
  'CSP_GLOBAL_CHECK,"LOW","FIRM","electron/window.ts","31:6","x","y",https://z',
].join('\n');

describe('scripts/electronegativity.js', () => {
  it('parses the CSV, quoted commas included', () => {
    const findings = readFindings(CSV);
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatchObject({ issue: 'OPEN_EXTERNAL_JS_CHECK', severity: 'MEDIUM', filename: 'electron/ports.ts', sample: 'await shell.openExternal(url, { activate: true });' });
  });

  it('blocks MEDIUM and above unless accepted for that check and file; LOW never blocks', () => {
    const findings = readFindings(CSV);
    const accepted = [{ check: 'OPEN_EXTERNAL_JS_CHECK', file: 'electron/ports.ts', why: 'http and https only, tested' }];
    expect(judge(findings, { accepted }).blocking.map((f) => f.issue)).toEqual(['NODE_INTEGRATION_JS_CHECK']);
    expect(judge(findings, {}).blocking.map((f) => f.issue)).toEqual(['OPEN_EXTERNAL_JS_CHECK', 'NODE_INTEGRATION_JS_CHECK']);
    // An exception for another file does not cover this one.
    expect(judge(findings, { accepted: [{ ...accepted[0]!, file: 'electron/other.ts' }] }).blocking).toHaveLength(2);
  });

  it('fails the build on an insecure window, scanning offline', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tokendesk-scan-'));
    try {
      await writeFile(
        path.join(dir, 'bad.ts'),
        "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
      );
      const run = spawnSync(process.execPath, ['scripts/electronegativity.js', dir], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/NODE_INTEGRATION|CONTEXT_ISOLATION|SANDBOX/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
