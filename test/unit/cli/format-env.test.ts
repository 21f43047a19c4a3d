/**
 * `--format env` (issue 11 item 5): two lines a POSIX shell can `eval` and a
 * .env file can hold, whatever characters the token has. The shell is real:
 * what `sh` reads back must be the exact value.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatToken, shellValue } from '../../../main/cli/output.js';
import type { HandedToken } from '../../../main/cli/token-source.js';

const handed = (accessToken: string, expiresAt?: number): HandedToken => ({
  accessToken,
  tokenType: 'Bearer',
  obtainedAt: 0,
  hasRefreshToken: false,
  ...(expiresAt !== undefined ? { expiresAt } : {}),
});

/** What `sh` has in both variables after `eval`-ing the lines. */
function evalInSh(lines: string): { token: string; expires: string } {
  const script = 'eval "$TD_LINES"; printf "%s\\0%s" "$TOKENDESK_ACCESS_TOKEN" "$TOKENDESK_EXPIRES_AT"';
  const result = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, TD_LINES: lines }, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const [token, expires] = result.stdout.split('\0');
  return { token: token!, expires: expires! };
}

describe.skipIf(process.platform === 'win32')('tokendesk token --format env', () => {
  it('writes plain tokens unquoted and the expiry as ISO 8601, empty when unknown', () => {
    const at = Date.UTC(2030, 0, 2, 3, 4, 5);
    expect(formatToken(handed('eyJhbGci.OiJI-UzI1_NiJ9~x+y/z=', at), 'env')).toBe(
      "TOKENDESK_ACCESS_TOKEN=eyJhbGci.OiJI-UzI1_NiJ9~x+y/z=\nTOKENDESK_EXPIRES_AT='2030-01-02T03:04:05.000Z'\n",
    );
    expect(formatToken(handed('abc'), 'env')).toBe('TOKENDESK_ACCESS_TOKEN=abc\nTOKENDESK_EXPIRES_AT=\n');
    expect(evalInSh(formatToken(handed('abc', at), 'env'))).toEqual({ token: 'abc', expires: '2030-01-02T03:04:05.000Z' });
  });

  it('quotes anything else so that sh reads back exactly the token, quotes and $ included', () => {
    for (const token of ["it's", "''", 'a b', '$(touch /tmp/tokendesk-pwned)', '`id`', 'x;y&z|w', '"double"', 'back\\slash', '*?[a]', '#hash', '~user', 'é']) {
      const lines = formatToken(handed(token), 'env');
      expect(lines.split('\n')).toHaveLength(3);
      expect(evalInSh(lines).token).toBe(token);
    }
    expect(shellValue("it's")).toBe("'it'\\''s'");
  });

  it('refuses a token with a control character (it would break the line)', () => {
    for (const token of ['a\nTOKENDESK_EXPIRES_AT=x', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\u007fb']) {
      expect(() => formatToken(handed(token), 'env')).toThrow(expect.objectContaining({ code: 'ERR_RESPONSE_INVALID' }));
    }
  });
});
