/**
 * Item 7 of the trust issue, app side: Electron's shell.openExternal starts
 * xdg-open with the app's real environment, so the app forgets every
 * TOKENDESK_* variable once read. Proven with a real child process that
 * inherits the environment the way Electron's launcher does.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnvironment, forgetTokenDeskVariables } from '../../../main/core/child-environment.js';

const NAMES = ['TOKENDESK_PASSPHRASE', 'TOKENDESK_DATA_DIR', 'tokendesk_lower_case'];

afterEach(() => {
  for (const name of NAMES) delete process.env[name];
});

describe('TOKENDESK_* never reaches a child process', () => {
  it('forgetTokenDeskVariables removes them from the environment children inherit', () => {
    for (const name of NAMES) process.env[name] = 'child-env-secret-value';
    process.env['UNRELATED_VARIABLE'] = 'kept';
    forgetTokenDeskVariables(process.env);
    // No env option: the child gets the process's real environment, as a launcher started by Electron does.
    const seen = execFileSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], { encoding: 'utf8' });
    expect(seen).not.toContain('child-env-secret-value');
    expect(JSON.parse(seen)).toMatchObject({ UNRELATED_VARIABLE: 'kept' });
    delete process.env['UNRELATED_VARIABLE'];
  });

  it('childEnvironment leaves them out of an explicit child environment', () => {
    const env = childEnvironment({ PATH: '/usr/bin', TOKENDESK_PASSPHRASE: 'x', Tokendesk_Timeout_Ms: '5' });
    expect(env).toEqual({ PATH: '/usr/bin' });
  });
});
