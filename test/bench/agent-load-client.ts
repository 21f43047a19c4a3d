/**
 * The load half of the agent bench, run as its own process (so clients and
 * agent do not share one event loop): CLIENTS concurrent loops asking the
 * agent for a cached token until DURATION_MS has passed, each loop also
 * bounded by a maximum count. Prints one JSON line: answers, errors, elapsed.
 *
 *   node agent-load-client.js DATA_DIR ACCOUNT CLIENTS DURATION_MS
 */
import { askAgent } from '../../main/core/agent/client.js';

const MAX_PER_CLIENT = 1_000_000;

async function main(): Promise<void> {
  const [dataDir, name, clientsText, durationText] = process.argv.slice(2);
  const clients = Number(clientsText);
  const durationMs = Number(durationText);
  if (!dataDir || !name || !(clients > 0) || !(durationMs > 0)) throw new Error('usage: agent-load-client DATA_DIR ACCOUNT CLIENTS DURATION_MS');
  let answers = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < MAX_PER_CLIENT && performance.now() < deadline; i++) {
        try {
          await askAgent(dataDir, { op: 'token', name });
          answers++;
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ answers, errors, elapsedMs, firstError })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
