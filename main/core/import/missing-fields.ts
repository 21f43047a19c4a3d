/**
 * Messages for a setting the text does not have, in words: "The client
 * secret is missing: add a client_secret line (…)". Such a message names the
 * field (the problem's `field`) but no line: what is missing is not anywhere
 * in the text.
 */
import type { GrantType } from '../../../shared/types.js';
import { InputError } from '../errors.js';
import type { ErrorCode, InputLocation } from '../errors.js';
import type { CanonicalKey } from './aliases.js';

/**
 * An InputError for `location`; when it has a field but no line, the message
 * is not prefixed with the field's TOML name ("client_secret: The client
 * secret is missing…"): the words already say which field, and the field
 * still travels in `location.field` for the forms.
 */
export function locatedError(code: ErrorCode, message: string, location: InputLocation): InputError {
  if (location.line !== undefined || location.field === undefined) return new InputError(code, message, location);
  const { field, ...rest } = location;
  const unprefixed: InputLocation = { ...rest };
  const error = new InputError(code, message, unprefixed);
  // InputError builds its message from the location it is given; the field is added after, on the same object.
  unprefixed.field = field;
  return error;
}

/** The setting as a person calls it, and what it is. */
const FIELDS: Partial<Record<CanonicalKey, { words: string; what: string }>> = {
  name: { words: 'The account name', what: 'any name that helps you recognise the account' },
  token_url: { words: 'The token address', what: 'the address tokens are requested from' },
  authorize_url: { words: 'The sign-in page address', what: 'the address of the provider’s login page' },
  device_authorization_url: { words: 'The device sign-in address', what: 'the address that hands out device codes' },
  issuer: { words: 'The provider address (issuer)', what: 'the provider’s address, used as the audience of the signed assertion' },
  client_id: { words: 'The client ID', what: 'the client or application id the provider gave you' },
  client_secret: { words: 'The client secret', what: 'the client secret the provider gave you' },
  username: { words: 'The user name', what: 'the user name you log in with' },
  password: { words: 'The password', what: 'the password you log in with' },
  key: { words: 'The private key', what: 'open the key .json file the provider gave you, or add key_file = "key.json"' },
  access_token: { words: 'The access token', what: 'the personal access token created in the provider’s web interface' },
};

/**
 * The message for `key` missing from an account of `grant`; `fallback` (the
 * validation's own message) when the field has no words here.
 */
export function missingFieldMessage(key: CanonicalKey, grant: GrantType, fallback: string): string {
  const field = FIELDS[key];
  if (!field) return fallback;
  const publicClient = key === 'client_secret' && grant !== 'client_credentials' ? '; if the provider gave you none, add client_auth = "none"' : '';
  return `${field.words} is missing: add ${/^[aeiou]/.test(key) ? 'an' : 'a'} ${key} line (${field.what}; the ${grant} grant needs it${publicClient})`;
}
