/**
 * `tokendesk agent` and the command line as separate processes over the
 * real endpoint (issue 11 items 1, 2, 4 and 7): scripts get tokens with no
 * secret in their environment; a client without the key is refused; a
 * second agent is refused; a killed agent's endpoint is cleaned up; the
 * agent locks itself after idle time and stops on SIGTERM, removing its
 * files; vault changes go through it; only the access token crosses.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSession } from '../../../main/core/app-session.js';
import { systemClock } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedAccountToml } from '../../fixtures/seed-accounts.js';
import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { runCli } from '../../helpers/run-cli.js';

const PASSPHRASE = 'agent test passphrase, quite long';
let server: ProviderServer;
let root: string;
let vault: string;
let runtimeDir: string;
/** No passphrase: what a script has while an agent runs. */
const scriptEnv = (): Record<string, string> => ({ XDG_RUNTIME_DIR: runtimeDir });
const agentEnv = (): Record<string, string> => ({ XDG_RUNTIME_DIR: runtimeDir, TOKENDESK_PASSPHRASE: PASSPHRASE });

function toml(): string {
  const { myfox } = server.clients;
  return [
    seedAccountToml(server, 'myfiber', '[accounts.myfiber]'),
    seedAccountToml(server, 'myfox', '[accounts.myfox]'),
    '[accounts.signin]',
    'grant = "authorization_code"',
    `authorize_url = "${server.url}/myfox/oauth2/authorize"`,
    `token_url = "${server.url}/myfox/oauth2/token"`,
    `client_id = "${myfox.clientId}"`,
    `client_secret = "${myfox.clientSecret}"`,
    'client_auth = "basic"',
    '',
  ].join('\n');
}

function rendezvous(): { endpoint: string; key: string; pid: number } {
  return JSON.parse(readFileSync(join(vault, 'agent.json'), 'utf8')) as { endpoint: string; key: string; pid: number };
}

/** One raw request line to the endpoint, one answer line back. */
function rawAsk(endpoint: string, line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(endpoint);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(line));
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        socket.destroy();
        resolve(JSON.parse(text.slice(0, text.indexOf('\n'))) as Record<string, unknown>);
      }
    });
    socket.on('error', reject);
  });
}

const caller = { pid: process.pid, executable: process.execPath };

