/**
 * The smallest honest token endpoint: a loopback HTTP server that answers
 * every POST with the same RFC 6749 5.1 JSON body, counts requests and keeps
 * the first few, so the bench can replay exactly that request with a bare fetch.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedBenchRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface BenchTokenServer {
  /** The token endpoint, `http://127.0.0.1:PORT/token`. */
  tokenUrl: string;
  /** Requests answered so far. */
  count(): number;
  /** The first requests the server saw (at most RECORD_LIMIT), to compare what a grant and a bare fetch sent. */
  recorded(): readonly RecordedBenchRequest[];
  close(): Promise<void>;
}

const RECORD_LIMIT = 10;

export const BENCH_TOKEN_BODY = JSON.stringify({
  access_token: 'bench-access-token-0123456789abcdefghijklmnopqrstuvwxyz',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid profile',
});

/** Starts the server on 127.0.0.1 (ephemeral port). `delayMs` holds each answer back, as a real server would. */
export async function startBenchTokenServer(options: { delayMs?: number } = {}): Promise<BenchTokenServer> {
  let count = 0;
  const recorded: RecordedBenchRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      count++;
      if (recorded.length < RECORD_LIMIT) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
        recorded.push({ method: req.method ?? '', url: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
      }
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(BENCH_TOKEN_BODY);
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    count: () => count,
    recorded: () => recorded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
