/**
 * SPEC 8: "a stalled vendor on account A: `token B` in another process within
 * 2x its unloaded time". Whole `tokendesk` processes against one vault: the
 * unloaded and the loaded runs of `token B --force` (a real token request and
 * a save, which is what a held vault lock would block) alternate in one run,
 * while A's server accepts the request and never answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { row, type Row } from './report.js';
import { summarise } from './stats.js';
import { startBenchTokenServer } from './token-server.js';

const SAMPLES = 5;
const PASSPHRASE = 'bench stalled vendor passphrase 7';
/** Longer than the whole loaded series, so A stalls throughout. */
const STALL_TIMEOUT_MS = 20_000;

/** A token endpoint that takes the request and never answers (until closed). */
async function startStallServer(): Promise<{ url: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const held: IncomingMessage[] = [];
  const server = createServer((req) => {
    hits++;
    held.push(req);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const req of held) req.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function cli(root: string, args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; ms: number }> } {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'bin/tokendesk.cjs'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const done = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6 })),
  );
  return { child, done };
}

export async function benchStalledVendor(root: string): Promise<Row[]> {
  const stall = await startStallServer();
  const tokens = await startBenchTokenServer();
  const dir = await mkdtemp(join(tmpdir(), 'tokendesk-bench-stall-'));
  const env = { TOKENDESK_PASSPHRASE: PASSPHRASE, TOKENDESK_TIMEOUT_MS: String(STALL_TIMEOUT_MS) };
  const stalledRuns: ChildProcess[] = [];
  try {
    const file = join(dir, 'accounts.toml');
    const account = (name: string, url: string) =>
      `[accounts.${name}]\ngrant = "client_credentials"\ntoken_url = "${url}"\nclient_id = "bench-${name}"\nclient_secret = "bench-secret-${name}"\nclient_auth = "body"\n`;
    await writeFile(file, `${account('A', stall.url)}\n${account('B', tokens.tokenUrl)}`);
    if ((await cli(root, ['import', file, '--vault', dir], env).done).code !== 0) throw new Error('bench: import failed');

    const tokenB = async (): Promise<number> => {
      const { code, ms } = await cli(root, ['token', 'B', '--force', '--vault', dir], env).done;
      if (code !== 0) throw new Error(`bench: token B exited ${code}`);
      return ms;
    };
    await tokenB(); // warm-up: file caches, the first scrypt

    const unloaded: number[] = [];
    const loaded: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      unloaded.push(await tokenB());
      // A fresh stalled request for each loaded sample: it sits in A's server for the whole sample.
      const hitsBefore = stall.hits();
      const stalled = cli(root, ['token', 'A', '--vault', dir], env);
      stalledRuns.push(stalled.child);
      for (let wait = 0; wait < 400 && stall.hits() === hitsBefore; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (stall.hits() === hitsBefore) throw new Error('bench: the stalled request never reached its server');
      loaded.push(await tokenB());
      stalled.child.kill('SIGKILL');
    }
    const u = summarise(unloaded);
    const l = summarise(loaded);
    return [
      row('stalled-vendor-unloaded', '`tokendesk token B --force`, whole process, median (unloaded)', u.median, 'ms', undefined, { samples: u.n }),
      row('stalled-vendor-loaded', '`tokendesk token B --force` while account A\'s server stalls, median', l.median, 'ms', undefined, { samples: l.n }),
      row('stalled-vendor-ratio', 'token B while A stalls, over unloaded, ratio of medians', l.median / u.median, 'x', { op: 'le', value: 2 }, {
        samples: l.n,
        note: 'each loaded sample runs while another process waits on A\'s never-answering server',
      }),
    ];
  } finally {
    for (const child of stalledRuns) child.kill('SIGKILL');
    await stall.close();
    await tokens.close();
    await rm(dir, { recursive: true, force: true });
  }
}