beforeAll(async () => {
  server = await startProviderServer();
  root = await mkdtemp(join(tmpdir(), 'tokendesk-agent-'));
  vault = join(root, 'vault');
  runtimeDir = join(root, 'run');
  await mkdir(runtimeDir, { mode: 0o700 });
  await chmod(runtimeDir, 0o700);
  const file = join(root, 'accounts.toml');
  await writeFile(file, toml());
  const imported = await runCli(['import', file, '--vault', vault], { env: agentEnv() });
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('tokendesk agent', () => {
  let agent: AgentProcess;

  it('serves tokens to a script that holds no secret, from its cache, and records each hand-out', async () => {
    agent = await startAgentProcess(['--vault', vault], agentEnv());
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const first = await runCli(['token', 'myfiber', '--vault', vault], { env: scriptEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^\S+\n$/);
    const second = await runCli(['token', 'myfiber', '--vault', vault, '--format', 'json'], { env: scriptEnv() });
    expect(second.code, second.stderr).toBe(0);
    const json = JSON.parse(second.stdout) as { access_token: string; has_refresh_token: boolean };
    expect(json.access_token).toBe(first.stdout.trim());
    expect(server.requestsTo('/myfiber/oauth/v2/token').length - before).toBe(1);
  });

  it('keeps its files private: rendezvous 0600, socket 0600 in a 0700 folder of this user', () => {
    const { endpoint } = rendezvous();
    expect(lstatSync(join(vault, 'agent.json')).mode & 0o777).toBe(0o600);
    expect(lstatSync(endpoint).isSocket()).toBe(true);
    expect(lstatSync(endpoint).mode & 0o777).toBe(0o600);
    expect(endpoint.startsWith(join(runtimeDir, 'tokendesk') + '/')).toBe(true);
    expect(lstatSync(join(runtimeDir, 'tokendesk')).mode & 0o777).toBe(0o700);
  });

  it('refuses a client without the key, and one with a wrong key, before doing anything', async () => {
    const { endpoint } = rendezvous();
    const wrongKey = await rawAsk(endpoint, `${JSON.stringify({ v: 1, id: 7, key: 'A'.repeat(43), caller, op: 'token', name: 'myfiber' })}\n`);
    expect(wrongKey).toMatchObject({ id: 7, ok: false, error: { code: 'ERR_AGENT_KEY', kind: 'vault' } });
    const noKey = await rawAsk(endpoint, `${JSON.stringify({ v: 1, id: 8, caller, op: 'list' })}\n`);
    expect(noKey).toMatchObject({ ok: false, error: { code: 'ERR_AGENT_PROTOCOL' } });
    const otherVersion = await rawAsk(endpoint, `${JSON.stringify({ v: 2, id: 9, key: rendezvous().key, caller, op: 'list' })}\n`);
    expect(otherVersion).toMatchObject({ ok: false, error: { code: 'ERR_AGENT_PROTOCOL' } });
    expect(JSON.stringify(otherVersion)).toContain('protocol version 1');
  });

  it('sends the access token and its metadata only: no refresh token, no secret', async () => {
    const { endpoint, key } = rendezvous();
    const answer = await rawAsk(endpoint, `${JSON.stringify({ v: 1, id: 11, key, caller, op: 'token', name: 'myfox' })}\n`);
    expect(answer.ok).toBe(true);
    expect(Object.keys(answer.result as object).sort()).toEqual(['accessToken', 'expiresAt', 'hasRefreshToken', 'obtainedAt', 'tokenType']);
    expect((answer.result as { hasRefreshToken: boolean }).hasRefreshToken).toBe(true);
    const text = JSON.stringify(answer);
    for (const secret of [server.clients.myfox.clientSecret, server.users.myfox.password]) expect(text).not.toContain(secret);
  });

  it('refuses a message over the size cap', async () => {
    const { endpoint, key } = rendezvous();
    const answer = await rawAsk(endpoint, `${JSON.stringify({ v: 1, id: 12, key, caller, op: 'import', text: 'x'.repeat(1_100_000), fileName: 'a.toml', baseDir: root })}\n`);
    expect(answer).toMatchObject({ ok: false, error: { code: 'ERR_AGENT_PROTOCOL' } });
    expect(JSON.stringify(answer)).toContain('longer than 1 MiB');
  });

  it('does not start a browser sign-in for a program: it says how to sign in instead (exit 2)', async () => {
    const result = await runCli(['token', 'signin', '--vault', vault], { env: scriptEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs a sign-in in the browser');
    expect(result.stderr).toContain('--no-agent');
  });

  it('lists and changes the vault through the agent: import and remove with no passphrase', async () => {
    const list = await runCli(['list', '--json', '--vault', vault], { env: scriptEnv() });
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((row) => row.name)).toEqual(['myfiber', 'myfox', 'signin']);
    const file = join(root, 'pat.toml');
    await writeFile(file, '[accounts.pat]\ngrant = "static"\naccess_token = "agent-pat-0001"\n');
    const imported = await runCli(['import', file, '--vault', vault], { env: scriptEnv() });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('Imported 1 account: pat');
    const token = await runCli(['token', 'pat', '--vault', vault], { env: scriptEnv() });
    expect(token.stdout).toBe('agent-pat-0001\n');
    const removed = await runCli(['remove', 'pat', '--vault', vault], { env: scriptEnv() });
    expect(removed.code, removed.stderr).toBe(0);
    const after = await runCli(['list', '--json', '--vault', vault], { env: scriptEnv() });
    expect(after.stdout).not.toContain('"pat"');
  });

  it('refuses to start a second agent for the same vault, naming the first one (exit 5)', async () => {
    const second = await runCli(['agent', '--vault', vault], { env: agentEnv(), timeoutMs: 20_000 });
    expect(second.code).toBe(5);
    expect(second.stderr).toContain(`pid ${agent.child.pid}`);
    expect(second.stderr).toContain('already serves this vault');
  });

  it('stops on SIGTERM with exit 0, removing its endpoint and rendezvous file, and the history names each caller as reported', async () => {
    const { endpoint } = rendezvous();
    const ended = await agent.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(existsSync(join(vault, 'agent.json'))).toBe(false);
    expect(existsSync(endpoint)).toBe(false);
    const session = new AppSession({ dataDir: vault, ports: { fetch, clock: systemClock, randomBytes: (n) => new Uint8Array(n) } });
    await session.unlock(PASSPHRASE);
    const history = await session.accounts().history('myfiber');
    session.lock();
    const handOuts = history.filter((entry) => entry.request === 'hand-out');
    expect(handOuts.length).toBeGreaterThanOrEqual(2);
    for (const entry of handOuts) {
      expect(entry.caller).toMatchObject({ executable: process.execPath, reported: true });
      expect(entry.caller!.pid).toBeGreaterThan(0);
    }
  });

  it('with no agent and no passphrase, says the three ways out (exit 5)', async () => {
    const result = await runCli(['token', 'myfiber', '--vault', vault], { env: scriptEnv() });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('The vault is locked: open TokenDesk, start `tokendesk agent`, or set TOKENDESK_PASSPHRASE');
  });

  it('after being killed, leaves nothing that blocks: the command falls back, and a new agent cleans up and starts', async () => {
    const killed = await startAgentProcess(['--vault', vault], agentEnv());
    const { endpoint } = rendezvous();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(existsSync(join(vault, 'agent.json'))).toBe(true);
    expect(existsSync(endpoint)).toBe(true);
    const fallback = await runCli(['token', 'myfiber', '--vault', vault], { env: { ...scriptEnv(), TOKENDESK_PASSPHRASE: PASSPHRASE } });
    expect(fallback.code, fallback.stderr).toBe(0);
    const noWay = await runCli(['token', 'myfiber', '--vault', vault], { env: scriptEnv() });
    expect(noWay.code).toBe(5);
    const next = await startAgentProcess(['--vault', vault], agentEnv());
    expect(rendezvous().pid).toBe(next.child.pid);
    const served = await runCli(['token', 'myfiber', '--vault', vault], { env: scriptEnv() });
    expect(served.code, served.stderr).toBe(0);
    await next.stop();
  });

  it('locks itself after the idle time, forgets everything and stops (exit 0)', async () => {
    const idle = await startAgentProcess(['--vault', vault, '--lock-after', '0.03'], agentEnv());
    const ended = await Promise.race([idle.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(idle.stderr()).toContain('Locked after 2 seconds without a request');
    expect(existsSync(join(vault, 'agent.json'))).toBe(false);
    const after = await runCli(['token', 'myfiber', '--vault', vault], { env: scriptEnv() });
    expect(after.code).toBe(5);
  });

  it('--no-agent goes to the vault directly even while an agent runs', async () => {
    const running = await startAgentProcess(['--vault', vault], agentEnv());
    const direct = await runCli(['token', 'myfiber', '--vault', vault, '--no-agent'], { env: scriptEnv() });
    // No passphrase and no terminal: the direct path cannot open the vault, though the agent would have answered.
    expect(direct.code).toBe(5);
    expect(direct.stderr).toContain('TOKENDESK_PASSPHRASE');
    await running.stop();
  });
});
