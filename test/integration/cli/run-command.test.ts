/**
 * Issue 11 items 5 and 7: `tokendesk run NAME -- COMMAND` as real processes.
 * COMMAND gets the token in one environment variable only (read back from
 * /proc while it runs: never in argv, no other TOKENDESK_* variable), its
 * standard streams are passed through, signals sent to the CLI reach it, and
 * its exit status is the CLI's (128 + N after signal N, 127 and 126 when it
 * cannot start, as shells report).
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedAccountToml } from '../../fixtures/seed-accounts.js';
import { runCli, type CliOptions, type CliResult } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'copper willow tundra galaxy';
let server: ProviderServer;
const dir = useTempDir('tokendesk-cli-run-');
const vault = () => join(dir.path(), 'vault');
const env = { TOKENDESK_PASSPHRASE: PASSPHRASE, TOKENDESK_TIMEOUT_MS: '20000' };
const node = process.execPath;
const posix = process.platform !== 'win32';

beforeAll(async () => {
  server = await startProviderServer();
  const file = await dir.write('fiber.toml', seedAccountToml(server, 'myfiber', 'name = "fiber"'));
  expect((await runCli(['import', file, '--vault', vault()], { env })).code).toBe(0);
});
afterAll(async () => server?.close());

function run(args: string[], command: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['run', 'fiber', '--vault', vault(), ...args, '--', ...command], { env, ...options });
}

async function token(): Promise<string> {
  const result = await runCli(['token', 'fiber', '--vault', vault()], { env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

/** Polls for a file the child writes (bounded). */
async function waitForFile(path: string): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} never appeared`);
}

describe('tokendesk run', () => {
  for (const code of [0, 3, 42]) {
    it(`exits with the command's exit code (${code})`, async () => {
      const result = await run([], [node, '-e', `process.exit(${code})`]);
      expect(result.code, result.stderr).toBe(code);
    });
  }

  it('finds COMMAND on PATH and passes the standard streams through', async () => {
    const result = await run([], ['node', '-e', 'process.stdin.pipe(process.stdout); process.stderr.write("from the child\\n")'], { input: 'through stdin\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('through stdin\n');
    expect(result.stderr).toContain('from the child');
  });

  it.skipIf(!posix)('reports death by a signal as 128 + its number', async () => {
    const result = await run([], [node, '-e', 'process.kill(process.pid, "SIGKILL"); setTimeout(() => {}, 10000)']);
    expect(result.code).toBe(128 + constants.signals.SIGKILL);
  });

  for (const [signal, exit] of [['SIGTERM', 7], ['SIGINT', 8], ['SIGHUP', 9], ['SIGQUIT', 10]] as const) {
    it.skipIf(!posix)(`forwards ${signal} to the command and waits for it to exit (exit ${exit})`, async () => {
      const ready = join(dir.path(), `ready-${signal}`);
      const marker = join(dir.path(), `marker-${signal}`);
      const script = [
        'const fs = require("fs");',
        `process.on(${JSON.stringify(signal)}, () => { setTimeout(() => { fs.writeFileSync(${JSON.stringify(marker)}, "got it"); process.exit(${exit}); }, 300); });`,
        `fs.writeFileSync(${JSON.stringify(ready)}, String(process.pid));`,
        'setTimeout(() => process.exit(99), 15000);',
      ].join('\n');
      const result = await run([], [node, '-e', script], {
        onSpawn: (child) => {
          child.stdin!.end();
          void waitForFile(ready).then(() => child.kill(signal));
        },
      });
      expect(result.code, result.stderr).toBe(exit);
      expect(await readFile(marker, 'utf8')).toBe('got it');
      expect(result.stderr).not.toContain('Cancelled');
    });
  }

  it('exits 127 with a plain message when COMMAND does not exist', async () => {
    const result = await run([], ['tokendesk-no-such-command-anywhere', '--flag']);
    expect(result.code).toBe(127);
    expect(result.stderr).toBe('tokendesk: tokendesk-no-such-command-anywhere: command not found (check the name and PATH).\n');
  });

  it.skipIf(!posix)('exits 126 when COMMAND is not executable', async () => {
    const file = join(dir.path(), 'not-executable.sh');
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o644);
    const result = await run([], [file]);
    expect(result.code).toBe(126);
    expect(result.stderr).toContain('permission denied');
  });

  it.skipIf(process.platform !== 'linux')('puts the token in the environment only: never in argv, no other TOKENDESK_* variable', async () => {
    const expected = await token();
    for (const variable of [undefined, 'API_TOKEN']) {
      const ready = join(dir.path(), `env-ready-${variable ?? 'default'}`);
      const go = join(dir.path(), `env-go-${variable ?? 'default'}`);
      const script = `const fs = require("fs"); fs.writeFileSync(${JSON.stringify(ready)}, String(process.pid));
        const until = Date.now() + 15000; const wait = () => fs.existsSync(${JSON.stringify(go)}) || Date.now() > until ? process.exit(0) : setTimeout(wait, 20); wait();`;
      let seen: { cmdline: string; environ: string[]; cliCmdline: string } | undefined;
      const result = await run(variable ? ['--env', variable] : [], [node, '-e', script, 'an-argument'], {
        env: { ...env, TOKENDESK_DATA_DIR: dir.path(), Tokendesk_Mixed: 'x' },
        onSpawn: (cli) => {
          cli.stdin!.end();
          void waitForFile(ready).then(async (pid) => {
            seen = {
              cmdline: await readFile(`/proc/${pid}/cmdline`, 'utf8'),
              environ: (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').filter(Boolean),
              cliCmdline: await readFile(`/proc/${cli.pid}/cmdline`, 'utf8'),
            };
            await writeFile(go, '');
          });
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(seen).toBeDefined();
      const name = variable ?? 'TOKENDESK_ACCESS_TOKEN';
      expect(seen!.cmdline).toContain('an-argument');
      expect(seen!.cmdline).not.toContain(expected);
      expect(seen!.cliCmdline).not.toContain(expected);
      expect(seen!.environ.filter((entry) => entry.includes(expected))).toEqual([`${name}=${expected}`]);
      expect(seen!.environ.filter((entry) => entry.toUpperCase().startsWith('TOKENDESK_'))).toEqual(variable ? [] : [`TOKENDESK_ACCESS_TOKEN=${expected}`]);
      expect(seen!.environ.some((entry) => entry.includes(PASSPHRASE))).toBe(false);
    }
  });

  it('gets a token valid for --min-validity before it starts the command', async () => {
    const cached = await token(); // 300 s
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const script = 'process.stdout.write(process.env.TOKENDESK_ACCESS_TOKEN)';
    expect((await run(['--min-validity', '60'], [node, '-e', script])).stdout).toBe(cached);
    const longer = await run(['--min-validity', '400'], [node, '-e', script]);
    expect(longer.stdout).not.toBe(cached);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
  });

  it('refuses bad usage with exit 2: no --, no COMMAND, a bad --env name', async () => {
    for (const [args, message] of [
      [['fiber', node, '-e', '0'], /run needs -- before the COMMAND/],
      [['fiber', '--'], /run needs a COMMAND after --/],
      [['fiber', '--env', '1BAD', '--', node], /--env needs a variable name/],
      [['fiber', '--env', 'A-B', '--', node], /--env needs a variable name/],
      [['--', node], /run needs one account NAME/],
      [['fiber', '--min-validity', '86401', '--', node], /--min-validity must be a whole number of seconds from 0 to 86400/],
    ] as const) {
      const result = await runCli(['run', '--vault', vault(), ...args], { env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
