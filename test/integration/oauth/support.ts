/** Shared set-up for the OAuth integration tests: real fetch, real clock, real randomness. */
import { randomBytes } from 'node:crypto';
import type { AccountSettings } from '../../../shared/account.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { AuthorizationFlows } from '../../../main/core/oauth/authorization-flows.js';
import type { AuthorizationPrompt, GrantContext } from '../../../main/core/oauth/context.js';
import { runAuthorizationCodeGrant } from '../../../main/core/oauth/grants/authorization-code.js';
import type { TransportOptions } from '../../../main/core/oauth/http.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';

export interface CountingContext extends GrantContext, TransportOptions {
  /** URLs the core asked fetch for, in order (counted before any connection is made). */
  fetched: string[];
  learned: string[];
}

export function makeContext(extra: Partial<GrantContext & TransportOptions> = {}): CountingContext {
  const fetched: string[] = [];
  const learned: string[] = [];
  return {
    ports: {
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
      clock: systemClock,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    },
    timeoutMs: 5000,
    onClientAuthLearned: (method) => learned.push(method),
    ...extra,
    fetched,
    learned,
  };
}

export function settings(overrides: Partial<AccountSettings>): AccountSettings {
  return { name: 'test', grant: 'client_credentials', clientAuth: 'body', scopes: [], scopeSeparator: ' ', extra: {}, ...overrides };
}

/** The myfiber seed account (client_credentials, body auth) on the fixture server; `base` replaces its address (another host name). */
export function myfiberSettings(server: ProviderServer, base = server.url): AccountSettings {
  return settings({
    name: 'myfiber',
    tokenUrl: `${base}/myfiber/oauth/v2/token`,
    clientId: server.clients.myfiber.clientId,
    clientSecret: server.clients.myfiber.clientSecret,
  });
}

/** The Insiders seed account (password grant, Basic auth, the mandatory trailing slashes) on the fixture server. */
export function insidersSettings(server: ProviderServer, overrides: Partial<AccountSettings> = {}): AccountSettings {
  return settings({
    grant: 'password',
    tokenUrl: `${server.url}/insiders/oauth2/token/`,
    revokeUrl: `${server.url}/insiders/oauth2/revoke-token/`,
    clientId: server.clients.insiders.clientId,
    clientSecret: server.clients.insiders.clientSecret,
    clientAuth: 'basic',
    username: server.users.insiders.username,
    password: server.users.insiders.password,
    scopes: ['all'],
    ...overrides,
  });
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}

/** Asserts that no listed secret appears in the error's message (or its causes' messages). */
export function messageContainsAny(error: unknown, secrets: string[]): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const found = secrets.find((s) => s && (current as Error).message.includes(s));
    if (found) return found;
    current = (current as Error).cause;
  }
  return undefined;
}

/**
 * Runs the authorization code grant and plays the browser through the seed
 * server's one-step authorize redirect (it must answer 302) to our loopback
 * listener. Returns the grant's promise, the prompt and the callback URL.
 */
export async function signInAtSeedServer(settings: AccountSettings, ports: CorePorts) {
  const flows = new AuthorizationFlows({ ports });
  let onPrompt!: (p: AuthorizationPrompt) => void;
  const prompted = new Promise<AuthorizationPrompt>((resolve) => (onPrompt = resolve));
  const result = runAuthorizationCodeGrant(settings, { ports, onAuthorizationPrompt: onPrompt }, flows);
  result.catch(() => undefined);
  const prompt = await prompted;
  const authorize = await fetch(prompt.url, { redirect: 'manual' });
  const location = authorize.headers.get('location');
  await authorize.arrayBuffer();
  if (authorize.status !== 302 || !location) throw new Error(`the authorize endpoint answered ${authorize.status}${location ? '' : ' without a Location'}, not a 302 redirect`);
  await (await fetch(location)).arrayBuffer();
  return { result, prompt, callbackUrl: location };
}
