/**
 * Which proxy the command line uses, read from the environment as curl reads
 * it (curl(1), ENVIRONMENT):
 * - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` for http URLs,
 *   `all_proxy` / `ALL_PROXY` when the scheme's own variable is not set; the
 *   lower-case name wins when both are set.
 * - `HTTP_PROXY` in upper case is ignored, as curl ignores it: a CGI program
 *   receives a request's `Proxy:` header as HTTP_PROXY ("httpoxy",
 *   CVE-2016-5385). TokenDesk sends plain http only to this computer, which
 *   is never proxied, so in practice only the https variables matter.
 * - An https URL never falls back to the http proxy (curl does not either):
 *   a proxy set for plain web pages may not be meant for credentials.
 * - `no_proxy` / `NO_PROXY`: host names (a leading dot or `*.` matches
 *   subdomains), `host:port`, IP literals, or `*` for everything; undici's
 *   EnvHttpProxyAgent applies the list.
 */
import { InputError } from '../errors.js';

export interface ProxySettings {
  /** For https URLs. */
  httpsProxy?: string;
  /** For http URLs. */
  httpProxy?: string;
  /** The NO_PROXY list, as given. */
  noProxy?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The first of `names` that is set to something other than blanks, with its name. */
function firstSet(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Schemes undici can speak to a proxy: an HTTP CONNECT proxy (plain or over TLS) or SOCKS5. */
const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:', 'socks:']);

/**
 * The proxy settings of `env` (curl's rules, see above). Throws InputError
 * naming the variable when a proxy address cannot be used.
 */
export function proxySettingsFromEnv(env: Env): ProxySettings {
  const all = firstSet(env, ['all_proxy', 'ALL_PROXY']);
  const httpsProxy = firstSet(env, ['https_proxy', 'HTTPS_PROXY']) ?? all;
  const httpProxy = firstSet(env, ['http_proxy']) ?? all;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  return {
    ...(httpsProxy ? { httpsProxy: checkedProxy(httpsProxy) } : {}),
    ...(httpProxy ? { httpProxy: checkedProxy(httpProxy) } : {}),
    ...(noProxy ? { noProxy: noProxy.value } : {}),
  };
}

/** curl treats `proxy.corp:3128` as `http://proxy.corp:3128`; so does TokenDesk. */
function checkedProxy({ name, value }: { name: string; value: string }): string {
  const proxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new InputError('ERR_INPUT_FIELD', `The proxy address in ${name} is not a valid address. Write it as http://proxy.example:3128 (with user:password@ before the host when the proxy needs them).`);
  }
  if (!PROXY_SCHEMES.has(url.protocol) || !url.hostname) {
    throw new InputError('ERR_INPUT_FIELD', `The proxy address in ${name} starts with ${url.protocol}//; TokenDesk speaks to proxies over http://, https:// or socks5://.`);
  }
  return proxy;
}

/** The proxy's address for messages: scheme, host and port, never its user name or password. */
export function displayProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(an invalid proxy address)';
  }
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * True when NO_PROXY sends `url` straight out. The same rules undici's
 * EnvHttpProxyAgent applies (which does the routing): entries split on
 * commas and blanks, `*` for all, a leading `.` or `*.` dropped, a name
 * matching itself and its subdomains, `host:port` only on that port. Asked
 * here too so a failure names the proxy only when one was used.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  if (noProxy.trim() === '*') return true;
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === name || hostname.endsWith(`.${name}`)) return true;
  }
  return false;
}
