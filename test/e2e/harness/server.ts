/**
 * Browser test harness: serves the built renderer (dist/renderer) and answers
 * the preload API over HTTP with the REAL core behind it (AppSession over a
 * temporary data folder, passphrase slot, Node fetch), so Chromium exercises
 * exactly the handler table the Electron shell uses.
 *
 *   GET  /                 index.html with the shim script injected
 *   GET  /__harness/shim.js defines window.tokendesk (POST /ipc, EventSource /events)
 *   POST /ipc              { channel, request } -> IpcResult, validated by IPC_CONTRACT
 *   GET  /events           Server-Sent Events carrying AppEvents
 *   GET  /__test/clipboard test-only: what the app put on the clipboard
 *
 * Like the app, the unlocked session is an agent too (main/core/api/session-agent.ts):
 * a real socket for the harness's temporary data folder, so the real CLI can
 * ask it and the approval dialog appears in Chromium.
 *
 * Listens on 127.0.0.1 only. Its `openExternal` plays the system browser for
 * the authorization-code flow: it follows the authorize URL's redirects
 * (the fixture server auto-approves) until the loopback callback.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { createApiHandlers } from '../../../main/core/api.js';
import { createAgentApprovals } from '../../../main/core/api/agent-approvals.js';
import { createSessionAutoLock } from '../../../main/core/api/lock-session.js';
import { createSessionAgent, unlockedAccounts, type SessionAgent } from '../../../main/core/api/session-agent.js';
import { AppSession } from '../../../main/core/app-session.js';
import type { AutoLock, Scheduler } from '../../../main/core/auto-lock.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import { perIdentity } from '../../../main/core/net/identity-cache.js';
import { createNodeFetch, type NodeFetch } from '../../../main/core/net/node-fetch.js';
import type { Clock, CorePorts, FetchLike } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { IPC_CHANNELS, isIpcChannel, type AppEvent } from '../../../shared/ipc.js';

const ROOT = resolve(import.meta.dirname, '../../..');
export const RENDERER_DIR = join(ROOT, 'dist/renderer');
const MAX_IPC_BODY = 2 * 1024 * 1024;
const MAX_BROWSER_HOPS = 10;

export interface Harness {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  dataDir: string;
  session: AppSession;
  /** The session's agent (started when the window unlocks or creates the vault). */
  agent: SessionAgent;
  /** The idle lock, as the app builds it (its clock and timers are `HarnessOptions.autoLockTime`'s when given). */
  autoLock: AutoLock;
  /** What the app last wrote to the (fake) system clipboard. */
  clipboardText(): string;
  /** Every URL the app asked the "system browser" to open. */
  openedUrls: string[];
  /** false: openExternal only records the URL, as if the user had not signed in yet. */
  setBrowserCompletes(value: boolean): void;
  /** true: the (fake) system clipboard refuses writes, as a clipboard held by another program does. */
  setClipboardRefuses(value: boolean): void;
  /** The folder the (fake) save dialog answers with: "Save a backup…" writes there under its default name. */
  backupDir: string;
  /** true: the (fake) save dialog is cancelled. */
  setSaveCancelled(value: boolean): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** When false, openExternal only records the URL (to test Cancel and the paste fallback). */
  browserCompletes?: boolean;
  /**
   * Authorities (PEM) the transport of accounts with a client certificate
   * trusts instead of the defaults: the test authority of an https fixture.
   */
  authorities?: readonly string[];
  /** The auto-lock's clock and timers (test/fixtures/manual-time.ts), so a spec can make minutes pass at once; real time otherwise. */
  autoLockTime?: Clock & Scheduler;
  /**
   * Wraps the core's fetch port, e.g. test/fixtures/seed-hosts.ts, so a text
   * with a seed provider's real address reaches the fixture server.
   */
  wrapFetch?: (fetch: FetchLike) => FetchLike;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** The preload API, rebuilt over HTTP: one method per channel, nothing generic exposed to app code. */
function shimSource(): string {
  return `(() => {
  const channels = ${JSON.stringify(IPC_CHANNELS)};
  const api = {};
  for (const channel of channels) {
    api[channel] = async (request) => {
      const response = await fetch('./ipc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, request }) });
      return response.json();
    };
  }
  const listeners = new Set();
  const source = new EventSource('./events');
  source.onmessage = (message) => { const event = JSON.parse(message.data); for (const l of listeners) l(event); };
  api.onEvent = (listener) => { listeners.add(listener); return () => listeners.delete(listener); };
  window.tokendesk = Object.freeze(api);
})();
`;
}

function isLoopbackUrl(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost');
}

/**
 * Plays the user's browser: GET the authorize URL and follow redirects (the
 * fixture server approves at once) until the loopback listener answers.
 * Never leaves 127.0.0.1.
 */
