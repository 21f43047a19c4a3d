/**
 * The Node transport: WHATWG fetch on undici (Node's own fetch
 * implementation, as a package so version 7 runs on Node 20 and on
 * Electron's newer Node alike), with what a corporate network needs:
 * - a proxy from the environment, read as curl reads it (proxy-env.ts), or
 *   from a resolver (the app asks Chromium's proxy configuration);
 * - loopback addresses never sent to a proxy (a proxy cannot reach this
 *   computer's redirect listener or local test servers, and must not see them);
 * - the operating system's certificate store where Node offers it (trust.ts);
 * - a client certificate presented on every connection (mutual TLS, RFC 8705).
 *
 * Certificates are always verified: nothing here sets rejectUnauthorized.
 * The CLI uses it for every request, the app only for accounts that hold a
 * client certificate (Chromium's `net` cannot present one from a file).
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type * as UndiciModule from 'undici';
import type { Agent, Dispatcher, ProxyAgent } from 'undici';
import { InputError } from '../errors.js';
import { isLoopbackHost } from '../oauth/loopback.js';
import type { ClientTlsIdentity, FetchLike } from '../ports.js';
import { bypassesProxy, displayProxy, proxySettingsFromEnv } from './proxy-env.js';
import { trustedAuthorities } from './trust.js';

export interface NodeFetchOptions {
  /** Environment to read HTTPS_PROXY / HTTP_PROXY / NO_PROXY from (curl's rules). Default: no proxy. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Instead of `env`: the proxy for each URL (`http://host:port`), undefined for a direct connection. */
  resolveProxy?(url: URL): Promise<string | undefined>;
  /**
   * Authorities to trust instead of the defaults (tests pass their own).
   * Default: Node's defaults (with NODE_EXTRA_CA_CERTS) plus the system store where Node offers it.
   */
  ca?: readonly string[];
  /** Presented on every connection this fetch opens. */
  clientCertificate?: ClientTlsIdentity;
}

type Undici = typeof UndiciModule;
let undiciLoading: Promise<Undici> | undefined;
/**
 * undici takes over 100 ms to load, more than Node itself takes to start:
 * it is loaded on the first request, so a command that answers from the
 * vault's cached token or from the agent never pays for it.
 */
const loadUndici = (): Promise<Undici> => (undiciLoading ??= import('undici'));

export type NodeFetch = FetchLike & {
  /** Closes idle connections; requests in flight finish. */
  close(): Promise<void>;
};

/**
 * A fetch failure with what only this transport knows: whether a proxy
 * stood between (so the proxy, not the server, may have refused) and whether
 * a client certificate was presented. transport-failure.ts reads both.
 */
export class NodeFetchFailure extends Error {
  /** The proxy's scheme, host and port (never its credentials), when one was used. */
  readonly proxy?: string;
  /** The proxy address carried a user name and password. */
  readonly proxyCredentials?: boolean;
  readonly clientCertificate: boolean;
  /** The authorities this transport trusted instead of the defaults, so a diagnosing handshake trusts the same. */
  readonly trust?: readonly string[];

  constructor(details: { proxy?: string; proxyCredentials?: boolean; clientCertificate: boolean; trust?: readonly string[] }, options: { cause: unknown }) {
    super(details.proxy ? `The request through the proxy ${details.proxy} failed.` : 'The request failed.', options);
    this.name = 'NodeFetchFailure';
    if (details.proxy) this.proxy = details.proxy;
    if (details.proxyCredentials) this.proxyCredentials = true;
    this.clientCertificate = details.clientCertificate;
    if (details.trust) this.trust = details.trust;
  }
}

