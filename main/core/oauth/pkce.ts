/**
 * PKCE (RFC 7636) and the `state` value of the authorization-code flow. The
 * randomness comes from the injected port, so tests can pin it.
 */
import { createHash } from 'node:crypto';
import type { CorePorts } from '../ports.js';

/** 32 random bytes give 43 base64url characters: the RFC's recommended verifier length. */
const VERIFIER_BYTES = 32;
const STATE_BYTES = 32;

/** base64url without padding; its alphabet is a subset of RFC 7636's "unreserved" characters. */
function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * A fresh high-entropy code verifier (43 characters of [A-Za-z0-9-_]).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function generateCodeVerifier(ports: Pick<CorePorts, 'randomBytes'>): string {
  return base64url(ports.randomBytes(VERIFIER_BYTES));
}

/**
 * The S256 code challenge: BASE64URL(SHA256(ASCII(code_verifier))).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function computeCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * An unguessable `state` that binds the callback to the flow that started it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function generateState(ports: Pick<CorePorts, 'randomBytes'>): string {
  return base64url(ports.randomBytes(STATE_BYTES));
}