async function browse(start: string): Promise<void> {
  let url = new URL(start);
  for (let hop = 0; hop < MAX_BROWSER_HOPS; hop++) {
    if (!isLoopbackUrl(url)) throw new Error(`harness browser refuses non-loopback URL ${url.origin}`);
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer().catch(() => undefined);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return;
    url = new URL(location, url);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_IPC_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function ensureRendererBuilt(): Promise<void> {
  const index = join(RENDERER_DIR, 'index.html');
  const sources = Math.max(newestSource(join(ROOT, 'renderer')), newestSource(join(ROOT, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // `npm test` builds first; a lone `playwright test` rebuilds here so it never tests a stale or missing bundle.
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  await ensureRendererBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-e2e-'));
  const backupDir = await mkdtemp(join(tmpdir(), 'tokendesk-e2e-backups-'));
  let saveCancelled = false;
  const streams = new Set<ServerResponse>();
  const openedUrls: string[] = [];
  let clipboard = '';
  let clipboardRefuses = false;
  let browserCompletes = options.browserCompletes !== false;

  const emit = (event: AppEvent): void => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const stream of streams) stream.write(line);
  };
  // As in the app: accounts with a client certificate go through the Node transport, one per identity.
  const certificateTransports: NodeFetch[] = [];
  const ports: CorePorts = {
    fetch: options.wrapFetch ? options.wrapFetch((input, init) => fetch(input, init)) : (input, init) => fetch(input, init),
    fetchWithClientCertificate: perIdentity((clientCertificate) => {
      const transport = createNodeFetch({ clientCertificate, ...(options.authorities ? { ca: options.authorities } : {}) });
      certificateTransports.push(transport);
      return transport;
    }),
    clock: systemClock,
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
    // The save dialog: the user picks the default name in a temporary folder, or cancels.
    chooseSavePath: async (defaultName) => (saveCancelled ? undefined : join(backupDir, defaultName)),
  };
  const session = new AppSession({ dataDir, ports });
  const guard = createClipboardGuard({
    clipboard: {
      readText: () => clipboard,
      writeText: (text) => {
        if (clipboardRefuses) throw new Error('the clipboard is held by another program');
        clipboard = text;
      },
    },
    now: () => Date.now(),
    onCleared: (account) => emit({ type: 'clipboard', state: 'cleared', account }),
  });
  const approvals = createAgentApprovals(emit);
  const agent = createSessionAgent({ dataDir, session: () => unlockedAccounts(session), approvals });
  const autoLock = createSessionAutoLock({
    session,
    agent,
    emit,
    clock: options.autoLockTime ?? systemClock,
    ...(options.autoLockTime ? { scheduler: options.autoLockTime } : {}),
  });
  const handlers = createApiHandlers({
    session,
    clipboard: guard,
    ports,
    emit,
    approvals,
    agent,
    autoLock,
    openExternal: async (url) => {
      openedUrls.push(url);
      // Like a real browser, the user's approval arrives a little after the window opened.
      if (browserCompletes) setTimeout(() => void browse(url).catch(() => undefined), 300);
    },
  });

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/ipc') {
      let message: { channel?: unknown; request?: unknown };
      try {
        message = JSON.parse(await readBody(req)) as typeof message;
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!isIpcChannel(message.channel)) {
        res.writeHead(404).end();
        return;
      }
      const handler = handlers[message.channel] as (request: unknown) => Promise<unknown>;
      const result = await handler(message.request);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname === '/__test/clipboard') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ text: clipboard }));
      return;
    }
    if (url.pathname === '/__harness/shim.js') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.js']! }).end(shimSource());
      return;
    }
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(RENDERER_DIR, relative));
    if (!file.startsWith(RENDERER_DIR + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer | string = await readFile(file);
    if (relative === 'index.html') {
      // A classic script runs before the deferred module bundle: window.tokendesk exists when the app starts.
      body = body.toString('utf8').replace('<head>', '<head>\n    <script src="./__harness/shim.js"></script>');
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  }

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    dataDir,
    session,
    agent,
    autoLock,
    clipboardText: () => clipboard,
    openedUrls,
    setBrowserCompletes: (value) => void (browserCompletes = value),
    setClipboardRefuses: (value) => void (clipboardRefuses = value),
    backupDir,
    setSaveCancelled: (value) => void (saveCancelled = value),
    async close() {
      guard.dispose();
      autoLock.stop();
      await agent.onLocked();
      session.lock();
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.all(certificateTransports.map((transport) => transport.close()));
      await rm(dataDir, { recursive: true, force: true });
      await rm(backupDir, { recursive: true, force: true });
    },
  };
}