function hasCredentials(proxy: string): boolean {
  try {
    const url = new URL(proxy);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** What `tls.connect` receives: one secure context, built once (parsing the system store per connection costs milliseconds). */
function secureContextFor(ca: readonly string[] | undefined, identity: ClientTlsIdentity | undefined): SecureContext {
  const trust = ca ? { ca: [...ca] } : {};
  if (!identity) return createSecureContext(trust);
  try {
    if (identity.format === 'pem') {
      return createSecureContext({ ...trust, cert: identity.certificate, key: identity.key, ...(identity.keyPassword !== undefined ? { passphrase: identity.keyPassword } : {}) });
    }
    return createSecureContext({ ...trust, pfx: Buffer.from(identity.pkcs12, 'base64'), ...(identity.password !== undefined ? { passphrase: identity.password } : {}) });
  } catch {
    // The import checked the certificate; this is a vault entry changed since, or a Node that reads less.
    // OpenSSL's text is left out: it may quote parts of the key material.
    throw new InputError('ERR_INPUT_FIELD', "The account's client certificate cannot be loaded (its key or password does not open it). Import it again.");
  }
}

/**
 * A fetch over Node's TLS with proxies, the system store and an optional
 * client certificate (see the module comment).
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2 (mutual TLS client authentication)
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  let tlsContext: SecureContext | undefined;
  let proxyContext: SecureContext | undefined;
  let direct: Agent | undefined;
  let fromEnv: { agent: Dispatcher; httpsProxy?: string; httpProxy?: string; noProxy?: string } | undefined;
  const byProxy = new Map<string, ProxyAgent>();

  // Built on the first request: a CLI command that never connects (decode, a token the agent hands out) pays nothing.
  const requestTls = () => {
    tlsContext ??= secureContextFor(options.ca ?? trustedAuthorities(), options.clientCertificate);
    return { secureContext: tlsContext };
  };
  // An https proxy is verified like any server, without our client certificate.
  const proxyTls = () => {
    proxyContext ??= secureContextFor(options.ca ?? trustedAuthorities(), undefined);
    return { secureContext: proxyContext };
  };
  const directAgent = (undici: Undici) => (direct ??= new undici.Agent({ connect: requestTls() }));
  const proxyAgent = (undici: Undici, proxy: string) => {
    let agent = byProxy.get(proxy);
    if (!agent) {
      agent = new undici.ProxyAgent({ uri: proxy, requestTls: requestTls(), proxyTls: proxyTls() });
      byProxy.set(proxy, agent);
    }
    return agent;
  };
  const envAgent = (undici: Undici) => {
    if (!fromEnv) {
      const settings = proxySettingsFromEnv(options.env ?? {});
      // Every field explicit: undici would otherwise read process.env itself, and fall back from https to the http proxy.
      const agent = settings.httpsProxy || settings.httpProxy
        ? new undici.EnvHttpProxyAgent({
            httpProxy: settings.httpProxy ?? '',
            httpsProxy: settings.httpsProxy ?? '',
            noProxy: settings.noProxy ?? '',
            connect: requestTls(),
            requestTls: requestTls(),
            proxyTls: proxyTls(),
          })
        : directAgent(undici);
      fromEnv = { agent, ...settings };
    }
    return fromEnv;
  };

  /** The dispatcher for `url` and the proxy it may use (for messages). */
  const route = async (undici: Undici, url: URL): Promise<{ dispatcher: Dispatcher; proxy?: string }> => {
    if (isLoopbackHost(url.hostname)) return { dispatcher: directAgent(undici) };
    if (options.resolveProxy) {
      const proxy = await options.resolveProxy(url);
      return proxy ? { dispatcher: proxyAgent(undici, proxy), proxy } : { dispatcher: directAgent(undici) };
    }
    const env = envAgent(undici);
    const proxy = url.protocol === 'https:' ? env.httpsProxy : env.httpProxy;
    // No proxy for this scheme: straight out, never through the other scheme's proxy.
    if (!proxy || bypassesProxy(url, env.noProxy)) return { dispatcher: directAgent(undici) };
    return { dispatcher: env.agent, proxy };
  };

  const fetchViaNode = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(input);
    const undici = await loadUndici();
    const { dispatcher, proxy } = await route(undici, url);
    try {
      // undici's fetch types are its own copies of the DOM ones; the shapes are the same.
      const response = await undici.fetch(url, { ...(init as Parameters<Undici['fetch']>[1]), dispatcher });
      return response as unknown as Response;
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new NodeFetchFailure(
        {
          ...(proxy ? { proxy: displayProxy(proxy), proxyCredentials: hasCredentials(proxy) } : {}),
          clientCertificate: options.clientCertificate !== undefined,
          ...(options.ca ? { trust: options.ca } : {}),
        },
        { cause: error },
      );
    }
  }) as NodeFetch;
  fetchViaNode.close = async () => {
    const agents: Dispatcher[] = [...byProxy.values()];
    if (direct) agents.push(direct);
    if (fromEnv && fromEnv.agent !== direct) agents.push(fromEnv.agent);
    await Promise.all(agents.map((agent) => agent.close()));
  };
  return fetchViaNode;
}
