/**
 * One function per SPEC 8 measurement. Every loop has a fixed count, every
 * server listens on 127.0.0.1, every temporary folder is removed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { VaultDocument } from '../../main/core/accounts/document.js';
import { runClientCredentialsGrant } from '../../main/core/oauth/grants/client-credentials.js';
import { createNodeFetch } from '../../main/core/net/node-fetch.js';
import type { FetchLike } from '../../main/core/ports.js';
import { createPassphraseSlot, Vault } from '../../main/core/vault/index.js';
import { accountName, benchDocument, benchPorts, benchService, benchSettings } from './bench-accounts.js';
import { memoryKeySlot } from './memory-key-slot.js';
import { row, type Row } from './report.js';
import { collectGarbage, msSince, summarise } from './stats.js';
import { startBenchTokenServer, type RecordedBenchRequest } from './token-server.js';

async function withTempDir<R>(fn: (dir: string) => Promise<R>): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), 'tokendesk-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CACHED_WARMUP = 5_000;
const CACHED_SAMPLES = 50_000;

/** SPEC 8: a cached token returned by the core (AccountService.getToken on a warm cache), one call per sample. */
export async function benchCachedToken(): Promise<Row[]> {
  const server = await startBenchTokenServer();
  const rows: Row[] = [];
  try {
    for (const count of [1, 1_000]) {
      await withTempDir(async (dir) => {
        const { service, vault } = await benchService(dir, benchDocument(count, server.tokenUrl, Date.now(), false));
        // The account looked up last in the list: the slowest case for a lookup by name.
        const name = accountName(count - 1);
        const fetched = await service.getToken(name);
        for (let i = 0; i < CACHED_WARMUP; i++) await service.getToken(name);
        const samples = new Array<number>(CACHED_SAMPLES);
        let same = true;
        for (let i = 0; i < CACHED_SAMPLES; i++) {
          const start = process.hrtime.bigint();
          const token = await service.getToken(name);
          samples[i] = msSince(start);
          if (token.accessToken !== fetched.accessToken) same = false;
        }
        await vault.close();
        const s = summarise(samples);
        const where = count === 1 ? 'vault of 1 account' : `vault of ${count.toLocaleString('en')} accounts, last one`;
        const note = same ? `no network request during the samples (${server.count()} in total)` : 'FAIL: a sample returned another token';
        rows.push(row(`cached-token-median-${count}`, `cached getToken, median (${where})`, same ? s.median : NaN, 'ms', { op: 'lt', value: 0.05 }, { samples: s.n, note }));
        rows.push(row(`cached-token-p99-${count}`, `cached getToken, p99 (${where})`, s.p99, 'ms', undefined, { samples: s.n }));
      });
    }
  } finally {
    await server.close();
  }
  return rows;
}

const OVERHEAD_WARMUP_PAIRS = 300;
const OVERHEAD_PAIRS = 3_000;

