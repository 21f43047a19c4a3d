/**
 * RFC 8707 resource indicators and the `audience` parameter: what an account
 * says about the API its tokens are for, as request parameters. Sent on the
 * authorization request (2.1), every token request of every grant and every
 * refresh (2.2), and the device authorization request, which carries the
 * same intent as an authorization request. Never on revocation: RFC 7009
 * names the token, not its target.
 *
 * Set after the account's extra parameters: an extra of the same name is
 * refused at import and dropped at run time (protocol-params.ts), so the
 * setting is sent once, never beside a second copy.
 */
import type { AccountSettings } from '../../../shared/account.js';
import type { RequestParams } from './request-params.js';

/**
 * `{ resource: [...], audience }` for the account, leaving out what it does not set.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
 */
export function targetParams(settings: Pick<AccountSettings, 'resource' | 'audience'>): RequestParams {
  const out: RequestParams = {};
  if (settings.resource !== undefined && settings.resource.length > 0) out.resource = [...settings.resource];
  if (settings.audience !== undefined) out.audience = settings.audience;
  return out;
}

/**
 * Sets the account's `resource` and `audience` on an authorization URL's
 * query, replacing any of that name the configured URL carried (nothing
 * configured can stand beside the setting).
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.1
 */
export function setTargetQuery(query: URLSearchParams, settings: Pick<AccountSettings, 'resource' | 'audience'>): void {
  for (const [name, value] of Object.entries(targetParams(settings))) {
    query.delete(name);
    for (const item of typeof value === 'string' ? [value] : value) query.append(name, item);
  }
}
