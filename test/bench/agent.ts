/**
 * SPEC 8, the agent rows, measured side by side in one run:
 * - `tokendesk token NAME` answered by a running `tokendesk agent` from its
 *   cache, whole process, against `node -e 0` on the same machine, the two
 *   spawned alternately (ratio of the medians, target at most 1.6x);
 * - one agent round trip inside one process (client and server in this
 *   process, real socket), median under 1 ms;
 * - 100 `tokendesk token NAME` processes started at once for an account
 *   with no cached token: exactly 1 token request;
 * - 10 concurrent clients (another process) for 10 s: at least 1,000
 *   answers a second, no error.
 * Every loop is bounded; every server listens on 127.0.0.1 or a socket in a
 * temporary folder; the agent process is stopped and the folders removed.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askAgent } from '../../main/core/agent/client.js';
import { startAgentServer } from '../../main/core/agent/server.js';
import { createAgentBackend } from '../../main/core/agent/service.js';
import { AppSession } from '../../main/core/app-session.js';
import { accountName, benchPorts, benchSettings } from './bench-accounts.js';
import { row, type Row } from './report.js';
import { msSince, summarise } from './stats.js';
import { startBenchTokenServer } from './token-server.js';

const PASSPHRASE = 'bench agent passphrase, not a secret';
const PROCESS_WARMUP = 3;
const PROCESS_PAIRS = 20;
const ROUND_TRIP_WARMUP = 200;
const ROUND_TRIPS = 2_000;
const AT_ONCE = 100;
const LOAD_CLIENTS = 10;
const LOAD_MS = 10_000;
const AGENT_READY_MS = 30_000;

interface Run {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

function runProcess(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: msSince(start), stdout, stderr });
    });
  });
}

export async function benchAgent(root: string): Promise<Row[]> {
  const cli = join(root, 'bin/tokendesk.cjs');
  const loadClient = join(root, 'dist/test/bench/agent-load-client.js');
  const server = await startBenchTokenServer();
  const slowServer = await startBenchTokenServer({ delayMs: 50 });
  const dir = await mkdtemp(join(tmpdir(), 'tokendesk-bench-agent-'));
  const vault = join(dir, 'vault');
  const runtime = join(dir, 'run');
  await mkdir(runtime, { mode: 0o700 });
  await chmod(runtime, 0o700);
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtime };
  const rows: Row[] = [];
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    const setup = new AppSession({ dataDir: vault, ports: benchPorts });
    await setup.create({ passphrase: PASSPHRASE });
    await setup.accounts().importAccounts([benchSettings(0, server.tokenUrl), benchSettings(1, slowServer.tokenUrl)]);
    setup.lock();

    agent = spawn(process.execPath, [cli, 'agent', '--vault', vault, '--lock-after', '0'], { env: { ...baseEnv, TOKENDESK_PASSPHRASE: PASSPHRASE }, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let said = '';
      const timer = setTimeout(() => reject(new Error(`the agent did not start: ${said}`)), AGENT_READY_MS);
      agent!.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        said += chunk;
        if (said.includes('TokenDesk agent serving')) {
          clearTimeout(timer);
          resolve();
        }
      });
      agent!.once('exit', () => reject(new Error(`the agent exited: ${said}`)));
    });
    const cached = accountName(0);
    const warm = await runProcess([cli, 'token', cached, '--vault', vault], baseEnv);
    if (warm.code !== 0) throw new Error(`token through the agent failed: ${warm.stderr}`);
    const token = warm.stdout;

    // 1. Whole process, alternating with node -e 0.
    const cliMs: number[] = [];
    const nodeMs: number[] = [];
    let sameToken = true;
    for (let i = 0; i < PROCESS_WARMUP + PROCESS_PAIRS; i++) {
      const order = i % 2 === 0;
      const a = order ? await runProcess(['-e', '0'], baseEnv) : undefined;
      const b = await runProcess([cli, 'token', cached, '--vault', vault], baseEnv);
      const c = order ? undefined : await runProcess(['-e', '0'], baseEnv);
      if (b.code !== 0 || b.stdout !== token) sameToken = false;
      if (i >= PROCESS_WARMUP) {
        cliMs.push(b.ms);
        nodeMs.push((a ?? c)!.ms);
      }
    }
    const t = summarise(cliMs);
    const n = summarise(nodeMs);
    rows.push(
      row('agent-cli-ratio', '`tokendesk token NAME` from the agent\'s cache over `node -e 0`, ratio of medians', sameToken ? t.median / n.median : NaN, 'x', { op: 'le', value: 1.6 }, {
        samples: t.n,
        note: sameToken ? `${server.count()} token request(s) in total` : 'FAIL: a run did not print the cached token',
      }),
      row('agent-cli-median', '`tokendesk token NAME` from the agent, whole process, median', t.median, 'ms', undefined, { samples: t.n }),
      row('node-e-0-median', '`node -e 0`, whole process, median', n.median, 'ms', undefined, { samples: n.n }),
    );

    // 2. One round trip inside one process: its own agent over its own vault.
    rows.push(...(await benchRoundTrip(dir, server.tokenUrl)));

    // 3. 100 processes at once, no cached token: one token request.
    const before = slowServer.count();
    const fresh = accountName(1);
    const runs = await Promise.all(Array.from({ length: AT_ONCE }, () => runProcess([cli, 'token', fresh, '--vault', vault], baseEnv, 120_000)));
    const ok = runs.filter((run) => run.code === 0);
    const distinct = new Set(ok.map((run) => run.stdout)).size;
    rows.push(
      row('agent-100-processes', `${AT_ONCE} \`tokendesk token\` processes at once, no cached token: token requests`, ok.length === AT_ONCE ? slowServer.count() - before : NaN, 'requests', { op: 'eq', value: 1 }, {
        note: `${ok.length} of ${AT_ONCE} exited 0, ${distinct} distinct token(s)${ok.length < AT_ONCE ? `; first failure: ${runs.find((run) => run.code !== 0)?.stderr.trim().slice(0, 200)}` : ''}`,
      }),
    );

    // 4. Sustained load from another process.
    const load = await runProcess([loadClient, vault, cached, String(LOAD_CLIENTS), String(LOAD_MS)], baseEnv, LOAD_MS + 30_000);
    const result = JSON.parse(load.stdout.trim() || '{}') as { answers?: number; errors?: number; elapsedMs?: number; firstError?: string };
    const perSecond = result.answers !== undefined && result.elapsedMs ? result.answers / (result.elapsedMs / 1000) : NaN;
    rows.push(
      row('agent-load', `${LOAD_CLIENTS} concurrent clients for ${LOAD_MS / 1000} s: answers per second`, result.errors === 0 ? perSecond : NaN, 'answers/s', { op: 'ge', value: 1000 }, {
        note: `${result.answers ?? 0} answers, ${result.errors ?? 'unknown'} errors${result.firstError ? ` (first: ${result.firstError.slice(0, 120)})` : ''}`,
      }),
    );
  } finally {
    agent?.kill('SIGTERM');
    await new Promise((resolve) => (agent && agent.exitCode === null ? agent.once('exit', resolve) : resolve(undefined)));
    await server.close();
    await slowServer.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

async function benchRoundTrip(dir: string, tokenUrl: string): Promise<Row[]> {
  const vault = join(dir, 'in-process');
  const session = new AppSession({ dataDir: vault, ports: benchPorts });
  await session.create({ passphrase: PASSPHRASE });
  await session.accounts().importAccounts([benchSettings(0, tokenUrl)]);
  const handle = await startAgentServer({ dataDir: vault, kind: 'headless', backend: createAgentBackend({ session: () => session.accounts() }) });
  try {
    const name = accountName(0);
    const first = await askAgent(vault, { op: 'token', name });
    for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await askAgent(vault, { op: 'token', name });
    const samples: number[] = [];
    let same = true;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const start = process.hrtime.bigint();
      const answer = await askAgent(vault, { op: 'token', name });
      samples.push(msSince(start));
      if (answer.accessToken !== first.accessToken) same = false;
    }
    const s = summarise(samples);
    return [
      row('agent-round-trip-median', 'agent round trip inside one process (connect, key check, cached token, answer), median', same ? s.median : NaN, 'ms', { op: 'lt', value: 1 }, { samples: s.n }),
      row('agent-round-trip-p99', 'agent round trip inside one process, p99', s.p99, 'ms', undefined, { samples: s.n }),
    ];
  } finally {
    await handle.stop();
    session.lock();
  }
}