function sameRequest(a: RecordedBenchRequest | undefined, b: RecordedBenchRequest | undefined): boolean {
  return !!a && !!b && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Times `a` and `b` alternately, OVERHEAD_PAIRS times each after
 * OVERHEAD_WARMUP_PAIRS untimed pairs, flipping the order every pair so
 * neither always runs on a warmer connection. Milliseconds per call.
 */
async function interleaved(a: () => Promise<void>, b: () => Promise<void>): Promise<[number[], number[]]> {
  const timed = async (fn: () => Promise<void>): Promise<number> => {
    const start = process.hrtime.bigint();
    await fn();
    return msSince(start);
  };
  for (let i = 0; i < OVERHEAD_WARMUP_PAIRS; i++) {
    await a();
    await b();
  }
  const aSamples: number[] = [];
  const bSamples: number[] = [];
  for (let i = 0; i < OVERHEAD_PAIRS; i++) {
    if (i % 2 === 0) {
      aSamples.push(await timed(a));
      bSamples.push(await timed(b));
    } else {
      bSamples.push(await timed(b));
      aSamples.push(await timed(a));
    }
  }
  return [aSamples, bSamples];
}

/**
 * SPEC 8: a client_credentials grant (runClientCredentialsGrant: client auth,
 * safeRequest, capped read, lenient parse) against a bare fetch + res.json() of
 * the byte-identical request, same server, same connection pool, interleaved
 * (the order flips every pair), after a warm-up. Ratio of the medians.
 */
export async function benchGrantOverhead(): Promise<Row[]> {
  const server = await startBenchTokenServer();
  try {
    const settings = benchSettings(0, server.tokenUrl);
    const ctx = { ports: benchPorts };
    const grant = async (): Promise<void> => {
      await runClientCredentialsGrant(settings, ctx);
    };
    await grant();
    const wire = server.recorded()[0]!;
    const requestHeaders: Record<string, string> = {};
    // The headers the grant chose; fetch itself adds the same host, connection, user-agent... to both.
    for (const name of ['accept', 'content-type', 'authorization']) if (wire.headers[name] !== undefined) requestHeaders[name] = wire.headers[name];
    const url = new URL(wire.url, server.tokenUrl).toString();
    const bare = async (): Promise<void> => {
      const response = await fetch(url, { method: 'POST', headers: requestHeaders, body: wire.body });
      await response.json();
    };
    await bare();
    const identical = sameRequest(server.recorded()[0], server.recorded()[1]);

    const [grantSamples, fetchSamples] = await interleaved(grant, bare);
    const g = summarise(grantSamples);
    const f = summarise(fetchSamples);
    const note = identical ? 'the grant and the bare fetch sent byte-identical requests (method, URL, headers, body)' : 'FAIL: the two requests differed';
    return [
      row('grant-over-fetch', 'grant over bare fetch, ratio of medians (loopback)', identical ? g.median / f.median : NaN, 'x', { op: 'le', value: 1.3 }, { samples: g.n, note }),
      row('grant-median', 'client_credentials grant, median', g.median, 'ms', undefined, { samples: g.n }),
      row('grant-p99', 'client_credentials grant, p99', g.p99, 'ms', undefined, { samples: g.n }),
      row('fetch-median', 'bare fetch of the same request, median', f.median, 'ms', undefined, { samples: f.n }),
      row('fetch-p99', 'bare fetch of the same request, p99', f.p99, 'ms', undefined, { samples: f.n }),
    ];
  } finally {
    await server.close();
  }
}

/**
 * The command line's transport (createNodeFetch: the undici package with
 * its own dispatcher, the proxy routing and one TLS context) against Node's
 * built-in fetch, for the same token request on loopback, interleaved after
 * a warm-up. No SPEC target: it tells whether moving the CLI off the
 * built-in fetch (issue 12) costs anything per request.
 */
export async function benchCliTransport(): Promise<Row[]> {
  const server = await startBenchTokenServer();
  const transport = createNodeFetch({ env: {} });
  try {
    const settings = benchSettings(0, server.tokenUrl);
    await runClientCredentialsGrant(settings, { ports: benchPorts });
    const wire = server.recorded()[0]!;
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'authorization']) if (wire.headers[name] !== undefined) headers[name] = wire.headers[name];
    const url = new URL(wire.url, server.tokenUrl).toString();
    const through = (send: FetchLike) => async (): Promise<void> => {
      const response = await send(url, { method: 'POST', headers, body: wire.body });
      await response.json();
    };
    const [cliSamples, builtInSamples] = await interleaved(through(transport), through((input, init) => fetch(input, init)));
    const c = summarise(cliSamples);
    const b = summarise(builtInSamples);
    return [
      row('cli-transport-ratio', "the CLI's transport (undici 7, createNodeFetch) over Node's built-in fetch, same request, ratio of medians", c.median / b.median, 'x', undefined, { samples: c.n }),
      row('cli-transport-median', "the CLI's transport, median", c.median, 'ms', undefined, { samples: c.n }),
    ];
  } finally {
    await transport.close();
    await server.close();
  }
}

const CONCURRENT_CALLS = 1_000;

/** SPEC 8: 1,000 concurrent getToken calls for one account without a cached token cause exactly one token request. */
export async function benchSingleFlight(): Promise<Row[]> {
  // A real server takes a while to answer; 50 ms keeps every call in flight together.
  const server = await startBenchTokenServer({ delayMs: 50 });
  try {
    return await withTempDir(async (dir) => {
      const { service, vault } = await benchService(dir, benchDocument(1, server.tokenUrl, Date.now(), false));
      const start = process.hrtime.bigint();
      const tokens = await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => service.getToken(accountName(0))));
      const elapsed = msSince(start);
      await vault.close();
      const distinct = new Set(tokens.map((t) => t.accessToken)).size;
      return [
        row('concurrent-requests', `${CONCURRENT_CALLS.toLocaleString('en')} concurrent getToken: network requests`, server.count(), 'requests', { op: 'eq', value: 1 }, {
          note: `${distinct} distinct token(s) returned to ${tokens.length} callers`,
        }),
        row('concurrent-elapsed', `${CONCURRENT_CALLS.toLocaleString('en')} concurrent getToken: wall time (server answers after 50 ms)`, elapsed, 'ms'),
      ];
    });
  } finally {
    await server.close();
  }
}

