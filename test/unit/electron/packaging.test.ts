import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// electron-builder's own loader and schema check (js-yaml is its YAML parser).
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { add(): void; isEnabled: boolean }): Promise<void>;
};

async function loadConfig(): Promise<Record<string, unknown> & { protocols: Array<{ schemes: string[] }>; electronFuses: Record<string, boolean> }> {
  return yaml.load(await readFile('electron-builder.yml', 'utf8')) as never;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(await loadConfig(), { add: () => undefined, isEnabled: false })).resolves.toBeUndefined();
  });

  it('names the app, registers both callback schemes and packs into an ASAR', async () => {
    const config = await loadConfig();
    expect(config).toMatchObject({ appId: 'app.tokendesk', productName: 'TokenDesk', asar: true });
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual(['tokendesk', 'app.tokendesk']);
    expect(config).toMatchObject({ linux: { target: ['AppImage', 'deb'] }, win: { target: ['nsis'] }, mac: { target: ['dmg'] } });
  });

  it('flips the fuses: no RunAsNode, NODE_OPTIONS or --inspect; ASAR integrity and ASAR-only loading', async () => {
    expect((await loadConfig()).electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
