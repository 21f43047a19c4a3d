/**
 * The secret-leak scan (SPEC 3: secrets never reach a log, an error message,
 * the renderer or any file in plain text). Every CLI command and the renderer
 * harness's IPC flows run with known, distinctive secrets; then stdout (minus
 * the token that was asked for), stderr, IPC responses, pushed events and
 * every file under the data folders and HOME are searched for every secret,
 * token and passphrase, plain and in the usual encodings.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSession } from '../../../main/core/app-session.js';
import { systemClock } from '../../../main/core/ports.js';
import { startHarness } from '../../e2e/harness/server.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { startAgentProcess } from '../../helpers/agent-process.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { filesUnder, secretsIn, secretsInFolder, type Secret } from './secret-scan.js';

const S = {
  myfoxSecret: 'LEAKSCAN-myfox-client-secret-a1',
  myfoxPassword: 'LEAKSCAN-myfox-password-b2',
  insidersSecret: 'LEAKSCAN-insiders-secret-c3',
  insidersPassword: 'LEAKSCAN-insiders-password-d4',
  myfiberSecret: 'LEAKSCAN-myfiber-secret-e5',
  pat: 'LEAKSCAN-personal-access-token-f6',
  passphrase: 'LEAKSCAN-vault-passphrase-g7',
  wrongPassphrase: 'LEAKSCAN-wrong-passphrase-h8',
  badLineSecret: 'LEAKSCAN-secret-on-a-bad-line-i9',
  misspeltSecret: 'LEAKSCAN-secret-under-a-misspelt-key-j0',
  wrongClientSecret: 'LEAKSCAN-wrong-client-secret-k1',
} as const;

let server: ProviderServer;
let root: string;
const tokens = new Set<string>();

beforeAll(async () => {
  server = await startProviderServer();
  root = await mkdtemp(join(tmpdir(), 'tokendesk-leak-'));
  server.setClient('myfox', { clientId: 'myfox-client', clientSecret: S.myfoxSecret });
  server.setUser('myfox', { username: 'me@myfox.example', password: S.myfoxPassword });
  server.setClient('insiders', { clientId: 'abc123def456', clientSecret: S.insidersSecret });
  server.setUser('insiders', { username: 'john.doe@example.org', password: S.insidersPassword });
  server.setClient('myfiber', { clientId: 'myfiber-client', clientSecret: S.myfiberSecret });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function accountsToml(url: string): string {
  return `# every grant that stores a secret
[accounts.myfox]
grant = "password"
token_url = "${url}/myfox/oauth2/token"
client_id = "myfox-client"
client_secret = "${S.myfoxSecret}"
client_auth = "basic"
username = "me@myfox.example"
password = "${S.myfoxPassword}"

[accounts.insiders]
grant = "password"
token_url = "${url}/insiders/oauth2/token/"
revoke_url = "${url}/insiders/oauth2/revoke-token/"
client_id = "abc123def456"
client_secret = "${S.insidersSecret}"
client_auth = "basic"
username = "john.doe@example.org"
password = "${S.insidersPassword}"

[accounts.myfiber]
grant = "client_credentials"
token_url = "${url}/myfiber/oauth/v2/token"
client_id = "myfiber-client"
client_secret = "${S.myfiberSecret}"
client_auth = "body"
scopes = ["openid"]

[accounts.pat]
grant = "static"
access_token = "${S.pat}"
`;
}

const badLineToml = `client_id = "x"\nclient_secret = "${S.badLineSecret}\ntoken_url = "https://example.com/token"\n`;
const misspeltToml = `client_id = "x"\nclient_secrte = "${S.misspeltSecret}"\ntoken_url = "https://example.com/token"\n`;

/** A UNIX socket that forwards every connection to the agent's endpoint and records both directions. */
async function startRecordingRelay(path: string, target: { endpoint: string }): Promise<{ path: string; toAgent(): string; fromAgent(): string; close(): Promise<void> }> {
  let toAgent = '';
  let fromAgent = '';
  const relay = createServer((client) => {
    const agent = createConnection(target.endpoint);
    client.on('data', (chunk: Buffer) => {
      toAgent += chunk.toString('utf8');
      agent.write(chunk);
    });
    agent.on('data', (chunk: Buffer) => {
      fromAgent += chunk.toString('utf8');
      client.write(chunk);
    });
    client.on('close', () => agent.destroy());
    agent.on('close', () => client.destroy());
    client.on('error', () => agent.destroy());
    agent.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(path, resolve));
  return { path, toAgent: () => toAgent, fromAgent: () => fromAgent, close: () => new Promise((resolve) => relay.close(() => resolve())) };
}

/** The access token a `token` command printed, in whichever format. */
function printedToken(stdout: string, format: string): string {
  if (format === 'json') return (JSON.parse(stdout) as { access_token: string }).access_token;
  if (format === 'header') return stdout.replace(/^Authorization: \S+ /, '').trim();
  return stdout.trim();
}

/** Client ids of the client secrets, so the scan also looks for the Base64 of `id:secret` in both Basic variants. */
const CLIENT_IDS: Partial<Record<keyof typeof S, string>> = {
  myfoxSecret: 'myfox-client',
  insidersSecret: 'abc123def456',
  myfiberSecret: 'myfiber-client',
  wrongClientSecret: 'myfox-client',
};

function allSecrets(): Secret[] {
  return [
    ...Object.entries(S).map(([label, value]) => {
      const clientId = CLIENT_IDS[label as keyof typeof S];
      return { label, value, ...(clientId !== undefined ? { clientId } : {}) };
    }),
    ...[...tokens].map((value, i) => ({ label: `token #${i + 1}`, value })),
  ];
}

describe('secret-leak scan', () => {
  it('finds a planted secret in every encoding it looks for (the scan can fail)', () => {
    const secret = { label: 'planted', value: 'planted-secret-value-1234' };
    expect(secretsIn(`x ${secret.value} y`, [secret])).toEqual(['planted']);
    expect(secretsIn(`Basic ${Buffer.from(`id:${secret.value}`).toString('base64')}`, [{ label: 'b', value: `id:${secret.value}` }])).toEqual(['b']);
    expect(secretsIn(`client_secret=${encodeURIComponent('a b&c=d-secret')}`, [{ label: 'f', value: 'a b&c=d-secret' }])).toEqual(['f']);
    expect(secretsIn(`token ${secret.value}`, [secret], [secret.value])).toEqual([]);
  });

  it('finds a secret form-encoded with + and with %20, and in the Base64 of both Basic variants', () => {
    const password = { label: 'password', value: 'P@ss word+/é"x' };
    expect(secretsIn('password=P%40ss+word%2B%2F%C3%A9%22x', [password])).toEqual(['password']);
    expect(secretsIn('password=P%40ss%20word%2B%2F%C3%A9%22x', [password])).toEqual(['password']);
    expect(secretsIn('password=p%40ss%20word%2b%2f%c3%a9%22x', [{ label: 'p', value: 'p@ss word+/é"x' }])).toEqual(['p']);
    expect(secretsIn('{"password":"P@ss word+\\/\\u00e9\\"x"}', [password])).toEqual(['password']);
    const clientSecret = { label: 'client secret', value: 's3cr:t +/x', clientId: 'my client' };
    const formBasic = Buffer.from('my+client:s3cr%3At+%2B%2Fx').toString('base64');
    const rawBasic = Buffer.from('my client:s3cr:t +/x').toString('base64');
    expect(secretsIn(`Authorization: Basic ${formBasic}`, [clientSecret])).toEqual(['client secret']);
    expect(secretsIn(`Authorization: Basic ${rawBasic}`, [clientSecret])).toEqual(['client secret']);
    // With another client id in front (any Base64 alignment), the secret is still found.
    const longer = { label: 'long', value: 'a-much-longer-client-secret-value' };
    for (const id of ['a', 'ab', 'abc']) expect(secretsIn(Buffer.from(`${id}:${longer.value}`).toString('base64'), [longer])).toEqual(['long']);
    expect(secretsIn('nothing to see here, only ordinary words', [password, clientSecret, longer])).toEqual([]);
  });

  it('no CLI command leaks a secret, token or passphrase to stdout, stderr, HOME or the data folder', { timeout: 180_000 }, async () => {
    const vault = join(root, 'cli-vault');
    const home = join(root, 'home');
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), TOKENDESK_PASSPHRASE: S.passphrase };
    const files = {
      accounts: join(root, 'accounts.toml'),
      bad: join(root, 'bad-line.toml'),
      misspelt: join(root, 'misspelt.toml'),
      from: join(root, 'from.toml'),
      fromWrong: join(root, 'from-wrong.toml'),
    };
    await writeFile(files.accounts, accountsToml(server.url));
    await writeFile(files.bad, badLineToml);
    await writeFile(files.misspelt, misspeltToml);
    await writeFile(files.from, `grant = "client_credentials"\ntoken_url = "${server.url}/myfiber/oauth/v2/token"\nclient_id = "myfiber-client"\nclient_secret = "${S.myfiberSecret}"\nclient_auth = "body"\n`);
    await writeFile(files.fromWrong, `grant = "password"\ntoken_url = "${server.url}/myfox/oauth2/token"\nclient_id = "myfox-client"\nclient_secret = "${S.wrongClientSecret}"\nusername = "me@myfox.example"\npassword = "${S.myfoxPassword}"\n`);

    const runs: { label: string; result: CliResult; allowed: string[] }[] = [];
    const cli = async (label: string, args: string[], expectedCode: number, options: { env?: Record<string, string>; input?: string; format?: string } = {}): Promise<CliResult> => {
      const result = await runCli(args, { env: { ...env, ...options.env }, timeoutMs: 30_000, ...(options.input !== undefined ? { input: options.input } : {}) });
      expect(result.code, `${label}: ${result.stderr}`).toBe(expectedCode);
      const allowed: string[] = [];
      if (options.format !== undefined && result.code === 0) {
        const token = printedToken(result.stdout, options.format);
        expect(token.length).toBeGreaterThan(10);
        tokens.add(token);
        allowed.push(token);
      }
      runs.push({ label, result, allowed });
      return result;
    };

    await cli('import (creates the vault)', ['import', files.accounts, '--vault', vault], 0);
    await cli('import, syntax error on the secret line', ['import', files.bad, '--vault', vault], 2);
    await cli('import, secret under a misspelt key', ['import', files.misspelt, '--vault', vault], 2);
    await cli('import, duplicate names', ['import', files.accounts, '--vault', vault], 2);
    await cli('list', ['list', '--vault', vault], 0);
    await cli('token myfox raw', ['token', 'myfox', '--vault', vault], 0, { format: 'raw' });
    await cli('token myfox json', ['token', 'myfox', '--format', 'json', '--vault', vault], 0, { format: 'json' });
    await cli('token myfox header', ['token', 'myfox', '--format', 'header', '--vault', vault], 0, { format: 'header' });
    await cli('token myfox --force (refresh)', ['token', 'myfox', '--force', '--format', 'json', '--vault', vault], 0, { format: 'json' });
    await cli('token insiders', ['token', 'insiders', '--vault', vault], 0, { format: 'raw' });
    const jwt = await cli('token myfiber', ['token', 'myfiber', '--format', 'json', '--vault', vault], 0, { format: 'json' });
    await cli('token pat', ['token', 'pat', '--vault', vault], 0, { format: 'raw' });
    await cli('list --json', ['list', '--json', '--vault', vault], 0);
    await cli('list, wrong passphrase', ['list', '--vault', vault], 5, { env: { TOKENDESK_PASSPHRASE: S.wrongPassphrase } });
    await cli('token, wrong passphrase', ['token', 'myfox', '--vault', vault], 5, { env: { TOKENDESK_PASSPHRASE: S.wrongPassphrase } });
    await cli('token, unknown account', ['token', 'nobody', '--vault', vault], 2);
    await cli('decode argument', ['decode', printedToken(jwt.stdout, 'json')], 0);
    await cli('decode stdin', ['decode'], 0, { input: `Authorization: Bearer ${printedToken(jwt.stdout, 'json')}\n` });
    await cli('decode opaque token', ['decode', S.pat], 2);
    await cli('token --from', ['token', '--from', files.from, '--format', 'json'], 0, { format: 'json' });
    await cli('token --from, wrong client secret', ['token', '--from', files.fromWrong], 3);
    await cli('token --from, bad line', ['token', '--from', files.bad], 2);

    // The refresh tokens never leave the vault, so they are read from it here, before revoke forgets them.
    const session = new AppSession({ dataDir: vault, ports: { fetch: () => Promise.reject(new Error('offline')), clock: systemClock, randomBytes: (n) => new Uint8Array(n) } });
    await session.unlock(S.passphrase);
    for (const name of ['myfox', 'insiders', 'myfiber', 'pat']) {
      const cached = await session.accounts().cachedToken(name);
      expect(cached, name).toBeDefined();
      for (const value of [cached?.accessToken, cached?.refreshToken, cached?.idToken]) if (value) tokens.add(value);
    }
    session.lock();

    await cli('revoke insiders (RFC 7009)', ['revoke', 'insiders', '--vault', vault], 0);
    await cli('revoke myfox (no endpoint)', ['revoke', 'myfox', '--vault', vault], 0);
    await cli('remove myfiber', ['remove', 'myfiber', '--vault', vault], 0);
    await cli('remove, unknown account', ['remove', 'myfiber', '--vault', vault], 2);
    await cli('list after', ['list', '--json', '--vault', vault], 0);

    const secrets = allSecrets();
    expect(secrets.length).toBeGreaterThan(Object.keys(S).length + 5);
    const leaks: string[] = [];
    for (const run of runs) {
      for (const label of secretsIn(run.result.stderr, secrets)) leaks.push(`${run.label}: stderr has ${label}`);
      for (const label of secretsIn(run.result.stdout, secrets, run.allowed)) leaks.push(`${run.label}: stdout has ${label}`);
    }
    for (const hit of [...(await secretsInFolder(vault, secrets)), ...(await secretsInFolder(home, secrets))]) leaks.push(`${hit.file}: ${hit.found.join(', ')}`);
    expect(leaks).toEqual([]);
    // The scan really looked at the vault and its backup.
    expect((await filesUnder(vault)).map((f) => f.slice(vault.length + 1))).toEqual(expect.arrayContaining(['vault.json', 'vault.json.bak']));
  });

  it('no agent traffic, agent message or agent file leaks a secret: only the requested access tokens cross', { timeout: 180_000 }, async () => {
    const vault = join(root, 'agent-vault');
    const home = join(root, 'agent-home');
    const runtime = join(root, 'agent-run');
    await mkdir(runtime, { mode: 0o700 });
    await chmod(runtime, 0o700);
    const base = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_RUNTIME_DIR: runtime };
    const accountsFile = join(root, 'agent-accounts.toml');
    const badFile = join(root, 'agent-bad-line.toml');
    await writeFile(accountsFile, accountsToml(server.url));
    await writeFile(badFile, badLineToml);
    expect((await runCli(['import', accountsFile, '--vault', vault], { env: { ...base, TOKENDESK_PASSPHRASE: S.passphrase } })).code).toBe(0);
    const agent = await startAgentProcess(['--vault', vault], { ...base, TOKENDESK_PASSPHRASE: S.passphrase });
    // Every byte between the commands and the agent passes a recording relay: the rendezvous file is pointed at it.
    const relay = await startRecordingRelay(join(runtime, 'relay.sock'), JSON.parse(await readFile(join(vault, 'agent.json'), 'utf8')) as { endpoint: string });
    const rendezvousText = await readFile(join(vault, 'agent.json'), 'utf8');
    await writeFile(join(vault, 'agent.json'), rendezvousText.replace(/"endpoint":"[^"]*"/, `"endpoint":${JSON.stringify(relay.path)}`), { mode: 0o600 });
    const runs: { label: string; result: CliResult; allowed: string[] }[] = [];
    try {
      const cli = async (label: string, args: string[], expectedCode: number, format?: string): Promise<void> => {
        const result = await runCli(args, { env: base, timeoutMs: 30_000 });
        expect(result.code, `${label}: ${result.stderr}`).toBe(expectedCode);
        const allowed: string[] = [];
        if (format !== undefined && result.code === 0) {
          const token = printedToken(result.stdout, format);
          tokens.add(token);
          allowed.push(token);
        }
        runs.push({ label, result, allowed });
      };
      await cli('agent: token myfox', ['token', 'myfox', '--vault', vault], 0, 'raw');
      await cli('agent: token myfox json', ['token', 'myfox', '--format', 'json', '--vault', vault], 0, 'json');
      await cli('agent: token myfox header', ['token', 'myfox', '--format', 'header', '--vault', vault], 0, 'header');
      await cli('agent: token myfox --force (refresh)', ['token', 'myfox', '--force', '--vault', vault], 0, 'raw');
      await cli('agent: token insiders', ['token', 'insiders', '--vault', vault], 0, 'raw');
      await cli('agent: token myfiber', ['token', 'myfiber', '--vault', vault], 0, 'raw');
      await cli('agent: token pat', ['token', 'pat', '--vault', vault], 0, 'raw');
      await cli('agent: token, unknown account', ['token', 'nobody', '--vault', vault], 2);
      await cli('agent: list', ['list', '--vault', vault], 0);
      await cli('agent: list --json', ['list', '--json', '--vault', vault], 0);
      await cli('agent: import, syntax error on the secret line', ['import', badFile, '--vault', vault], 2);
      await cli('agent: import, duplicate names', ['import', accountsFile, '--vault', vault], 2);

      // The refresh tokens never cross: read them from the vault (beside the running agent) to scan for them.
      const session = new AppSession({ dataDir: vault, ports: { fetch: () => Promise.reject(new Error('offline')), clock: systemClock, randomBytes: (n) => new Uint8Array(n) } });
      await session.unlock(S.passphrase);
      for (const name of ['myfox', 'insiders', 'myfiber', 'pat']) {
        const cached = await session.accounts().cachedToken(name);
        for (const value of [cached?.accessToken, cached?.refreshToken, cached?.idToken]) if (value) tokens.add(value);
      }
      session.lock();
      await cli('agent: revoke insiders', ['revoke', 'insiders', '--vault', vault], 0);
      await cli('agent: remove myfiber', ['remove', 'myfiber', '--vault', vault], 0);
    } finally {
      expect(await agent.stop()).toEqual({ code: 0, signal: null });
      await relay.close();
    }

    const secrets = allSecrets();
    const everyPrinted = runs.flatMap((run) => run.allowed);
    const leaks: string[] = [];
    for (const run of runs) {
      for (const label of secretsIn(run.result.stderr, secrets)) leaks.push(`${run.label}: stderr has ${label}`);
      for (const label of secretsIn(run.result.stdout, secrets, run.allowed)) leaks.push(`${run.label}: stdout has ${label}`);
    }
    for (const label of secretsIn(agent.stderr(), secrets)) leaks.push(`agent stderr has ${label}`);
    // Answers may carry only the access tokens the commands asked for (and printed).
    for (const label of secretsIn(relay.fromAgent(), secrets, everyPrinted)) leaks.push(`agent answers have ${label}`);
    // Requests carry no secret, except an import's own file text, which the command sends to be stored.
    const requests = relay.toAgent().split('\n').filter((line) => line && !line.includes('"op":"import"')).join('\n');
    for (const label of secretsIn(requests, secrets)) leaks.push(`agent requests have ${label}`);
    for (const hit of [...(await secretsInFolder(vault, secrets)), ...(await secretsInFolder(home, secrets)), ...(await secretsInFolder(runtime, secrets))]) {
      leaks.push(`${hit.file}: ${hit.found.join(', ')}`);
    }
    expect(leaks).toEqual([]);
    // The relay really carried the traffic: every token command and the list went through it.
    expect(relay.fromAgent()).toContain('"accessToken"');
    expect(relay.toAgent()).toContain('"op":"list"');
    expect(relay.toAgent()).toContain('"op":"import"');
  });

  it('no harness IPC flow leaks a secret to a response, a pushed event or the data folder', { timeout: 120_000 }, async () => {
    const harness = await startHarness({ browserCompletes: false });
    const events = new AbortController();
    let eventText = '';
    const responses: { label: string; text: string; allowed: string[] }[] = [];
    try {
      const stream = await fetch(new URL('events', harness.url), { signal: events.signal });
      void (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) eventText += decoder.decode(chunk, { stream: true });
      })().catch(() => undefined);

      const ipc = async (label: string, channel: string, request: unknown, expectOk?: boolean): Promise<{ ok: boolean; value?: unknown; error?: unknown }> => {
        const response = await fetch(new URL('ipc', harness.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, request }) });
        const text = await response.text();
        const result = JSON.parse(text) as { ok: boolean; value?: unknown; error?: unknown };
        if (expectOk !== undefined) expect(result.ok, `${label}: ${text.slice(0, 300)}`).toBe(expectOk);
        const allowed: string[] = [];
        if (channel === 'tokens:reveal' && result.ok) {
          const token = (result.value as { accessToken: string }).accessToken;
          tokens.add(token);
          allowed.push(token);
        }
        responses.push({ label, text, allowed });
        return result;
      };

      await ipc('create', 'app:create', { passphrase: S.passphrase }, true);
      await ipc('preview', 'accounts:preview', { text: accountsToml(server.url) }, true);
      await ipc('preview, bad line', 'accounts:preview', { text: badLineToml }, true);
      await ipc('import, bad line', 'accounts:import', { text: badLineToml }, false);
      await ipc('import, misspelt key', 'accounts:import', { text: misspeltToml }, false);
      await ipc('import', 'accounts:import', { text: accountsToml(server.url) }, true);
      await ipc('list', 'accounts:list', {}, true);
      for (const name of ['myfox', 'insiders', 'myfiber', 'pat']) await ipc(`get ${name}`, 'accounts:get', { name }, true);
      await ipc('refresh myfox', 'tokens:refresh', { name: 'myfox' }, true);
      await ipc('refresh myfox, forced', 'tokens:refresh', { name: 'myfox', force: true }, true);
      await ipc('copy insiders header', 'tokens:copy', { name: 'insiders', what: 'header' }, true);
      await ipc('copy pat', 'tokens:copy', { name: 'pat', what: 'token' }, true);
      await ipc('refresh myfiber', 'tokens:refresh', { name: 'myfiber' }, true);
      await ipc('inspect myfiber', 'tokens:inspect', { name: 'myfiber' }, true);
      await ipc('reveal myfox', 'tokens:reveal', { name: 'myfox' }, true);
      await ipc('history myfox', 'accounts:history', { name: 'myfox' }, true);
      await ipc('list with tokens', 'accounts:list', {}, true);
      await ipc('update myfiber secret', 'accounts:update', { name: 'myfiber', patch: { clientSecret: S.wrongClientSecret } }, true);
      await ipc('refresh myfiber, wrong secret', 'tokens:refresh', { name: 'myfiber', force: true }, false);
      await ipc('history myfiber', 'accounts:history', { name: 'myfiber' }, true);
      await ipc('get myfiber after update', 'accounts:get', { name: 'myfiber' }, true);
      await ipc('unlock, wrong passphrase', 'app:unlock', { passphrase: S.wrongPassphrase });

      for (const name of ['myfox', 'insiders', 'pat']) {
        const cached = await harness.session.accounts().cachedToken(name);
        expect(cached, name).toBeDefined();
        for (const value of [cached?.accessToken, cached?.refreshToken, cached?.idToken]) if (value) tokens.add(value);
      }
      await ipc('revoke insiders', 'tokens:revoke', { name: 'insiders' }, true);
      await ipc('remove pat', 'accounts:remove', { name: 'pat' }, true);
      await ipc('list after', 'accounts:list', {}, true);

      const secrets = allSecrets();
      const leaks: string[] = [];
      for (const response of responses) for (const label of secretsIn(response.text, secrets, response.allowed)) leaks.push(`${response.label}: response has ${label}`);
      for (const label of secretsIn(eventText, secrets)) leaks.push(`event stream has ${label}`);
      for (const hit of await secretsInFolder(harness.dataDir, secrets)) leaks.push(`${hit.file}: ${hit.found.join(', ')}`);
      expect(leaks).toEqual([]);
      expect(eventText).toContain('connected');
      expect((await filesUnder(harness.dataDir)).some((f) => f.endsWith('vault.json'))).toBe(true);
    } finally {
      events.abort();
      await harness.close();
    }
  });
});