const VAULT_RUNS: Record<number, number> = { 100: 30, 1_000: 20, 10_000: 5 };

/**
 * SPEC 8: vault open + decrypt (Vault.open, then read() parses the JSON) and
 * save (Vault.write: lock, seal, temp file, fsync, rename, backup) with the
 * data key already unwrapped (an in-memory key slot).
 */
export async function benchVault(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const count of [100, 1_000, 10_000]) {
    collectGarbage();
    await withTempDir(async (dir) => {
      const runs = VAULT_RUNS[count]!;
      const slot = memoryKeySlot();
      const doc = benchDocument(count, 'https://so.yio.at/oauth/v2/token', Date.now());
      const vault = await Vault.create<VaultDocument>({ dir }, [slot], doc);
      const saves: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        doc.preferences.clipboardClearSeconds = 60 + i; // a real change each time
        const start = process.hrtime.bigint();
        await vault.write(doc);
        if (i > 0) saves.push(msSince(start)); // the first save also creates the backup: warm-up
      }
      await vault.close();
      const opens: number[] = [];
      let accounts = 0;
      for (let i = 0; i < runs + 1; i++) {
        const start = process.hrtime.bigint();
        const opened = await Vault.open<VaultDocument>({ dir }, [slot]);
        accounts = opened.read().accounts.length;
        const ms = msSince(start);
        if (i > 0) opens.push(ms);
        await opened.close();
      }
      const size = statSync(join(dir, 'vault.json')).size;
      const o = summarise(opens);
      const s = summarise(saves);
      const n = count.toLocaleString('en');
      const target = count === 1_000 ? { op: 'lt' as const, value: 100 } : undefined;
      const note = `vault file ${(size / 1024 / 1024).toFixed(2)} MiB; ${accounts} accounts read back`;
      rows.push(row(`vault-open-${count}`, `vault open + decrypt, ${n} accounts, median`, accounts === count ? o.median : NaN, 'ms', target, { samples: o.n, note }));
      rows.push(row(`vault-save-${count}`, `vault save, ${n} accounts, median`, s.median, 'ms', target, { samples: s.n, note }));
      if (count === 1_000) {
        rows.push(row('vault-open-1000-p99', 'vault open + decrypt, 1,000 accounts, p99', o.p99, 'ms', undefined, { samples: o.n }));
        rows.push(row('vault-save-1000-p99', 'vault save, 1,000 accounts, p99', s.p99, 'ms', undefined, { samples: s.n }));
      }
    });
  }
  return rows;
}

const SCRYPT_RUNS = 3;

/** The passphrase unwrap on its own: scrypt with the default parameters (N = 2^17, r = 8, p = 1) is slow by design. */
export async function benchScryptUnwrap(): Promise<Row[]> {
  collectGarbage();
  const slot = createPassphraseSlot('bench passphrase, not a secret');
  const stored = await slot.wrap(new Uint8Array(32).fill(7));
  const samples: number[] = [];
  for (let i = 0; i < SCRYPT_RUNS; i++) {
    const start = process.hrtime.bigint();
    await slot.unwrap(stored);
    samples.push(msSince(start));
  }
  const s = summarise(samples);
  return [row('scrypt-unwrap', 'passphrase slot unwrap (scrypt N=2^17, r=8, p=1), median', s.median, 'ms', undefined, { samples: s.n, note: 'paid once per unlock, not per open with the keychain' })];
}

/** SPEC 8: every .js file under dist/renderer/assets, gzipped at level 9, summed. */
export function benchRendererSize(root: string): Row[] {
  const assets = join(root, 'dist/renderer/assets');
  const target = { op: 'lt' as const, value: 80 };
  if (!existsSync(assets)) {
    return [row('renderer-js-gzip', 'renderer JavaScript, gzipped', NaN, 'KB', target, { note: 'not built: dist/renderer/assets is missing (run npm run build:renderer)' })];
  }
  const files = readdirSync(assets).filter((file) => file.endsWith('.js'));
  if (files.length === 0) {
    return [row('renderer-js-gzip', 'renderer JavaScript, gzipped', NaN, 'KB', target, { note: 'not built: no .js file in dist/renderer/assets' })];
  }
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(assets, file)), { level: 9 }).byteLength, 0);
  return [row('renderer-js-gzip', 'renderer JavaScript, gzipped', bytes / 1024, 'KB', target, { note: `${files.length} file(s), ${bytes} bytes, gzip level 9` })];
}
