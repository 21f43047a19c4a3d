/**
 * Plays the user's browser in an authorization-code flow: follows the
 * authorize URL through the server's redirects until it reaches the redirect
 * URI (our loopback listener), which then answers with its friendly page.
 */
export async function followAuthorization(url: string, maxHops = 10): Promise<{ finalUrl: string; status: number; body: string }> {
  let current = url;
  for (let hop = 0; hop < maxHops; hop++) {
    const target = new URL(current);
    if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost' && target.hostname !== '[::1]') {
      throw new Error(`the browser step would leave loopback: ${target.origin}`);
    }
    const response = await fetch(current, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      current = new URL(location, current).href;
      continue;
    }
    return { finalUrl: current, status: response.status, body: await response.text() };
  }
  throw new Error('too many redirects in the browser step');
}
