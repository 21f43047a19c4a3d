/** The origin (scheme, host, port) of a URL, for "is this the same server?" checks. */

/** `https://host:port` of `url`; undefined for an invalid URL or an opaque origin (custom schemes). */
export function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
