/**
 * Custom-protocol callbacks (`tokendesk://...` and the RFC 8252 7.1
 * reverse-domain form `app.tokendesk:/callback`). The operating system hands
 * the URL over in one of three ways: in the second instance's argv (Windows,
 * Linux), in our own argv at first launch, or through `open-url` (macOS, which
 * may fire before `ready`). All three end in one router.
 */
import type { App } from 'electron';

/** Schemes registered with the OS and in electron-builder.yml `protocols`. */
export const CALLBACK_SCHEMES = ['tokendesk', 'app.tokendesk'] as const;

/** `app.tokendesk:` alone (RFC 8252 7.1 uses a single slash: `app.tokendesk:/callback`). */
const CALLBACK_PREFIXES = ['tokendesk://', 'app.tokendesk:'] as const;

/** Longer than any real authorization response; refuses junk before parsing. */
const MAX_CALLBACK_URL_LENGTH = 8192;

/** True when `value` is one of our callback URLs (checked by prefix, then parsed). */
export function isCallbackUrl(value: string): boolean {
  if (value.length > MAX_CALLBACK_URL_LENGTH) return false;
  const lower = value.slice(0, 16).toLowerCase();
  if (!CALLBACK_PREFIXES.some((prefix) => lower.startsWith(prefix))) return false;
  return URL.canParse(value);
}

/**
 * Finds the callback URL anywhere in a command line. Never by position:
 * Chromium inserts its own switches, and the dev build has the script path.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function findCallbackUrl(argv: readonly string[]): string | undefined {
  return argv.find((arg) => typeof arg === 'string' && isCallbackUrl(arg));
}

export type CallbackHandler = (url: string) => Promise<unknown>;

/**
 * Queues callback URLs until the app can handle them (macOS sends `open-url`
 * before `ready`), then hands each to `completeAuthorization`. A failing
 * completion is reported through `onError`, never thrown into Electron's loop.
 */
export class CallbackRouter {
  #handler: CallbackHandler | undefined;
  readonly #pending: string[] = [];
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Routes a URL now, or keeps it until `setHandler`. Foreign strings are ignored. */
  route(url: string): boolean {
    if (!isCallbackUrl(url)) return false;
    if (this.#handler) this.#dispatch(this.#handler, url);
    else if (this.#pending.length < 16) this.#pending.push(url);
    return true;
  }

  /** Installs the handler and drains what arrived before it. */
  setHandler(handler: CallbackHandler): void {
    this.#handler = handler;
    for (const url of this.#pending.splice(0)) this.#dispatch(handler, url);
  }

  #dispatch(handler: CallbackHandler, url: string): void {
    handler(url).catch(this.#onError);
  }
}

export type ProtocolApp = Pick<App, 'on' | 'setAsDefaultProtocolClient' | 'requestSingleInstanceLock' | 'quit'>;

export interface ProtocolRegistration {
  /** False when another instance holds the lock: this one has already called quit(). */
  primary: boolean;
}

/**
 * Takes the single-instance lock and wires every path a callback URL can take.
 * Must run before `ready` so that neither `open-url` nor the first argv is lost.
 */
export function registerProtocolHandling(
  app: ProtocolApp,
  router: CallbackRouter,
  options: { argv: readonly string[]; defaultApp: boolean; execPath: string; appPath?: string; onSecondInstance(): void },
): ProtocolRegistration {
  if (!app.requestSingleInstanceLock()) {
    // The running instance receives our argv through `second-instance`.
    app.quit();
    return { primary: false };
  }
  for (const scheme of CALLBACK_SCHEMES) {
    // An unpackaged run (`electron .`) must name the app path, or the OS would launch bare Electron.
    if (options.defaultApp && options.appPath) app.setAsDefaultProtocolClient(scheme, options.execPath, [options.appPath]);
    else app.setAsDefaultProtocolClient(scheme);
  }
  app.on('second-instance', (_event, argv) => {
    const url = findCallbackUrl(argv);
    if (url) router.route(url);
    options.onSecondInstance();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    router.route(url);
  });
  const initial = findCallbackUrl(options.argv);
  if (initial) router.route(initial);
  return { primary: true };
}
