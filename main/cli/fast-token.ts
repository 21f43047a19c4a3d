/**
 * The fast path of `tokendesk token NAME`: when no TOKENDESK_PASSPHRASE is
 * set, ask the running agent and print its answer, having loaded only the
 * agent client, the token formats and the error classes (no TOML, JOSE,
 * schema or vault code). Start-up cost is what a script pays per token, so
 * it must stay close to `node -e 0` (SPEC 8; `npm run bench` measures it,
 * test/unit/cli/fast-path-imports.test.ts keeps the import graph small).
 *
 * Anything else (another command, a flag this path does not know, no agent
 * answering) returns undefined, and bin/tokendesk.cjs runs the full command
 * line, which asks the agent again and then opens the vault itself.
 */
import { AgentReportedError, askAgent, meansNoAgent } from '../core/agent/client.js';
import { exitCodeFor } from '../core/errors.js';
import { defaultDataDir } from './data-dir.js';
import { formatToken, TOKEN_FORMATS, type TokenFormat } from './output.js';
import { terminalSafe } from './safe-text.js';

interface FastTokenArgs {
  name: string;
  format: TokenFormat;
  force: boolean;
  minValiditySeconds?: number;
  vault?: string;
}

/** The arguments when they are a plain `token NAME` this path can serve; undefined for anything else. */
export function fastTokenArgs(argv: readonly string[], env: NodeJS.ProcessEnv): FastTokenArgs | undefined {
  if (argv[0] !== 'token' || (env.TOKENDESK_PASSPHRASE ?? '') !== '') return undefined;
  const positionals: string[] = [];
  const parsed: Partial<FastTokenArgs> = { force: false, format: 'raw' };
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index]!;
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string | undefined => (eq === -1 ? argv[++index] : arg.slice(eq + 1));
    switch (flag) {
      case '--force':
        if (eq !== -1) return undefined;
        parsed.force = true;
        break;
      case '--no-browser':
        if (eq !== -1) return undefined;
        break; // an agent never opens a browser
      case '--format': {
        const format = value();
        if (!format || !(TOKEN_FORMATS as readonly string[]).includes(format)) return undefined;
        parsed.format = format as TokenFormat;
        break;
      }
      case '--min-validity': {
        const seconds = value();
        if (!seconds || !/^\d{1,5}$/.test(seconds) || Number(seconds) > 86_400) return undefined;
        parsed.minValiditySeconds = Number(seconds);
        break;
      }
      case '--vault': {
        const vault = value();
        if (!vault) return undefined;
        parsed.vault = vault;
        break;
      }
      default:
        return undefined; // --from, --no-agent, a typo: the full command line says what to do
    }
  }
  if (positionals.length !== 1) return undefined;
  return { ...parsed, name: positionals[0]! } as FastTokenArgs;
}

/** Exit code when the agent answered (a token or its refusal); undefined when the full command line must run. */
export async function tryFastToken(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv }): Promise<number | undefined> {
  const args = fastTokenArgs(argv, io.env);
  if (!args) return undefined;
  const dataDir = args.vault ?? defaultDataDir(io.env);
  const cancel = new AbortController();
  const onSignal = (): void => cancel.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const token = await askAgent(
      dataDir,
      { op: 'token', name: args.name, force: args.force, ...(args.minValiditySeconds !== undefined ? { minValiditySeconds: args.minValiditySeconds } : {}) },
      { signal: cancel.signal },
    );
    io.stdout.write(formatToken(token, args.format, Date.now()));
    return 0;
  } catch (error) {
    if (meansNoAgent(error)) return undefined; // the full command line asks again, then opens the vault itself
    const message = error instanceof AgentReportedError ? error.message : 'The agent could not be asked.';
    io.stderr.write(`${terminalSafe(`tokendesk: ${message}`)}\n`);
    return error instanceof AgentReportedError ? exitCodeFor(error) : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
